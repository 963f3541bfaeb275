#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Checkpoint and restart: a run stopped after day k (k = 1, 17, 45, 89) exits 75 and leaves a
# checkpoint but no output; resumed with --restart, it writes datasets byte-identical to an
# uninterrupted run's. The same through a real SIGUSR1 (SLURM's warning signal) mid-run, and
# for a scenario with every kind of intervention, families and a caravan.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
demo="$src/configs/demo.yaml"
cmp_h5() { /usr/bin/python3 "$src/tests/scenario/compare_h5.py" "$@"; }

"$migsim" run "$demo" -o "$work/full.h5" --seed 3 --threads 2 --quiet
for k in 1 17 45 89; do
  rc=0
  "$migsim" run "$demo" -o "$work/r$k.h5" --seed 3 --threads 2 --quiet --stop-after "$k" 2>"$work/err$k" || rc=$?
  [ "$rc" -eq 75 ] || { echo "stop after $k: exit $rc, expected 75"; cat "$work/err$k"; exit 1; }
  [ ! -e "$work/r$k.h5" ] || { echo "stop after $k: output exists"; exit 1; }
  [ -e "$work/r$k.h5.ckpt" ] || { echo "stop after $k: no checkpoint"; exit 1; }
  grep -q "stopped after day $k of 90" "$work/err$k"
  # resume with another thread count: the result must not change
  "$migsim" run "$demo" -o "$work/r$k.h5" --seed 3 --threads 1 --quiet --restart "$work/r$k.h5.ckpt"
  cmp_h5 "$work/full.h5" "$work/r$k.h5"
  [ ! -e "$work/r$k.h5.ckpt" ] || { echo "checkpoint left after a successful run"; exit 1; }
done

# with every intervention, families and a caravan: detentions, quota months, the caravan's
# position and the group table are restored (stops before, during and after the caravan)
pol="$src/tests/data/policy/all.yaml"
"$migsim" run "$pol" -o "$work/pfull.h5" --threads 2 --quiet
for k in 33 42 70; do
  rc=0
  "$migsim" run "$pol" -o "$work/p$k.h5" --threads 2 --quiet --stop-after "$k" 2>/dev/null || rc=$?
  [ "$rc" -eq 75 ] || { echo "policy: stop after $k: exit $rc, expected 75"; exit 1; }
  "$migsim" run "$pol" -o "$work/p$k.h5" --threads 1 --quiet --restart "$work/p$k.h5.ckpt"
  cmp_h5 "$work/pfull.h5" "$work/p$k.h5"
done

# a checkpoint of another scenario is refused
"$migsim" run "$demo" -o "$work/x.h5" --seed 3 --quiet --stop-after 5 2>/dev/null || true
rc=0
"$migsim" run "$demo" -o "$work/x.h5" --seed 4 --quiet --restart "$work/x.h5.ckpt" 2>"$work/errx" || rc=$?
[ "$rc" -eq 78 ] && grep -q "the checkpoint was written for another scenario" "$work/errx" && [ ! -e "$work/x.h5" ] \
  || { echo "mismatched restart: exit $rc"; cat "$work/errx"; exit 1; }

# SIGUSR1 in the middle of a longer run: stop cleanly, resume, compare
"$migsim" run "$demo" -o "$work/long.h5" --seed 3 --quiet --set days=3000
rc=0
"$migsim" run "$demo" -o "$work/sig.h5" --seed 3 --set days=3000 2>"$work/sig.log" &
pid=$!
for _ in $(seq 600); do grep -q "day [0-9]*/3000 (10%)" "$work/sig.log" && break; sleep 0.05; done
kill -USR1 "$pid"
wait "$pid" || rc=$?
[ "$rc" -eq 75 ] || { echo "SIGUSR1: exit $rc, expected 75"; tail "$work/sig.log"; exit 1; }
grep -q "signal 10: stopping" "$work/sig.log"
"$migsim" run "$demo" -o "$work/sig.h5" --seed 3 --set days=3000 --quiet --restart "$work/sig.h5.ckpt"
cmp_h5 "$work/long.h5" "$work/sig.h5"
echo "test_checkpoint: OK"
