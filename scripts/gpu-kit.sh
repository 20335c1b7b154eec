#!/usr/bin/env bash
# gpu-kit.sh [--out DIR] [--build-dir DIR] [--arch sm_NN] [--no-build]
#
# Builds, on a machine without a GPU, the kit that scripts/gpu-check.sh runs
# on a GPU machine (CUDA, nvcc and PyTorch there; no MLIR, nothing to
# install): the runtime-only mpc-run, libmpc_cuda_runtime.so, the GPU kernel
# tests, every artifact the check uses with its step library prebuilt for
# the GPU (--arch, default sm_90: H100/H200), the CPU reference losses, the
# data and the Python scripts. DIR (default gpu-kit/, git-ignored) must stay
# within 48 MiB so it travels with the repository (scripts/gpu/make_kit.py
# lists its contents).
#
# Installs what is missing and builds first (scripts/build.sh) unless
# --no-build is given. On the GPU machine, from the repository root with the
# kit beside it:  scripts/gpu-check.sh OUTDIR
set -euo pipefail
cd "$(dirname "$0")/.."

out=gpu-kit
build=${MPC_BUILD_DIR:-build}
arch=sm_90
do_build=1
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    *)
      echo "usage: scripts/gpu-kit.sh [--out DIR] [--build-dir DIR] [--arch sm_NN] [--no-build]" >&2
      exit 2
      ;;
  esac
done

if [ "$do_build" -eq 1 ]; then
  scripts/install-deps.sh
  MPC_BUILD_DIR=$build scripts/build.sh
fi
python3 scripts/gpu/make_kit.py --build-dir "$build" --out "$out" --arch "$arch"
echo "gpu-kit: on the GPU machine, from the repository root: scripts/gpu-check.sh OUTDIR${out:+ --kit $out}"
