#!/usr/bin/env bash
# run.sh OUT.md [STAGE...]: on a GPU machine, times mpc's CUDA training step
# and PyTorch's on the models prepare.sh wrote, and writes the side-by-side
# table to OUT.md. Stages (default: all, in this order):
#   build   configure and build the runtime-only mpc-run (no MLIR needed)
#   data    the random .npy arrays the MLP trains on
#   mpc     mpc_bench.py on every artifact, and the f32 GPT's first losses
#   torch   torch_bench.py on every graph, and --check against mpc's losses
#   report  report.py: the table
# Results accumulate in $DIR/results, so the stages may run as separate calls.
# Environment: MPC_BENCH_DIR (default build-bench-gpu, from prepare.sh),
# MPC_CUDA_BUILD (default build-cuda), MPC_RUN (default the build's
# mpc-run; the build stage is skipped when it is given), MODELS (default
# "gpt2 mlp"), WARMUP (10) and STEPS (50): steps per window and timed steps,
# TORCH_MODES (default: torch_bench.py's), STEP_TIMEOUT (seconds per
# command; default none).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
OUT_MD=${1:?usage: run.sh OUT.md [build|data|mpc|torch|report ...]}
shift
STAGES=${*:-build data mpc torch report}
DIR=${MPC_BENCH_DIR:-$ROOT/build-bench-gpu}
BUILD=${MPC_CUDA_BUILD:-$ROOT/build-cuda}
MODELS=${MODELS:-gpt2 mlp}
WARMUP=${WARMUP:-10}
STEPS=${STEPS:-50}
RESULTS="$DIR/results"
given_mpc_run=${MPC_RUN:-}
MPC_RUN=${MPC_RUN:-$BUILD/bin/mpc-run}
limit=()
[ -n "${STEP_TIMEOUT:-}" ] && limit=(timeout "$STEP_TIMEOUT")
torch_modes=()
[ -n "${TORCH_MODES:-}" ] && torch_modes=(--modes "$TORCH_MODES")
mkdir -p "$RESULTS"
failed=0

step() {  # step NAME COMMAND...: runs it, records a failure, goes on
  local name=$1
  shift
  echo "=== $name"
  if ! "${limit[@]}" "$@"; then
    echo "run.sh: $name failed" >&2
    failed=1
  fi
}

data_args() {  # the --data of model $1
  case $1 in
    gpt2) echo "--data $DIR/fortunes.txt" ;;
    mlp) echo "--data x=$DIR/mlp-x.npy --data y=$DIR/mlp-y.npy" ;;
  esac
}

for stage in $STAGES; do
  case $stage in
    build)
      [ -n "$given_mpc_run" ] && continue
      if [ ! -f "$BUILD/build.ninja" ]; then
        step configure cmake -G Ninja -S "$ROOT" -B "$BUILD" \
          -DCMAKE_BUILD_TYPE=Release -DMPC_BUILD_COMPILER=OFF \
          -DMPC_BUILD_TESTS=OFF
      fi
      step build ninja -C "$BUILD" mpc-run
      ;;
    data)
      # 5 batches of 4096: 4 train, 1 validation (mpc-run's 80/20 split).
      step mlp-data python3 -c "
import numpy as np
rng = np.random.default_rng(0)
np.save('$DIR/mlp-x.npy', rng.standard_normal((20480, 1024), dtype=np.float32))
np.save('$DIR/mlp-y.npy', rng.integers(0, 1000, 20480).astype(np.int32))"
      ;;
    mpc)
      for model in $MODELS; do
        for dtype in f32 bf16 f16; do
          # shellcheck disable=SC2046
          step "mpc $model $dtype" python3 "$HERE/mpc_bench.py" \
            "$DIR/artifacts/$model-$dtype" --mpc-run "$MPC_RUN" \
            --graph "$DIR/graphs/$model.json" $(data_args "$model") \
            --warmup "$WARMUP" --windows $((STEPS / WARMUP)) \
            --label "mpc $dtype" --json "$RESULTS/mpc-$model-$dtype.json"
        done
      done
      step "mpc gpt2 f32 losses" python3 "$HERE/mpc_bench.py" \
        "$DIR/artifacts/gpt2-f32" --mpc-run "$MPC_RUN" \
        --data "$DIR/fortunes.txt" --losses "$RESULTS/mpc-losses-gpt2.json"
      ;;
    torch)
      for model in $MODELS; do
        corpus=()
        [ "$model" = gpt2 ] && corpus=(--corpus "$DIR/fortunes.txt")
        step "torch $model" python3 "$HERE/torch_bench.py" \
          "$DIR/graphs/$model.json" "${corpus[@]}" "${torch_modes[@]}" \
          --warmup "$WARMUP" --steps "$STEPS" --json "$RESULTS/torch-$model.json"
      done
      if [ -f "$RESULTS/mpc-losses-gpt2.json" ]; then
        echo "=== check gpt2 losses"
        python3 "$HERE/torch_bench.py" "$DIR/graphs/gpt2.json" \
          --corpus "$DIR/fortunes.txt" --check "$RESULTS/mpc-losses-gpt2.json" \
          | tee "$RESULTS/check-gpt2.txt"
        [ "${PIPESTATUS[0]}" = 0 ] || failed=1
      fi
      ;;
    report)
      step report python3 "$HERE/report.py" "$RESULTS" "$OUT_MD"
      ;;
    *)
      echo "run.sh: unknown stage '$stage'" >&2
      exit 2
      ;;
  esac
done
exit $failed
