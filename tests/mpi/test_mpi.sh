#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# MPI build: `mpirun -np 1, 2 and 4` give output datasets byte-identical to the default
# (OpenMP, no MPI) build's, for the demo scenario, a scenario with every intervention and for
# the corridor model; and the work
# is really divided (rank 0's log reports the per-day reduction).
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

# every kind of intervention, families and a caravan (quota caps and caravan counts are
# summed over ranks)
pol="$src/tests/data/policy/all.yaml"
"$migsim_ref" run "$pol" -o "$work/pref.h5" --threads 2 --quiet
for n in 2 4; do
  mpirun --oversubscribe -np "$n" "$migsim_mpi" run "$pol" -o "$work/pnp$n.h5" --threads 1 --quiet
done
/usr/bin/python3 "$src/tests/scenario/compare_h5.py" "$work/pref.h5" "$work/pnp2.h5" "$work/pnp4.h5"

# the corridor model too, to 2024-02-02: through the CBP One period (its appointment
# probability needs the waiting count summed over ranks) and INM's enforcement targets of
# 2022 - January 2024 (their daily probability needs the apprehensions and passages summed
# over ranks), at reduced scale, the targets scaled alike
corridor="$src/configs/corridor/corridor.yaml"
set_c=(--seed 5 --quiet --set days=1250 --set corridor.scale=0.02)
"$migsim_ref" run "$corridor" -o "$work/cref.h5" --threads 2 "${set_c[@]}"
for n in 2 4; do
  mpirun --oversubscribe -np "$n" "$migsim_mpi" run "$corridor" -o "$work/cnp$n.h5" --threads 1 "${set_c[@]}"
done
/usr/bin/python3 "$src/tests/scenario/compare_h5.py" "$work/cref.h5" "$work/cnp2.h5" "$work/cnp4.h5"
/usr/bin/python3 - "$work/cref.h5" <<'PY' || { echo "corridor reference run has no CBP One waiters"; exit 1; }
import sys, h5py
sys.exit(0 if h5py.File(sys.argv[1], "r")["cbp_one_waiting"][:].max() > 0 else 1)
PY
echo "test_mpi: OK"
