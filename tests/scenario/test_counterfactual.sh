#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end: scripts/counterfactual on tests/data/policy/counterfactual.yaml (the demo
# network, 60 days, two packages), 3 seeds each.
#   bash tests/scenario/test_counterfactual.sh MIGSIM_BINARY SOURCE_DIR WORK_DIR
# 1. usage errors exit 64 (unknown package, package switched off, no --package), a
#    missing scenario 66, and a migsim error (days=0) passes migsim's status (78) and
#    message through;
# 2. halve-caracas (origin, factor 0.5 at Caracas): the CSVs have the documented columns
#    and rows; in every seed the counterfactual (package off) spawns more Venezuelans, about
#    twice as many, and as many Hondurans; the by-month table equals the mean, sample sd
#    and 95% t interval (t_{0.975,2} = 4.302653) of the per-seed differences read with
#    h5py; month, sector, nationality and seed tables add up to the same total effect;
# 3. late-closure (a closure dated after the run ends), run with --runs-only and then
#    --analyse-only: the runs are identical, and every difference, sd and interval bound
#    in every table is exactly 0.
# Everything goes under WORK_DIR (emptied first). Works from any directory.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 MIGSIM_BINARY SOURCE_DIR WORK_DIR" >&2; exit 64; }
migsim=$(realpath "$1") src=$(realpath "$2") work=$3
rm -rf "$work" && mkdir -p "$work"
work=$(realpath "$work")
cd "$work"

export PYTHONDONTWRITEBYTECODE=1 MPLCONFIGDIR=$work/matplotlib OMP_NUM_THREADS=1
py=/usr/bin/python3
cf=("$py" "$src/scripts/counterfactual")
scenario=$src/tests/data/policy/counterfactual.yaml

fail() { echo "test_counterfactual: FAILED: $*" >&2; exit 1; }

# expect STATUS PATTERN CMD...: CMD exits STATUS and its stderr matches PATTERN (grep -E)
expect() {
  local want=$1 pattern=$2 rc=0
  shift 2
  "$@" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
  [ "$rc" -eq "$want" ] || fail "$* exited $rc, expected $want; stderr: $(cat "$work/err.txt")"
  grep -Eq -- "$pattern" "$work/err.txt" ||
    fail "$*: stderr does not match /$pattern/: $(cat "$work/err.txt")"
}

# 1. errors
expect 64 'no package "nope" \(its packages are halve-caracas, late-closure\)' \
  "${cf[@]}" "$scenario" --package nope --seeds 3 --migsim "$migsim" -o "$work/err"
expect 64 'package "halve-caracas" is switched off' \
  "${cf[@]}" "$scenario" --package halve-caracas --migsim "$migsim" -o "$work/err" \
  --set 'packages[halve-caracas].enabled=false'
expect 64 'the following arguments are required: --package' \
  "${cf[@]}" "$scenario" --migsim "$migsim" -o "$work/err"
expect 66 'no-such\.yaml: no such scenario file' \
  "${cf[@]}" "$work/no-such.yaml" --package x --migsim "$migsim" -o "$work/err"
expect 78 'migsim: --set days=0: days: ' \
  "${cf[@]}" "$scenario" --package halve-caracas --migsim "$migsim" -o "$work/err" --set days=0
grep -q 'counterfactual: checking the scenario failed: migsim exited 78' "$work/err.txt" ||
  fail "no summary line for the failed migsim check: $(cat "$work/err.txt")"
[ ! -e "$work/err" ] || fail "a failed check left $work/err behind"

# 2. an origin package with a known effect
rc=0
"${cf[@]}" "$scenario" --package halve-caracas --seeds 3 --threads 1 --migsim "$migsim" \
  -o "$work/origin" >"$work/origin.txt" 2>"$work/origin.err" || rc=$?
[ $rc -eq 0 ] || fail "halve-caracas exited $rc: $(cat "$work/origin.err")"
grep -q '^Effect of package halve-caracas' "$work/origin.txt" || fail "no report on stdout"

# 3. a package without effect, runs and analysis split
rc=0
"${cf[@]}" "$scenario" --package late-closure --seed-list 1 2 3 --threads 1 --runs-only \
  --migsim "$migsim" -o "$work/none" -q >"$work/none.txt" 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "late-closure --runs-only exited $rc: $(cat "$work/none.txt")"
! ls "$work"/none/*.csv >/dev/null 2>&1 || fail "--runs-only wrote tables"
"${cf[@]}" --package late-closure --analyse-only -o "$work/none" >"$work/none.txt" 2>&1 ||
  fail "late-closure --analyse-only failed: $(cat "$work/none.txt")"

"$py" - "$src" "$work/origin" "$work/none" <<'PY' || fail "the tables are not as expected"
import csv, math, sys
from pathlib import Path
import h5py
import numpy as np

src, origin, none = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
sys.path.insert(0, f"{src}/tests/python")
import expected_values as ev            # h5py-only reading, independent of the kit

T975_DF2 = 4.302653                     # t_{0.975, 2}: 3 seeds
SEEDS = (1, 2, 3)
STATS = ["days", "scenario", "counterfactual", "difference", "sd", "se", "df", "lower",
         "upper", "scenario_se", "counterfactual_se", "n_scenario", "n_counterfactual",
         "paired", "agents_per_person", "interval"]
HEADERS = {"month": ["month"] + STATS, "sector": ["sector"] + STATS,
           "nationality": ["nationality"] + STATS,
           "seed": ["seed", "scenario", "counterfactual", "difference"]}


def table(folder, key):
    with open(folder / f"difference_by_{key}.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADERS[key], f"{folder}/difference_by_{key}.csv: columns {rows[0]}"
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def close(a, b, what):
    assert math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9), f"{what}: {a} != {b}"


def monthly_encounters(path):
    """Encounters per calendar month (Jan, Feb, Mar 2023), read with h5py."""
    with h5py.File(path, "r") as f:
        counts, keep = ev.encounter_counts(f)
        months = np.array([d.month for d in ev.dates(f)])
    per_day = counts[:, keep, :].sum(axis=(1, 2))
    return np.array([per_day[months == m].sum() for m in (1, 2, 3)], dtype=float)


def spawned(path, nationality):
    with h5py.File(path, "r") as f:
        j = ev.text(f["nationality"][:]).index(nationality)
        return int(f["spawned"][:, :, j].astype(np.int64).sum())


for folder in (origin, none):
    for s in SEEDS:
        for side in ("scenario", "counterfactual"):
            assert (folder / f"{side}_seed{s}.h5").is_file(), (folder, side, s)
    for key in ("month", "sector", "nationality"):
        png = (folder / f"difference_by_{key}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000, (folder, key)
    tables = {k: table(folder, k) for k in HEADERS}
    assert [r["month"] for r in tables["month"]] == ["2023-01-01", "2023-02-01", "2023-03-01"]
    assert [r["days"] for r in tables["month"]] == ["31", "28", "1"]
    assert [r["sector"] for r in tables["sector"]] == ["El Paso", "Rio Grande Valley"]
    assert [r["nationality"] for r in tables["nationality"]] == ["VENEZUELA", "HONDURAS"]
    assert [r["seed"] for r in tables["seed"]] == ["1", "2", "3"]
    for key in ("month", "sector", "nationality"):
        for r in tables[key]:
            assert r["paired"] == "True" and r["n_scenario"] == r["n_counterfactual"] == "3"
            assert r["df"] == "2.0", r
    # every table adds up to the same effect over the whole run
    totals = {k: sum(float(r["difference"]) for r in tables[k]) for k in HEADERS}
    totals["seed"] /= len(SEEDS)
    for k, v in totals.items():
        close(v, totals["month"], f"{folder}: total effect by {k}")
    per_seed = [monthly_encounters(folder / f"scenario_seed{s}.h5").sum()
                - monthly_encounters(folder / f"counterfactual_seed{s}.h5").sum() for s in SEEDS]
    for r, d in zip(tables["seed"], per_seed):
        close(r["difference"], d, f"{folder}: seed {r['seed']}")

# halve-caracas: spawning in every seed
for s in SEEDS:
    sv, cv = (spawned(origin / f"{side}_seed{s}.h5", "VENEZUELA")
              for side in ("scenario", "counterfactual"))
    assert cv > sv > 0, f"seed {s}: counterfactual spawns {cv} Venezuelans, scenario {sv}"
    assert 1.9 <= cv / sv <= 2.1, f"seed {s}: factor 0.5 but {cv} / {sv} = {cv / sv:.3f}"
    sh, ch = (spawned(origin / f"{side}_seed{s}.h5", "HONDURAS")
              for side in ("scenario", "counterfactual"))
    assert sh == ch > 0, f"seed {s}: Hondurans spawned {sh} and {ch}, expected the same"
# ... the by-month table is the paired t interval of the per-seed differences
d = np.array([monthly_encounters(origin / f"scenario_seed{s}.h5")
              - monthly_encounters(origin / f"counterfactual_seed{s}.h5") for s in SEEDS])
mean, sd = d.mean(axis=0), d.std(axis=0, ddof=1)
for i, r in enumerate(table(origin, "month")):
    close(r["difference"], mean[i], f"month {r['month']}: difference")
    close(r["sd"], sd[i], f"month {r['month']}: sd")
    half = T975_DF2 * sd[i] / math.sqrt(3)
    assert math.isclose(float(r["lower"]), mean[i] - half, rel_tol=1e-6, abs_tol=1e-6), r
    assert math.isclose(float(r["upper"]), mean[i] + half, rel_tol=1e-6, abs_tol=1e-6), r
ven = table(origin, "nationality")[0]
assert float(ven["upper"]) < 0, f"halving Venezuelan departures must lower their encounters: {ven}"

# late-closure: nothing changes, in the runs or in the tables
for s in SEEDS:
    with h5py.File(none / f"scenario_seed{s}.h5", "r") as a, \
         h5py.File(none / f"counterfactual_seed{s}.h5", "r") as b:
        for name in ("occupancy", "flow", "arrivals", "spawned"):
            assert np.array_equal(a[name][:], b[name][:]), f"seed {s}: {name} differs"
for key in ("month", "sector", "nationality"):
    for r in table(none, key):
        for col in ("difference", "sd", "se", "lower", "upper"):
            assert float(r[col]) == 0.0, f"late-closure by {key}: {col} = {r[col]} in {r}"
for r in table(none, "seed"):
    assert float(r["difference"]) == 0.0, r
print("tables: origin and no-effect packages as expected")
PY
echo "test_counterfactual: OK"
