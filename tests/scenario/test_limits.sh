#!/usr/bin/env bash
# Limits on what a scenario may ask for (issue 17, items 4 and 6), each with its exact message
# and exit code and no file left behind: the memory estimate (printed by check; a run above the
# memory available or --max-memory refused with exit 71 before the agents are allocated; before,
# check said OK to 2e9 agents and run reserved 52.8 GB until the kernel killed it).
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
[ "$fail" -eq 0 ] || exit 1
echo "test_limits: OK"
