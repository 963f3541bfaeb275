#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# README command 1: installs what is missing, builds migsim (Release) and runs the
# default scenario, the 1:1 corridor of 2020-09-01 to 2024-09-30 (configs/corridor/; set
# MIGSIM_SCENARIO to run another), writing out/default.h5. Extra arguments go to `migsim run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMIGSIM_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)"
mkdir -p out
scenario=${MIGSIM_SCENARIO:-configs/corridor/corridor.yaml}
./build/migsim check "$scenario"
./build/migsim run "$scenario" -o out/default.h5 "$@"
echo "quickstart: wrote out/default.h5; open it with (Python packages: scripts/deps.sh test):"
echo "  /usr/bin/python3 -c 'import xarray as xr; print(xr.open_dataset(\"out/default.h5\"))'"
if [ "$scenario" = configs/corridor/corridor.yaml ]; then
  echo "and compare it with the CBP record (FY2021-FY2023):"
  echo "  /usr/bin/python3 scripts/corridor_compare.py out/default.h5 --png out/default.png"
fi
