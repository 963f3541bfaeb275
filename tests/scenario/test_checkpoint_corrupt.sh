#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A damaged checkpoint is refused on --restart before the world is used (issue 17, item 1):
# every shape against the agent count, every index against its table, value ranges and the
# checksum of the payload. Each case exits 65 with exactly one line naming the checkpoint,
# the dataset and the entry, writes no output and (under ASan/UBSan) no sanitizer report.
# Without the checks these cases overflowed buffers, segfaulted or ran on to other results.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cd "$work"
demo="$src/configs/demo.yaml" pol="$src/tests/data/policy/all.yaml"
damage() { /usr/bin/python3 "$src/tests/scenario/corrupt_h5.py" "$@"; }
fail=0

# expect SCENARIO CHECKPOINT CASE RC MESSAGE: restart from CHECKPOINT damaged by CASE; MESSAGE
# is the whole of stderr, or with a leading "re:" an extended regular expression for it
expect() {
  local scen=$1 ck=$2 case=$3 want_rc=$4 want=$5 rc=0 same=0
  rm -f c.h5*
  damage "$ck" c.ckpt "$case"
  "$migsim" run "$scen" -o c.h5 --quiet --restart c.ckpt 2>err || rc=$?
  case $want in
    re:*) [ "$(wc -l < err)" -eq 1 ] && grep -Eqx "${want#re:}" err && same=1 ;;
    *) [ "$(cat err)" = "$want" ] && same=1 ;;
  esac
  if [ "$rc" -ne "$want_rc" ] || [ "$same" -ne 1 ]; then
    echo "FAIL $case: exit $rc (expected $want_rc)"; echo "  got:      $(cat err)"; echo "  expected: $want"
    fail=1
  fi
  if ls c.h5* >/dev/null 2>&1; then echo "FAIL $case: left $(ls c.h5*)"; fail=1; fi
}

"$migsim" run "$demo" -o d.h5 --quiet --stop-after 10 2>/dev/null || true
"$migsim" run "$pol" -o p.h5 --quiet --stop-after 42 2>/dev/null || true
D=migsim:\ c.ckpt

expect "$demo" d.h5.ckpt resize:agents/loc:100000 65 \
  "$D: /agents/loc: 100000 entries, expected 8000 (the agent count in /checkpoint)"
expect "$demo" d.h5.ckpt set:agents/loc:5:40 65 "$D: /agents/loc[5]: 40 is not a link index (the network has 14 links)"
expect "$demo" d.h5.ckpt set:agents/nat:5:999 65 "$D: /agents/nat[5]: 999 is not a nationality index (the scenario has 2)"
expect "$demo" d.h5.ckpt set:agents/group:5:123456 65 \
  "$D: /agents/group[5]: 123456 is not a group index (the checkpoint has 0 groups)"
expect "$demo" d.h5.ckpt set:agents/progress:5:nan 65 "$D: /agents/progress[5]: nan is not a finite number >= 0"
expect "$demo" d.h5.ckpt set:agents/progress:5:-1 65 "$D: /agents/progress[5]: -1 is not a finite number >= 0"
expect "$demo" d.h5.ckpt set:agents/progress:5:5000 65 \
  "$D: /agents/progress[5]: 5000 km is beyond the end of link 2 (106 km)"
expect "$demo" d.h5.ckpt set:agents/pace:5:0 65 "$D: /agents/pace[5]: 0 is not a pace in percent (1..100)"
expect "$demo" d.h5.ckpt set:agents/origin:5:999 65 "$D: /agents/origin[5]: 999 is not a place index (the network has 15 places)"
expect "$demo" d.h5.ckpt set:agents/held_by:5:3 65 "$D: /agents/held_by[5]: 3 on an agent that is not detained (expected 0)"
expect "$demo" d.h5.ckpt set:agents/state:5:9 65 \
  "$D: /agents/state[5]: 9 is not the state of an agent in the system (0 at a place, 1 on a link, 4 detained)"
# a value in range: only the checksum sees it
expect "$demo" d.h5.ckpt set:agents/flags:5:7 65 \
  "re:$D: /checkpoint: checksum [0-9a-f]{16}, but the contents give [0-9a-f]{16}: the file was changed or damaged after it was written"
# the counters: spawned must equal agents + absorbed + removed
expect "$demo" d.h5.ckpt attr:checkpoint:total_spawned:9000 65 \
  "re:$D: /checkpoint: total_spawned 9000 != agents 8000 \+ total_absorbed [0-9]+ \+ total_removed [0-9]+"
expect "$demo" d.h5.ckpt attr:checkpoint:next_day:0 65 "$D: /checkpoint: next_day 0 is outside the run (1..90)"
expect "$demo" d.h5.ckpt attr:checkpoint:format_version:2 65 \
  "$D: /checkpoint: format 2; this migsim reads format 3 (rerun from the start)"
# with interventions, families and a caravan: detentions, groups and the policy state
expect "$pol" p.h5.ckpt set:agents/held_by:210:7 65 "$D: /agents/held_by[210]: 7 is not an intervention index (the scenario has 7)"
expect "$pol" p.h5.ckpt set:groups/pace:0:nan 65 "$D: /groups/pace[0]: nan is not a pace in (0, 1]"
expect "$pol" p.h5.ckpt set:policy/state:15:99999 65 "$D: /policy/state[15]: 99999 is not a value this state can take"
expect "$pol" p.h5.ckpt set:policy/state:1:nan 65 "$D: /policy/state[1]: nan is not a value this state can take"

# the seal (SHA-256 of the HDF5 bytes, appended): checked before HDF5 parses the file, in
# whose parser the fuzzer found a use-after-free on a corrupt checkpoint (HDF5 1.10.8)
head -c -1 d.h5.ckpt > cut.ckpt
rm -f c.h5*
rc=0; "$migsim" run "$demo" -o c.h5 --quiet --restart cut.ckpt 2>err || rc=$?
want="migsim: cut.ckpt: no seal at the end of the file: not a migsim checkpoint, written by a migsim before 0.1.0, or cut short"
[ "$rc" -eq 65 ] && [ "$(cat err)" = "$want" ] || { echo "FAIL cut short: exit $rc: $(cat err)"; fail=1; }
/usr/bin/python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[100] ^= 4; open(sys.argv[2], 'wb').write(b)" \
  d.h5.ckpt flip.ckpt
rc=0; "$migsim" run "$demo" -o c.h5 --quiet --restart flip.ckpt 2>err || rc=$?
[ "$rc" -eq 65 ] && grep -Eqx "migsim: flip.ckpt: sealed with SHA-256 [0-9a-f]{12}\.\.\., but the contents give [0-9a-f]{12}\.\.\.: the file was changed or damaged after it was written" err ||
  { echo "FAIL flip byte 100: exit $rc: $(cat err)"; fail=1; }

# random bit flips anywhere in the file: refused (65, or 78 when the scenario text was hit)
for seed in 1 2 3 4 5 6; do
  rc=0
  damage d.h5.ckpt c.ckpt "flip:$seed:8"
  "$migsim" run "$demo" -o c.h5 --quiet --restart c.ckpt 2>err || rc=$?
  if { [ "$rc" -ne 65 ] && [ "$rc" -ne 78 ]; } || [ "$(wc -l < err)" -ne 1 ] || ! grep -q "^$D: " err; then
    echo "FAIL flip $seed: exit $rc"; cat err; fail=1
  fi
done
[ "$fail" -eq 0 ] || exit 1
echo "test_checkpoint_corrupt: OK"
