#!/usr/bin/env bash
# Builds the libFuzzer target of the JSON graph importer with clang 19
# (AddressSanitizer + UndefinedBehaviorSanitizer) into build-fuzz/ and fuzzes
# it for SECONDS (default 600), starting from tests/fuzz/corpus/ and using
# tests/fuzz/graph.dict.
#
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]
#   scripts/fuzz.sh --coverage   # line coverage of fuzz-out/corpus (llvm-cov)
#
# The corpus is fuzzed in a scratch copy (fuzz-out/corpus/), so the seeds in
# the repository stay as they are; new interesting inputs accumulate there
# across runs. Crashes, timeouts and leaks are written to fuzz-out/
# (crash-*, timeout-*, leak-*, oom-*) and the log to fuzz-out/fuzz.log.
# Reproduce one with  build-fuzz/bin/mpc-fuzz-import FILE  and shrink it with
#   build-fuzz/bin/mpc-fuzz-import -minimize_crash=1 -runs=10000 FILE
# Environment: MPC_FUZZ_BUILD_DIR (build-fuzz), MPC_FUZZ_OUT (fuzz-out),
# MPC_FUZZ_JOBS (1).
set -euo pipefail
cd "$(dirname "$0")/.."

coverage=0
if [ "${1:-}" = "--coverage" ]; then
  coverage=1
  shift
fi
seconds=${1:-600}
shift || true
build_dir=$(realpath -m "${MPC_FUZZ_BUILD_DIR:-build-fuzz}")
out_dir=$(realpath -m "${MPC_FUZZ_OUT:-fuzz-out}")
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
  cmake --build "$dir" --target mpc-fuzz-import
}

if ((coverage)); then
  build_fuzzer "$build_dir-cov" -DMPC_FUZZ_COVERAGE=ON
  corpus=("$out_dir/corpus")
  [ -d "$out_dir/corpus" ] || corpus=(tests/fuzz/corpus)
  rm -rf "$out_dir/profiles"
  mkdir -p "$out_dir/profiles"
  LLVM_PROFILE_FILE="$out_dir/profiles/%p.profraw" \
    "$build_dir-cov/bin/mpc-fuzz-import" -runs=0 "${corpus[@]}" 2>&1 | tail -1
  llvm-profdata-19 merge -o "$out_dir/coverage.profdata" "$out_dir"/profiles/*.profraw
  llvm-cov-19 report "$build_dir-cov/bin/mpc-fuzz-import" \
    -instr-profile="$out_dir/coverage.profdata" \
    compiler/*.cpp dialects/mpc/ShapeFunctions.cpp dialects/mpc/MpcAttrs.cpp
  echo "mpc: lines never run: llvm-cov-19 show $build_dir-cov/bin/mpc-fuzz-import" \
       "-instr-profile=$out_dir/coverage.profdata compiler/NodeImporter.cpp"
  exit 0
fi

build_fuzzer "$build_dir"

mkdir -p "$out_dir/corpus"
cp -n tests/fuzz/corpus/* "$out_dir/corpus/"

root=$PWD
fuzzer=("$build_dir/bin/mpc-fuzz-import"
  -dict="$root/tests/fuzz/graph.dict"
  -max_len=8192 -timeout=10 -rss_limit_mb=4096
  -max_total_time="$seconds"
  -artifact_prefix="$out_dir/"
  -print_final_stats=1)
if [ "$jobs" -gt 1 ]; then
  fuzzer+=(-jobs="$jobs" -workers="$jobs")
fi
echo "mpc: fuzzing for ${seconds}s; log in $out_dir/fuzz.log"
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
