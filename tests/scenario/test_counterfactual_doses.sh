#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end: scripts/counterfactual's doses (--scale, --dose), parameter draws (--draws)
# and periods (--period) on tests/data/policy/counterfactual.yaml reduced to one source
# (Caracas, 800 a day), 45 days:
# 1. --scale 'sources[0].rate=0,1' with seeds 1 and 2 over 2023-01:2023-02 and 2023-02: at
#    factor 1 every difference, lower and upper bound is exactly 0 (paired runs); at factor
#    0 (no source left) the counterfactual is 0 and the difference exactly minus the
#    scenario, and the total equals minus the encounters of the scenario runs read with
#    h5py (arrivals at destination places over the period's days); tables say
#    "seeds only (2 seeds)" and the Student's t convention; one PNG per question;
# 2. with --draws (two rates: 400 and 1200) and one seed: the same two facts per draw
#    (the factor applies to each draw's value), the scenario totals differ between the
#    draws, and the tables say "parameter draws (2 from draws.csv) x seeds (1)" and the
#    empirical-quantile convention;
#    the same runs analysed with weights 1 and 0 (--analyse-only): the mean and both bounds
#    are the first draw's, and the tables say "(2 from weighted.csv, weighted)";
# 3. errors: a bad period (exit 64), a period outside the run (exit 64), a bad draws cell
#    (migsim's message with file:line:column and the column, exit 65).
#   bash tests/scenario/test_counterfactual_doses.sh MIGSIM_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 MIGSIM_BINARY SOURCE_DIR WORK_DIR" >&2; exit 64; }
migsim=$(realpath "$1") src=$(realpath "$2") work=$3
rm -rf "$work" && mkdir -p "$work"
work=$(realpath "$work")
cd "$work"
export PYTHONDONTWRITEBYTECODE=1 MPLCONFIGDIR=$work/matplotlib OMP_NUM_THREADS=1
py=/usr/bin/python3
fail() { echo "test_counterfactual_doses: FAILED: $*" >&2; exit 1; }
cf=("$py" "$src/scripts/counterfactual" "$src/tests/data/policy/counterfactual.yaml" --migsim "$migsim"
    --threads 1 -q --set days=45 --set 'sources=[{place: Caracas, nationality: VENEZUELA, rate: 800}]'
    --set 'packages=[]')

"${cf[@]}" --scale 'sources[0].rate=0,1' --seeds 2 --period 2023-01:2023-02 --period 2023-02 \
  -o seeds > seeds.txt 2> seeds.err || fail "seeds: $(cat seeds.err)"
printf 'draw,distance,sources[0].rate\nlow,0.1,400\nhigh,0.2,1200\n' > draws.csv   # distance: as calibrate --abc
"${cf[@]}" --scale 'sources[0].rate=0,1' --seed-list 3 --draws draws.csv --period 2023-02 \
  -o draws > draws.txt 2> draws.err || fail "draws: $(cat draws.err)"

$py - <<'PY' || fail "the tables are not as expected"
from pathlib import Path
import h5py, numpy as np, pandas as pd

def scenario_total(path, first, last):
    """Arrivals at destination places on days first..last (day numbers from the start)."""
    with h5py.File(path) as f:
        kind = np.array([k.decode() if isinstance(k, bytes) else k for k in f["place_kind"][()]])
        a = f["arrivals"][()][first:last + 1][:, kind == "destination", :]
    return float(a.sum())

def check(folder, words, interval, runs, periods):
    d = Path(folder)
    assert (d / "dose_q1_response.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (d / "dose_q2_response.png").exists()
    for part in ("response", "by_month", "by_nationality", "by_sector"):
        t = pd.read_csv(d / f"dose_q1_{part}.csv")
        assert set(t["uncertainty"]) == {words}, (part, set(t["uncertainty"]))
        assert set(t["interval"]) == {interval}, (part, set(t["interval"]))
        one, zero = t[t["dose"] == 1], t[t["dose"] == 0]
        assert len(one) and len(zero), part
        for c in ("difference", "lower", "upper"):
            assert (one[c] == 0).all(), (part, c, one[c].tolist())
        assert (zero["counterfactual"] == 0).all(), part
        assert (zero["difference"] == -zero["scenario"]).all(), part
        assert (zero["scenario"] > 0).any(), part
    t = pd.read_csv(d / "dose_q1_response.csv")
    for period, first, last in periods:
        want = -np.mean([scenario_total(d / r, first, last) for r in runs])
        got = t[(t["dose"] == 0) & (t["period"] == period)]["difference"].tolist()
        assert got == [want], (period, got, want)

t_words = "95% Student's t interval across seeds (mean -+ t_{0.975,n-1} sd/sqrt(n))"
q_words = ("2.5% and 97.5% empirical quantiles across draws x seeds (linear interpolation; "
           "weighted as migsim ensemble when the draws have unequal weights)")
check("seeds", "seeds only (2 seeds)", t_words, ["scenario_seed1.h5", "scenario_seed2.h5"],
      [("2023-01:2023-02", 0, 44), ("2023-02", 31, 44)])
check("draws", "parameter draws (2 from draws.csv) x seeds (1)", q_words,
      ["scenario_d1_seed3.h5", "scenario_d2_seed3.h5"], [("2023-02", 31, 44)])
low, high = (scenario_total(f"draws/scenario_d{k}_seed3.h5", 31, 44) for k in (1, 2))
assert 2 * low < high, (low, high)
PY
printf 'draw,sources[0].rate,weight\nlow,400,1\nhigh,1200,0\n' > weighted.csv
"${cf[@]}" --scale 'sources[0].rate=0,1' --seed-list 3 --draws weighted.csv --period 2023-02 \
  --analyse-only -o draws > weighted.txt 2> weighted.err || fail "weighted: $(cat weighted.err)"
$py - <<'PY' || fail "the weighted tables are not as expected"
import h5py, numpy as np, pandas as pd
with h5py.File("draws/scenario_d1_seed3.h5") as f:
    kind = np.array([k.decode() for k in f["place_kind"][()]])
    low = float(f["arrivals"][()][31:45][:, kind == "destination", :].sum())
w = pd.read_csv("draws/dose_q1_response.csv")
assert set(w["uncertainty"]) == {"parameter draws (2 from weighted.csv, weighted) x seeds (1)"}
zero = w[w["dose"] == 0]
assert zero["difference"].tolist() == [-low] and zero["lower"].tolist() == [-low], (zero, low)
assert zero["upper"].tolist() == [-low], zero
PY
grep -q '^Uncertainty included: seeds only (2 seeds)\.$' seeds.txt || fail "no uncertainty line: $(head -3 seeds.txt)"
grep -q 'period 2023-02: the runs cover 14 of its 28 days' seeds.err || fail "no coverage note: $(cat seeds.err)"

# expect STATUS MESSAGE ARGS...: the script exits STATUS and its stderr holds MESSAGE
expect() {
  local want=$1 message=$2 rc=0
  shift 2
  "${cf[@]}" --seeds 1 -o err "$@" > out.txt 2> err.txt || rc=$?
  [ "$rc" -eq "$want" ] || fail "$* exited $rc, expected $want: $(cat err.txt)"
  grep -qF -- "$message" err.txt || fail "$*: no \"$message\" in: $(cat err.txt)"
}
expect 64 "--period: expected YYYY-MM, YYYY-MM:YYYY-MM, YYYYQn or FYYYYY, got '2023-13'" \
  --scale 'sources[0].rate=0' --period 2023-13
expect 64 "--period FY2025: no simulated day falls in it" --scale 'sources[0].rate=0' --period FY2025
printf 'draw,sources[0].rate\nlow,400\nhigh,lots\n' > bad.csv
expect 65 'migsim: bad.csv:3:2: sources[0].rate: expected a number, got "lots"' \
  --scale 'sources[0].rate=0' --draws bad.csv
echo "test_counterfactual_doses: OK"
