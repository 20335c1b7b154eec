#!/bin/sh
# Compiles the generated CUDA step of each example (some with gradient
# accumulation, some probed by --check-numerics), of the graphs beside this
# script that cover ops no example uses, and of two ONNX fixtures, with nvcc
# and fails on any error or warning. Needs the CUDA toolkit, not a GPU.
#
# usage: compile_examples.sh MPC_OPT MPC_TRANSLATE NVCC RUNTIME_INCLUDE EXAMPLES WORKDIR
set -eu
mpc_opt=$1 mpc_translate=$2 nvcc=$3 include=$4 examples=$5 work=$6
mkdir -p "$work"
status=0
# GRAPH:DTYPE:ACCUMULATE[:numerics] (micro-batches per optimizer step;
# numerics: every op probed, as mpc-run --check-numerics-all does).
for config in mlp:f16:1 gpt:bf16:1 mlp:f32:1 mlp:f16:4 gpt:bf16:2 \
    sum_overflow:f16:1:numerics gpt:bf16:1:numerics activations:f16:1 \
    activations:bf16:1 where:f16:1 where:bf16:1 slice_concat:bf16:1 \
    slice_concat:f16:1:numerics ignored_labels:bf16:1 onnx-gpt2:bf16:1 \
    onnx-llama:f16:1; do
  graph=${config%%:*} rest=${config#*:}
  dtype=${rest%%:*} rest=${rest#*:}
  accumulate=${rest%%:*} probes=
  name=$graph-$dtype-x$accumulate
  case $rest in
    *:numerics) probes=--mpc-check-numerics=all-ops=true name=$name-numerics ;;
  esac
  file=$examples/$graph.json
  [ -f "$file" ] || file=$(dirname "$0")/$graph.json
  # onnx-NAME: the ONNX fixture NAME (tests/fixtures/onnx).
  case $graph in
    onnx-*) file=$(dirname "$0")/../fixtures/onnx/${graph#onnx-}/model.onnx ;;
  esac
  # $probes is one word or none.
  # shellcheck disable=SC2086
  if ! "$mpc_opt" "$file" \
      --mpc-train-pipeline="dtype=$dtype accumulate=$accumulate" $probes \
      --mpc-fuse --mpc-plan-memory -o "$work/$name.mlir" ||
     ! "$mpc_translate" --mpc-to-cuda "$work/$name.mlir" -o "$work/$name.cu"; then
    echo "FAIL $name: cannot translate"
    status=1
    continue
  fi
  if ! "$nvcc" -std=c++17 -O1 -c \
      -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
      -I"$include" "$work/$name.cu" -o "$work/$name.o" >"$work/$name.log" 2>&1; then
    cat "$work/$name.log"
    echo "FAIL $name: nvcc failed"
    status=1
  elif [ -s "$work/$name.log" ]; then
    cat "$work/$name.log"
    echo "FAIL $name: nvcc printed diagnostics"
    status=1
  else
    echo "ok $name"
  fi
done
exit $status
