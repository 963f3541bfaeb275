#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# README command 2: installs what is missing, builds with warnings as errors and runs every
# test (Criterion unit/stat tests and end-to-end scenario tests) under ctest.
#   scripts/test.sh              Release build in build/
#   scripts/test.sh --sanitize   the same under -fsanitize=address,undefined in build-asan/
#   scripts/test.sh --mpi        MPI build in build-mpi/: mpirun -np 1, 2, 4 must reproduce the
#                                default build's output byte for byte (run scripts/test.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build type=Release extra=() labels=()
case "${1:-}" in
  "") scripts/deps.sh test ;;
  --sanitize)
    scripts/deps.sh test
    dir=build-asan type=Debug extra=(-DMIGSIM_SANITIZE=ON)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ;;
  --mpi)
    scripts/deps.sh mpi
    [ -x build/migsim ] || { echo "test.sh --mpi: run scripts/test.sh first (it builds the reference build/migsim)" >&2; exit 64; }
    dir=build-mpi extra=(-DMIGSIM_MPI=ON -DMIGSIM_REFERENCE_BINARY="$PWD/build/migsim") labels=(-L mpi) ;;
  *) echo "usage: $0 [--sanitize|--mpi]" >&2; exit 64 ;;
esac
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=$type -DMIGSIM_WERROR=ON -DMIGSIM_TESTS=ON "${extra[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
cd "$dir"
ctest --output-on-failure -j "$(nproc)" "${labels[@]}"
