#!/usr/bin/env bash
# README command 1: installs what is missing, builds migsim (Release) and runs the
# default scenario, writing out/default.h5. Extra arguments go to `migsim run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMIGSIM_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)"
mkdir -p out
scenario=${MIGSIM_SCENARIO:-configs/demo.yaml}
./build/migsim check "$scenario"
./build/migsim run "$scenario" -o out/default.h5 "$@"
echo "quickstart: wrote out/default.h5; open it with:"
echo "  /usr/bin/python3 -c 'import xarray as xr; print(xr.open_dataset(\"out/default.h5\"))'"
