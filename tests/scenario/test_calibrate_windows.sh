#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `migsim calibrate` with a training window and a validation window (issue 14), at 1:200:
# 1. the fit never reads the record outside its window: the same calibration (sector
#    factors and one simplex parameter over 2020-10 - 2021-09, validated on 2022-10 - 2023-09)
#    against two copies of the record that differ only in FY2023 (every count of the monthly,
#    citizenship, sector and OHSS tables x 3) writes the same file but for the date, the
#    seconds and the validation block, which must differ; widened to 2020-10 - 2022-12 (which
#    takes in three of the changed months) the two fits must differ.
# 2. --validate: the record's validation block (window, objective, mape, citizenship_error,
#    sector_error, outside, figures: 12 months, 10 citizenships, 9 sectors and the ports), the
#    "validation" heading on stdout, and its MAPE equal to scripts/corridor_compare.py's on
#    a `migsim run` of the fitted file through the validation window.
# 3. fitted_numbers: the union of the numbers fitted now and those of the previous record,
#    a key tied over several places ("a,b") once, exact on small cases; a wrong count in a
#    record is a configuration error located at its line. Bad --validate windows.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cp -r "$src/configs/corridor" "$work/corridor"
cp -r "$src/configs/scenarios" "$work/scenarios"   # packages included by file
s="$work/corridor/corridor.yaml"
# --sectors fits attraction_by_nationality; the default derives sector choice from the record
# instead (corridor.sector_choice, which reads it over a window of its own)
/usr/bin/python3 "$src/tests/scenario/with_factors.py" "$s"
# and a known previous record (three simplex parameters, as calibrated on 2026-12-02) in place
# of the default's, so that the fitted-number counts below are exact
sed -i '/^calibration:/,$d' "$s"
cat "$src/tests/scenario/old_calibration_record.yaml" >>"$s"
data="$work/data"
cp -r "$src/configs/corridor/data" "$work/data.orig"

# a copy of the record whose FY2023 rows (2022-10 .. 2023-09) have every count times 3; the
# other lines are copied byte for byte
/usr/bin/python3 - "$work/data.orig" "$work/data.fy23x3" <<'EOF'
import csv, os, shutil, sys
src, dst = sys.argv[1:]
shutil.copytree(src, dst)
tables = ["cbp_swb_encounters_monthly_fy2021_fy2023.csv",
          "cbp_swb_encounters_monthly_by_citizenship_fy2021_fy2023.csv",
          "usbp_swb_encounters_monthly_by_sector_fy2021_fy2023.csv",
          "usbp_swb_encounters_monthly_by_citizenship_ohss_fy2021_fy2023.csv"]
fy23 = {f"2022-{m}" for m in ("10", "11", "12")} | {f"2023-{m:02d}" for m in range(1, 10)}
for name in tables:
    lines = open(os.path.join(src, name), newline="").read().splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    month = header.index("calendar_month")
    out, changed = [lines[0]], 0
    for line in lines[1:]:
        row = next(csv.reader([line]))
        if len(row) > month and row[month] in fy23:
            for j, v in enumerate(row):
                if header[j] != "fiscal_year" and v.isdigit():
                    row[j] = str(3 * int(v))
            w = csv.StringIO()
            csv.writer(w, lineterminator="\n").writerow(row)
            line, changed = w.getvalue(), changed + 1
        out.append(line)
    assert changed >= 12, (name, changed)
    open(os.path.join(dst, name), "w", newline="").write("".join(out))
EOF

# the same command line for both copies: the record is swapped under $data
calib() { # WINDOW NAME [extra options]: $work/NAME.yaml, .out (stdout), .err
  local window=$1 name=$2
  shift 2
  "$migsim" calibrate "$s" -o "$work/corridor/fit.yaml" --data "$data" --param "$par" --scale 0.005 \
    --window "$window" --rounds 1 --threads 1 "$@" >"$work/$name.out" 2>"$work/$name.err"
  mv "$work/corridor/fit.yaml" "$work/$name.yaml"
}
par='packages[3].interventions[0].factor=0.0005:1'
without_run_facts() { grep -v -e '^  date: ' -e '^  seconds: ' "$1"; }
without_validation() { without_run_facts "$1" | awk '/^  validation:/ { skip = 1; next } skip && /^    / { next } { skip = 0; print }'; }
validation_of() { awk '/^  validation:/ { on = 1 } on && !/^  validation:/ && !/^    / { on = 0 } on' "$1"; }

cp -r "$work/data.orig" "$data"
calib 2020-10:2021-09 a --sectors --max-evals 2 --validate 2022-10:2023-09
rm -rf "$data" && cp -r "$work/data.fy23x3" "$data"
calib 2020-10:2021-09 b --sectors --max-evals 2 --validate 2022-10:2023-09
# 1. the same fit, another validation
diff <(without_validation "$work/a.yaml") <(without_validation "$work/b.yaml")
diff "$work/a.out" "$work/b.out" >/dev/null && { echo "the validation reports should differ"; exit 1; }
test -n "$(validation_of "$work/a.yaml")"
! diff <(validation_of "$work/a.yaml") <(validation_of "$work/b.yaml") >/dev/null
# ... and the changed months inside the window change the fit
calib 2020-10:2022-12 wa --max-evals 2
rm -rf "$data" && cp -r "$work/data.orig" "$data"
calib 2020-10:2022-12 wb --max-evals 2
! diff <(without_run_facts "$work/wa.yaml") <(without_run_facts "$work/wb.yaml") >/dev/null

# 2. --validate's record and report
cp "$work/a.yaml" "$work/corridor/a.yaml"
"$migsim" check "$work/corridor/a.yaml" >/dev/null
test "$(validation_of "$work/a.yaml" | sed -n 's/^    \([a-z_]*\):.*/\1/p' | tr '\n' ' ')" = \
  "window objective mape citizenship_error sector_error outside figures "
grep -qx '    window: 2022-10/2023-09' "$work/a.yaml"
test "$(grep -c '^      - {table: month, label: "20[0-9-]*", observed: ' "$work/a.yaml")" = 12
test "$(grep -c '^      - {table: citizenship, label: "FY2023 ' "$work/a.yaml")" = 10
test "$(grep -c '^      - {table: sector, label: "FY2023 ' "$work/a.yaml")" = 10
grep -q '^      - {table: sector, label: "FY2023 ports of entry (of all)", ' "$work/a.yaml"
grep -q '^validation 2022-10/2023-09: objective [0-9.]* (MAPE ' "$work/a.out"
test "$(grep -c '^  month  *20' "$work/a.out")" = 12
grep -q '^calibrate: run [0-9]* (validation): objective ' "$work/a.err"
# its MAPE is corridor_compare.py's on a run of the fitted file through the validation window
"$migsim" run "$work/corridor/a.yaml" -o "$work/a.h5" --set corridor.scale=0.005 --set days=1125 -t 1 -q
/usr/bin/python3 "$src/scripts/corridor_compare.py" "$work/a.h5" --window 2022-10/2023-09 --data "$work/data.orig" \
  --json "$work/a.json" >/dev/null
/usr/bin/python3 - "$work/a.json" "$work/a.yaml" <<'EOF'
import json, re, sys
got = json.load(open(sys.argv[1]))["window"]["mape_percent"] / 100
text = open(sys.argv[2]).read()
rec = float(re.search(r"^  validation:\n    window: .*\n    objective: .*\n    mape: (\S+)$", text, re.M).group(1))
assert abs(got - rec) <= 1e-5 * rec, (got, rec)
EOF

# 3. fitted numbers. a.yaml: the previous record (corridor.yaml's: three simplex parameters,
# corridor.forcing[2].scale, packages[3].interventions[0].factor (the simplex now) and [1])
# leaves two; every parameter of this calibration (sector factors, the simplex) is one number
n_par=$(grep -c '^    - {key: ' "$work/a.yaml")
test "$n_par" -gt 20
grep -qx "  fitted_numbers: $((n_par + 2))" "$work/a.yaml"
test "$(sed -n '/^  fitted:/{n;N;p}' "$work/a.yaml")" = '    - "corridor.forcing[2].scale"
    - "packages[3].interventions[1].factor"'
# tiny cases, no fit (--max-evals 0: the scenario as given, one run)
tiny=(--scale 0.005 --window 2020-10:2020-12 --max-evals 0 --threads 1)
"$migsim" calibrate "$s" -o "$work/corridor/t1.yaml" "${tiny[@]}" --param 'packages[3].interventions[0].factor=0.0005:1' \
  --param 'movement.move_probability.town,movement.move_probability.border=0.5:1' >/dev/null 2>&1
fitted_of() { sed -n '/^  fitted:/,/^  [a-z]/p' "$1" | sed -n 's/^    - "\(.*\)"$/\1/p' | tr '\n' ' '; }
grep -qx '  fitted_numbers: 4' "$work/corridor/t1.yaml"
test "$(fitted_of "$work/corridor/t1.yaml")" = "corridor.forcing[2].scale packages[3].interventions[1].factor packages[3].interventions[0].factor movement.move_probability.town,movement.move_probability.border "
grep -qx '  evaluations: 1' "$work/corridor/t1.yaml"
# untying one key of a tied pair: the other stays, each counts once
"$migsim" calibrate "$work/corridor/t1.yaml" -o "$work/corridor/t2.yaml" "${tiny[@]}" \
  --param 'movement.move_probability.town=0.5:1' --validate 2021-01:2021-03 >/dev/null 2>&1
grep -qx '  fitted_numbers: 5' "$work/corridor/t2.yaml"
test "$(fitted_of "$work/corridor/t2.yaml")" = "corridor.forcing[2].scale packages[3].interventions[1].factor packages[3].interventions[0].factor movement.move_probability.border movement.move_probability.town "
# nothing fitted now: the previous numbers stay; the scenario as given on both windows (two runs)
"$migsim" calibrate "$work/corridor/t2.yaml" -o "$work/corridor/t3.yaml" "${tiny[@]}" --validate 2021-01:2021-03 \
  >"$work/t3.out" 2>/dev/null
grep -qx '  fitted_numbers: 5' "$work/corridor/t3.yaml"
grep -qx '  parameters: \[\]' "$work/corridor/t3.yaml"
grep -qx '  evaluations: 2' "$work/corridor/t3.yaml"
grep -qx '    window: 2021-01/2021-03' "$work/corridor/t3.yaml"
grep -q '^validation 2021-01/2021-03: objective ' "$work/t3.out"
"$migsim" check "$work/corridor/t3.yaml" >/dev/null

# errors
sed 's/^  fitted_numbers: 5$/  fitted_numbers: 7/' "$work/corridor/t3.yaml" >"$work/corridor/bad.yaml"
line=$(grep -n '^  fitted_numbers: 7$' "$work/corridor/bad.yaml" | cut -d: -f1)
set +e
"$migsim" check "$work/corridor/bad.yaml" >/dev/null 2>"$work/e1.txt"; rc1=$?
"$migsim" calibrate "$s" -o "$work/corridor/x.yaml" "${tiny[@]}" --validate 2022-13:2023-01 2>"$work/e2.txt"; rc2=$?
"$migsim" calibrate "$s" -o "$work/corridor/x.yaml" "${tiny[@]}" --validate 2024-10:2024-12 2>"$work/e3.txt"; rc3=$?
"$migsim" calibrate "$s" -o "$work/corridor/x.yaml" "${tiny[@]}" --validate 2023-07:2023-10 2>"$work/e4.txt"; rc4=$?
set -e
test $rc1 = 78 && grep -qxF "migsim: $work/corridor/bad.yaml:$line:19: calibration.fitted_numbers: expected the number of entries of calibration.fitted (5), got 7" "$work/e1.txt"
test $rc2 = 64 && grep -qxF 'migsim: calibrate: --validate: expected YYYY-MM:YYYY-MM, got "2022-13:2023-01"' "$work/e2.txt"
test $rc3 = 64 && grep -qxF "migsim: $s: the run (from 2020-09-01, 1491 days) does not cover the validation window 2024-10:2024-12" "$work/e3.txt"
test $rc4 = 65 && grep -qF "no row for 2023-10" "$work/e4.txt"
test ! -e "$work/corridor/x.yaml"
echo "test_calibrate_windows: OK"
