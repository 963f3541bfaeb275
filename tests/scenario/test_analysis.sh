#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end: the analysis kit (scripts/migsim_analysis in Python, scripts/migsim.R in R
# and the example notebook) on real runs of configs/demo.yaml.
#   bash tests/scenario/test_analysis.sh MIGSIM_BINARY SOURCE_DIR WORK_DIR
# 1. pytest tests/python (Debian's /usr/bin/python3): the module's tables and plots
#    against values read with h5py; no test collected (exit 5) counts as a failure;
# 2. testthat tests/r: migsim.R against tables that tests/python/expected_values.py
#    computes with h5py from a run made here, and its ggplot2 plots (a second seed for
#    the intervals);
# 3. executes scripts/notebooks/example.ipynb with nbconvert on Debian's python3 kernel;
#    any failing cell fails the test.
# Everything it writes goes under WORK_DIR (emptied first). Works from any directory.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 MIGSIM_BINARY SOURCE_DIR WORK_DIR" >&2; exit 64; }
migsim=$(realpath "$1") src=$(realpath "$2") work=$3
rm -rf "$work" && mkdir -p "$work"
work=$(realpath "$work")
cd "$work"

export MIGSIM_BINARY=$migsim MIGSIM_SOURCE_DIR=$src
export PYTHONDONTWRITEBYTECODE=1 MPLCONFIGDIR=$work/matplotlib OMP_NUM_THREADS=1
py=/usr/bin/python3

fail() { echo "test_analysis: FAILED: $*" >&2; exit 1; }

# 1. Python
rc=0
"$py" -m pytest -q -p no:cacheprovider --basetemp="$work/pytest" "$src/tests/python" || rc=$?
[ $rc -eq 0 ] || fail "pytest exited $rc (5 means no tests were collected)"

# 2. R: one run and its expected tables, made here and passed by environment
"$migsim" run "$src/configs/demo.yaml" -o "$work/demo.h5" --seed 7 --threads 1 --quiet
"$migsim" run "$src/configs/demo.yaml" -o "$work/demo8.h5" --seed 8 --threads 1 --quiet
"$py" "$src/tests/python/expected_values.py" "$work/demo.h5" "$work/expected"
export MIGSIM_TEST_H5=$work/demo.h5 MIGSIM_TEST_H5_SEED8=$work/demo8.h5 MIGSIM_TEST_EXPECTED=$work/expected MIGSIM_R_TESTS=$src/tests/r
rc=0
Rscript -e 'testthat::test_dir(Sys.getenv("MIGSIM_R_TESTS"), reporter = "summary",
                               stop_on_failure = TRUE)' || rc=$?
[ $rc -eq 0 ] || fail "testthat exited $rc"

# 3. The notebook. A kernelspec named python3 for /usr/bin/python3, first on
# JUPYTER_PATH, so that no other python3 kernel (a user's, a pyenv's) is picked up.
mkdir -p "$work/jupyter/kernels/python3"
cat >"$work/jupyter/kernels/python3/kernel.json" <<JSON
{"argv": ["$py", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
 "display_name": "Python 3 (Debian)", "language": "python"}
JSON
export JUPYTER_PATH=$work/jupyter JUPYTER_CONFIG_DIR=$work/jupyter-config
export JUPYTER_RUNTIME_DIR=$work/jupyter-runtime IPYTHONDIR=$work/ipython
export MIGSIM_NOTEBOOK_OUT=$work/notebook PYDEVD_DISABLE_FILE_VALIDATION=1
rc=0
"$py" -m nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=python3 \
  --ExecutePreprocessor.timeout=300 --output-dir "$work" --output example.executed.ipynb \
  "$src/scripts/notebooks/example.ipynb" || rc=$?
[ $rc -eq 0 ] || fail "the notebook did not execute (nbconvert exited $rc)"
# Every code cell ran, on /usr/bin/python3, and showed and wrote the three plots.
check_notebook() {
"$py" - "$@" <<'PY'
import json, sys
from pathlib import Path
nb_path, out, py = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
nb = json.load(open(nb_path))
code = [c for c in nb["cells"] if c["cell_type"] == "code"]
errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
assert not errors, errors
assert all(c.get("execution_count") for c in code), "a code cell did not run"
text = "".join("".join(o.get("text", "")) for c in code for o in c.get("outputs", []))
assert f"python: {py}" in text, f"the kernel was not {py}"
images = sum("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", []))
assert images == 3, f"{images} inline images, expected 3"
for name in ("corridor_map.png", "monthly_encounters.png", "difference.png"):
    png = out / name
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    assert png.stat().st_size > 15000, f"{png}: {png.stat().st_size} bytes"
print(f"notebook: {len(code)} code cells ran, {images} plots, kernel {py}")
PY
}
check_notebook "$work/example.executed.ipynb" "$work/notebook" "$py" ||
  fail "the executed notebook is not as expected"
echo "test_analysis: OK"
