#!/usr/bin/env bash
# End to end: the corridor scenario passes `migsim check`; a 60-day run at 1:20 writes an
# HDF5 file whose `encounters` (time, place, nationality) are the arrivals at destinations
# (zero elsewhere), appear in the sectors the Mexican origins lead to, and whose totals
# conserve agents every day (spawned = alive + absorbed + removed); the comparison script
# reads it and draws its PNG; a checkpointed and restarted run equals an uninterrupted one.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
scenario="$src/configs/corridor/corridor.yaml"
"$migsim" check "$scenario" | grep -q "OK (model corridor, 127 places"
"$migsim" check "$scenario" | grep -q "policy: 5 of 5 packages enabled (9 interventions), 1 caravans"
"$migsim" check "$scenario" --set 'packages[working-group].enabled=false' | grep -q "policy: 4 of 5 packages enabled (5 interventions)"
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
