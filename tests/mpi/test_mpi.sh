#!/usr/bin/env bash
# MPI build: `mpirun -np 1, 2 and 4` give output datasets byte-identical to the default
# (OpenMP, no MPI) build's, for the demo scenario; and the work is really divided (each
# rank's log reports the per-day reduction).
set -euo pipefail
migsim_mpi=$1 migsim_ref=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
demo="$src/configs/demo.yaml"
"$migsim_ref" run "$demo" -o "$work/ref.h5" --seed 7 --threads 2 --quiet --set days=120
for n in 1 2 4; do
  mpirun --oversubscribe -np "$n" "$migsim_mpi" run "$demo" -o "$work/np$n.h5" --seed 7 --threads 1 \
    --set days=120 2>"$work/np$n.log"
  if [ "$n" -gt 1 ]; then
    grep -q "MPI: $n ranks, [0-9]* bytes reduced per rank per day" "$work/np$n.log"
  fi
  /usr/bin/python3 - "$work/np$n.h5" "$n" <<'PY' || { echo "np $n: provenance mpi_ranks is not $n"; exit 1; }
import sys, h5py
v = h5py.File(sys.argv[1], "r")["provenance"].attrs["mpi_ranks"]
sys.exit(0 if (v.decode() if isinstance(v, bytes) else str(v)) == sys.argv[2] else 1)
PY
done
/usr/bin/python3 "$src/tests/scenario/compare_h5.py" "$work/ref.h5" "$work/np1.h5" "$work/np2.h5" "$work/np4.h5"
echo "test_mpi: OK"
