#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Replays the seed corpus of every fuzz target and RUNS mutated inputs each (tests/fuzz/
# fuzz_inputs.c); the checkpoint seed is written here by a demo run stopped after day 2.
#   run.sh FUZZ_INPUTS MIGSIM SRC WORK RUNS
set -euo pipefail
fuzz=$1 migsim=$2 src=$3 work=$4 runs=$5
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$migsim" run "$src/configs/demo.yaml" -o d.h5 --quiet --stop-after 2 2>/dev/null || true
[ -e d.h5.ckpt ] || { echo "run.sh: no checkpoint seed"; exit 1; }
for t in yaml places links sweep manifest; do
  "$fuzz" "$t" "$runs" "$src"/tests/fuzz/"$t"/*
done
"$fuzz" checkpoint "$((runs / 3))" d.h5.ckpt
