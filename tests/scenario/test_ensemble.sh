#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end: `migsim ensemble` on the demo scenario (30 days), three parameter draws x
# seeds 1 and 2, against the six runs made one by one with `migsim run`:
# (the draws file laid out as calibrate --abc writes it: draw, weight, distance, the keys)
# 1. every variable V has V_mean, V_sd and V_quantile over (quantile, time, <V's dims>) with
#    the runs' coordinates; quantile is [0, 0.05, 0.5, 0.95, 1]; the 0 and 1 quantiles are
#    exactly the minimum and maximum over the six runs, V_mean exactly their sum / 6; with
#    one seed (three runs) the 0.5 quantile is exactly the middle run;
# 2. --threads 1 and 2 write byte-identical datasets (compare_h5.py); --keep-runs keeps the
#    runs (run000000.h5 = draw a seed 1, ..., byte-identical datasets) and lists them in
#    runs.csv;
# 3. /provenance: uncertainty "parameter draws (3 from draws.csv) x seeds (2)" ("seeds only"
#    without --draws), draws_sha256 as sha256sum prints it, scenario_sha256 of
#    scenario_resolved, n_draws 3, n_seeds 2, inputs labelled "draw a seed 1", ...;
# 4. weights: (1, 0, 1) gives datasets byte-identical to the unweighted ensemble of draws a
#    and c; (3, 1, 0.5) a weighted mean, sd and quantiles equal (to 1e-12) to a reference
#    computed here: quantile p interpolated at p (W - w_last) along the values sorted (ties by
#    weight), each at the sum of the weights before it; all-zero and negative weights are
#    refused;
# 5. a bad cell: exact message naming draws file:line:column and the column, exit 65; a
#    bad key: its header cell; a draw that fails in its run (unknown place, caught by the
#    world): the cell again; after each failure nothing at -o and no run folder left;
# 6. --vars total_spawned,arrivals: exactly those variables' statistics and every coordinate,
#    each dataset byte-identical to the full ensemble's (t1.h5), /provenance vars; t1.h5 has
#    no vars attribute; a name that is not a data variable: exact message, exit 64, nothing
#    left (checked after the first run); an empty item or a repeat: refused before any run.
# 7. a model's own draw (the corridor's forecast_error, 60 days at 1:200, 2 draws x 1 seed,
#    each draw its own key): /provenance uncertainty names it after the draws and seeds, with
#    its sigmas; the two runs' encounters differ, and with the same key they are equal.
#   bash tests/scenario/test_ensemble.sh MIGSIM_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 MIGSIM_BINARY SOURCE_DIR WORK_DIR" >&2; exit 64; }
migsim=$(realpath "$1") src=$(realpath "$2") work=$3
rm -rf "$work" && mkdir -p "$work"
cd "$work"
py=/usr/bin/python3
scenario=$src/configs/demo.yaml
fail() { echo "test_ensemble: FAILED: $*" >&2; exit 1; }

cat > draws.csv <<'CSV'
draw,weight,distance,movement.distance_power,sources[0].rate
a,1,0.5,1.0,800
b,1,0.25,1.5,600
c,1,0.75,0.5,1000
CSV
ens=(ensemble "$scenario" --draws draws.csv --seeds 2 --seed 1 --set days=30 --quantiles 0,5,50,95,100 -q)
"$migsim" "${ens[@]}" -o t1.h5 --threads 1
"$migsim" "${ens[@]}" -o t2.h5 --threads 2 --keep-runs kept
"$migsim" ensemble "$scenario" --draws draws.csv --seeds 1 --set days=30 --quantiles 50 -q -o odd.h5 --threads 1
"$migsim" ensemble "$scenario" --seeds 2 --set days=30 -q -o seeds.h5 --threads 1
"$migsim" "${ens[@]}" -o sel.h5 --threads 1 --vars total_spawned,arrivals
for d in "a 1.0 800" "b 1.5 600" "c 0.5 1000"; do
  set -- $d
  for s in 1 2; do
    "$migsim" run "$scenario" -o "run_$1_$s.h5" --seed "$s" --threads 1 -q --set days=30 \
      --set "movement.distance_power=$2" --set "sources[0].rate=$3"
  done
done
$py "$src/tests/scenario/compare_h5.py" t1.h5 t2.h5 || fail "--threads 1 and 2 differ"
$py "$src/tests/scenario/compare_h5.py" run_a_1.h5 kept/run000000.h5 || fail "kept run 0 is not draw a, seed 1"
$py "$src/tests/scenario/compare_h5.py" run_c_2.h5 kept/run000005.h5 || fail "kept run 5 is not draw c, seed 2"
[ "$(cat kept/runs.csv)" = 'file,draw,seed
run000000.h5,"a",1
run000001.h5,"a",2
run000002.h5,"b",1
run000003.h5,"b",2
run000004.h5,"c",1
run000005.h5,"c",2' ] || fail "kept/runs.csv: $(cat kept/runs.csv)"
printf 'draw,movement.distance_power,sources[0].rate,weight\na,1.0,800,1\nb,1.5,600,0\nc,0.5,1000,1\n' > w101.csv
printf 'draw,movement.distance_power,sources[0].rate\na,1.0,800\nc,0.5,1000\n' > w11.csv
printf 'draw,movement.distance_power,sources[0].rate,weight\na,1.0,800,3\nb,1.5,600,1\nc,0.5,1000,0.5\n' > w3.csv
for w in w101 w11 w3; do
  "$migsim" ensemble "$scenario" --draws $w.csv --seeds 2 --set days=30 --quantiles 0,5,50,95,100 -q -o $w.h5 --threads 2
done
$py "$src/tests/scenario/compare_h5.py" w11.h5 w101.h5 || fail "weights 1, 0, 1 differ from draws a and c"

$py - "$(sha256sum draws.csv | cut -d' ' -f1)" <<'PY' || fail "statistics or provenance"
import hashlib, sys
import h5py, numpy as np, xarray as xr
runs = {(d, s): xr.open_dataset(f"run_{d}_{s}.h5") for d in "abc" for s in (1, 2)}
e, odd = xr.open_dataset("t1.h5"), xr.open_dataset("odd.h5")
first = runs["a", 1]
assert list(e["quantile"].values) == [0, 0.05, 0.5, 0.95, 1], e["quantile"].values
names = [v for v in first.data_vars if first[v].dims[:1] == ("time",)]
assert len(names) >= 10, names
for v in names:
    q = e[v + "_quantile"]
    assert q.dims == ("quantile",) + first[v].dims, (v, q.dims)
    assert e[v + "_mean"].dims == first[v].dims and e[v + "_sd"].dims == first[v].dims
    for c in first[v].dims:
        assert (e[c].values == first[c].values).all(), (v, c)
    stack = np.stack([r[v].values.astype(float) for r in runs.values()])
    assert (q.sel(quantile=0).values == stack.min(0)).all(), v
    assert (q.sel(quantile=1).values == stack.max(0)).all(), v
    assert (e[v + "_mean"].values == stack.sum(0) / 6).all(), v
    three = np.stack([runs[d, 1][v].values.astype(float) for d in "abc"])
    assert (odd[v + "_quantile"].sel(quantile=0.5).values == np.sort(three, axis=0)[1]).all(), v
for c in ("place_country", "link_from"):
    assert (e[c].values == first[c].values).all(), c
tot = e["total_spawned_quantile"].sel(quantile=1).values
assert tot.max() > e["total_spawned_quantile"].sel(quantile=0).values.max(), "the draws do not differ"
with h5py.File("t1.h5") as f, h5py.File("seeds.h5") as g:
    p = dict(f["provenance"].attrs)  # text (str), not bytes
    assert p["uncertainty"] == "parameter draws (3 from draws.csv) x seeds (2)", p["uncertainty"]
    assert g["provenance"].attrs["uncertainty"] == "seeds only"
    assert p["draws_sha256"] == sys.argv[1], (p["draws_sha256"], sys.argv[1])
    assert p["scenario_sha256"] == hashlib.sha256(p["scenario_resolved"].encode()).hexdigest()
    assert "days: 30" in p["scenario_resolved"]
    assert (p["n_draws"], p["n_seeds"], p["n_runs"]) == ("3", "2", "6")
    assert p["inputs"].split("\n")[:3] == ["draw a seed 1", "draw a seed 2", "draw b seed 1"], p["inputs"]
    assert p["draws_keys"] == "movement.distance_power\nsources[0].rate", p["draws_keys"]
    assert f.attrs["source"].decode() == "migsim ensemble"  # CF attribute: NC_CHAR

def reference(x, w, p):
    order = np.lexsort((w, x))
    x, w = x[order][w[order] > 0], w[order][w[order] > 0]
    before = np.concatenate([[0.0], np.cumsum(w)[:-1]])
    h = p * before[-1]
    i = min(np.searchsorted(before, h, side="right") - 1, len(x) - 2)
    return x[i] + (h - before[i]) / w[i] * (x[i + 1] - x[i])

w3 = xr.open_dataset("w3.h5")
weights = np.repeat([3.0, 1.0, 0.5], 2)
for v in ("total_spawned", "arrivals"):
    stack = np.stack([runs[d, s][v].values.astype(float) for d in "abc" for s in (1, 2)])
    flat = stack.reshape(6, -1)
    mean = (weights[:, None] * flat).sum(0) / weights.sum()
    var = (weights[:, None] * (flat - mean) ** 2).sum(0) / (weights.sum() - (weights ** 2).sum() / weights.sum())
    assert np.allclose(w3[v + "_mean"].values.ravel(), mean, rtol=1e-12, atol=0), v
    assert np.allclose(w3[v + "_sd"].values.ravel(), np.sqrt(var), rtol=1e-12, atol=1e-12), v
    for p in (0.05, 0.5, 0.95):
        want = [reference(flat[:, j], weights, p) for j in range(flat.shape[1])]
        got = w3[v + "_quantile"].sel(quantile=p).values.ravel()
        assert np.allclose(got, want, rtol=1e-12, atol=1e-12), (v, p)
    assert (w3[v + "_quantile"].sel(quantile=0).values == stack.min(0)).all(), v
    assert (w3[v + "_quantile"].sel(quantile=1).values == stack.max(0)).all(), v
# --vars: only the chosen variables, each statistic byte for byte the full ensemble's
with h5py.File("t1.h5") as f, h5py.File("sel.h5") as g:
    assert "vars" not in f["provenance"].attrs
    assert g["provenance"].attrs["vars"] == "total_spawned,arrivals", g["provenance"].attrs["vars"]
    full = [k for k in f if isinstance(f[k], h5py.Dataset)]
    chosen = [k for k in full if not any(k == v + s for v in names for s in ("_mean", "_sd", "_quantile"))
              or k.rsplit("_", 1)[0] in ("total_spawned", "arrivals")]
    assert sorted(k for k in g if isinstance(g[k], h5py.Dataset)) == sorted(chosen), sorted(g)
    assert {"arrivals_quantile", "total_spawned_sd", "place", "link_from", "quantile", "time"} <= set(g)
    assert "occupancy_mean" not in g and "flow_quantile" not in g
    for k in chosen:
        assert f[k].dtype == g[k].dtype and f[k].shape == g[k].shape, k
        if f[k].dtype.kind == "O":
            assert f[k][()].tolist() == g[k][()].tolist(), k
        else:
            assert f[k][()].tobytes() == g[k][()].tobytes(), k
        for a in ("units", "long_name", "coordinates"):
            assert f[k].attrs.get(a) == g[k].attrs.get(a), (k, a)
with h5py.File("w3.h5") as f:
    assert f["provenance"].attrs["pooling"].startswith("every draw x seed run weighted by its draw's weight")
    assert f["provenance"].attrs["uncertainty"] == "parameter draws (3 from w3.csv, weighted) x seeds (2)"
PY

# expect FILE STATUS MESSAGE ARGS...: ensemble fails with exactly MESSAGE and leaves nothing
expect() {
  local file=$1 status=$2 message=$3 rc=0
  shift 3
  "$migsim" ensemble "$scenario" --set days=10 --seeds 2 -q --draws "$file" -o out.h5 "$@" 2> err.txt || rc=$?
  [ "$rc" = "$status" ] || fail "$file: exit $rc, expected $status: $(cat err.txt)"
  [ "$(cat err.txt)" = "$message" ] || fail "$file: got: $(cat err.txt)
expected: $message"
  [ ! -e out.h5 ] || fail "$file: out.h5 exists after a failure"
  ! ls -d out.h5.* 2> /dev/null || fail "$file: temporary files left"
}
printf 'draw,movement.distance_power,sources[0].rate\na,1.0,800\nb,abc,600\n' > bad.csv
expect bad.csv 65 'migsim: bad.csv:3:2: movement.distance_power: expected a number, got "abc"'
printf 'draw,movement.distnce_power\na,1.0\n' > badkey.csv
expect badkey.csv 65 'migsim: badkey.csv:1:2: movement.distnce_power: unknown key (did you mean "distance_power"?)'
printf 'sources[0].place\nCaracas\nAtlantis\n' > place.csv
expect place.csv 65 "migsim: place.csv:3:1: sources[0].place: unknown place \"Atlantis\" (not in $src/configs/demo/places.csv; expected one of: Caracas, Tegucigalpa, Necocli, Capurgana, Bajo Chiquito, Paso Canoas, Penas Blancas, Danli, Tecun Uman, Tapachula, Mexico City, Ciudad Juarez, Reynosa, El Paso, Rio Grande Valley)"
printf 'movement.distance_power,weight\n1,0\n2,0\n' > weights.csv
expect weights.csv 65 'migsim: weights.csv:1:2: weight: the weights are all 0 (expected at least one > 0)'
printf 'movement.distance_power,weight\n1,1\n2,-0.5\n' > negative.csv
expect negative.csv 65 'migsim: negative.csv:3:2: weight: expected a number >= 0, got "-0.5"'
expect draws.csv 64 "migsim: --vars: no data variable \"arrivalz\" in the runs of $scenario (did you mean \"arrivals\"?)" \
  --vars occupancy,arrivalz
expect draws.csv 64 "migsim: ensemble: --vars: \"flow\" given twice
Try 'migsim --help'." --vars flow,occupancy,flow
expect draws.csv 64 "migsim: ensemble: --vars: an empty name in \"flow,\" (expected NAME[,NAME...])
Try 'migsim --help'." --vars flow,

# 7. the corridor's forecast error in the provenance, and keyed by the draws file
corridor=$src/configs/corridor/corridor-fy2021-fy2022.yaml
fe=(--set days=60 --set corridor.scale=0.005 --set corridor.forecast_error.from=2020-09-01
  --set corridor.forecast_error.nationality=0.5 --set corridor.forecast_error.sector=0.3)
printf 'draw,corridor.forecast_error.key\nk0,0\nk1,1\n' > keys.csv
printf 'draw,corridor.forecast_error.key\nk0,0\nk0b,0\n' > same.csv
"$migsim" ensemble "$corridor" -o fe.h5 --draws keys.csv --seeds 1 -q --vars encounters --keep-runs fe "${fe[@]}"
"$migsim" ensemble "$corridor" -o fe0.h5 --draws same.csv --seeds 1 -q --vars encounters --keep-runs fe0 "${fe[@]}"
$py - <<'PY' || fail "the forecast error's provenance or draws"
import h5py, numpy as np
with h5py.File("fe.h5") as f:
    u = f["provenance"].attrs["uncertainty"]
    assert u == ("parameter draws (2 from keys.csv) x seeds (1) + a forecast error drawn in each run from its "
                 "seed and corridor.forecast_error.key (each nationality's inflow from 2020-09-01: sigma 0.5 in "
                 "log, the total held; each sector's share: sigma 0.3 in log)"), u
enc = lambda p: h5py.File(p)["encounters"][...]
assert not np.array_equal(enc("fe/run000000.h5"), enc("fe/run000001.h5")), "keys 0 and 1 drew the same"
assert np.array_equal(enc("fe0/run000000.h5"), enc("fe0/run000001.h5")), "key 0 twice drew differently"
PY
echo "test_ensemble: OK"
