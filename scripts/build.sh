#!/usr/bin/env bash
# Configures and builds Tern (Release) into build/ (or $TERN_BUILD_DIR).
# CUDA code is compiled when nvcc is found (TERN_CUDA=AUTO); it only runs where a GPU is.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${TERN_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
