#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The corridor scenario's INM enforcement (packages inm-upmrip and working-group) and its
# Securing the Border rule, end to end:
# - the targets CSVs hold the published UPMRIP figures exactly: the 2023 rows sum to
#   782,176 (S-MX-01), the 2024 rows to 1,234,698 (S-MX-07), January - July 2024 to 828,505
#   (S-MX-04); the periods tile 2022-01-01 - 2024-12-31 without overlap, every row has a
#   source; from 2024 the counterfactual plus the working group's rise is the observed
#   record, period by period, and the rise is never negative;
# - corridor.securing_border has Proclamation 10773's figures;
# - a run at 1:20 (targets scaled alike) from 2023-09-01 to 2024-01-31: in November, December
#   and January the model's apprehensions by the two packages meet the month's target (the
#   floor-rule spread of the observed events times 0.05) within 4 sqrt(T) + 1; the
#   suspension of 1 - 19 December deports and transfers no one, the restart of 20 - 31
#   December deports no one and buses some south; each intervention apprehends only on its
#   own days, and the working group none in December (its rise starts in January).
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
scenario="$src/configs/corridor/corridor.yaml"
/usr/bin/python3 - "$src/configs/corridor" "$scenario" <<'EOF'
import csv
import datetime as dt
import sys
import yaml

d, scenario = sys.argv[1], sys.argv[2]
def rows(name):
    out = []
    for r in csv.DictReader(open(f"{d}/{name}", encoding="utf-8")):
        assert r["source"].strip(), (name, r)
        out.append((dt.date.fromisoformat(r["start"]), dt.date.fromisoformat(r["end"]), int(r["total"])))
    return out
obs = rows("inm_upmrip_events.csv")
assert obs[0][0] == dt.date(2022, 1, 1) and obs[-1][1] == dt.date(2024, 12, 31), obs
for a, b in zip(obs, obs[1:]):
    assert b[0] == a[1] + dt.timedelta(days=1), (a, b)
def total(y0, y1):
    return sum(t for s, e, t in obs if s >= y0 and e <= y1)
assert total(dt.date(2022, 1, 1), dt.date(2022, 12, 31)) == 441409
assert total(dt.date(2023, 1, 1), dt.date(2023, 12, 31)) == 782176
assert total(dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == 1234698
assert total(dt.date(2024, 1, 1), dt.date(2024, 7, 31)) == 828505
assert total(dt.date(2024, 1, 1), dt.date(2024, 1, 31)) == 113839
cf = {(s, e): t for s, e, t in rows("inm_upmrip_no_agreement.csv")}
rise = {(s, e): t for s, e, t in rows("inm_upmrip_agreement_rise.csv")}
for s, e, t in obs:
    if s >= dt.date(2024, 1, 1):
        assert cf[(s, e)] + rise[(s, e)] == t and rise[(s, e)] >= 0, (s, e, t)
assert set(rise) - set(cf) == {(dt.date(2023, 12, 27), dt.date(2023, 12, 31))}
assert rise[(dt.date(2023, 12, 27), dt.date(2023, 12, 31))] == 0
b = yaml.safe_load(open(scenario))["corridor"]["securing_border"]
got = (str(b["from"]), b["on_at"], b["off_below"], b["off_after_days"], b["window_days"])
assert got == ("2024-06-05", 2500, 1500, 14, 7), got
print("test_corridor_inm: targets CSVs and securing_border figures as published")
EOF
# the caravan's size is in persons: 7000 x 0.05 = 350 agents, with no --set (the engine scales it)
small=(--quiet --set start_date=2023-09-01 --set days=153 --set corridor.scale=0.05)
"$migsim" run "$scenario" -o "$work/inm.h5" --threads 2 "${small[@]}"
/usr/bin/python3 - "$work/inm.h5" "$src/configs/corridor" <<'EOF'
import csv
import datetime as dt
import math
import sys
import h5py
import numpy as np

f, d = h5py.File(sys.argv[1]), sys.argv[2]
lab = [x.decode() if isinstance(x, bytes) else x for x in f["intervention"][:]]
day0 = dt.date(2023, 9, 1)
n = f["policy_apprehended"].shape[0]
days = [day0 + dt.timedelta(days=i) for i in range(n)]
def per_day(name):
    """the targets spread by the floor rule (sim/mig_timeline.c), times the scale 0.05"""
    out = np.zeros(n, dtype=np.int64)
    for r in csv.DictReader(open(f"{d}/{name}", encoding="utf-8")):
        s, e = dt.date.fromisoformat(r["start"]), dt.date.fromisoformat(r["end"])
        T, m = int(r["total"]) * 0.05, (e - s).days + 1
        for i, day in enumerate(days):
            if s <= day <= e:
                k = (day - s).days
                out[i] += int((math.floor(T) if k + 1 >= m else math.floor(T * (k + 1) / m)) - math.floor(T * k / m))
    return out
obs, cf, rise = per_day("inm_upmrip_events.csv"), per_day("inm_upmrip_no_agreement.csv"), per_day("inm_upmrip_agreement_rise.csv")
ivs = {"inm-upmrip/events-2022-2023": (None, dt.date(2023, 11, 30), obs),
       "inm-upmrip/suspension-2023-12": (dt.date(2023, 12, 1), dt.date(2023, 12, 19), obs),
       "inm-upmrip/transfers-2023-12": (dt.date(2023, 12, 20), dt.date(2023, 12, 31), obs),
       "inm-upmrip/events-2024": (dt.date(2024, 1, 1), None, cf),
       "working-group/bus-rail-checks": (dt.date(2023, 12, 27), None, rise)}
app = f["policy_apprehended"][:].sum(axis=2)
target = np.zeros(n, dtype=np.int64)
model = np.zeros(n, dtype=np.int64)
for name, (lo, hi, t) in ivs.items():
    j = lab.index(name)
    on = np.array([(lo is None or day >= lo) and (hi is None or day <= hi) for day in days])
    assert app[~on, j].sum() == 0, f"{name} apprehends outside its days"
    target += np.where(on, t, 0)
    model += app[:, j]
for m in ((2023, 11), (2023, 12), (2024, 1)):
    sel = np.array([(day.year, day.month) == m for day in days])
    T, A = int(target[sel].sum()), int(model[sel].sum())
    assert abs(A - T) <= 4 * math.sqrt(T) + 1, (m, A, T)
    print(f"test_corridor_inm: {m[0]}-{m[1]:02d} apprehended {A}, target {T}")
def total(var, name):
    return int(f[var][:, lab.index(name), :].sum())
wg_dec = app[[i for i, day in enumerate(days) if day.month == 12], lab.index("working-group/bus-rail-checks")].sum()
assert wg_dec == 0, wg_dec
s, t = "inm-upmrip/suspension-2023-12", "inm-upmrip/transfers-2023-12"
assert total("policy_deported", s) == 0 and total("policy_turned_back", s) == 0 and total("policy_released", s) > 0
assert total("policy_deported", t) == 0 and total("policy_turned_back", t) > 0 and total("policy_released", t) > 0
print("test_corridor_inm: OK")
EOF
# A restart loses the daily encounters before it: allowed while none of them can enter an
# average that decides a day from 2024-06-05 on (restart day + 7 <= 2024-06-05), and then
# equal to an uninterrupted run; refused one day later (exit 78, located).
late=(--quiet --set start_date=2024-05-20 --set days=20 --set corridor.scale=0.02)
"$migsim" run "$scenario" -o "$work/late.h5" --threads 2 "${late[@]}"
for n in 9 10; do
  rc=0
  "$migsim" run "$scenario" -o "$work/late$n.h5" --threads 2 "${late[@]}" --stop-after $n 2>/dev/null || rc=$?
  [ "$rc" -eq 75 ] || { echo "stop after $n: exit $rc, expected 75"; exit 1; }
done
"$migsim" run "$scenario" -o "$work/late9.h5" --threads 1 "${late[@]}" --restart "$work/late9.h5.ckpt"
/usr/bin/python3 "$src/tests/scenario/compare_h5.py" "$work/late.h5" "$work/late9.h5"
rc=0
"$migsim" run "$scenario" -o "$work/late10.h5" --threads 1 "${late[@]}" --restart "$work/late10.h5.ckpt" \
  2>"$work/late10.err" || rc=$?
[ "$rc" -eq 78 ] || { echo "restart on 2024-05-30: exit $rc, expected 78"; exit 1; }
grep -q "corridor.yaml:[0-9]*:5: corridor.securing_border: a run restarted from a checkpoint cannot restore" "$work/late10.err"
echo "test_corridor_inm: restart on 2024-05-29 equals the full run; on 2024-05-30 refused"
