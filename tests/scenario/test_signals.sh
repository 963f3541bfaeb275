#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Signals and kill -9 (issue 17, items 5 and 8). SIGINT, SIGHUP and SIGTERM in the middle of a
# run stop it cleanly: exit 75, a checkpoint, nothing at the output path and no temporary file;
# the restart writes datasets byte-identical to an uninterrupted run's. kill -9 at two days of a
# run leaves a temporary file (nothing can remove it then), never the output; the next run
# writing to that folder removes it and leaves no stray file. Before, SIGINT and SIGHUP killed
# the run and left OUT.tmp.<pid>, and nothing ever removed the files kill -9 left.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cd "$work"
demo="$src/configs/demo.yaml"
cmp_h5() { /usr/bin/python3 "$src/tests/scenario/compare_h5.py" "$@" >/dev/null; }
fail=0
# the run's own signal dispositions: a background job of a script ignores SIGINT otherwise
run_bg() { env --default-signal=INT,HUP "$migsim" run "$demo" --set days=1000 --threads 1 "$@" & }
# wait_day LOG PERCENT: until the run has logged that tenth of its days
wait_day() { for _ in $(seq 1200); do grep -q "day [0-9]*/1000 ($2%)" "$1" && return 0; sleep 0.05; done; return 1; }

"$migsim" run "$demo" -o full.h5 --set days=1000 --threads 1 --quiet

for sig in INT HUP TERM; do
  rc=0
  run_bg -o "$sig.h5" 2>"$sig.log"
  pid=$!
  wait_day "$sig.log" 20 || { echo "FAIL $sig: no progress"; fail=1; }
  kill -s "$sig" "$pid"
  wait "$pid" || rc=$?
  [ "$rc" -eq 75 ] || { echo "FAIL SIG$sig: exit $rc, expected 75"; tail -3 "$sig.log"; fail=1; }
  grep -q "signal [0-9]*: stopping; resume with --restart $sig.h5.ckpt" "$sig.log" || { echo "FAIL SIG$sig: log"; fail=1; }
  [ "$(ls "$sig".h5* | tr '\n' ' ')" = "$sig.h5.ckpt " ] || { echo "FAIL SIG$sig: left $(ls "$sig".h5*)"; fail=1; }
  if [ "$sig" != TERM ]; then
    "$migsim" run "$demo" -o "$sig.h5" --set days=1000 --threads 1 --quiet --restart "$sig.h5.ckpt"
    cmp_h5 full.h5 "$sig.h5" || { echo "FAIL SIG$sig: restart differs"; fail=1; }
  fi
done

# kill -9 after 20 % and after 60 % of the days
mkdir k9
for pct in 20 60; do
  run_bg -o "k9/out$pct.h5" 2>"k9-$pct.log"
  pid=$!
  wait_day "k9-$pct.log" "$pct" || { echo "FAIL kill -9 at $pct%: no progress"; fail=1; }
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  [ ! -e "k9/out$pct.h5" ] || { echo "FAIL kill -9 at $pct%: output exists"; fail=1; }
  [ -e "k9/out$pct.h5.tmp.$pid" ] || { echo "FAIL kill -9 at $pct%: expected the temporary file"; fail=1; }
done
# a stale file of a live process is kept: this shell's own pid
touch "k9/other.h5.tmp.$$"
"$migsim" run "$demo" -o k9/next.h5 --set days=5 --quiet
[ "$(ls k9 | tr '\n' ' ')" = "next.h5 other.h5.tmp.$$ " ] || { echo "FAIL after kill -9: k9 holds $(ls k9)"; fail=1; }
[ "$fail" -eq 0 ] || exit 1
echo "test_signals: OK"
