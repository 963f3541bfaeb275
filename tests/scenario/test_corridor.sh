#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end: the corridor scenario passes `migsim check`; a 60-day run at 1:20 writes an
# HDF5 file whose `encounters` (time, place, nationality) are the arrivals at destinations
# (zero elsewhere), appear in the sectors the Mexican origins lead to, and whose totals
# conserve agents every day (spawned = alive + absorbed + removed); the comparison script
# reads it and draws its PNG; the Haitians' wait at Tapachula shortens on 2023-01-18 and
# nothing before that day changes; Haitians fly to Managua only in October - December 2023,
# at the derived rate; a checkpointed and restarted run equals an uninterrupted one.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
scenario="$src/configs/corridor/corridor.yaml"
"$migsim" check "$scenario" | grep -q "OK (model corridor, 127 places"
"$migsim" check "$scenario" | grep -q "policy: 10 of 10 packages enabled (17 interventions), 1 caravans"
"$migsim" check "$scenario" --set 'packages[working-group].enabled=false' | grep -q "policy: 9 of 10 packages enabled (13 interventions)"
"$migsim" run "$scenario" -o "$work/c.h5" --threads 2 --quiet --set days=60 --set corridor.scale=0.05
/usr/bin/python3 - "$work/c.h5" <<'EOF'
import sys
import numpy as np
import xarray as xr

ds = xr.open_dataset(sys.argv[1])
enc = ds["encounters"]
assert enc.dims == ("time", "place", "nationality"), enc.dims
assert ds.sizes["time"] == 60
kind = np.array([str(k) for k in ds["place_kind"].values])
dest = kind == "destination"
e = enc.values
assert (e[:, ~dest, :] == 0).all(), "encounters only at destination places"
assert (e[:, dest, :] == ds["arrivals"].values[:, dest, :]).all(), "encounters are arrivals at destinations"
for v in ("released", "removed", "expelled"):
    assert ds[v].dims == ("time", "place", "nationality")
out = ds["released"].values + ds["removed"].values + ds["expelled"].values
assert (out[:, dest, :] == e[:, dest, :]).all(), "every encounter has one outcome"
lhs = ds["total_spawned"].values
rhs = ds["alive"].values + ds["total_absorbed"].values + ds["total_removed"].values
assert (lhs == rhs).all(), "spawned = alive + absorbed + removed every day"
assert int(ds["spawned"].sum()) == int(lhs[-1])
by_place = enc.sum(("time", "nationality")).to_series()
for s in ("San Diego", "Tucson", "El Paso", "Del Rio", "Laredo", "Rio Grande Valley"):
    assert by_place[s] > 0, f"no encounters at {s}"
assert int(enc.sel(nationality="MEXICO").sum()) > 0
assert int(ds["expelled"].sum()) > 0, "Title 42 expulsions in autumn 2020"
print(f"test_corridor: {int(enc.sum())} encounters, {int(lhs[-1])} spawned")
EOF
/usr/bin/python3 "$src/scripts/check_output.py" "$work/c.h5" --engine h5netcdf >/dev/null
/usr/bin/python3 "$src/scripts/corridor_compare.py" "$work/c.h5" --png "$work/c.png" --json "$work/c.json" >"$work/compare.txt"
grep -q "MAPE" "$work/compare.txt"
test -s "$work/c.png"
# The Haitians' wait at Tapachula has two periods split at the CBP One launch: a run where
# the second period keeps the first one's factor is the same as the default up to
# 2023-01-17 (draws are keyed by agent and day), and from 2023-01-18 far fewer Haitians
# leave Tapachula for the places it links to (the default's fitted factor is about 70 times
# the first period's; at 1:20 the two 14-day windows hold about 1,500 and 110 arrivals).
wait=(--quiet --set days=900 --set corridor.scale=0.05)
f1=$(/usr/bin/python3 -c 'import sys, yaml
p = {k["name"]: k for k in yaml.safe_load(open(sys.argv[1]))["packages"]}["tapachula-asylum"]
print(repr({i["name"]: i for i in p["interventions"]}["haitians-wait"]["factor"]))' "$scenario")
[ -n "$f1" ] || { echo "no factor for haitians-wait in $scenario"; exit 1; }
"$migsim" run "$scenario" -o "$work/wait.h5" --threads 2 "${wait[@]}"
"$migsim" run "$scenario" -o "$work/wait_same.h5" --threads 1 "${wait[@]}" \
  --set "packages[tapachula-asylum].interventions[haitians-wait-cbp-one].factor=$f1"
/usr/bin/python3 - "$work/wait.h5" "$work/wait_same.h5" <<'EOF2'
import sys
import numpy as np
import pandas as pd
import xarray as xr

fit, same = (xr.open_dataset(p) for p in sys.argv[1:3])
t = pd.to_datetime(fit["time"].values)
i = int(np.flatnonzero(t == pd.Timestamp("2023-01-18"))[0])
for v in ("arrivals", "encounters", "occupancy"):
    assert (fit[v].values[:i] == same[v].values[:i]).all(), f"{v} differ before 2023-01-18"
onward = ["Huixtla", "Mapastepec", "Tuxtla Gutiérrez", "Mexico City"]
def left(ds, a, b):
    return int(ds["arrivals"].sel(nationality="HAITI", place=onward).values[a:b].sum())
before, after, after_same = left(fit, i - 14, i), left(fit, i, i + 14), left(same, i, i + 14)
assert before == left(same, i - 14, i)
assert after > 5 * after_same, (before, after, after_same)
assert after > 5 * before, (before, after, after_same)
print(f"test_corridor: Haitians onward from Tapachula, 14 days before/after 2023-01-18: "
      f"{before}/{after} (one factor throughout: {after_same})")
EOF2
# Haitians fly from Port-au-Prince to Managua only in October - December 2023, at the
# scenario's derived daily rate (departures are the running sum of rate x scale, floored):
# 436.92 x 0.05 x 92 days = 2009.8, so 2,009 spawned there, none before or after.
"$migsim" run "$scenario" -o "$work/managua.h5" --threads 2 --quiet --set start_date=2023-09-01 \
  --set days=150 --set corridor.scale=0.05
/usr/bin/python3 - "$work/managua.h5" "$scenario" <<'EOF2'
import math
import sys
import pandas as pd
import xarray as xr
import yaml

ds = xr.open_dataset(sys.argv[1])
cfg = yaml.safe_load(open(sys.argv[2]))
(h,) = [h for h in cfg["corridor"]["hazards"] if h["places"] == ["Haiti (Port-au-Prince)"]]
assert (h["nationality"], str(h["from"]), str(h["to"])) == ("HAITI", "2023-10-01", "2023-12-31"), h
s = ds["spawned"].sel(place="Haiti (Port-au-Prince)")
assert int(s.sum()) == int(s.sel(nationality="HAITI").sum()), "only Haitians leave from Port-au-Prince"
d = s.sel(nationality="HAITI").to_series()
d.index = pd.to_datetime(d.index)
expected = math.floor(h["base_rate"] * 0.05 * 92)
got = (int(d[:"2023-09-30"].sum()), int(d["2023-10-01":"2023-12-31"].sum()), int(d["2024-01-01":].sum()))
assert got == (0, expected, 0), (got, expected)
print(f"test_corridor: Haitians spawned at Port-au-Prince Sep / Oct-Dec / Jan 2024: {got} (expected {expected})")
EOF2
# With CBP One in force, a run stopped after day 10 and restarted (with another thread
# count) writes the same datasets as an uninterrupted one: the model's state is rebuilt from
# the restored agents.
spring=(--seed 5 --quiet --set start_date=2023-04-20 --set days=40 --set corridor.scale=0.02)
"$migsim" run "$scenario" -o "$work/full.h5" --threads 2 "${spring[@]}"
rc=0
"$migsim" run "$scenario" -o "$work/part.h5" --threads 2 "${spring[@]}" --stop-after 10 2>/dev/null || rc=$?
[ "$rc" -eq 75 ] || { echo "stop after 10: exit $rc, expected 75"; exit 1; }
"$migsim" run "$scenario" -o "$work/part.h5" --threads 1 "${spring[@]}" --restart "$work/part.h5.ckpt"
/usr/bin/python3 "$src/tests/scenario/compare_h5.py" "$work/full.h5" "$work/part.h5"
echo "test_corridor: OK"
