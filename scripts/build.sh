#!/usr/bin/env bash
# Configures (once) and builds mpc into build/ with Ninja.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${MPC_BUILD_DIR:-build}
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
    "$@"
fi
cmake --build "$build_dir"
