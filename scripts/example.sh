#!/usr/bin/env bash
# Installs what is missing, builds, and runs the example job: import both
# example graphs and print their IR.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh
for graph in examples/mlp.json examples/gpt.json; do
  echo "== mpc-opt $graph"
  build/bin/mpc-opt "$graph"
done
