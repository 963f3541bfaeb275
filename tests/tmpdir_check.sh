#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one test with TMPDIR set to a fresh, empty folder and fails it if it leaves anything
# there: every test removes its scratch files (tests/test_tmp.h for the Criterion tests).
#   bash tests/tmpdir_check.sh PREFIX COMMAND [ARG...]
# The folder is PREFIX.XXXXXX (its parent is made if missing). The command's exit code is
# kept, 77 (skipped) included; a command that passes (or skips) but leaves files exits 1 and
# names them. The folder is removed afterwards, unless the command failed and left files
# (they may say why).
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 PREFIX COMMAND [ARG...]" >&2; exit 64; }
prefix=$1
shift
mkdir -p "$(dirname "$prefix")" && tmp=$(mktemp -d "$prefix.XXXXXX") || exit 73
TMPDIR=$tmp "$@"
rc=$?
left=$(cd "$tmp" && find . -mindepth 1 -maxdepth 1 -printf '%f\n' | sort)
if [ -z "$left" ]; then
  rmdir "$tmp"
  exit $rc
fi
if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
  echo "tmpdir_check: the failed test's files are kept in $tmp" >&2
  exit $rc
fi
rm -rf "$tmp"
printf 'tmpdir_check: FAILED: the test left %d entries in TMPDIR, first ones:\n%s\n' \
  "$(wc -l <<<"$left")" "$(head -n 5 <<<"$left")" >&2
exit 1
