#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end: `migsim sweep` writes the expected manifest; every task runs through
# scripts/slurm/array.sbatch (with bash and a faked SLURM_ARRAY_TASK_ID, as SLURM would run
# it); each output's provenance holds its row's seed, parameter values and task id;
# scripts/slurm/summarize.sbatch summarizes each point, and every V_mean, V_sd, V_qNN equals
# numpy's statistics of the inputs; the summaries open labelled in xarray (both engines), with
# the point's parameter values as scalar coordinates (the runs' provenance sweep_parameters).
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work/sweeps" && cd "$work"

cat > s.yaml <<EOF
name: tiny
start_date: 2023-01-01
days: 15
network: {places: $src/configs/demo/places.csv, links: $src/configs/demo/links.csv}
nationalities: [VENEZUELA, HONDURAS]
sources:
  - {place: Caracas, nationality: VENEZUELA, rate: 60}
  - {place: Tegucigalpa, nationality: HONDURAS, rate: 20.5}
EOF
cat > sweeps/sweep.yaml <<'EOF'
scenario: ../s.yaml          # relative to this file
output_dir: ../runs
replicates: 3
seed: 40
parameters:
  - {key: movement.distance_power, values: [0.5, 2]}
  - {key: speed_km_per_day.bus, min: 300, max: 700, steps: 2}
EOF
"$migsim" sweep sweeps/sweep.yaml -o manifest.csv > sweep.out
diff -u - manifest.csv <<'EOF'
task,point,replicate,seed,scenario,output,movement.distance_power,speed_km_per_day.bus
0,0,0,40,s.yaml,runs/p000_r00.h5,0.5,300
1,0,1,41,s.yaml,runs/p000_r01.h5,0.5,300
2,0,2,42,s.yaml,runs/p000_r02.h5,0.5,300
3,1,0,40,s.yaml,runs/p001_r00.h5,0.5,700
4,1,1,41,s.yaml,runs/p001_r01.h5,0.5,700
5,1,2,42,s.yaml,runs/p001_r02.h5,0.5,700
6,2,0,40,s.yaml,runs/p002_r00.h5,2,300
7,2,1,41,s.yaml,runs/p002_r01.h5,2,300
8,2,2,42,s.yaml,runs/p002_r02.h5,2,300
9,3,0,40,s.yaml,runs/p003_r00.h5,2,700
10,3,1,41,s.yaml,runs/p003_r01.h5,2,700
11,3,2,42,s.yaml,runs/p003_r02.h5,2,700
EOF
grep -qx "manifest.csv: 12 runs (4 points x 3 replicates), tasks 0..11, outputs in sweeps/../runs/" sweep.out
[ -d runs ]

# every task as SLURM would run it (array.sbatch exits with migsim's exit code)
for t in $(seq 0 11); do
  SLURM_ARRAY_TASK_ID=$t SLURM_ARRAY_JOB_ID=4242 SLURM_JOB_ID=$((5000 + t)) SLURM_CPUS_PER_TASK=2 \
    MIGSIM=$migsim bash "$src/scripts/slurm/array.sbatch" manifest.csv 2>>array.log
done
[ "$(ls runs | wc -l)" = 12 ]
# a task past the end of the manifest: exit 64 and a clear message
rc=0
SLURM_ARRAY_TASK_ID=12 MIGSIM=$migsim bash "$src/scripts/slurm/array.sbatch" manifest.csv 2>err.txt || rc=$?
[ "$rc" = 64 ]
diff -u - err.txt <<'EOF'
migsim: manifest.csv: task 12: no such row (tasks 0..11)
EOF
# TASK_OFFSET shifts the array index (for sweeps longer than MaxArraySize)
rm runs/p003_r02.h5
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_JOB_ID=4242 SLURM_CPUS_PER_TASK=2 TASK_OFFSET=10 MIGSIM=$migsim bash "$src/scripts/slurm/array.sbatch" manifest.csv 2>>array.log
[ -e runs/p003_r02.h5 ]

MIGSIM=$migsim bash "$src/scripts/slurm/summarize.sbatch" manifest.csv ensembles > summarize.out
grep -qx "summarize.sbatch: 4 points -> ensembles/" summarize.out
[ "$(ls ensembles)" = "$(printf 'p000.h5\np001.h5\np002.h5\np003.h5')" ]

/usr/bin/python3 - <<'EOF'
import csv, h5py, numpy as np, xarray as xr, yaml

rows = list(csv.DictReader(open("manifest.csv")))
for r in rows:
    with h5py.File(r["output"]) as f:
        p = dict(f["provenance"].attrs)  # text (str), not bytes
        assert p["seed"] == r["seed"], (r, p["seed"])
        # task 11 was re-run as array index 1 with TASK_OFFSET=10
        assert p["slurm_array_task_id"] == ("1" if r["task"] == "11" else r["task"]), (r, p["slurm_array_task_id"])
        t = r["task"]  # array.sbatch names a checkpoint for SLURM's warning signal (issue 19)
        assert p["command_line"].endswith(f" run --manifest manifest.csv --task {t} --checkpoint manifest.task{t}.ckpt"), p["command_line"]
        assert p["slurm_array_job_id"] == "4242"
        assert p["threads"] == "2", p["threads"]
        s = yaml.safe_load(p["scenario_resolved"])
        assert s["seed"] == int(r["seed"])
        assert s["movement"]["distance_power"] == float(r["movement.distance_power"]), (r, s["movement"])
        assert s["speed_km_per_day"]["bus"] == float(r["speed_km_per_day.bus"]), (r, s["speed_km_per_day"])
        assert s["days"] == 15
        # the row's point and parameter values (issue 18, item 6)
        assert p["sweep_point"] == r["point"], (r, p["sweep_point"])
        assert p["sweep_parameters"] == (f"movement.distance_power={r['movement.distance_power']}\n"
                                         f"speed_km_per_day.bus={r['speed_km_per_day.bus']}"), p["sweep_parameters"]
# the replicates of a point differ (different seeds), the points differ
a, b = (h5py.File(f"runs/p000_r0{i}.h5")["occupancy"][...] for i in (0, 1))
assert (a != b).any()

quantiles = {"q05": 0.05, "q50": 0.5, "q95": 0.95}
for point in range(4):
    runs = [r["output"] for r in rows if int(r["point"]) == point]
    ins = [xr.open_dataset(x) for x in runs]
    for engine in ("netcdf4", "h5netcdf"):
        ens = xr.open_dataset(f"ensembles/p{point:03d}.h5", engine=engine)
        assert list(ens.place.values) == list(ins[0].place.values)
        assert (ens.time.values == ins[0].time.values).all()
        assert list(ens.link_mode.values) == list(ins[0].link_mode.values)
        # the point's parameter values as scalar coordinates of every statistic
        row = next(r for r in rows if int(r["point"]) == point)
        for key in ("movement.distance_power", "speed_km_per_day.bus"):
            assert key in ens.occupancy_mean.coords and ens[key].dtype == np.float64, (point, key)
            assert ens[key].item() == float(row[key]), (point, key, ens[key].item())
        names = [v for v in ins[0].data_vars if "time" in ins[0][v].dims]
        assert len(names) == 16, names  # 9 engine + 6 policy_* + caravan_members
        for v in names:
            x = np.stack([d[v].values for d in ins]).astype(float)
            m = ens[v + "_mean"]
            assert m.dims == ins[0][v].dims and m.dtype == np.float64, (v, m.dims)
            assert m.attrs["units"] == ins[0][v].attrs["units"]
            assert m.attrs["long_name"] == "mean of " + ins[0][v].attrs["long_name"]
            np.testing.assert_allclose(m.values, x.mean(0), rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(ens[v + "_sd"].values, x.std(0, ddof=1), rtol=1e-12, atol=1e-12)
            for s, q in quantiles.items():
                np.testing.assert_allclose(ens[f"{v}_{s}"].values, np.quantile(x, q, axis=0),
                                           rtol=1e-12, atol=1e-12)
        ens.close()
    with h5py.File(f"ensembles/p{point:03d}.h5") as f:
        p = dict(f["provenance"].attrs)  # text (str), not bytes
        assert p["inputs"].split("\n") == [f"./{x}" for x in runs], p["inputs"]
        assert p["input_seeds"] == "40\n41\n42", p["input_seeds"]
        assert p["n_inputs"] == "3" and p["quantiles"] == "0.05,0.5,0.95"
EOF
echo "test_sweep: OK"
