#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The SLURM templates (scripts/slurm/) as shipped, under a real single-node SLURM started for
# this test (tests/cluster/slurm_local.sh; Debian's slurmctld, slurmd and munge), with only
# sbatch options and the templates' documented variables set (issue 19):
#  1. array + dependency: `migsim sweep` -> sbatch --array array.sbatch -> summarize.sbatch
#     with --dependency=afterok; sacct shows every task and the summary COMPLETED; the runs and
#     the ensembles are byte-identical to those of the same rows run by hand; each output's
#     provenance holds its job, array job and array task ids;
#  2. a failing task: a bad value in one row leaves that task FAILED (exit 78) with migsim's
#     error in its log, the summarize job pending with DependencyNeverSatisfied; the row fixed
#     and that one index re-submitted, the ensembles equal those of 1;
#  3. hybrid.sbatch with 2 tasks x 1 CPU, ranks started by srun --mpi=pmix and by mpirun in
#     the allocation: 2 MPI ranks, datasets byte-identical to the OpenMP build's;
#  4. scancel --signal=TERM --full, then the time-limit warning (--time=1 --signal=B:USR1@59):
#     migsim checkpoints and exits 75, array.sbatch requeues the task, which resumes with
#     --restart; the output is byte-identical to an uninterrupted run's.
# Every daemon is stopped again by process id, whatever happens; exit 77 (skipped, with the
# reason) where SLURM cannot run here (not root, packages missing, daemons refused to start).
#   test_cluster.sh MIGSIM MIGSIM_MPI SRC WORK
set -euo pipefail
migsim=$1 migsim_mpi=$2 src=$3 work=$4
# shellcheck source=tests/cluster/slurm_local.sh
. "$src/tests/cluster/slurm_local.sh"
rm -rf "$work" && mkdir -p "$work"
cd "$work"
cluster_start "$work/slurm"
t0=$(date -d '-1 minute' +%Y-%m-%dT%H:%M:%S)
slurm=$src/scripts/slurm
export MIGSIM=$migsim
cmp_h5() { /usr/bin/python3 "$src/tests/scenario/compare_h5.py" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
# state JOBID: its last state in SLURM's job completion records
state() { sacct -c -n -P -S "$t0" -o JobID,State -j "$1" 2>/dev/null | awk -F'|' -v id="$1" '$1 == id { s = $2 } END { print s }'; }
# task_ids JOBID: "TASK RAWID" per array task (each task is a job of its own)
task_ids() { scontrol show job -o "$1" | sed -n 's/^JobId=\([0-9]*\) ArrayJobId=[0-9]* ArrayTaskId=\([0-9]*\) .*/\2 \1/p' | sort -n; }

# --- 1. array + dependency ---------------------------------------------------------------
# sweep DIR REPLICATES SEED PARAMETER...: DIR/manifest.csv of a sweep of the demo scenario
sweep() {
  mkdir -p "$1"
  printf 'scenario: %s\noutput_dir: runs\nreplicates: %s\nseed: %s\nparameters:\n' "$src/configs/demo.yaml" "$2" "$3" > "$1/sweep.yaml"
  printf '  - %s\n' "${@:4}" >> "$1/sweep.yaml"
  (cd "$1" && "$migsim" sweep sweep.yaml -o manifest.csv >/dev/null)
}
mkdir -p hand/runs
sweep sweep 2 11 '{key: days, values: [30]}' '{key: movement.distance_power, values: [0.5, 2]}'
cp -r sweep fail       # for 2, before any output
cd sweep
jid=$(sbatch --parsable --array=0-3 --cpus-per-task=1 "$slurm/array.sbatch" manifest.csv)
sid=$(sbatch --parsable --cpus-per-task=1 --dependency=afterok:"$jid" "$slurm/summarize.sbatch" manifest.csv ensembles)
cluster_wait 120 "$jid" "$sid"
task_ids "$jid" > task_ids.txt
[ "$(wc -l < task_ids.txt)" = 4 ] || fail "array job $jid: $(cat task_ids.txt)"
while read -r task raw; do
  [ "$(state "$raw")" = COMPLETED ] || fail "array task $task (job $raw): sacct state '$(state "$raw")'"
done < task_ids.txt
[ "$(state "$sid")" = COMPLETED ] || fail "summarize job $sid: sacct state '$(state "$sid")'"
grep -qx "summarize.sbatch: 2 points -> ensembles/" "migsim-summarize-$sid.out" || fail "summarize log: $(cat "migsim-summarize-$sid.out")"
cd ..
# the same rows by hand (a copy of the manifest at the same depth: the same relative paths)
cp sweep/manifest.csv hand/
for t in 0 1 2 3; do (cd hand && "$migsim" run --manifest manifest.csv --task $t --threads 1 --quiet); done
for p in 0 1; do
  (cd hand && "$migsim" summarize runs/p00${p}_r00.h5 runs/p00${p}_r01.h5 -o p00$p.h5 --quantiles 0.05,0.5,0.95 --quiet)
  cmp_h5 "hand/p00$p.h5" "sweep/ensembles/p00$p.h5"
  cmp_h5 "hand/runs/p00${p}_r00.h5" "sweep/runs/p00${p}_r00.h5"
  cmp_h5 "hand/runs/p00${p}_r01.h5" "sweep/runs/p00${p}_r01.h5"
done
/usr/bin/python3 - "$jid" <<'EOF' || fail "provenance of the array's outputs"
import csv, sys, h5py
jid = sys.argv[1]
raw = dict(l.split() for l in open("sweep/task_ids.txt"))
for r in csv.DictReader(open("sweep/manifest.csv")):
    p = dict(h5py.File("sweep/" + r["output"])["provenance"].attrs)
    got = (p["slurm_job_id"], p["slurm_array_job_id"], p["slurm_array_task_id"])
    want = (raw[r["task"]], jid, r["task"])
    assert got == want, (r["output"], got, want)
EOF
echo "1. array job $jid (4 tasks) and summarize job $sid COMPLETED; ensembles equal the hand-run ones; provenance holds the ids"

# --- 2. a failing task ---------------------------------------------------------------------
cd fail
cp manifest.csv good.csv
awk -F, -v OFS=, '$1 == "2" { $NF = "abc" } 1' good.csv > manifest.csv
jid=$(sbatch --parsable --array=0-3 --cpus-per-task=1 "$slurm/array.sbatch" manifest.csv)
sid=$(sbatch --parsable --cpus-per-task=1 --dependency=afterok:"$jid" "$slurm/summarize.sbatch" manifest.csv ensembles)
cluster_wait 120 "$jid"
raw2=$(task_ids "$jid" | awk '$1 == 2 { print $2 }')
[ "$(state "$raw2")" = FAILED ] || fail "bad task 2 (job $raw2): sacct state '$(state "$raw2")'"
[ "$(sacct -c -n -P -S "$t0" -o JobID,ExitCode -j "$raw2" 2>/dev/null | tail -1)" = "$raw2|78:0" ] || fail "task 2's exit code"
grep -qx 'migsim: --set movement.distance_power=abc: movement.distance_power: expected a number, got "abc"' "migsim-sweep-${jid}_2.out" ||
  fail "task 2's log: $(cat "migsim-sweep-${jid}_2.out")"
reason=""
for _ in $(seq 40); do
  reason=$(squeue -h -j "$sid" -o %r)
  [ "$reason" = DependencyNeverSatisfied ] && break
  sleep 0.5
done
[ "$reason" = DependencyNeverSatisfied ] || fail "summarize job $sid: reason '$reason'"
[ ! -e ensembles ] || fail "the summarize job ran"
scancel "$sid"
cp good.csv manifest.csv
jid2=$(sbatch --parsable --array=2 --cpus-per-task=1 "$slurm/array.sbatch" manifest.csv)
sid2=$(sbatch --parsable --cpus-per-task=1 --dependency=afterok:"$jid2" "$slurm/summarize.sbatch" manifest.csv ensembles)
cluster_wait 120 "$jid2" "$sid2"
[ "$(state "$sid2")" = COMPLETED ] || fail "summarize job $sid2 after the re-run: '$(state "$sid2")'"
cd ..
cmp_h5 sweep/ensembles/p000.h5 fail/ensembles/p000.h5
cmp_h5 sweep/ensembles/p001.h5 fail/ensembles/p001.h5
echo "2. task 2 FAILED (78) with the error in its log; summarize DependencyNeverSatisfied; index 2 re-run ($jid2), ensembles equal 1's"

# --- 3. MPI + OpenMP under the scheduler ------------------------------------------------------
mkdir -p hybrid && cd hybrid
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
run=("$src/configs/demo.yaml" --seed 7 --set days=60)
"$migsim" run "${run[@]}" -o ref.h5 --threads 2 --quiet
h1=$(MIGSIM=$migsim_mpi sbatch --parsable --nodes=1 --ntasks-per-node=2 --cpus-per-task=1 "$slurm/hybrid.sbatch" "${run[@]}" -o srun/out.h5)
h2=$(MIGSIM=$migsim_mpi MIGSIM_LAUNCHER=mpirun sbatch --parsable --nodes=1 --ntasks-per-node=2 --cpus-per-task=1 \
  "$slurm/hybrid.sbatch" "${run[@]}" -o mpirun/out.h5)
cluster_wait 120 "$h1" "$h2"
for j in "$h1" "$h2"; do
  [ "$(state "$j")" = COMPLETED ] || fail "hybrid job $j: '$(state "$j")': $(tail -5 "migsim-hybrid-$j.out")"
  grep -q "MPI: 2 ranks, [0-9]* bytes reduced per rank per day" "migsim-hybrid-$j.out" || fail "hybrid job $j did not run 2 ranks"
done
cmp_h5 ref.h5 srun/out.h5 mpirun/out.h5
cd ..
echo "3. hybrid.sbatch 2 tasks x 1 CPU: srun --mpi=pmix ($h1) and mpirun ($h2) byte-identical to the OpenMP build"

# --- 4. SIGTERM and the time-limit warning: checkpoint, requeue, resume ------------------------
# a run of about 15 s here (the warning comes at slurmctld's next 30-second check)
s=$(date +%s.%N)
"$migsim" run "$src/configs/demo.yaml" -o calib.h5 --set days=1000 --threads 1 --quiet
days=$(awk -v s="$s" -v e="$(date +%s.%N)" 'BEGIN { d = int(1000 * 15 / (e - s)); print (d < 3000 ? 3000 : (d > 40000 ? 40000 : d)) }')
sweep long 1 5 "{key: days, values: [$days]}"
cp -r long term && cp -r long usr1
(cd long && "$migsim" run --manifest manifest.csv --task 0 --threads 1 --quiet) &
ref_pid=$!

# requeued: stopped with a checkpoint, requeued, resumed, output equal to the uninterrupted run's
check_requeued() {
  local dir=$1 jid=$2 sig=$3 log raw
  log=$dir/migsim-sweep-${jid}_0.out raw=$(task_ids "$jid" | awk '{ print $2 }')
  grep -q "migsim: signal $sig: stopping; resume with --restart manifest.task0.ckpt" "$log" || fail "$dir: no stop on signal $sig: $(tail -3 "$log")"
  grep -q "array.sbatch: task 0 stopped with checkpoint manifest.task0.ckpt; requeued (job $raw)" "$log" || fail "$dir: not requeued"
  grep -q "migsim: restart from manifest.task0.ckpt: day [0-9]*" "$log" || fail "$dir: no restart"
  scontrol show job "$raw" | grep -q "Restarts=[1-9]" || fail "$dir: job $raw was not restarted"
  [ "$(state "$raw")" = COMPLETED ] || fail "$dir: job $raw: '$(state "$raw")'"
  [ ! -e "$dir/manifest.task0.ckpt" ] || fail "$dir: the checkpoint was left behind"
  cmp_h5 long/runs/p000_r00.h5 "$dir/runs/p000_r00.h5"
}

cd term
jid=$(sbatch --parsable --array=0 --cpus-per-task=1 "$slurm/array.sbatch" manifest.csv)
for _ in $(seq 600); do grep -q "day [0-9]*/$days ([2-9][0-9]%)" "migsim-sweep-${jid}_0.out" 2>/dev/null && break; sleep 0.1; done
scancel --signal=TERM --full "$jid"
cluster_wait 180 "$jid"
cd ..
wait "$ref_pid"
check_requeued term "$jid" 15
echo "4a. scancel --signal=TERM: job $jid stopped at $(grep -o 'restart from [^:]*: day [0-9]*' "term/migsim-sweep-${jid}_0.out" | head -1), requeued, output equal ($days days)"

cd usr1
tick=$(cluster_next_tick) || fail "no time-limit check in slurmctld's log"
while ((tick - $(date +%s) < 9)); do tick=$((tick + 30)); done
sleep $((tick - 8 - $(date +%s)))
jid=$(sbatch --parsable --array=0 --cpus-per-task=1 --time=1 --signal=B:USR1@59 "$slurm/array.sbatch" manifest.csv)
cluster_wait 240 "$jid"
cd ..
check_requeued usr1 "$jid" 10
echo "4b. --time=1 --signal=B:USR1@59: job $jid stopped at $(grep -o 'restart from [^:]*: day [0-9]*' "usr1/migsim-sweep-${jid}_0.out" | head -1), requeued, output equal"
echo "test_cluster: OK"
