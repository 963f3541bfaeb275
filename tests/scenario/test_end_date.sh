#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# end_date as the alternative to days (issue 18, item 7): a demo with end_date 2023-03-31 (the
# last simulated day, inclusive) writes the same datasets, byte for byte, as the demo's days: 90;
# --set end_date shortens a scenario written with days (and --set days one written with
# end_date) as --set days would; giving both (in the file, or both with --set), neither, an end
# before the start or a malformed date is refused with its message.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
sed "s|demo/|$src/configs/demo/|" "$src/configs/demo.yaml" > days.yaml
sed 's/^days: 90 .*/end_date: 2023-03-31/' days.yaml > end.yaml
grep -q "^end_date: 2023-03-31$" end.yaml
"$migsim" run days.yaml -o days.h5 --quiet --threads 1
"$migsim" run end.yaml -o end.h5 --quiet --threads 1
/usr/bin/python3 "$src/tests/scenario/compare_h5.py" days.h5 end.h5
"$migsim" run days.yaml -o days45.h5 --quiet --threads 1 --set days=45
"$migsim" run days.yaml -o set_end.h5 --quiet --threads 1 --set end_date=2023-02-14
"$migsim" run end.yaml -o set_days.h5 --quiet --threads 1 --set days=45
/usr/bin/python3 "$src/tests/scenario/compare_h5.py" days45.h5 set_end.h5
/usr/bin/python3 "$src/tests/scenario/compare_h5.py" days45.h5 set_days.h5
fail=0
expect() {   # expect STDERR -- ARGS...: exit 78 and exactly STDERR
  local want=$1 rc=0
  shift 2
  "$migsim" check "$@" 2>err >/dev/null || rc=$?
  if [ "$rc" -ne 78 ] || [ "$(cat err)" != "$want" ]; then
    echo "FAIL $*: exit $rc"; echo "  got:      $(cat err)"; echo "  expected: $want"; fail=1
  fi
}
expect "migsim: --set end_date=2023-03-31: end_date: give days or end_date, not both" -- days.yaml --set days=90 \
  --set end_date=2023-03-31
sed 's/^days: 90 .*/days: 90\nend_date: 2023-03-31/' days.yaml > both.yaml
expect "migsim: $PWD/both.yaml:10:11: end_date: give days or end_date, not both" -- "$PWD/both.yaml"
expect "migsim: --set end_date=2022-12-31: end_date: 2022-12-31 is before start_date 2023-01-01" -- end.yaml \
  --set end_date=2022-12-31
expect "migsim: --set end_date=2023-02-30: end_date: expected a date YYYY-MM-DD, got \"2023-02-30\"" -- end.yaml \
  --set end_date=2023-02-30
grep -v "^end_date" end.yaml > neither.yaml
expect "migsim: $PWD/neither.yaml:5:1: days: missing required key" -- "$PWD/neither.yaml"
exit $fail
