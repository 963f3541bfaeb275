#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Limits on what a scenario may ask for (issue 17, items 4 and 6), each with its exact message
# and exit code and no file left behind: the memory estimate (printed by check; a run above the
# memory available or --max-memory refused with exit 71 before the agents are allocated; before,
# check said OK to 2e9 agents and run reserved 52.8 GB until the kernel killed it); the input
# limits (YAML nesting, one document, CF-decodable dates, max_agents, UTF-8 CSVs, input files
# that are directories or devices, an index that overflows; before, these cost quadratic time,
# were ignored, wrote files xarray could not read, or gave messages without a key).
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cd "$work"
demo="$src/configs/demo.yaml"
fail=0

# expect WHAT RC STDERR -- COMMAND...: exit RC, stderr exactly STDERR, no out.h5* left
expect() {
  local what=$1 want_rc=$2 want=$3 rc=0
  shift 4
  "$@" >out 2>err || rc=$?
  if [ "$rc" -ne "$want_rc" ] || [ "$(cat err)" != "$want" ]; then
    echo "FAIL $what: exit $rc (expected $want_rc)"; echo "  got:      $(cat err)"; echo "  expected: $want"
    fail=1
  fi
  if ls out.h5* >/dev/null 2>&1; then echo "FAIL $what: left $(ls out.h5*)"; fail=1; fi
}

# memory: 87030 agents x 27 bytes plus the tables of 15 places, 14 links, 2 nationalities, 2 threads
expect "check" 0 "" -- "$migsim" check "$demo" --threads 2
grep -qx "  memory: about 2.3 MiB (87030 agents x 27 bytes + 32.7 KiB of tables)" out \
  || { echo "FAIL check: no memory line"; cat out; fail=1; }
expect "check 2e9 agents" 71 \
  "migsim: $demo: the run needs about 50.3 GiB (2000000000 agents x 27 bytes + 32.0 KiB of tables), more than the 8.0 GiB it may use (the memory available, or --max-memory)" \
  -- "$migsim" check "$demo" --threads 2 --set 'sources[0].rate=1e9' --set 'sources[1].rate=0' --set days=2 --max-memory 8G
expect "run --max-memory" 71 \
  "migsim: $demo: the run needs about 2.3 MiB (87030 agents x 27 bytes + 32.7 KiB of tables), more than the 1.0 MiB it may use (the memory available, or --max-memory)" \
  -- "$migsim" run "$demo" -o out.h5 --threads 2 --quiet --max-memory 1M
expect "--max-memory 1Q" 64 "migsim: --max-memory: expected a size such as 8G or 500M, got \"1Q\"
Try 'migsim --help'." -- "$migsim" run "$demo" -o out.h5 --max-memory 1Q

cp -r "$src/configs/demo.yaml" "$src/configs/demo" .
{ cat demo.yaml; printf -- '---\ndays: 3\n'; } > two.yaml
expect "second document" 78 "migsim: two.yaml:$(($(wc -l < demo.yaml) + 1)):1: a second YAML document (after \"---\"); a scenario is one document" \
  -- "$migsim" check two.yaml
/usr/bin/python3 -c "print('x: ' + '[' * 100000 + ']' * 100000)" > deep.yaml
expect "nesting" 78 "migsim: deep.yaml:1:67: nested deeper than 64 levels" -- timeout 10 "$migsim" check deep.yaml
expect "start_date" 78 "migsim: --set start_date=0000-01-01: start_date: expected a date from 1678-01-01 to 2261-12-31 (the time axis xarray and pandas decode), got \"0000-01-01\"" \
  -- "$migsim" check demo.yaml --set start_date=0000-01-01
expect "end date" 78 "migsim: demo.yaml:9:7: days: the run would end on 2262-02-28, after 2261-12-31 (the time axis xarray and pandas decode)" \
  -- "$migsim" check demo.yaml --set start_date=2261-12-01
expect "max_agents" 78 "migsim: --set max_agents=10: max_agents: the sources spawn 87030 agents, more than max_agents 10" \
  -- "$migsim" run demo.yaml -o out.h5 --quiet --set max_agents=10
mkdir dirx
expect "a directory as CSV" 66 "migsim: --set network.places=dirx: network.places: \"dirx\" is a directory, not a file" \
  -- "$migsim" check demo.yaml --set network.places=dirx
expect "/dev/zero as CSV" 78 "migsim: --set network.places=/dev/zero: network.places: \"/dev/zero\" is a device, not a file" \
  -- timeout 20 "$migsim" check demo.yaml --set network.places=/dev/zero
expect "index overflow" 78 "migsim: --set sources[99999999999999999999].rate=1: bad index in \"sources[99999999999999999999]\"" \
  -- "$migsim" check demo.yaml --set 'sources[99999999999999999999].rate=1'
sed -i '2s/^Caracas/Car\xe9cas/' demo/places.csv
expect "not UTF-8" 65 "migsim: demo/places.csv:2:1: not UTF-8: byte 0xE9 at byte 4 of the field" \
  -- "$migsim" run demo.yaml -o out.h5 --quiet
[ "$fail" -eq 0 ] || exit 1
echo "test_limits: OK"
