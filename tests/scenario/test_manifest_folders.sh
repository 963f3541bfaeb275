#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A manifest task makes its output's folders when they are missing (issue 18, item 7; before,
# `run --manifest m.csv --task 0` failed with "cannot create output file" when runs/ did not
# exist), and says why when a file stands where a folder should be.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
sed "s|demo/|$src/configs/demo/|" "$src/configs/demo.yaml" > d.yaml
printf 'scenario: d.yaml\nreplicates: 2\nseed: 5\noutput_dir: runs/deep\nparameters:\n  - {key: days, values: [3]}\n' > sw.yaml
"$migsim" sweep sw.yaml -o m.csv > /dev/null
rm -rf runs
"$migsim" run --manifest m.csv --task 1 --quiet --threads 1
[ -f runs/deep/p000_r01.h5 ] || { echo "FAIL: no runs/deep/p000_r01.h5"; exit 1; }
rm -rf runs && touch runs
rc=0
"$migsim" run --manifest m.csv --task 0 --quiet --threads 1 2>err || rc=$?
want="migsim: runs/deep/p000_r00.h5: cannot create the folder runs: a file of that name exists"
if [ "$rc" -ne 74 ] || [ "$(cat err)" != "$want" ]; then
  echo "FAIL: exit $rc, got: $(cat err)"; echo "  expected: $want"; exit 1
fi
