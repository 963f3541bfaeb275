#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages migsim needs, only those missing.
#   scripts/deps.sh build    compiler, CMake and the C libraries
#   scripts/deps.sh test     the above plus Criterion, Python (h5py, xarray, pandas, matplotlib,
#                            geopandas for the map's coastlines, pytest, nbconvert +
#                            ipykernel; pip, setuptools, wheel and venv to pip install the
#                            migsim package), R (hdf5r, ggplot2, testthat), tclsh (the
#                            modulefile's test) and SLURM
#                            with munge (tests/cluster starts its own private daemons; on a
#                            host with systemd, apt also enables the packages' services)
#   scripts/deps.sh mpi      the above plus OpenMPI and parallel HDF5 (for -DMIGSIM_MPI=ON)
#   scripts/deps.sh fuzz     the build packages plus clang (libFuzzer, for scripts/fuzz)
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config git help2man
            libgsl-dev libhdf5-dev libcyaml-dev libyaml-dev librandom123-dev libcsv-dev)
test_pkgs=(libcriterion-dev python3 python3-numpy python3-h5py python3-xarray python3-h5netcdf
           python3-netcdf4 r-base-core r-cran-hdf5r
           python3-pandas python3-matplotlib python3-pytest python3-nbformat python3-nbclient
           python3-ipykernel jupyter-nbconvert r-cran-testthat python3-yaml man-db
           python3-pip python3-setuptools python3-wheel python3-venv
           python3-geopandas r-cran-ggplot2 tcl slurmctld slurmd slurm-client munge)

mpi_pkgs=(openmpi-bin libopenmpi-dev libhdf5-openmpi-dev)
fuzz_pkgs=(clang)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  mpi) want+=("${test_pkgs[@]}" "${mpi_pkgs[@]}") ;;
  fuzz) want+=("${fuzz_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|mpi|fuzz]" >&2; exit 64 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#want[@]} packages present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 77; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
