#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end: `migsim sweep` with design saltelli, its runs, and `migsim sobol` on a tiny
# scenario (the demo network, 31 days), 8 base points x (3 + 2) blocks x 2 replicates:
# 1. the manifest has 80 rows; AB_i's rows equal A's but in column i, which is B's;
# 2. the CSV's S1 and ST of arrivals over 2023-01-08:2023-01-20 equal (to 1e-6) the
#    estimators computed here with numpy from the runs read with h5py (each point the mean
#    of its replicates); speed_km_per_day.air (no air links in the network) has S1, ST and
#    interval bounds exactly 0 (the replicates share their seeds: runs that differ only in
#    it are identical); the same command gives the same file byte for byte; the table is
#    printed; FY and month periods are read; scripts/sobol_plot.py draws it (a PNG of at
#    least 800 x 200 pixels, not blank) and refuses a CSV without the columns;
#    -o s.h5 --csv s3.csv: the CSV is the same byte for byte, the HDF5 file (opened in one
#    line with migsim_analysis.open_sobol) holds the CSV's values (to 1e-6) labelled by
#    output and parameter (dimension scales), units, and the provenance (the manifest's
#    SHA-256, the runs, the command line); sobol_plot.py draws it too;
# 3. errors, exact messages and exit codes, nothing written: a grid manifest (65), a
#    variable the runs lack (65, also with -o x.h5: no x.h5 and no temporary file), a period
#    outside the runs (65), a malformed period (64), a run not made (66), an HDF5 file in a
#    folder that does not exist (74).
#   bash tests/scenario/test_sobol.sh MIGSIM_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
source "$(dirname "$0")/sobol_setup.sh" test_sobol "$@"   # migsim, src, work (entered), fail, s.yaml
cat > sweep.yaml <<'EOF'
scenario: s.yaml
output_dir: runs
replicates: 2
seed: 5
design: saltelli
points: 8
parameters:
  - {key: "sources[0].rate", min: 20, max: 200}
  - {key: movement.distance_power, min: 0.2, max: 3}
  - {key: speed_km_per_day.air, min: 3000, max: 6000}
EOF
"$migsim" sweep sweep.yaml -o manifest.csv -q
test "$(wc -l < manifest.csv)" = 81 || fail "manifest rows: $(wc -l < manifest.csv)"
for t in $(seq 0 79); do
  "$migsim" run --manifest manifest.csv --task "$t" --threads 1 -q
done
"$migsim" sobol manifest.csv --output arrivals --period 2023-01-08:2023-01-20 -o s.csv --bootstrap 200 > out.txt
"$migsim" sobol manifest.csv --output arrivals --period 2023-01-08:2023-01-20 -o s2.csv --bootstrap 200 -q > out2.txt
cmp s.csv s2.csv || fail "the same command wrote another file"
test ! -s out2.txt || fail "-q printed: $(cat out2.txt)"
grep -q "^s.csv: Sobol indices of arrivals over 2023-01-08:2023-01-20 (8 base points x 3 parameters + 2, 2 replicates, 80 runs; mean " out.txt ||
  fail "table: $(cat out.txt)"
"$migsim" sobol manifest.csv --output arrivals --period 2023-01-08:2023-01-20 -o s.h5 --csv s3.csv --bootstrap 200 -q
cmp s.csv s3.csv || fail "--csv with -o s.h5 wrote another CSV than -o s.csv"
"$migsim" sobol manifest.csv --output spawned --period 2023-01 -o month.csv -q
"$migsim" sobol manifest.csv --output arrivals -o all.csv -q
/usr/bin/python3 - <<'PY' || fail "indices differ from the estimators computed with numpy"
import csv, h5py, numpy as np
rows = list(csv.DictReader(open("manifest.csv")))
keys = ["sources[0].rate", "movement.distance_power", "speed_km_per_day.air"]
n, k, R = 8, 3, 2
for i in range(k):                        # the design: AB_i = A but column i from B
    for j in range(n):
        ab, a, b = rows[((2 + i) * n + j) * R], rows[j * R], rows[(n + j) * R]
        for c, key in enumerate(keys):
            assert ab[key] == (b[key] if c == i else a[key]), (i, j, key)
def total(path):
    with h5py.File(path) as f:
        return float(f["arrivals"][7:20].sum())          # 2023-01-08 .. 2023-01-20
y = np.array([np.mean([total("runs/" + rows[p * R + r]["output"].split("/")[-1]) for r in range(R)])
              for p in range((k + 2) * n)])
fa, fb = y[:n], y[n:2 * n]
v = np.var(np.r_[fa, fb])
got = list(csv.DictReader(open("s.csv")))
assert [g["parameter"] for g in got] == keys, got
for i, g in enumerate(got):
    fab = y[(2 + i) * n:(3 + i) * n]
    f0 = np.mean(np.r_[fa, fb])
    s1, st = np.mean((fb - f0) * (fab - fa)) / v, np.mean((fa - fab) ** 2) / (2 * v)
    assert abs(float(g["S1"]) - s1) < 1e-6 and abs(float(g["ST"]) - st) < 1e-6, (g, s1, st)
    assert g["output"] == "arrivals" and g["period"] == "2023-01-08:2023-01-20" and g["base_points"] == "8"
    assert g["replicates"] == "2" and g["runs"] == "80" and g["bootstrap"] == "200" and g["level"] == "0.95", g
    assert float(g["S1_low"]) <= float(g["S1_high"]) and float(g["ST_low"]) <= float(g["ST_high"]), g
    assert abs(float(g["variance"]) - v) < 1e-6 * v and abs(float(g["mean"]) - np.mean(np.r_[fa, fb])) < 1e-6 * v, g
air = got[2]
for c in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"):
    assert float(air[c]) == 0.0, (c, air)
assert float(got[0]["ST"]) > 0.5, got[0]     # the rate moves arrivals most
PY
export MPLCONFIGDIR=$work/matplotlib PYTHONDONTWRITEBYTECODE=1
PYTHONPATH=$src/scripts /usr/bin/python3 - <<'PY' || fail "the HDF5 file"
import csv, hashlib
import h5py
from migsim_analysis import open_sobol, sobol_table
got = list(csv.DictReader(open("s.csv")))
ds = open_sobol("s.h5")                                   # the one line
assert list(ds.parameter.values) == [g["parameter"] for g in got], ds.parameter.values
assert list(ds.output.values) == ["arrivals"] and ds.period.values[0] == "2023-01-08:2023-01-20", ds
for g in got:
    for c in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"):
        assert abs(float(ds[c].sel(output="arrivals", parameter=g["parameter"])) - float(g[c])) < 1e-6, (c, g)
    assert ds[c].attrs["units"] == "1" and "Sobol" in ds["S1"].attrs["long_name"], ds[c].attrs
assert abs(float(ds["variance"][0]) - float(got[0]["variance"])) < 1e-6 * float(got[0]["variance"])
assert ds.attrs["manifest_sha256"] == hashlib.sha256(open("manifest.csv", "rb").read()).hexdigest()
assert ds.attrs["n_runs"] == "80" and ds.attrs["replicates"] == "2" and ds.attrs["bootstrap"] == "200", ds.attrs
assert ds.attrs["migsim_version"] and ds.attrs["git_revision"] and ds.attrs["minus_manifest"] == "", ds.attrs
assert ds.attrs["command_line"].startswith("migsim sobol manifest.csv --output arrivals"), ds.attrs["command_line"]
assert ds.attrs["runs"].split("\n")[79].endswith("runs/p039_r01.h5"), ds.attrs["runs"]
t = sobol_table("s.h5")
assert [round(x, 6) for x in t["ST"]] == [float(g["ST"]) for g in got], (t, got)
with h5py.File("s.h5") as f:
    assert f["S1"].dims[1][0].name == "/parameter" and f["S1"].dims[0][0].name == "/output"
PY
/usr/bin/python3 "$src/scripts/sobol_plot.py" s.h5 -o s5.png > plot.txt || fail "sobol_plot.py on the HDF5 file failed"
/usr/bin/python3 "$src/scripts/sobol_plot.py" s.csv -o s.png > plot.txt || fail "sobol_plot.py failed"
/usr/bin/python3 - <<'PY' || fail "the PNG"
import matplotlib.image
px = matplotlib.image.imread("s.png")
assert px.shape[1] >= 800 and px.shape[0] >= 200, px.shape
assert px[..., :3].std() > 0.05, "blank"
PY
echo "a,b" > bad.csv
set +e
/usr/bin/python3 "$src/scripts/sobol_plot.py" bad.csv -o bad.png 2> ep.txt; rcp=$?
set -e
test "$rcp" = 1 && grep -q "^sobol_plot.py: bad.csv: missing column(s) output, period, parameter, S1," ep.txt && test ! -e bad.png ||
  fail "sobol_plot.py on a bad CSV: $rcp $(cat ep.txt)"

# errors: exact messages and exit codes, nothing written
cat > grid.yaml <<'EOF'
scenario: s.yaml
output_dir: runs
parameters:
  - {key: "sources[0].rate", values: [20, 40, 60, 80, 100]}
EOF
"$migsim" sweep grid.yaml -o grid.csv -q
head -n 5 manifest.csv > short.csv
set +e
"$migsim" sobol grid.csv --output arrivals -o x.csv 2>e1.txt; rc1=$?
"$migsim" sobol manifest.csv --output nope -o x.csv 2>e2.txt; rc2=$?
"$migsim" sobol manifest.csv --output nope -o x.h5 --csv x.csv 2>e2h.txt; rc2h=$?
"$migsim" sobol manifest.csv --output arrivals -o nodir/x.h5 2>e2d.txt; rc2d=$?
"$migsim" sobol manifest.csv --output arrivals --period FY2023 -o x.csv 2>e3.txt; rc3=$?
"$migsim" sobol manifest.csv --output arrivals --period 2023-13 -o x.csv 2>e4.txt; rc4=$?
rm runs/p039_r01.h5
"$migsim" sobol manifest.csv --output arrivals -o x.csv 2>e5.txt; rc5=$?
set -e
test "$rc1" = 65 && grep -qx "migsim: grid.csv: 5 points over 1 parameters are not a Saltelli design ((k + 2) x N points, N >= 2: migsim sweep with design: saltelli)" e1.txt ||
  fail "grid manifest: $rc1 $(cat e1.txt)"
test "$rc2" = 65 && grep -qx "migsim: runs/p000_r00.h5: no variable \"nope\"" e2.txt || fail "variable: $rc2 $(cat e2.txt)"
cmp e2.txt e2h.txt && test "$rc2h" = 65 || fail "variable, with -o x.h5: $rc2h $(cat e2h.txt)"
test "$rc2d" = 74 && grep -qx "migsim: nodir/x.h5: cannot create output file: No such file or directory" e2d.txt ||
  fail "no folder: $rc2d $(cat e2d.txt)"
test "$rc3" = 65 && grep -qx "migsim: runs/p000_r00.h5: the period 2022-10-01 to 2023-09-30 is not inside the run (2023-01-01 to 2023-01-31)" e3.txt ||
  fail "period outside: $rc3 $(cat e3.txt)"
test "$rc4" = 64 && grep -qx 'migsim: sobol: --period: expected FY2023, 2023-01, 2023-01:2023-03, 2023-01-15:2023-02-14 or all, got "2023-13"' e4.txt ||
  fail "bad period: $rc4 $(cat e4.txt)"
test "$rc5" = 66 && grep -qx "migsim: runs/p039_r01.h5: no such run output (has the run been made?)" e5.txt ||
  fail "missing run: $rc5 $(cat e5.txt)"
test ! -e x.csv && test ! -e x.h5 && test -z "$(ls | grep '\.tmp\.')" || fail "a file was left behind"
echo "test_sobol: OK"
