#!/usr/bin/env bash
# Installs what is missing, builds, and runs the example job: trains the
# digits classifier (examples/mlp.json) on the CPU reference executor and
# reports its validation accuracy.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh
build/bin/mpc-run examples/mlp.json --data examples/data/digits.csv.gz \
  --steps 1000 --log-every 100 "$@"
