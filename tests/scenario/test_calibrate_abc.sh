#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `migsim calibrate --abc` on a copy of the corridor scenario at 1:100 over October - December
# 2020, 6 particles and 1 generation after the prior's: the draws file has the columns draw,
# weight and one per key of each prior (a tied prior's keys each, with one value),
# 6 rows of weight 1/6 whose values lie inside their priors and which migsim ensemble accepts; the record (DRAWS.yaml) gives the settings, the runs by generation (summing
# to the total) and the tolerances; the same command gives the same files byte for byte, and
# so does it with --jobs 2 and 3 (runs at once: the draws file, and the record but for its
# command, time and file names); the scenario is not changed. Errors: exact messages and exit
# codes, and no file left behind.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cp -r "$src/configs/corridor" "$work/corridor"
cp -r "$src/configs/scenarios" "$work/scenarios"
s="$work/corridor/corridor.yaml"
cp "$s" "$work/before.yaml"
abc=(--abc --particles 6 --generations 1 --scale 0.01 --window 2020-10:2020-12 --threads 1 -q)
"$migsim" calibrate "$s" -o "$work/post.csv" "${abc[@]}" >"$work/out.txt"
"$migsim" calibrate "$s" -o "$work/post2.csv" "${abc[@]}" >/dev/null
cmp "$work/post.csv" "$work/post2.csv"
for j in 2 3; do
  "$migsim" calibrate "$s" -o "$work/post-j$j.csv" "${abc[@]}" --jobs $j >/dev/null
  cmp "$work/post.csv" "$work/post-j$j.csv"
  diff <(grep -Ev '^#|^  (command|seconds|draws):' "$work/post.yaml") \
       <(grep -Ev '^#|^  (command|seconds|draws):' "$work/post-j$j.yaml")
done
cmp "$s" "$work/before.yaml"
grep -q "^$work/post.csv: 6 draws, generation 1 (tolerance " "$work/out.txt"
/usr/bin/python3 - "$s" "$work/post.csv" "$work/post.yaml" <<'PY'
import csv, sys, yaml
scen = yaml.safe_load(open(sys.argv[1]))
rows = list(csv.reader(open(sys.argv[2])))
rec = yaml.safe_load(open(sys.argv[3]))["abc"]
priors = scen["priors"]
keys = [k for p in priors for k in p["key"].split(",")]
assert rows[0] == ["draw", "weight"] + keys, rows[0]
assert len(rows) == 7, len(rows)
assert rec["particles"] == 6 and rec["generations"] == 1 and rec["quantile"] == 0.5, rec
assert rec["runs"][0] == 6 and rec["runs"][1] >= 6 and sum(rec["runs"]) == rec["total_runs"], rec
assert rec["tolerances"][0] == float("inf") and rec["tolerances"][1] > 0, rec["tolerances"]
assert rec["window"] == "2020-10/2020-12" and rec["scale"] == 0.01, rec
assert [p["key"] for p in rec["parameters"]] == [p["key"] for p in priors]
for r in rows[1:]:
    assert abs(float(r[1]) - 1 / 6) < 1e-9, r
    col = 2
    for p in priors:
        n = len(p["key"].split(","))
        vals = [float(v) for v in r[col:col + n]]
        assert len(set(vals)) == 1, (p["key"], vals)       # a tied prior: one value
        assert p["lo"] <= vals[0] <= p["hi"], (p["key"], vals[0])
        col += n
for p, q in zip(rec["parameters"], priors):
    post = p["posterior"]
    assert q["lo"] <= post["q05"] <= post["q50"] <= post["q95"] <= q["hi"], (q["key"], post)
    assert p["basis"] == q["basis"]
PY
"$migsim" ensemble "$s" -o "$work/e.h5" --draws "$work/post.csv" --check -q
# the model's log line at load (corridor.sector_choice) comes once, not with every run
"$migsim" calibrate "$s" -o "$work/p3.csv" --abc --particles 2 --generations 0 --scale 0.01 --window 2020-10:2020-12 \
  --threads 1 >/dev/null 2>"$work/log3.txt"
test "$(grep -c 'calibrate: run [0-9]* (abc)' "$work/log3.txt")" = 2
test "$(grep -c 'migsim: sector choice: shares by nationality' "$work/log3.txt")" = 1
# errors: exact messages and exit codes, nothing written
set +e
"$migsim" calibrate "$s" -o "$work/x.csv" "${abc[@]}" --param 'corridor.ports.attraction=0.001:1' 2>"$work/e1.txt"; rc1=$?
"$migsim" calibrate "$s" -o "$work/x.yaml" "${abc[@]}" 2>"$work/e2.txt"; rc2=$?
sed '/^priors:/,/^calibration:/{/^calibration:/!d}' "$s" >"$work/corridor/nopriors.yaml"
"$migsim" calibrate "$work/corridor/nopriors.yaml" -o "$work/x.csv" "${abc[@]}" 2>"$work/e3.txt"; rc3=$?
"$migsim" calibrate "$s" -o "$work/x.csv" "${abc[@]}" --particles 1 2>"$work/e4.txt"; rc4=$?
sed 's/^    distribution: log-uniform$/    distribution: lognormal/' "$s" >"$work/corridor/bad.yaml"
"$migsim" calibrate "$work/corridor/bad.yaml" -o "$work/x.csv" "${abc[@]}" 2>"$work/e5.txt"; rc5=$?
"$migsim" calibrate "$s" -o "$work/x.yaml" --param 'corridor.ports.attraction=0.001:1' --jobs 2 2>"$work/e6.txt"; rc6=$?
set -e
test "$rc1" = 64 && grep -qx "migsim: --abc samples the scenario's priors: --param is not used with it" "$work/e1.txt"
test "$rc2" = 64 && grep -qx 'migsim: --abc: expected -o FILE.csv (the draws; FILE.yaml gets the record), got "'"$work"'/x.yaml"' "$work/e2.txt"
test "$rc3" = 64 && grep -qx "migsim: $work/corridor/nopriors.yaml: --abc needs a priors list in the scenario (configs/corridor/README.md, \"Posterior\")" "$work/e3.txt"
test "$rc4" = 64 && grep -qx 'migsim: calibrate: --particles: expected 2 to 100000, got "1"' "$work/e4.txt"
test "$rc5" = 78 && grep -q '^migsim: .*bad.yaml:[0-9]*:[0-9]*: priors\[0\].distribution: expected uniform or log-uniform, got "lognormal"' "$work/e5.txt"
test "$rc6" = 64 && grep -qx 'migsim: calibrate: --jobs: only with --abc (the simplex and the matching steps make one run at a time; --threads gives each run threads)' "$work/e6.txt"
test ! -e "$work/x.csv" && test ! -e "$work/x.yaml"
test -z "$(ls "$work" | grep '\.tmp\.')"
echo "test_calibrate_abc: OK"
