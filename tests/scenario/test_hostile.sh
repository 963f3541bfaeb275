#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The adversarial campaign of issue 17 (scripts/hostile.py): about 400 bad inputs (every key of
# the demo scenario deleted, misspelt and given ten wrong values; damaged places and links
# CSVs; damaged checkpoints; outputs onto devices, inputs and folders; oversized inputs). Fails
# on any crash, sanitizer report (in build-asan), hang over 60 s, file left behind or message
# that does not name the damaged file (and, for YAML, its line). Before issue 17's fixes the
# same kinds of input gave 10 sanitizer reports, 6 segfaults and files clobbered.
set -euo pipefail
migsim=$1 src=$2 work=$3
/usr/bin/python3 -c "import h5py, numpy, yaml" 2>/dev/null || { echo "test_hostile: needs python3-h5py, numpy, yaml"; exit 77; }
/usr/bin/python3 "$src/scripts/hostile.py" "$migsim" "$work" | tail -3
