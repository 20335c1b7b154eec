// RUN: mpc-opt %s -split-input-file --mpc-autocast="dtype=bf16" | FileCheck %s --check-prefixes=CHECK,BF16
// RUN: mpc-opt %s -split-input-file --mpc-autocast="dtype=f16" | FileCheck %s --check-prefixes=CHECK,F16
// With mpc-fuse the loss and its gradient read the 16-bit logits themselves
// (in one op, which they merge into).
// RUN: mpc-opt %s -split-input-file --mpc-autocast="dtype=bf16" --mpc-fuse | FileCheck %s --check-prefix=FUSED

// A GEMM whose only f32 readers are the cross-entropy and its gradient
// writes 16-bit logits, as under PyTorch autocast; one cast widens them for
// both ops.
// CHECK-LABEL: func.func @logits_for_the_loss
// BF16: %[[Z:.*]] = mpc.matmul {{.*}} -> tensor<8x10xbf16>
// BF16-NEXT: %[[Z32:.*]] = mpc.cast %[[Z]] : tensor<8x10xbf16> to tensor<8x10xf32>
// F16: %[[Z:.*]] = mpc.matmul {{.*}} -> tensor<8x10xf16>
// F16-NEXT: %[[Z32:.*]] = mpc.cast %[[Z]] : tensor<8x10xf16> to tensor<8x10xf32>
// CHECK-NEXT: mpc.softmax_cross_entropy %[[Z32]], %{{.*}} {{.*}}: (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
// CHECK-NEXT: mpc.softmax_cross_entropy_grad %{{.*}}, %[[Z32]], %{{.*}} {{.*}}: (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
// CHECK-NOT: mpc.cast %[[Z]]
// FUSED-LABEL: func.func @logits_for_the_loss
// FUSED: %[[Z:.*]] = mpc.matmul {{.*}} -> tensor<8x10xbf16>
// FUSED-NEXT: mpc.softmax_cross_entropy_with_grad %[[Z]], %{{.*}}, %{{.*}} : (tensor<8x10xbf16>, tensor<8xi32>, tensor<f32>) -> (tensor<f32>, tensor<8x10xbf16>)
func.func @logits_for_the_loss(%x: tensor<8x4xf32>, %w: tensor<4x10xf32>, %y: tensor<8xi32>, %dl: tensor<f32>) -> (tensor<f32>, tensor<4x10xf32>) {
  %z = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x10xf32>) -> tensor<8x10xf32>
  %l = mpc.softmax_cross_entropy %z, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  %dz = mpc.softmax_cross_entropy_grad %dl, %z, %y : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  %dw = mpc.matmul %x, %dz {transpose_a} : (tensor<8x4xf32>, tensor<8x10xf32>) -> tensor<4x10xf32>
  return %l, %dw : tensor<f32>, tensor<4x10xf32>
}

// -----

// Logits that are also returned in f32 are written in f32: the loss reads
// them as they are.
// CHECK-LABEL: func.func @logits_also_returned
// CHECK: %[[Z:.*]] = mpc.matmul {{.*}} -> tensor<8x10xf32>
// CHECK-NEXT: mpc.softmax_cross_entropy %[[Z]], %{{.*}} {{.*}}: (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
// CHECK-NOT: mpc.cast
// FUSED-LABEL: func.func @logits_also_returned
// FUSED: %[[Z:.*]] = mpc.matmul {{.*}} -> tensor<8x10xf32>
// FUSED-NEXT: mpc.softmax_cross_entropy %[[Z]], %{{.*}} {{.*}}: (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
func.func @logits_also_returned(%x: tensor<8x4xf32>, %w: tensor<4x10xf32>, %y: tensor<8xi32>) -> (tensor<f32>, tensor<8x10xf32>) {
  %z = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x10xf32>) -> tensor<8x10xf32>
  %l = mpc.softmax_cross_entropy %z, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  return %l, %z : tensor<f32>, tensor<8x10xf32>
}

// -----

// Another f32 op (a softmax, which is not a loss) beside the loss keeps the
// f32 result for both.
// CHECK-LABEL: func.func @logits_for_a_softmax_too
// CHECK: %[[Z:.*]] = mpc.matmul {{.*}} -> tensor<8x10xf32>
// CHECK-NEXT: mpc.softmax_cross_entropy %[[Z]], %{{.*}} {{.*}}: (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
// CHECK-NEXT: mpc.softmax %[[Z]] {{.*}}: tensor<8x10xf32>
func.func @logits_for_a_softmax_too(%x: tensor<8x4xf32>, %w: tensor<4x10xf32>, %y: tensor<8xi32>) -> (tensor<f32>, tensor<8x10xf32>) {
  %z = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x10xf32>) -> tensor<8x10xf32>
  %l = mpc.softmax_cross_entropy %z, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  %p = mpc.softmax %z axis = 1 : tensor<8x10xf32>
  return %l, %p : tensor<f32>, tensor<8x10xf32>
}
