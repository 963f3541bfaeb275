#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end: Flee's Mali 2012 validation scenario (configs/flee/mali2012, Flee 3's validation
# settings) imported by scripts/import_flee.py, run by the flee model on 1 thread and scored
# by scripts/flee_validate.py. Flee's own figure is ARD 0.361 (rescaled; 0.395 normal); the
# run must lie within 0.02 of it: rescaled in [0.341, 0.381], normal in [0.375, 0.415]. Then
# the run's own ARD (printed, and in results/) must equal flee_validate.py's; the same run
# with 2 threads must give the same camp counts and ARD, and bad input must be refused
# with the file, line and field: an unsupported location type (by the import) and a malformed
# conflict intensity (by the model).
#   bash tests/scenario/test_flee_mali.sh MIGSIM_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 MIGSIM_BINARY SOURCE_DIR WORK_DIR" >&2; exit 64; }
migsim=$(realpath "$1") src=$(realpath "$2") work=$3
rm -rf "$work" && mkdir -p "$work"
work=$(realpath "$work")
cd "$work"
export PYTHONDONTWRITEBYTECODE=1 MPLCONFIGDIR=$work/matplotlib
py=/usr/bin/python3
fail() { echo "test_flee_mali: FAILED: $*" >&2; exit 1; }

"$py" "$src/scripts/import_flee.py" "$src/configs/flee/mali2012" -o mali/scenario.yaml \
  --settings "$src/configs/flee/simsetting-flee3-validation.yml"
"$migsim" run mali/scenario.yaml -o mali.h5 --threads 1 --quiet
out=$("$py" "$src/scripts/flee_validate.py" mali.h5 --png mali.png --write)
echo "$out"
read -r rescaled normal < <(echo "$out" | awk '{print $3, $5}')
awk -v r="$rescaled" -v n="$normal" 'BEGIN { exit !(r >= 0.341 && r <= 0.381 && n >= 0.375 && n <= 0.415) }' ||
  fail "ARD rescaled $rescaled, normal $normal: outside [0.341, 0.381] and [0.375, 0.415]"
[ -s mali.png ] || fail "no plot"

# the run's own validation (results/ard_*) is flee_validate.py's to 1e-9, and printed
"$py" - mali.h5 "$src/scripts" <<'PY' || fail "results/ard_rescaled, ard_normal differ from flee_validate.py"
import sys, h5py
sys.path.insert(0, sys.argv[2])
from flee_validate import ard, load
names, sim, data, units = load(sys.argv[1])
want = ard(sim, data)
with h5py.File(sys.argv[1], "r") as f:
    got = (float(f["results/ard_rescaled"][()]), float(f["results/ard_normal"][()]))
    assert f["results/ard_rescaled"].attrs["units"] in (b"1", "1")
print("results", got, "flee_validate", want)
assert abs(got[0] - want[0]) < 1e-9 and abs(got[1] - want[1]) < 1e-9
PY
log=$("$migsim" run mali/scenario.yaml -o mali2.h5 --threads 2 2>&1)
echo "$log" | grep -q "migsim: ard_rescaled = $rescaled (" || fail "the run did not print ard_rescaled = $rescaled: $log"
"$py" - mali.h5 mali2.h5 <<'PY' || fail "2 threads differ from 1"
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:])
for v in ("occupancy", "registered", "spawned", "results/ard_rescaled", "results/ard_normal"):
    assert np.array_equal(a[v][...], b[v][...]), v
PY

# bad input: the import names locations.csv's line and column, the model conflicts.csv's
cp -r "$src/configs/flee/mali2012" bad
sed -i '3s/,conflict_zone,/,refugee_camp,/' bad/input_csv/locations.csv
rc=0; err=$("$py" "$src/scripts/import_flee.py" bad -o badrun/s.yaml 2>&1) || rc=$?
want="import_flee: bad/input_csv/locations.csv:3:6: location_type: unsupported location type \"refugee_camp\" (expected conflict_zone, town, camp, idpcamp or forwarding_hub)"
[ $rc -eq 65 ] && [ "$err" = "$want" ] || fail "import: exit $rc, message: $err"
[ ! -e badrun/s.yaml ] || fail "import left a scenario behind"
cp "$src/configs/flee/mali2012/input_csv/locations.csv" bad/input_csv/
sed -i '4s/^2, 1, 0, 1,/2, 1, 0, x,/' bad/input_csv/conflicts.csv
"$py" "$src/scripts/import_flee.py" bad -o badrun/s.yaml >/dev/null
rc=0; err=$("$migsim" run badrun/s.yaml -o bad.h5 --quiet 2>&1) || rc=$?
want="migsim: badrun/../bad/input_csv/conflicts.csv:4:4: Timbuktu: expected a number, got \"x\""
[ $rc -eq 65 ] && [ "$err" = "$want" ] || fail "run: exit $rc, message: $err"
[ ! -e bad.h5 ] || fail "a failed run left its output"
echo "test_flee_mali: ok"
