#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# scripts/corridor_coverage.py on three short corridor runs (1:100, seeds 1-3, to 2020-12-31):
# each month's 80 % interval equals numpy's 10 and 90 % quantiles of the three runs' monthly
# totals computed here from corridor_compare's tables, "inside" says whether the record's
# value lies in it, the coverage is the share inside; with a model error from a training
# window the intervals widen by exp(sigma z) and sigma is the sd of log(observed / median).
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
s="$src/configs/corridor/corridor.yaml"
for seed in 1 2 3; do
  "$migsim" run "$s" -o "$work/r$seed.h5" --seed "$seed" --set days=122 --set corridor.scale=0.01 --threads 1 -q
done
/usr/bin/python3 "$src/scripts/corridor_coverage.py" "$work"/r?.h5 --window 2020-11/2020-12 --json "$work/c.json" >"$work/out.txt"
/usr/bin/python3 "$src/scripts/corridor_coverage.py" "$work"/r?.h5 --window 2020-12/2020-12 \
  --model-error 2020-10/2020-11 --json "$work/m.json" >/dev/null
/usr/bin/python3 - "$src" "$work" <<'PY'
import json, sys
import numpy as np, pandas as pd
sys.path.insert(0, sys.argv[1] + "/scripts")
import corridor_compare as cc
w = sys.argv[2]
runs = [cc.simulated(cc.load_run(f"{w}/r{i}.h5")) for i in (1, 2, 3)]
obs = cc.read_observed(sys.argv[1] + "/configs/corridor/data", list(runs[0].by_nat.columns))
c = json.load(open(f"{w}/c.json"))
rows = c["tables"]["month"]
assert [r["label"] for r in rows] == ["2020-11", "2020-12"]
for r in rows:
    m = pd.Period(r["label"], freq="M")
    v = np.array([x.total[m] for x in runs])
    lo, hi = np.quantile(v, [0.1, 0.9])
    assert abs(r["lower80"] - lo) < 1e-9 and abs(r["upper80"] - hi) < 1e-9, (r, lo, hi)
    assert r["observed"] == obs.total[m]
    assert r["inside80"] == bool(lo <= obs.total[m] <= hi)
cov = c["summary"]["month"]["80"]["coverage"]
assert cov == np.mean([r["inside80"] for r in rows]), cov
m = json.load(open(f"{w}/m.json"))
sig = m["model_error"]["sigma"]["month"]
months = pd.period_range("2020-10", "2020-11", freq="M")
med = np.median(np.array([[x.total[k] for k in months] for x in runs]), axis=0)
expect = np.std(np.log(obs.total[months].values / med), ddof=1)
assert abs(sig - expect) < 1e-12, (sig, expect)
r = m["tables"]["month"][0]
v = np.array([x.total[pd.Period("2020-12", freq="M")] for x in runs])
assert r["lower80"] < np.quantile(v, 0.1) and r["upper80"] > np.quantile(v, 0.9), r
PY
grep -q "^month: 80% interval covers" "$work/out.txt"
echo "test_corridor_coverage: OK"
