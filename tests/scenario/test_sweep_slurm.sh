#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The SLURM templates (scripts/slurm/*.sbatch): bash syntax (and shellcheck when installed);
# hybrid.sbatch under a fake srun that records its options and environment, then runs the
# command: OMP_NUM_THREADS and SRUN_CPUS_PER_TASK come from SLURM_CPUS_PER_TASK, HDF5 file
# locking is off, and migsim runs with those threads. Usage errors of the templates.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work/bin" && cd "$work"

for f in "$src"/scripts/slurm/*.sbatch; do
  bash -n "$f"
  head -1 "$f" | grep -qx '#!/bin/bash'
  grep -q '^#SBATCH ' "$f"
  if command -v shellcheck >/dev/null; then shellcheck "$f"; fi
done
[ "$(ls "$src"/scripts/slurm/*.sbatch | wc -l)" = 3 ]

cat > bin/srun <<'EOF'
#!/usr/bin/env bash
# records its options and environment, then runs the command (one task)
opts=()
while [[ $# -gt 0 && $1 == -* ]]; do opts+=("$1"); shift; done
{ echo "options: ${opts[*]}"; env | grep -E '^(OMP_|SRUN_|HDF5_)' | sort; } > srun.log
exec "$@"
EOF
chmod +x bin/srun
cat > s.yaml <<EOF
start_date: 2023-01-01
days: 5
network: {places: $src/configs/demo/places.csv, links: $src/configs/demo/links.csv}
nationalities: [VENEZUELA]
sources:
  - {place: Caracas, nationality: VENEZUELA, rate: 10}
EOF
PATH=$work/bin:$PATH SLURM_CPUS_PER_TASK=3 SLURM_NTASKS=1 MIGSIM=$migsim \
  bash "$src/scripts/slurm/hybrid.sbatch" s.yaml -o out.h5 --seed 5 -q
diff -u - srun.log <<'EOF'
options: --cpus-per-task=3 --cpu-bind=cores
HDF5_USE_FILE_LOCKING=FALSE
OMP_NUM_THREADS=3
OMP_PLACES=cores
OMP_PROC_BIND=close
SRUN_CPUS_PER_TASK=3
EOF
/usr/bin/python3 - <<'EOF'
import h5py
p = h5py.File("out.h5")["provenance"].attrs
assert p["threads"] == "3" and p["seed"] == "5", dict(p)
EOF

rc=0; bash "$src/scripts/slurm/hybrid.sbatch" 2>err.txt || rc=$?
[ "$rc" = 64 ]
grep -qx 'usage: sbatch scripts/slurm/hybrid.sbatch SCENARIO.yaml -o OUT.h5 \[run options\]' err.txt
rc=0; env -u SLURM_ARRAY_TASK_ID bash "$src/scripts/slurm/array.sbatch" m.csv 2>err.txt || rc=$?
[ "$rc" != 0 ]
grep -q 'SLURM_ARRAY_TASK_ID: not an array task: submit with sbatch --array=0-N' err.txt
rc=0; SLURM_ARRAY_TASK_ID=0 bash "$src/scripts/slurm/array.sbatch" 2>err.txt || rc=$?
[ "$rc" != 0 ]
grep -q 'usage: sbatch --array=0-N scripts/slurm/array.sbatch MANIFEST.csv' err.txt
echo "test_sweep_slurm: OK"
