#!/usr/bin/env bash
# gpu-check.sh OUTDIR [--kit DIR] [--stages "STAGE ..."]
#
# Proves, debugs and measures mpc's CUDA backend on a GPU machine in one call,
# from the repository root, with a kit built by scripts/gpu-kit.sh copied
# along (default gpu-kit/). Nothing is compiled or installed here. Stages, in
# order of value, each under its own time limit so a hang costs one stage; a
# failure never stops the later stages:
#   libraries  every binary and step library of the kit resolves its shared
#              libraries (ldd)
#   device     the GPU, probed by mpc-run; without one every GPU stage below
#              is reported "skipped: no CUDA device"
#   tests      the GPU kernel tests (gtest JSON in OUTDIR/kernel-tests.json)
#   executor   the GPU tests of the executor and the runtime's per-op hooks
#              (OUTDIR/executor-tests.json; they compile a small step with
#              nvcc)
#   training   each example artifact: a debug-mode step (--cuda-sync), then
#              20 steps against the CPU reference losses; digits accuracy
#              after 1000 steps (scripts/gpu/check_training.py)
#   sanitizer  compute-sanitizer memcheck of a debug step of the MLP and the
#              2-layer GPT, racecheck of the kernel tests' f32 cases
#   bench      bench/gpu/run.sh, shortened to the time left: mpc f32/bf16/f16
#              against PyTorch on GPT-2 small and the large MLP
# Writes OUTDIR/summary.md (result per stage, first failing tests, figures),
# every stage's log and JSON, and OUTDIR/logs.tar.gz holding all of them.
# Exit status: 0 every stage passed, 1 a stage failed, 2 bad usage or no kit,
# 3 no CUDA device (nothing ran on a GPU).
# Environment: MPC_CHECK_SECONDS, the wall-time budget of all stages
# (default 420); PYTHON (default python3, the one with PyTorch).
set -uo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/gpu-check.sh OUTDIR [--kit DIR] [--stages \"STAGE ...\"]" >&2
  exit 2
}
[ $# -ge 1 ] || usage
out=$1
shift
kit=gpu-kit
stages="libraries device tests executor training sanitizer bench"
while [ $# -gt 0 ]; do
  case $1 in
    --kit) [ $# -ge 2 ] || usage; kit=$2; shift 2 ;;
    --stages) [ $# -ge 2 ] || usage; stages=$2; shift 2 ;;
    *) usage ;;
  esac
done
if [ ! -f "$kit/KIT.json" ]; then
  echo "gpu-check.sh: $kit: not a GPU kit (no KIT.json); build one with scripts/gpu-kit.sh" >&2
  exit 2
fi
kit=$(cd "$kit" && pwd)
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
budget=${MPC_CHECK_SECONDS:-420}
python=${PYTHON:-python3}
export LD_LIBRARY_PATH="$kit/lib:/usr/local/cuda/lib64:/usr/local/cuda/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PYTHONPATH="$kit/python${PYTHONPATH:+:$PYTHONPATH}"
# A step.cu compiled here (no prebuilt library) uses the kit's runtime.
export MPC_CUDA_INCLUDE_DIR="$kit/include/cuda" MPC_CUDA_LIB_DIR="$kit/lib"
export MPC_CACHE_DIR="$out/cache"
export PYTHONUNBUFFERED=1
: > "$out/stages.tsv"
failed=0
no_device=""

wants() { [[ " $stages " == *" $1 "* ]]; }

# record NAME STATUS SECONDS DETAIL
record() {
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$out/stages.tsv"
  printf '%-10s %-8s %4ss  %s\n' "$1" "$2" "$3" "$4"
  case $2 in fail | timeout) failed=1 ;; esac
}

# The last line of a log that says FAIL, else its last non-empty line.
log_detail() {
  local line
  line=$(grep -m1 -E '^(FAIL|.*FAILED)' "$1" 2>/dev/null)
  [ -n "$line" ] || line=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1)
  printf '%s' "${line:0:300}"
}

# run_stage NAME LIMIT COMMAND...: runs COMMAND under LIMIT seconds, its
# output in OUTDIR/NAME.log.
run_stage() {
  local name=$1 limit=$2 started=$SECONDS status
  shift 2
  local log="$out/$name.log"
  if [ -n "$no_device" ]; then
    record "$name" skipped 0 "$no_device"
    return
  fi
  timeout --kill-after=5 "$limit" "$@" > "$log" 2>&1
  status=$?
  local seconds=$((SECONDS - started))
  case $status in
    0) record "$name" pass "$seconds" "$(log_detail "$log")" ;;
    124 | 137) record "$name" timeout "$seconds" "stopped after $limit s ($name.log)" ;;
    *) record "$name" fail "$seconds" "$(log_detail "$log")" ;;
  esac
}

check_libraries() {
  local started=$SECONDS log="$out/libraries.log" missing=0 file
  : > "$log"
  while IFS= read -r file; do
    echo "== ${file#"$kit"/}" >> "$log"
    ldd "$file" >> "$log" 2>&1
    if ldd "$file" 2>&1 | grep -q "not found"; then
      missing=$((missing + 1))
      echo "MISSING in ${file#"$kit"/}: $(ldd "$file" 2>&1 | grep 'not found' | awk '{print $1}' | tr '\n' ' ')" >> "$log"
    fi
  done < <(find "$kit/bin" "$kit/lib" "$kit/artifacts" "$kit/bench" -type f \
             \( -perm -u+x -o -name '*.so' \) ! -name '*.py' ! -name '*.sh' | sort)
  if [ "$missing" -eq 0 ]; then
    record libraries pass $((SECONDS - started)) "every binary and step library resolves its libraries"
  else
    record libraries fail $((SECONDS - started)) "$(grep -m1 MISSING "$log")"
  fi
}

probe_device() {
  local started=$SECONDS log="$out/device.log" status line
  timeout 60 "$kit/bin/mpc-run" "$kit/artifacts/mlp-f32" --device cuda \
    --data "$kit/data/digits.csv.gz" --steps 0 > "$log" 2>&1
  status=$?
  if grep -q "no CUDA device" "$log"; then
    no_device="no CUDA device: $(grep -m1 -o 'no CUDA device.*' "$log" | sed 's/^no CUDA device: //')"
    record device skipped $((SECONDS - started)) "$no_device"
    return
  fi
  line=$(grep -m1 -o -- '--device cuda: .*' "$log" | sed 's/^--device cuda: //')
  if command -v nvidia-smi > /dev/null; then
    line="$line; $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n 1)"
  fi
  if [ "$status" -eq 0 ]; then
    record device pass $((SECONDS - started)) "$line"
  else
    record device fail $((SECONDS - started)) "${line:+$line; }$(log_detail "$log")"
  fi
}

run_bench() {
  if [ -n "$no_device" ]; then
    record bench skipped 0 "$no_device"
    return
  fi
  local left=$((budget - SECONDS - 15))
  [ "$left" -ge 30 ] || left=30
  local bench="$out/bench"
  mkdir -p "$bench"
  for item in graphs artifacts fortunes.txt; do
    ln -sfn "$kit/bench/$item" "$bench/$item"
  done
  # Each command gets at most a third of the time left: a slow torch.compile
  # costs its own figures, not the others'.
  run_stage bench "$left" env MPC_BENCH_DIR="$bench" MPC_RUN="$kit/bin/mpc-run" \
    WARMUP=5 STEPS=20 STEP_TIMEOUT=$((left / 3)) \
    TORCH_MODES=eager-f32,eager-autocast-bf16,eager-autocast-f16,compile-autocast-bf16 \
    "$kit/python/run.sh" "$bench/report.md" data mpc torch
  MPC_BENCH_DIR="$bench" "$kit/python/run.sh" "$bench/report.md" report \
    >> "$out/bench.log" 2>&1
}

echo "gpu-check: kit $kit, results in $out, budget $budget s"
wants libraries && check_libraries
probe_device
wants tests && run_stage tests 75 "$kit/bin/mpc-gpu-kernel-tests" \
  --gtest_output="json:$out/kernel-tests.json"
wants executor && run_stage executor 60 env MPC_TEST_INPUTS="$kit/test-inputs" \
  MPC_TEST_CACHE="$out/executor-test-cache" "$kit/bin/mpc-cuda-gpu-tests" \
  --gtest_output="json:$out/executor-tests.json"
wants training && run_stage training 100 "$python" "$kit/python/check_training.py" \
  --kit "$kit" --out "$out" --timeout 45
wants sanitizer && run_stage sanitizer 100 "$python" "$kit/python/check_sanitizer.py" \
  --kit "$kit" --out "$out" --timeout 40
wants bench && run_bench

"$python" "$kit/python/summarize.py" "$out" "$kit" || failed=1
archive=$(mktemp)
tar -C "$out" --exclude='*.npy' --exclude=logs.tar.gz -czf "$archive" . &&
  mv "$archive" "$out/logs.tar.gz"
echo "gpu-check: summary in $out/summary.md"
[ -n "$no_device" ] && exit 3
exit $failed
