#!/usr/bin/env bash
# README command 2: installs what is missing, builds with warnings as errors and runs every
# test (Criterion unit/stat tests and end-to-end scenario tests) under ctest.
#   scripts/test.sh              Release build in build/
#   scripts/test.sh --sanitize   the same under -fsanitize=address,undefined in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
dir=build type=Release extra=()
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan type=Debug extra=(-DMIGSIM_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=$type -DMIGSIM_WERROR=ON -DMIGSIM_TESTS=ON "${extra[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
cd "$dir"
ctest --output-on-failure -j "$(nproc)"
