// RUN: mpc-opt %s --mpc-fuse -split-input-file -allow-unregistered-dialect | FileCheck %s
// Applied again, the pass changes nothing.
// RUN: mpc-opt %s --mpc-fuse -split-input-file -allow-unregistered-dialect > %t.once
// RUN: mpc-opt %s --mpc-fuse --mpc-fuse -split-input-file -allow-unregistered-dialect > %t.twice
// RUN: diff %t.once %t.twice

// The bf16 step's loss and gradient: both read the bf16 logits in place of
// their f32 cast and the gradient writes bf16, then the two merge where the
// loss stood (the seed, an argument, is available there).
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[Z:.*]]: tensor<8x10xbf16>, %[[Y:.*]]: tensor<8xi32>, %[[DL:.*]]: tensor<f32>)
// CHECK-NOT: mpc.cast
// CHECK: %[[L:.*]], %[[G:.*]] = mpc.softmax_cross_entropy_with_grad %[[Z]], %[[Y]], %[[DL]] : (tensor<8x10xbf16>, tensor<8xi32>, tensor<f32>) -> (tensor<f32>, tensor<8x10xbf16>)
// CHECK-NEXT: "test.use"(%[[L]])
// CHECK-NEXT: "test.use"(%[[G]])
// CHECK-NOT: softmax_cross_entropy
func.func @step(%z: tensor<8x10xbf16>, %y: tensor<8xi32>, %dl: tensor<f32>) {
  %f = mpc.cast %z : tensor<8x10xbf16> to tensor<8x10xf32>
  %l = mpc.softmax_cross_entropy %f, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  "test.use"(%l) : (tensor<f32>) -> ()
  %g = mpc.softmax_cross_entropy_grad %dl, %f, %y : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  %n = mpc.cast %g : tensor<8x10xf32> to tensor<8x10xbf16>
  "test.use"(%n) : (tensor<8x10xbf16>) -> ()
  return
}

// -----

// A seed made after the loss (a constant) and attributes kept: the merged
// op stands where the gradient stood, as nothing read the loss before.
// CHECK-LABEL: func.func @late_seed
// CHECK: %[[C:.*]] = mpc.constant
// CHECK-NEXT: %[[L:.*]], %[[G:.*]] = mpc.softmax_cross_entropy_with_grad %{{.*}}, %{{.*}}, %[[C]] ignore_index = -100 reduction = sum : (tensor<4x8xf32>, tensor<4xi32>, tensor<f32>) -> (tensor<f32>, tensor<4x8xf32>)
// CHECK-NEXT: "test.use"(%[[L]], %[[G]])
func.func @late_seed(%z: tensor<4x8xf32>, %y: tensor<4xi32>) {
  %l = mpc.softmax_cross_entropy %z, %y ignore_index = -100 reduction = sum : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  %c = mpc.constant dense<1.0> : tensor<f32>
  %g = mpc.softmax_cross_entropy_grad %c, %z, %y ignore_index = -100 reduction = sum : (tensor<f32>, tensor<4x8xf32>, tensor<4xi32>) -> tensor<4x8xf32>
  "test.use"(%l, %g) : (tensor<f32>, tensor<4x8xf32>) -> ()
  return
}

// -----

// The gradient before the loss: merged where the gradient stood.
// CHECK-LABEL: func.func @grad_first
// CHECK-NEXT: %[[L:.*]], %[[G:.*]] = mpc.softmax_cross_entropy_with_grad
// CHECK-NEXT: "test.use"(%[[G]])
// CHECK-NEXT: "test.use"(%[[L]])
func.func @grad_first(%z: tensor<4x8xf32>, %y: tensor<4xi32>, %dl: tensor<f32>) {
  %g = mpc.softmax_cross_entropy_grad %dl, %z, %y : (tensor<f32>, tensor<4x8xf32>, tensor<4xi32>) -> tensor<4x8xf32>
  "test.use"(%g) : (tensor<4x8xf32>) -> ()
  %l = mpc.softmax_cross_entropy %z, %y : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  "test.use"(%l) : (tensor<f32>) -> ()
  return
}

// -----

// Left alone: a seed computed from the loss, a seed made after a reader of
// the loss, other labels, another reduction, another ignore_index, and a
// probed loss.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: softmax_cross_entropy_with_grad
// CHECK: return
func.func @kept(%z: tensor<4x8xf32>, %y: tensor<4xi32>, %y2: tensor<4xi32>, %dl: tensor<f32>) {
  %l = mpc.softmax_cross_entropy %z, %y : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  %s = mpc.mul %l, %l : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %g = mpc.softmax_cross_entropy_grad %s, %z, %y : (tensor<f32>, tensor<4x8xf32>, tensor<4xi32>) -> tensor<4x8xf32>
  %l1 = mpc.softmax_cross_entropy %z, %y2 ignore_index = 0 : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  "test.use"(%l1) : (tensor<f32>) -> ()
  %c = mpc.constant dense<2.0> : tensor<f32>
  %g1 = mpc.softmax_cross_entropy_grad %c, %z, %y2 ignore_index = 0 : (tensor<f32>, tensor<4x8xf32>, tensor<4xi32>) -> tensor<4x8xf32>
  %g2 = mpc.softmax_cross_entropy_grad %dl, %z, %y2 : (tensor<f32>, tensor<4x8xf32>, tensor<4xi32>) -> tensor<4x8xf32>
  %l3 = mpc.softmax_cross_entropy %z, %y2 ignore_index = 1 reduction = sum : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  %g3 = mpc.softmax_cross_entropy_grad %dl, %z, %y2 ignore_index = 1 : (tensor<f32>, tensor<4x8xf32>, tensor<4xi32>) -> tensor<4x8xf32>
  %l4 = mpc.softmax_cross_entropy %z, %y2 ignore_index = 2 {mpc.numerics_probe = 0 : i64} : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  %g4 = mpc.softmax_cross_entropy_grad %dl, %z, %y2 ignore_index = 2 : (tensor<f32>, tensor<4x8xf32>, tensor<4xi32>) -> tensor<4x8xf32>
  "test.use"(%g, %g1, %g2, %l3, %g3, %l4, %g4) : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>, tensor<4x8xf32>, tensor<f32>, tensor<4x8xf32>) -> ()
  return
}

// -----

// A gradient that stays f32 keeps reading the f32 cast of the bf16 logits
// the loss reads: the merged op reads the cast (the same numbers), where
// the loss stood, as the cast comes before it.
// CHECK-LABEL: func.func @f32_gradient
// CHECK-SAME: (%[[Z:.*]]: tensor<8x10xbf16>,
// CHECK: %[[F:.*]] = mpc.fused(%[[Z]])
// CHECK: %[[L:.*]], %[[G:.*]] = mpc.softmax_cross_entropy_with_grad %[[F]], %{{.*}}, %{{.*}} : (tensor<8x10xf32>, tensor<8xi32>, tensor<f32>) -> (tensor<f32>, tensor<8x10xf32>)
// CHECK-NEXT: "test.use"(%[[L]])
// CHECK-NEXT: "test.use"(%[[G]])
func.func @f32_gradient(%z: tensor<8x10xbf16>, %y: tensor<8xi32>, %dl: tensor<f32>) {
  %f = mpc.cast %z : tensor<8x10xbf16> to tensor<8x10xf32>
  %l = mpc.softmax_cross_entropy %z, %y : (tensor<8x10xbf16>, tensor<8xi32>) -> tensor<f32>
  "test.use"(%l) : (tensor<f32>) -> ()
  %g = mpc.softmax_cross_entropy_grad %dl, %f, %y : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  "test.use"(%g) : (tensor<8x10xf32>) -> ()
  return
}
