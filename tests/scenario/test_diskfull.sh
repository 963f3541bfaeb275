#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A full disk (issue 17, item 3): a 40 KiB tmpfs fills up during a run's output, a checkpoint
# and summarize -o. Each exits 74 with one line (HDF5's error stack only at -v), leaves nothing
# in the folder (no temporary file) and does not crash: before, each ended in a segfault at exit
# (SEGV in H5F__close_cb, exit 139) after HDF5's multi-line error text. Needs root to mount
# the tmpfs; otherwise it says why and exits 77, which ctest counts as skipped.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work/fs"
cd "$work"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=40k tmpfs fs 2>mount.err; then
  echo "test_diskfull: SKIPPED: cannot mount a small tmpfs here ($( [ "$(id -u)" -ne 0 ] && echo "not root" || cat mount.err))"
  exit 77
fi
trap 'umount "$work/fs" 2>/dev/null || true' EXIT
demo="$src/configs/demo.yaml"
fail=0

# full WHAT RC PATTERN LEFT -- COMMAND...: COMMAND exits RC with one line matching PATTERN
# (an extended regular expression) on stderr, and fs/ then holds just LEFT
full() {
  local what=$1 want_rc=$2 want=$3 left=$4 rc=0
  shift 5
  "$@" 2>err || rc=$?
  if [ "$rc" -ne "$want_rc" ] || [ "$(wc -l < err)" -ne 1 ] || ! grep -Eqx "$want" err; then
    echo "FAIL $what: exit $rc (expected $want_rc)"; cat err; fail=1
  fi
  [ "$(ls fs | tr '\n' ' ')" = "$left" ] || { echo "FAIL $what: left in fs: $(ls fs)"; fail=1; }
}

full "run -o" 74 "migsim: fs/o.h5: HDF5: file write failed: No space left on device" "" -- \
  "$migsim" run "$demo" -o fs/o.h5 --quiet --set output.deflate=0
# at -v the whole HDF5 error stack, then the same last line
rc=0
"$migsim" run "$demo" -o fs/o.h5 -v --set output.deflate=0 2>err || rc=$?
[ "$rc" -eq 74 ] && grep -q "^HDF5-DIAG: Error detected" err &&
  [ "$(tail -1 err)" = "migsim: fs/o.h5: HDF5: file write failed: No space left on device" ] && [ -z "$(ls fs)" ] \
  || { echo "FAIL run -v: exit $rc"; tail -3 err; fail=1; }

full "checkpoint" 74 "migsim: fs/c.ckpt: cannot write the checkpoint: HDF5: file write failed: No space left on device" "" -- \
  "$migsim" run "$demo" -o o.h5 --quiet --checkpoint fs/c.ckpt --stop-after 5
[ ! -e o.h5 ] || { echo "FAIL checkpoint: output left"; fail=1; }

"$migsim" run "$demo" -o r1.h5 --quiet --set days=10
"$migsim" run "$demo" -o r2.h5 --quiet --set days=10 --seed 2
full "summarize -o" 74 "migsim: fs/e.h5: HDF5: file write failed: No space left on device" "" -- "$migsim" summarize r1.h5 r2.h5 -o fs/e.h5
[ "$fail" -eq 0 ] || exit 1
echo "test_diskfull: OK"
