#!/usr/bin/env bash
# Installs the Debian packages mpc builds and tests with, and numpy for the
# tests' python3. Idempotent: when nothing is missing it only queries.
# graphviz renders the precision plan (mpc-precision-report format=dot) and
# python3-matplotlib draws scripts/mpc-plot's curves; their tests need them.
set -euo pipefail

packages=(
  cmake ninja-build ccache g++ python3
  libmlir-19-dev mlir-19-tools llvm-19-dev llvm-19-tools
  nlohmann-json3-dev libgtest-dev python3-jsonschema zlib1g-dev
  libonnx-dev libonnx-testdata libprotobuf-dev
  graphviz python3-matplotlib
)
# Extra packages a caller needs, e.g. the fuzzer's clang.
packages+=("$@")

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
       grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "mpc: installing ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
fi

# The benchmark's Python initializer (bench/gpu) is tested with numpy, in the
# python3 the tests run with.
if ! python3 -c "import numpy" 2>/dev/null; then
  echo "mpc: installing numpy for $(command -v python3)"
  python3 -m pip install -q numpy
fi
