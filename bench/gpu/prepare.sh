#!/usr/bin/env bash
# prepare.sh [DIR]: writes what the GPU benchmark needs, on a machine with
# the mpc compiler (no GPU needed), into DIR (default build-bench-gpu):
#   graphs/gpt2.json   GPT-2 small: 12 layers, 768 channels, 12 heads,
#                      sequence 1024, vocabulary 50304, batch 8
#   graphs/mlp.json    MLP 1024 -> 4 x 4096 (ReLU) -> 1000, batch 4096
#   artifacts/M-D/     mpc-run --artifact of model M in dtype D (f32, bf16,
#                      f16): step.cu and manifest.json
#   fortunes.txt       the corpus whose mpc-run batches both sides train on
# Initial weights are not stored: PyTorch draws them with mpc's initializers
# (bench/gpu/mpc_random.py, checked bit for bit by the bench-gpu-init test).
# Environment: MPC_RUN (default build/bin/mpc-run); MPC_ARTIFACT_ARCH (e.g.
# sm_90) also builds each artifact's step library for that GPU (--arch), so
# nothing is compiled on the GPU machine.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${1:-$ROOT/build-bench-gpu}
MPC_RUN=${MPC_RUN:-$ROOT/build/bin/mpc-run}
arch=()
[ -n "${MPC_ARTIFACT_ARCH:-}" ] && arch=(--arch "$MPC_ARTIFACT_ARCH")

mkdir -p "$DIR/graphs" "$DIR/artifacts"
python3 "$ROOT/examples/make_gpt.py" "$DIR/graphs/gpt2.json" --layers 12 \
  --channels 768 --heads 12 --seq 1024 --vocab 50304 --batch 8
python3 "$ROOT/examples/make_mlp.py" "$DIR/graphs/mlp.json" --features 1024 \
  --hidden 4096 --layers 4 --classes 1000 --batch 4096
cp "$ROOT/examples/data/fortunes.txt" "$DIR/fortunes.txt"

status=0
for model in gpt2 mlp; do
  for dtype in f32 bf16 f16; do
    artifact="$DIR/artifacts/$model-$dtype"
    rm -rf "$artifact"
    echo "+ mpc-run graphs/$model.json --dtype $dtype --artifact $artifact ${arch[*]}"
    if ! "$MPC_RUN" "$DIR/graphs/$model.json" --dtype "$dtype" \
        --artifact "$artifact" "${arch[@]}"; then
      echo "prepare.sh: no artifact for $model $dtype" >&2
      status=1
    fi
  done
done
du -sh "$DIR"
exit $status
