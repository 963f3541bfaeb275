#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The out-of-sample forecast intervals of the corridor (configs/corridor/README.md, "Forecast intervals"):
#  1. the posterior of the priors of configs/corridor/corridor-fy2021-fy2022.yaml given the
#     record of October 2020 - September 2022 only (migsim calibrate --abc, at 1:200), into
#     configs/corridor/posterior-fy2021-fy2022-PARTICLES.csv (+ .yaml, the record);
#  2. an ensemble of every THIN-th draw (default 5: 200 of 1,000) x SEEDS seeds at 1:20 through
#     September 2023, its runs kept; its summary holds encounters only (--vars: the monthly
#     totals, citizenships and sectors are sums of encounters over place x nationality; step 3
#     reads the kept runs);
#  3. the coverage of October 2022 - September 2023 by the 80 % and 95 % intervals of the
#     runs, without and with a model error measured on the training window (its residuals;
#     the one-step-ahead error of carrying a fiscal year to the next), each with its binomial test.
#   configs/corridor/posterior.sh [MIGSIM] [PARTICLES] [GENERATIONS] [SEEDS] [MAX_RUNS]
# GENERATIONS other than 4 names the draws posterior-fy2021-fy2022-PARTICLES-gGENERATIONS.csv;
# MAX_RUNS (default none) is step 1's budget of runs: the last whole generation stands.
# Step 1 takes about 14 minutes on 2 quiet cores (1,000 particles), step 2 about 10, step 3
# about 4. JOBS=N runs at once in step 1 (default 2, the same draws for any N), THREADS=N per
# run; STEP=2 or 3 starts there; OUT=DIR (default posterior-check) holds steps 2 and 3.
set -euo pipefail
cd "$(dirname "$0")/../.."
migsim=${1:-build/migsim} particles=${2:-1000} generations=${3:-4} seeds=${4:-2} max_runs=${5:-0} thin=${THIN:-5}
s=configs/corridor/corridor-fy2021-fy2022.yaml
post=configs/corridor/posterior-fy2021-fy2022-$particles.csv
[ "$generations" = 4 ] || post=configs/corridor/posterior-fy2021-fy2022-$particles-g$generations.csv
budget=()
[ "$max_runs" = 0 ] || budget=(--max-evals "$max_runs")
out=${OUT:-posterior-check}
mkdir -p "$out"
if [ "${STEP:-1}" -le 1 ]; then
  "$migsim" calibrate "$s" --abc -o "$post" --particles "$particles" --generations "$generations" \
    "${budget[@]}" --scale 0.005 --window 2020-10:2022-09 --jobs "${JOBS:-2}" --threads "${THREADS:-1}"
fi
# The forecast error drawn in each run (corridor.forecast_error; configs/corridor/README.md,
# "Forecast intervals"), its sigmas measured on the training window: each draw gets its own key
# (its row number), so every draw x seed run draws its own error. FE=0 leaves it out (parameter
# draws x seeds only), and step 3 then also scores the two readings that add a model error
# after the runs.
fe=()
[ "${FE:-1}" = 0 ] || fe=(--set corridor.forecast_error.from=2022-10-01 --set corridor.forecast_error.nationality=0.56
  --set corridor.forecast_error.sector=0.36)
if [ "${STEP:-1}" -le 2 ]; then
  rm -rf "$out/runs"
  awk -F, -v k="$thin" -v fe="${FE:-1}" 'fe != 0 { $0 = $0 "," (NR == 1 ? "corridor.forecast_error.key" : NR - 2) }
    NR == 1 || (NR - 2) % k == 0' "$post" >"$out/draws.csv"
  "$migsim" ensemble "$s" -o "$out/ensemble.h5" --draws "$out/draws.csv" --seeds "$seeds" --keep-runs "$out/runs" \
    --set corridor.scale=0.05 --set days=1125 "${fe[@]}" --quantiles 2.5,5,10,25,50,75,90,95,97.5 \
    --vars encounters --threads "${THREADS:-2}"
fi
/usr/bin/python3 scripts/corridor_coverage.py "$out"/runs/*.h5 --window 2022-10/2023-09 --json "$out/coverage.json"
if [ "${FE:-1}" = 0 ]; then
  /usr/bin/python3 scripts/corridor_coverage.py "$out"/runs/*.h5 --window 2022-10/2023-09 \
    --model-error 2020-10/2022-09 --json "$out/coverage-model-error.json"
  /usr/bin/python3 scripts/corridor_coverage.py "$out"/runs/*.h5 --window 2022-10/2023-09 \
    --one-step 2020-10/2022-09 --json "$out/coverage-one-step.json"
fi
