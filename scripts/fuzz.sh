#!/usr/bin/env bash
# Builds a libFuzzer target with clang 19 (AddressSanitizer +
# UndefinedBehaviorSanitizer) into build-fuzz/ and fuzzes it for SECONDS
# (default 600), starting from its seed corpus and using its dictionary:
#
#   importer (default)  mpc-fuzz-import, the JSON graph importer
#                       (tests/fuzz/corpus/, tests/fuzz/graph.dict)
#   driver              mpc-fuzz-driver, the CSV, gzip, .npy and
#                       safetensors readers of runtime/driver and the
#                       datasets' checks of what they read
#                       (tests/fuzz/corpus-driver/, tests/fuzz/driver.dict)
#   policy              mpc-fuzz-policy, the policy-file reader of
#                       mpc-autocast and --policy
#                       (tests/fuzz/corpus-policy/, tests/fuzz/policy.dict)
#   onnx                mpc-fuzz-onnx, the ONNX front end
#                       (tests/fuzz/corpus-onnx/, no dictionary)
#   metrics             mpc-fuzz-metrics, the metrics file a resumed
#                       mpc-run --metrics continues
#                       (tests/fuzz/corpus-metrics/, no dictionary)
#
#   scripts/fuzz.sh [--target importer|driver|policy|onnx|metrics] [SECONDS] [flags...]
#   scripts/fuzz.sh [--target importer|driver|policy|onnx|metrics] --coverage
#       # line coverage of the scratch corpus (llvm-cov)
#
# The corpus is fuzzed in a scratch copy (OUT/corpus/), so the seeds in the
# repository stay as they are; new interesting inputs accumulate there
# across runs. Crashes, timeouts and leaks are written to OUT (crash-*,
# timeout-*, leak-*, oom-*) and the log to OUT/fuzz.log, where OUT is
# fuzz-out/ for the importer and fuzz-out/TARGET/ for the others.
# Reproduce one with  build-fuzz/bin/TARGET FILE  and shrink it with
#   build-fuzz/bin/TARGET -minimize_crash=1 -runs=10000 FILE
# Environment: MPC_FUZZ_BUILD_DIR (build-fuzz), MPC_FUZZ_OUT (OUT),
# MPC_FUZZ_JOBS (1).
set -euo pipefail
cd "$(dirname "$0")/.."

target=importer
coverage=0
while (($#)); do
  case $1 in
  --target) target=${2:-}; shift 2 || shift ;;
  --target=*) target=${1#--target=}; shift ;;
  --coverage) coverage=1; shift ;;
  *) break ;;
  esac
done

case $target in
importer)
  binary=mpc-fuzz-import
  seeds=tests/fuzz/corpus
  dict=tests/fuzz/graph.dict
  default_out=fuzz-out
  covered=(compiler/import/json/*.cpp compiler/support/*.cpp
    dialects/mpc/ShapeFunctions.cpp dialects/mpc/MpcAttrs.cpp)
  uncovered_example=compiler/import/json/NodeImporter.cpp
  ;;
driver)
  binary=mpc-fuzz-driver
  seeds=tests/fuzz/corpus-driver
  dict=tests/fuzz/driver.dict
  default_out=fuzz-out/driver
  covered=(runtime/driver/*.cpp)
  uncovered_example=runtime/driver/CheckpointReader.cpp
  ;;
policy)
  binary=mpc-fuzz-policy
  seeds=tests/fuzz/corpus-policy
  dict=tests/fuzz/policy.dict
  default_out=fuzz-out/policy
  covered=(passes/PrecisionPolicy.cpp)
  uncovered_example=passes/PrecisionPolicy.cpp
  ;;
metrics)
  binary=mpc-fuzz-metrics
  seeds=tests/fuzz/corpus-metrics
  dict=
  default_out=fuzz-out/metrics
  covered=(runtime/train/MetricsLog.cpp)
  uncovered_example=runtime/train/MetricsLog.cpp
  ;;
onnx)
  binary=mpc-fuzz-onnx
  seeds=tests/fuzz/corpus-onnx
  dict=
  default_out=fuzz-out/onnx
  covered=(compiler/import/onnx/*.cpp)
  uncovered_example=compiler/import/onnx/OnnxFolder.cpp
  ;;
*)
  echo "mpc: unknown fuzz target '$target' (expected importer, driver, policy or onnx)" >&2
  exit 2
  ;;
esac

seconds=${1:-600}
shift || true
build_dir=$(realpath -m "${MPC_FUZZ_BUILD_DIR:-build-fuzz}")
out_dir=$(realpath -m "${MPC_FUZZ_OUT:-$default_out}")
jobs=${MPC_FUZZ_JOBS:-1}

scripts/install-deps.sh clang-19 libclang-rt-19-dev

# Configures (once) and builds the fuzzer in $1; further arguments go to cmake.
build_fuzzer() {
  local dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
      -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
      -DMPC_BUILD_FUZZERS=ON -DMPC_BUILD_TESTS=OFF "$@"
  fi
  cmake --build "$dir" --target "$binary"
}

if ((coverage)); then
  build_fuzzer "$build_dir-cov" -DMPC_FUZZ_COVERAGE=ON
  corpus=("$out_dir/corpus")
  [ -d "$out_dir/corpus" ] || corpus=("$seeds")
  rm -rf "$out_dir/profiles"
  mkdir -p "$out_dir/profiles"
  LLVM_PROFILE_FILE="$out_dir/profiles/%p.profraw" \
    "$build_dir-cov/bin/$binary" -runs=0 "${corpus[@]}" 2>&1 | tail -1
  llvm-profdata-19 merge -o "$out_dir/coverage.profdata" "$out_dir"/profiles/*.profraw
  llvm-cov-19 report "$build_dir-cov/bin/$binary" \
    -instr-profile="$out_dir/coverage.profdata" "${covered[@]}"
  echo "mpc: lines never run: llvm-cov-19 show $build_dir-cov/bin/$binary" \
       "-instr-profile=$out_dir/coverage.profdata $uncovered_example"
  exit 0
fi

build_fuzzer "$build_dir"

mkdir -p "$out_dir/corpus"
cp -n "$seeds"/* "$out_dir/corpus/"

root=$PWD
fuzzer=("$build_dir/bin/$binary"
  ${dict:+-dict="$root/$dict"}
  -max_len=8192 -timeout=10 -rss_limit_mb=4096
  -max_total_time="$seconds"
  -artifact_prefix="$out_dir/"
  -print_final_stats=1)
if [ "$jobs" -gt 1 ]; then
  fuzzer+=(-jobs="$jobs" -workers="$jobs")
fi
echo "mpc: fuzzing $binary for ${seconds}s; log in $out_dir/fuzz.log"
status=0
# From inside $out_dir: with several jobs libFuzzer writes fuzz-N.log files to
# the current directory.
(cd "$out_dir" && "${fuzzer[@]}" "$@" corpus) 2>&1 | tee "$out_dir/fuzz.log" ||
  status=$?

shopt -s nullglob
found=("$out_dir"/crash-* "$out_dir"/timeout-* "$out_dir"/leak-* "$out_dir"/oom-*)
echo "mpc: corpus $(ls "$out_dir/corpus" | wc -l) inputs; ${#found[@]} finding(s) in $out_dir/"
for file in "${found[@]}"; do
  echo "  $file"
done
exit "$status"
