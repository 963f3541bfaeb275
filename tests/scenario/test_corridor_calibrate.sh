#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `migsim calibrate` on a copy of the corridor scenario, tiny budget: levels, sector factors
# and one simplex parameter fitted over October - December 2020 at 1:100; the written scenario keeps its
# comments, carries the new values and a calibration record with the best run's values and
# objective, and passes `migsim check`.
# Bad options fail with exit 64 and leave no file. --param keys may name list entries.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cp -r "$src/configs/corridor" "$work/corridor"
cp -r "$src/configs/scenarios" "$work/scenarios"   # packages included by file
s="$work/corridor/corridor.yaml"
# --sectors fits corridor.attraction_by_nationality: the default derives sector choice from the
# record instead (corridor.sector_choice), so this copy has the factors block in its place
/usr/bin/python3 "$src/tests/scenario/with_factors.py" "$s"
"$migsim" calibrate "$s" -o "$work/corridor/fitted.yaml" --levels --sectors --scale 0.01 --window 2020-10:2020-12 \
  --param 'corridor.outcomes[1].retry_expelled=0.1:0.9' --max-evals 6 --rounds 1 --threads 1 \
  >"$work/out.txt" 2>"$work/err.txt"
grep -q "objective" "$work/out.txt"
f="$work/corridor/fitted.yaml"
"$migsim" check "$f" | grep -q "OK (model corridor"
grep -q "^calibration:" "$f"
grep -q 'key: "corridor.outcomes\[1\].retry_expelled"' "$f"
grep -q 'key: "corridor.hazards\[0\].base_rate", value: .*method: level' "$f"
# the Darien series are observed: --levels fits a forcing scale only where the entry says
# `level: true` (ECUADOR [1], HAITI [2], OTHER [5]), never the others (VENEZUELA [0], CUBA [3],
# CHINA [4], taken as counted)
test "$(grep -o 'key: "corridor.forcing\[[0-9]*\].scale", value: [^,]*, method: level' "$f" | cut -c 7-25 | tr '\n' ' ')" \
  = "corridor.forcing[1] corridor.forcing[2] corridor.forcing[5] "
# hazards marked level: false (derived rates: the Haitians' charter flights [12], the Cubans
# after the CHNV process [13]) are not levels; the others are
! grep -q 'key: "corridor.hazards\[1[23]\].base_rate"' "$f"
grep -q 'key: "corridor.hazards\[11\].base_rate", value: .*method: level' "$f"
grep -q "window: 2020-10/2020-12" "$f"
grep -q 'key: "corridor.attraction_by_nationality.factors\[0\].values\[8\]", value: .*method: sector, target: 0\.' "$f"
grep -q "sector shares by nationality estimated from the record" "$work/err.txt"
# a matching step (levels, sectors) that does not lower the objective is undone, so the final
# run is the best whole-scenario run of the calibration (level probes, which keep one source,
# excluded; this window has no whole fiscal year, so none run), and the file gets its values
# and objective. Checked on this run and on a second with two rounds (matching between them),
# where unguarded steps made the final run worse than an earlier one (2026-12-02: so with any
# of four parameters tried).
best_of() {
  local log=$1 rec=$2 best final
  best=$(sed -n 's/^calibrate: run [0-9]* (\(start\|simplex\|sectors\|levels\|final\|kept\)): objective \([0-9.]*\) .*/\2/p' \
    "$log" | sort -g | head -n 1)
  final=$(sed -n 's/^calibrate: run [0-9]* (final): objective \([0-9.]*\) .*/\1/p' "$log")
  test "$final" = "$best"
  awk -v b="$best" '/^  objective: / { d = $2 - b; ok = (d < 5e-5 && d > -5e-5) } END { exit !ok }' "$rec"
  ! grep -q "^calibrate: kept the values of run" "$log"
}
best_of "$work/err.txt" "$f"
"$migsim" calibrate "$s" -o "$work/corridor/fitted2.yaml" --levels --sectors --scale 0.01 --window 2020-10:2020-12 \
  --param 'movement.move_probability.origin=0.02:1' --max-evals 8 --rounds 2 --threads 1 >/dev/null 2>"$work/err2.txt"
best_of "$work/err2.txt" "$work/corridor/fitted2.yaml"
grep -q "^# The Central America" "$f"   # comments kept
test "$(grep -c '^calibration:' "$f")" = 1
# calibrating the fitted file again replaces its record
"$migsim" calibrate "$f" -o "$f" --levels --scale 0.01 --window 2020-10:2020-12 --max-evals 0 --rounds 1 \
  --threads 1 -q >/dev/null
test "$(grep -c '^calibration:' "$f")" = 1
"$migsim" check "$f" >/dev/null
# usage errors
set +e
"$migsim" calibrate "$s" -o "$work/x.yaml" --param 'movement.distance_power=3:1' 2>"$work/e1.txt"; rc1=$?
"$migsim" calibrate "$s" -o "$work/x.yaml" --window 2020-13:2021-01 2>"$work/e2.txt"; rc2=$?
"$migsim" calibrate "$s" -o "$work/corridor/x.yaml" --scale 0.01 --window 2020-10:2020-12 --max-evals 2 \
  --param 'max_agents=0:10' 2>"$work/e3.txt"; rc3=$?
tiny=(--scale 0.01 --window 2020-10:2020-12 --max-evals 1 --rounds 1 --threads 1 -q)
"$migsim" calibrate "$s" -o "$work/corridor/x.yaml" "${tiny[@]}" \
  --param 'packages[tapachula-asylum].interventions[nope].factor=0.001:1' 2>"$work/e4.txt"; rc4=$?
"$migsim" calibrate "$s" -o "$work/corridor/x.yaml" "${tiny[@]}" \
  --param 'packages[working-group].interventions[bus-rail-checks].deport=0:1' 2>"$work/e5.txt"; rc5=$?
"$migsim" calibrate "$s" -o "$work/corridor/x.yaml" "${tiny[@]}" \
  --param 'packages[4].interventions[0].deport=0:1' 2>"$work/e6.txt"; rc6=$?
set -e
test $rc1 = 64 && grep -q "expected KEY\[,KEY...\]=LO:HI with LO < HI" "$work/e1.txt"
test $rc2 = 64 && grep -q "window: expected YYYY-MM:YYYY-MM" "$work/e2.txt"
test $rc3 = 64 && grep -q "max_agents is not written in the scenario file" "$work/e3.txt"
test $rc4 = 64 && grep -qxF 'migsim: --param packages[tapachula-asylum].interventions[nope].factor: packages[3].interventions has no entry named "nope"' "$work/e4.txt"
test $rc5 = 64 && grep -qF 'packages[4].interventions has no entry named "bus-rail-checks" in the scenario file (entries written in another file cannot be fitted' "$work/e5.txt"
test $rc6 = 64 && grep -qF "packages[4].interventions[0].deport is written in another file ($work/corridor/../scenarios/working-group.yaml:" "$work/e6.txt"
test ! -e "$work/x.yaml" && test ! -e "$work/corridor/x.yaml"
# list entries by name, as --set takes them: fitted under the entry's index
"$migsim" calibrate "$s" -o "$work/corridor/named.yaml" "${tiny[@]}" \
  --param 'packages[tapachula-asylum].interventions[haitians-wait-cbp-one].factor=0.001:1' >/dev/null
grep -q 'key: "packages\[3\].interventions\[1\].factor", value: .*method: simplex' "$work/corridor/named.yaml"
echo "test_corridor_calibrate: OK"
