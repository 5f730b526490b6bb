#!/usr/bin/env bash
# The README's test command: installs dependencies, builds everything (CUDA code too when nvcc
# is present), prepares the real data sets, and runs every CTest test (unit, e2e; GPU tests
# skip without a device).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${TERN_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
TERN_BUILD_DIR=$build_dir "$root/scripts/build.sh" -DTERN_TEST_DATA_DIR="$build_dir/data"
"$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$build_dir/data"
cd "$build_dir"
# ctest runs one test per core; one OpenMP thread each keeps the cores from being
# oversubscribed (tests that compare thread counts set OMP_NUM_THREADS themselves).
OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} ctest --output-on-failure -j "$(nproc)" "$@"
