// RUN: rm -rf %t && split-file %s %t
// RUN: mpc-opt %t/default.mlir --mpc-build-train-step | FileCheck %s --check-prefix=DEFAULT
// RUN: mpc-opt %t/groups.mlir --mpc-build-train-step | FileCheck %s --check-prefix=GROUPS
// RUN: not mpc-opt %t/unused.mlir --mpc-build-train-step 2>&1 | FileCheck %s --check-prefix=UNUSED --implicit-check-not=error:
// RUN: not mpc-opt %t/bad-pattern.mlir --mpc-build-train-step 2>&1 | FileCheck %s --check-prefix=BAD-PATTERN --implicit-check-not=error:

// Weight decay is off by default for the parameters that are vectors (the
// bias @b) or embedding tables (@wte, also used by a matmul: weight tying),
// decided by their use, not their names; the matrix @w decays.

// DEFAULT-LABEL: func.func @train_step(
// DEFAULT-DAG: mpc.adamw_update %wte, {{.*}} lr = 1.000000e-03 {{.*}} weight_decay = 0.000000e+00 : tensor<10x4xf32>
// DEFAULT-DAG: mpc.adamw_update %w, {{.*}} lr = 1.000000e-03 {{.*}} weight_decay = 1.000000e-01 : tensor<4x4xf32>
// DEFAULT-DAG: mpc.adamw_update %b, {{.*}} lr = 1.000000e-03 {{.*}} weight_decay = 0.000000e+00 : tensor<4xf32>

// Groups, first match wins: "b" decays after all; "w*" scales the rate of
// @wte and @w and keeps their decay (none for the table).
// GROUPS-LABEL: func.func @train_step(
// GROUPS-DAG: mpc.adamw_update %wte, {{.*}} lr = 5.000000e-04 {{.*}} weight_decay = 0.000000e+00 : tensor<10x4xf32>
// GROUPS-DAG: mpc.adamw_update %w, {{.*}} lr = 5.000000e-04 {{.*}} weight_decay = 1.000000e-01 : tensor<4x4xf32>
// GROUPS-DAG: mpc.adamw_update %b, {{.*}} lr = 1.000000e-03 {{.*}} weight_decay = 5.000000e-02 : tensor<4xf32>

// UNUSED: unused.mlir:{{[0-9]+}}:1: error: training.param_groups[1]: 'b' matches no trained parameter (or only ones an earlier group took)
// BAD-PATTERN: bad-pattern.mlir:{{[0-9]+}}:1: error: training.param_groups[0]: bad pattern 'w[': invalid glob pattern, unmatched '['

//--- default.mlir
module @lm attributes {mpc.training = {weight_decay = 1.000000e-01 : f64}} {
  mpc.param @wte : tensor<10x4xf32> = #mpc.init<normal>
  mpc.param @w : tensor<4x4xf32> = #mpc.init<normal>
  mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
  func.func @forward(%ids: tensor<8xi32>, %y: tensor<8xi32>) -> (tensor<f32> {mpc.loss}) {
    %wte = mpc.load @wte : tensor<10x4xf32>
    %w = mpc.load @w : tensor<4x4xf32>
    %b = mpc.load @b : tensor<4xf32>
    %e = mpc.embedding %ids, %wte : (tensor<8xi32>, tensor<10x4xf32>) -> tensor<8x4xf32>
    %h = mpc.matmul %e, %w : (tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<8x4xf32>
    %hb = mpc.add %h, %b : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
    %logits = mpc.matmul %hb, %wte {transpose_b} : (tensor<8x4xf32>, tensor<10x4xf32>) -> tensor<8x10xf32>
    %l = mpc.softmax_cross_entropy %logits, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
    return %l : tensor<f32>
  }
}

//--- groups.mlir
module @lm attributes {mpc.training = {weight_decay = 1.000000e-01 : f64, param_groups = [{match = "b", weight_decay = 5.000000e-02 : f64}, {match = "w*", lr_scale = 5.000000e-01 : f64}]}} {
  mpc.param @wte : tensor<10x4xf32> = #mpc.init<normal>
  mpc.param @w : tensor<4x4xf32> = #mpc.init<normal>
  mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
  func.func @forward(%ids: tensor<8xi32>, %y: tensor<8xi32>) -> (tensor<f32> {mpc.loss}) {
    %wte = mpc.load @wte : tensor<10x4xf32>
    %w = mpc.load @w : tensor<4x4xf32>
    %b = mpc.load @b : tensor<4xf32>
    %e = mpc.embedding %ids, %wte : (tensor<8xi32>, tensor<10x4xf32>) -> tensor<8x4xf32>
    %h = mpc.matmul %e, %w : (tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<8x4xf32>
    %hb = mpc.add %h, %b : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
    %l = mpc.reduce_sum %hb [0, 1] : tensor<8x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

//--- unused.mlir
module @lm attributes {mpc.training = {param_groups = [{match = "*", lr_scale = 2.000000e+00 : f64}, {match = "b", weight_decay = 0.000000e+00 : f64}]}} {
  mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %b = mpc.load @b : tensor<4xf32>
    %hb = mpc.add %x, %b : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
    %l = mpc.reduce_sum %hb [0, 1] : tensor<8x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

//--- bad-pattern.mlir
module @lm attributes {mpc.training = {param_groups = [{match = "w[", lr_scale = 2.000000e+00 : f64}]}} {
  mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %b = mpc.load @b : tensor<4xf32>
    %hb = mpc.add %x, %b : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
    %l = mpc.reduce_sum %hb [0, 1] : tensor<8x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}
