#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# valgrind (issue 17, item 9): a 5-day demo run with 1 and with 2 threads has no memory error
# and loses no memory definitely or indirectly. No suppressions are needed (none are used):
# what valgrind shows beside that is memory still reachable at exit (HDF5's, since migsim
# skips HDF5's clean-up at exit, and libgomp's) and, with 2 threads, one block "possibly lost"
# inside libgomp's thread start (its thread-local storage), which is not counted as an error.
# Skipped (exit 77, with the reason) without valgrind or for a sanitizer build (ASan and
# valgrind cannot run together).
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cd "$work"
command -v valgrind >/dev/null || { echo "test_valgrind: SKIPPED: valgrind is not installed (apt-get install valgrind)"; exit 77; }
if ldd "$migsim" | grep libasan >/dev/null; then   # not grep -q: ldd would die of SIGPIPE (pipefail)
  echo "test_valgrind: SKIPPED: $migsim is built with AddressSanitizer, which valgrind cannot run"
  exit 77
fi
for t in 1 2; do
  rc=0
  valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect "$migsim" run "$src/configs/demo.yaml" -o "t$t.h5" --quiet \
    --set days=5 --threads "$t" >"vg$t.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] || ! grep -q "ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)" "vg$t.log" ||
     ! grep -Eq "definitely lost: 0 bytes in 0 blocks|All heap blocks were freed" "vg$t.log"; then
    echo "FAIL valgrind with $t threads: exit $rc"; tail -30 "vg$t.log"; exit 1
  fi
done
echo "test_valgrind: OK"
