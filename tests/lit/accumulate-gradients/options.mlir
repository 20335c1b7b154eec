// RUN: rm -rf %t && split-file --leading-lines %s %t
// RUN: not mpc-opt %t/count.mlir --mpc-accumulate-gradients=accumulate=0 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ZERO --implicit-check-not=error:
// RUN: not mpc-opt %t/count.mlir --mpc-accumulate-gradients=accumulate=-3 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NEGATIVE --implicit-check-not=error:
// RUN: not mpc-opt %t/count.mlir --mpc-accumulate-gradients=accumulate=16777217 2>&1 \
// RUN:   | FileCheck %s --check-prefix=TOO-MANY --implicit-check-not=error:
// RUN: not mpc-opt %t/count.mlir --mpc-accumulate-gradients=accumulate=2.5 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NOT-INTEGER
// RUN: mpc-opt %t/graph.mlir --mpc-build-train-step --mpc-accumulate-gradients \
// RUN:   | FileCheck %s --check-prefix=GRAPH
// RUN: mpc-opt %t/graph.mlir --mpc-build-train-step --mpc-accumulate-gradients=accumulate=5 \
// RUN:   | FileCheck %s --check-prefix=OPTION
// RUN: mpc-opt %t/graph.mlir --mpc-build-train-step --mpc-accumulate-gradients=accumulate=1 \
// RUN:   | FileCheck %s --check-prefix=OPTION-ONE
// RUN: not mpc-opt %t/graph-zero.mlir --mpc-accumulate-gradients 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ZERO --implicit-check-not=error:

// The count: an integer from 1 to 2^24, from the option or else the graph's
// training.accumulate.

// ZERO: error: accumulate must be at least 1, got 0
// NEGATIVE: error: accumulate must be at least 1, got -3
// TOO-MANY: error: accumulate must be at most 16777216 (the phase is counted in f32), got 16777217
// NOT-INTEGER: mpc-opt: for the --accumulate option: '2.5' value invalid for long argument!

//--- count.mlir
module @count {
}

//--- graph.mlir
// The graph's training.accumulate applies unless the option is given.
// GRAPH-LABEL: func.func @train_step(
// GRAPH-SAME:    mpc.accumulate = 3 : i64
// GRAPH:         mpc.constant dense<3.000000e+00> : tensor<f32>
// OPTION-LABEL: func.func @train_step(
// OPTION-SAME:    mpc.accumulate = 5 : i64
// OPTION-ONE-LABEL: func.func @train_step(
// OPTION-ONE-NOT:   mpc.accumulate
// OPTION-ONE-NOT:   grad_accum
module @graph attributes {mpc.training = {accumulate = 3 : i64}} {
  mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
  func.func @forward(%x: tensor<4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4xf32>
    %0 = mpc.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %l = mpc.reduce_sum %0 [0] : tensor<4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

//--- graph-zero.mlir
module @graph_zero attributes {mpc.training = {accumulate = 0 : i64}} {
}
