// RUN: mpc-opt %s --mpc-build-train-step | FileCheck %s
// RUN: mpc-opt %s --mpc-build-train-step="keep-outputs=true" | FileCheck %s --check-prefix=KEEP
// RUN: mpc-opt %s --mpc-train-pipeline="dtype=bf16" | FileCheck %s --check-prefix=PIPELINE
// RUN: mpc-opt %s --mpc-train-pipeline="dtype=bf16 keep-outputs=true" | FileCheck %s --check-prefix=KEEP

// @train_step returns the loss alone, wherever the loss is among the
// forward's results; @forward, the evaluation function, keeps them all.
// A result computed only to be returned (the probabilities) is gone from
// the training step after canonicalization.

// CHECK-LABEL: func.func @forward
// CHECK-SAME: -> (tensor<8x3xf32> {mpc.name = "logits"}, tensor<f32> {mpc.loss, mpc.name = "loss"}, tensor<8x3xf32> {mpc.name = "probs"})
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: -> (tensor<f32> {mpc.loss, mpc.name = "loss"})
// CHECK: %[[L:.*]] = mpc.softmax_cross_entropy
// CHECK: return %[[L]] : tensor<f32>

// PIPELINE-LABEL: func.func @train_step
// PIPELINE-SAME: -> (tensor<f32> {mpc.loss, mpc.name = "loss"})
// PIPELINE-NOT: mpc.softmax {{.*}}axis
// PIPELINE: return %{{.*}} : tensor<f32>

// KEEP-LABEL: func.func @train_step
// KEEP-SAME: -> (tensor<8x3xf32> {mpc.name = "logits"}, tensor<f32> {mpc.loss, mpc.name = "loss"}, tensor<8x3xf32> {mpc.name = "probs"})

mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
func.func @forward(%x: tensor<8x4xf32>, %y: tensor<8xi32>) -> (tensor<8x3xf32> {mpc.name = "logits"}, tensor<f32> {mpc.loss, mpc.name = "loss"}, tensor<8x3xf32> {mpc.name = "probs"}) {
  %w = mpc.load @w : tensor<4x3xf32>
  %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
  %l = mpc.softmax_cross_entropy %h, %y : (tensor<8x3xf32>, tensor<8xi32>) -> tensor<f32>
  %p = mpc.softmax %h axis = 1 : tensor<8x3xf32>
  return %h, %l, %p : tensor<8x3xf32>, tensor<f32>, tensor<8x3xf32>
}
