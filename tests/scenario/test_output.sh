#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end: the demo scenario with 1, 2 and 4 threads gives byte-identical datasets
# (another seed does not), and the file opens in xarray (netCDF4 and h5netcdf engines) and
# in R's hdf5r with the expected names, shapes and spawned total (800/day x 90 days +
# 250.5/day x 60 days = 87030).
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
for t in 1 2 4; do
  "$migsim" run "$src/configs/demo.yaml" -o "$work/t$t.h5" --seed 7 --threads "$t" --quiet
done
"$migsim" run "$src/configs/demo.yaml" -o "$work/seed8.h5" --seed 8 --threads 2 --quiet
/usr/bin/python3 "$src/tests/scenario/compare_h5.py" "$work/t1.h5" "$work/t2.h5" "$work/t4.h5" --differs "$work/seed8.h5"
/usr/bin/python3 "$src/scripts/check_output.py" "$work/t2.h5" --engine netcdf4 --expect spawned=87030 >/dev/null
/usr/bin/python3 "$src/scripts/check_output.py" "$work/t2.h5" --engine h5netcdf --expect spawned=87030 >/dev/null
Rscript "$src/scripts/check_output.R" "$work/t2.h5" spawned 87030
echo "test_output: OK"
