#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end: `migsim sobol --minus`, the Sobol indices of a paired difference, on a tiny
# scenario (the demo network, 31 days, two sources with constant rates), 8 base points x
# (3 + 2) blocks, one replicate:
# 1. the counterfactual sweep is the same spec with fixed settings (one value each; the
#    design and values are those of the scenario's sweep): source 0 starts on 2023-01-11
#    and source 1 on 2023-01-20, so that the difference of spawned agents over January is,
#    the analytic function 10 r0 + 19 r1 of the two swept rates (constant rates:
#    no randomness in spawning; up to 2 agents, as a rate's fractions carry over). The
#    indices migsim writes equal (to 1e-6) the estimators on the differences read here
#    with h5py, and (to 1e-3) the estimators on 10 r0 + 19 r1 computed from the manifest's
#    values; the
#    third parameter (speed_km_per_day.air, no air links) has indices exactly 0; the HDF5
#    file (-o d.h5) holds the same values as the CSV (--csv), its labels and provenance
#    (both manifests and their SHA-256, the fixed settings, the runs);
# 2. a difference that cannot have indices is refused, exit status and exact message, no file
#    left: the same manifest twice (64), a sweep of the same scenario and settings in another
#    folder (64: the difference would be zero), a counterfactual whose fixed setting changes
#    nothing in spawned agents (65: the output is 0 at every point: no variance), a sweep of
#    another seed (65, naming the task and field), a counterpart run not made (66).
#   bash tests/scenario/test_sobol_minus.sh MIGSIM_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
source "$(dirname "$0")/sobol_setup.sh" test_sobol_minus "$@"   # migsim, src, work (entered), fail, s.yaml
spec() {   # spec OUTPUT_DIR SEED [FIXED SETTING LINES...]
  printf 'scenario: s.yaml\noutput_dir: %s\nseed: %s\ndesign: saltelli\npoints: 8\nparameters:\n' "$1" "$2"
  printf '  - {key: "sources[0].rate", min: 20, max: 200}\n'
  printf '  - {key: "sources[1].rate", min: 0, max: 100}\n'
  printf '  - {key: speed_km_per_day.air, min: 3000, max: 6000}\n'
  shift 2
  for l in "$@"; do printf '  - %s\n' "$l"; done
}
spec on 5 > on.yaml
spec off 5 '{key: "sources[0].from", values: [2023-01-11]}' '{key: "sources[1].from", values: [2023-01-20]}' > off.yaml
spec same 5 > same.yaml
spec power 5 '{key: movement.distance_power, values: [2.5]}' > power.yaml
spec seed6 6 '{key: "sources[0].from", values: [2023-01-11]}' > seed6.yaml
for m in on off same power seed6; do "$migsim" sweep $m.yaml -o $m.csv -q; done
test "$(wc -l < off.csv)" = 41 || fail "off.csv rows: $(wc -l < off.csv)"
head -n 2 off.csv | tail -n 1 | grep -q ',2023-01-11,2023-01-20$' || fail "fixed settings: $(head -n 2 off.csv)"
for t in $(seq 0 39); do
  for m in on off power; do "$migsim" run --manifest $m.csv --task "$t" --threads 1 -q; done
done
"$migsim" sobol on.csv --minus off.csv --output spawned -o d.h5 --csv d.csv --bootstrap 200 > out.txt
grep -q "^d.h5: Sobol indices of spawned over all, minus the runs of off.csv (8 base points x 3 parameters + 2, 1 replicate, 80 runs; mean " out.txt ||
  fail "table: $(cat out.txt)"
export PYTHONDONTWRITEBYTECODE=1
/usr/bin/python3 - <<'PY' || fail "the indices of the difference"
import csv, hashlib, h5py, numpy as np
def text(v):
    return v.decode() if isinstance(v, bytes) else v
rows = list(csv.DictReader(open("on.csv")))
n, k = 8, 3
def spawned(path):
    with h5py.File(path) as f:
        return float(f["spawned"][:].sum())
y = np.array([spawned(r["output"]) - spawned(r["output"].replace("on/", "off/")) for r in rows])
exact = np.array([10 * float(r["sources[0].rate"]) + 19 * float(r["sources[1].rate"]) for r in rows])
assert np.abs(y - exact).max() <= 2, np.abs(y - exact).max()     # a rate's fractions carry over
fa, fb = y[:n], y[n:2 * n]
f0, v = np.mean(np.r_[fa, fb]), np.var(np.r_[fa, fb])
ea, eb = exact[:n], exact[n:2 * n]
e0, ev = np.mean(np.r_[ea, eb]), np.var(np.r_[ea, eb])
got = list(csv.DictReader(open("d.csv")))
assert [g["parameter"] for g in got] == ["sources[0].rate", "sources[1].rate", "speed_km_per_day.air"], got
with h5py.File("d.h5") as f:
    assert [text(p) for p in f["parameter"][:]] == [g["parameter"] for g in got]
    assert f["S1"].shape == (1, 3) and f["ST_high"].shape == (1, 3), f["S1"].shape
    assert text(f["output"][0]) == "spawned" and text(f["period"][0]) == "all"
    assert "minus the run of off.csv" in text(f["output_long_name"][0]), text(f["output_long_name"][0])
    for i, g in enumerate(got):
        fab = y[(2 + i) * n:(3 + i) * n]
        s1, st = np.mean((fb - f0) * (fab - fa)) / v, np.mean((fa - fab) ** 2) / (2 * v)
        assert abs(float(g["S1"]) - s1) < 1e-6 and abs(float(g["ST"]) - st) < 1e-6, (g, s1, st)
        eab = exact[(2 + i) * n:(3 + i) * n]
        s1e, ste = np.mean((eb - e0) * (eab - ea)) / ev, np.mean((ea - eab) ** 2) / (2 * ev)
        assert abs(float(g["S1"]) - s1e) < 1e-3 and abs(float(g["ST"]) - ste) < 1e-3, (g, s1e, ste)
        for c in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"):
            assert abs(f[c][0, i] - float(g[c])) < 1e-6, (c, i, f[c][0, i], g[c])
        assert g["minus"] == "off.csv" and g["runs"] == "80", g
    for c in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"):
        assert f[c][0, 2] == 0.0, (c, f[c][0, 2])
    assert abs(f["mean"][0] - f0) < 1e-9 * f0 and abs(f["variance"][0] - v) < 1e-9 * v, (f["mean"][0], f0)
    p = f["provenance"].attrs
    assert p["manifest"] == "on.csv" and p["minus_manifest"] == "off.csv", dict(p)
    assert p["manifest_sha256"] == hashlib.sha256(open("on.csv", "rb").read()).hexdigest()
    assert p["minus_manifest_sha256"] == hashlib.sha256(open("off.csv", "rb").read()).hexdigest()
    assert p["minus_fixed_settings"] == "sources[0].from=2023-01-11\nsources[1].from=2023-01-20", p["minus_fixed_settings"]
    assert p["fixed_settings"] == "" and p["n_runs"] == "80" and p["base_points"] == "8", dict(p)
    assert p["runs"].split("\n")[0].endswith("on/p000_r00.h5") and p["minus_runs"].split("\n")[39].endswith("off/p039_r00.h5")
    assert p["command_line"].startswith("migsim sobol on.csv --minus off.csv"), p["command_line"]
PY

# refused: exact messages and exit codes, nothing written
set +e
"$migsim" sobol on.csv --minus on.csv --output spawned -o x.h5 2>e1.txt; rc1=$?
"$migsim" sobol on.csv --minus same.csv --output spawned -o x.h5 2>e2.txt; rc2=$?
"$migsim" sobol on.csv --minus power.csv --output spawned -o x.h5 2>e3.txt; rc3=$?
"$migsim" sobol on.csv --minus seed6.csv --output spawned -o x.h5 2>e4.txt; rc4=$?
rm power/p021_r00.h5
"$migsim" sobol on.csv --minus power.csv --output arrivals -o x.h5 2>e5.txt; rc5=$?
"$migsim" sobol on.csv --output spawned -o x.csv --csv y.csv 2>e6.txt; rc6=$?
set -e
test "$rc1" = 64 && grep -qx 'migsim: sobol: --minus on.csv: the same manifest: the difference would be zero' e1.txt ||
  fail "same manifest: $rc1 $(cat e1.txt)"
test "$rc2" = 64 && grep -qxF 'migsim: same.csv: the same scenario and fixed settings as on.csv: the difference would be zero (give the counterfactual a fixed setting, e.g. {key: "packages[P].enabled", values: [false]})' e2.txt ||
  fail "same setup: $rc2 $(cat e2.txt)"
test "$rc3" = 65 && grep -qxF 'migsim: sobol: the output is the same (0) at every point of A and B: no variance to apportion' e3.txt ||
  fail "zero difference: $rc3 $(cat e3.txt)"
test "$rc4" = 65 && grep -qxF 'migsim: seed6.csv: task 0: seed: 6, on.csv has 5: the two manifests must be one design: the same sweep spec but for the scenario, output_dir and fixed settings' e4.txt ||
  fail "another seed: $rc4 $(cat e4.txt)"
test "$rc5" = 66 && grep -qxF 'migsim: power/p021_r00.h5: no such run output (has the run been made?)' e5.txt ||
  fail "missing counterpart run: $rc5 $(cat e5.txt)"
test "$rc6" = 64 && grep -qF 'migsim: sobol: --csv y.csv: -o already writes CSV (--csv goes with -o FILE.h5)' e6.txt ||
  fail "--csv with a CSV -o: $rc6 $(cat e6.txt)"
test ! -e x.h5 && test ! -e x.csv && test ! -e y.csv && test -z "$(ls | grep '\.tmp\.')" || fail "a file was left behind"
echo "test_sobol_minus: OK"
