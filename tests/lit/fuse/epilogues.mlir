// RUN: mpc-opt %s --mpc-fuse -split-input-file | FileCheck %s
// RUN: mpc-opt %s --mpc-fuse="epilogues=false" -split-input-file | FileCheck %s --check-prefix=NOEPI

// The bias add folds into the matmul, whichever side the bias is on.
// CHECK-LABEL: func.func @bias
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf16>, %[[W:.*]]: tensor<4x16xf16>, %[[B:.*]]: tensor<16xf16>)
// CHECK-NEXT: %[[R:.*]] = mpc.fused_matmul %[[X]], %[[W]] bias %[[B]] epilogue = bias {mpc.autocast = #mpc.autocast<allow, default_policy>} : (tensor<8x4xf16>, tensor<4x16xf16>, tensor<16xf16>) -> tensor<8x16xf16>
// CHECK-NEXT: %[[WT:.*]] = mpc.transpose %[[W]]
// CHECK-NEXT: %[[S:.*]] = mpc.fused_matmul %[[X]], %[[WT]] bias %[[B]] epilogue = bias {transpose_b}
// CHECK-NEXT: return %[[R]], %[[S]]
// NOEPI-LABEL: func.func @bias
// NOEPI-NOT: fused_matmul
// NOEPI: mpc.matmul
// NOEPI: mpc.fused
// NOEPI: mpc.add
func.func @bias(%x: tensor<8x4xf16>, %w: tensor<4x16xf16>, %b: tensor<16xf16>) -> (tensor<8x16xf16>, tensor<8x16xf16>) {
  %0 = mpc.matmul %x, %w {mpc.autocast = #mpc.autocast<allow, default_policy>} : (tensor<8x4xf16>, tensor<4x16xf16>) -> tensor<8x16xf16>
  %1 = mpc.add %0, %b : (tensor<8x16xf16>, tensor<16xf16>) -> tensor<8x16xf16>
  %w2 = mpc.transpose %w [1, 0] : tensor<4x16xf16> -> tensor<16x4xf16>
  %2 = mpc.matmul %x, %w2 {transpose_b} : (tensor<8x4xf16>, tensor<16x4xf16>) -> tensor<8x16xf16>
  %3 = mpc.add %b, %2 : (tensor<16xf16>, tensor<8x16xf16>) -> tensor<8x16xf16>
  return %1, %3 : tensor<8x16xf16>, tensor<8x16xf16>
}

// -----

// relu after the bias; backward reads the pre-activation, which the
// epilogue writes as its second result. relu_grad stays elementwise.
// CHECK-LABEL: func.func @relu_bias
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[W:.*]]: tensor<4x16xf32>, %[[B:.*]]: tensor<16xf32>, %[[DY:.*]]: tensor<8x16xf32>)
// CHECK-NEXT: %[[R:.*]], %[[P:.*]] = mpc.fused_matmul %[[X]], %[[W]] bias %[[B]] epilogue = relu_bias : (tensor<8x4xf32>, tensor<4x16xf32>, tensor<16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>)
// CHECK-NEXT: %[[G:.*]] = mpc.fused(%[[DY]], %[[P]])
// CHECK-NEXT: ^bb0(%[[A0:.*]]: tensor<8x16xf32>, %[[A1:.*]]: tensor<8x16xf32>):
// CHECK-NEXT: %[[D:.*]] = mpc.relu_grad %[[A0]], %[[A1]] : tensor<8x16xf32>
// CHECK-NEXT: mpc.yield %[[D]]
// CHECK: return %[[R]], %[[G]]
func.func @relu_bias(%x: tensor<8x4xf32>, %w: tensor<4x16xf32>, %b: tensor<16xf32>, %dy: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %0 = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x16xf32>) -> tensor<8x16xf32>
  %1 = mpc.add %0, %b : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %2 = mpc.relu %1 : tensor<8x16xf32>
  %3 = mpc.relu_grad %dy, %1 : tensor<8x16xf32>
  return %2, %3 : tensor<8x16xf32>, tensor<8x16xf32>
}

// -----

// Without a gradient no pre-activation is written.
// CHECK-LABEL: func.func @gelu_bias
// CHECK-NEXT: %[[R:.*]] = mpc.fused_matmul %{{.*}}, %{{.*}} bias %{{.*}} epilogue = gelu_bias : (tensor<2x8x4xbf16>, tensor<4x16xbf16>, tensor<16xbf16>) -> tensor<2x8x16xbf16>
// CHECK-NEXT: return %[[R]]
func.func @gelu_bias(%x: tensor<2x8x4xbf16>, %w: tensor<4x16xbf16>, %b: tensor<16xbf16>) -> tensor<2x8x16xbf16> {
  %0 = mpc.matmul %x, %w : (tensor<2x8x4xbf16>, tensor<4x16xbf16>) -> tensor<2x8x16xbf16>
  %1 = mpc.add %0, %b : (tensor<2x8x16xbf16>, tensor<16xbf16>) -> tensor<2x8x16xbf16>
  %2 = mpc.gelu %1 : tensor<2x8x16xbf16>
  return %2 : tensor<2x8x16xbf16>
}

// -----

// An activation straight on the product, with its gradient.
// CHECK-LABEL: func.func @gelu
// CHECK-NEXT: %[[R:.*]], %[[P:.*]] = mpc.fused_matmul %{{.*}}, %{{.*}} epilogue = gelu : (tensor<8x4xf32>, tensor<4x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>)
// CHECK-NEXT: %[[G:.*]] = mpc.fused(%{{.*}}, %[[P]])
// CHECK: mpc.gelu_grad
// CHECK: return %[[R]], %[[G]]
func.func @gelu(%x: tensor<8x4xf32>, %w: tensor<4x16xf32>, %dy: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %0 = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x16xf32>) -> tensor<8x16xf32>
  %1 = mpc.gelu %0 : tensor<8x16xf32>
  %2 = mpc.gelu_grad %dy, %0 : tensor<8x16xf32>
  return %1, %2 : tensor<8x16xf32>, tensor<8x16xf32>
}

// -----

// A product that is only the dy of a gelu_grad: the dgelu epilogue.
// CHECK-LABEL: func.func @dgelu
// CHECK-SAME: (%[[DY:.*]]: tensor<8x16xf16>, %[[W:.*]]: tensor<4x16xf16>, %[[PRE:.*]]: tensor<8x4xf16>)
// CHECK-NEXT: %[[R:.*]] = mpc.fused_matmul %[[DY]], %[[W]] aux %[[PRE]] epilogue = dgelu {transpose_b} : (tensor<8x16xf16>, tensor<4x16xf16>, tensor<8x4xf16>) -> tensor<8x4xf16>
// CHECK-NEXT: return %[[R]]
// NOEPI-LABEL: func.func @dgelu
// NOEPI: mpc.matmul
// NOEPI: mpc.gelu_grad
func.func @dgelu(%dy: tensor<8x16xf16>, %w: tensor<4x16xf16>, %pre: tensor<8x4xf16>) -> tensor<8x4xf16> {
  %0 = mpc.matmul %dy, %w {transpose_b} : (tensor<8x16xf16>, tensor<4x16xf16>) -> tensor<8x4xf16>
  %1 = mpc.gelu_grad %0, %pre : tensor<8x4xf16>
  return %1 : tensor<8x4xf16>
}

// -----

// What does not fold: a relu_grad (cuBLASLt's DRELU needs a bitmask), a
// cast between the product and the bias, a 2-D addend, a product with other
// uses, and an activation whose input is also read by a non-gradient.
// CHECK-LABEL: func.func @not_folded
// CHECK-NOT: fused_matmul
// CHECK: mpc.matmul
// CHECK: mpc.relu_grad
// CHECK-NOT: fused_matmul
// CHECK: mpc.matmul
// CHECK: mpc.cast
// CHECK-NOT: fused_matmul
// CHECK: mpc.matmul
// CHECK-NOT: fused_matmul
// CHECK: mpc.matmul
// CHECK-NOT: fused_matmul
// CHECK: return
func.func @not_folded(%x: tensor<8x4xf16>, %w: tensor<4x16xf16>, %b: tensor<16xf32>, %b2: tensor<8x16xf16>, %dy: tensor<8x16xf16>) -> (tensor<8x16xf16>, tensor<8x16xf32>, tensor<8x16xf16>, tensor<8x16xf16>, tensor<8x16xf16>) {
  %0 = mpc.matmul %x, %w : (tensor<8x4xf16>, tensor<4x16xf16>) -> tensor<8x16xf16>
  %1 = mpc.relu_grad %0, %dy : tensor<8x16xf16>
  %2 = mpc.matmul %x, %w : (tensor<8x4xf16>, tensor<4x16xf16>) -> tensor<8x16xf16>
  %3 = mpc.cast %2 : tensor<8x16xf16> to tensor<8x16xf32>
  %4 = mpc.add %3, %b : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %5 = mpc.matmul %x, %w : (tensor<8x4xf16>, tensor<4x16xf16>) -> tensor<8x16xf16>
  %6 = mpc.add %5, %b2 : (tensor<8x16xf16>, tensor<8x16xf16>) -> tensor<8x16xf16>
  %7 = mpc.matmul %x, %w : (tensor<8x4xf16>, tensor<4x16xf16>) -> tensor<8x16xf16>
  %8 = mpc.relu %7 : tensor<8x16xf16>
  %9 = mpc.add %7, %8 : (tensor<8x16xf16>, tensor<8x16xf16>) -> tensor<8x16xf16>
  return %1, %4, %6, %8, %9 : tensor<8x16xf16>, tensor<8x16xf32>, tensor<8x16xf16>, tensor<8x16xf16>, tensor<8x16xf16>
}

// -----

// The bias folds, the relu does not: the add's result is also returned.
// CHECK-LABEL: func.func @bias_only
// CHECK-NEXT: %[[R:.*]] = mpc.fused_matmul %{{.*}}, %{{.*}} bias %{{.*}} epilogue = bias :
// CHECK-NEXT: %[[A:.*]] = mpc.fused(%[[R]])
// CHECK: mpc.relu
// CHECK: return %[[R]], %[[A]]
func.func @bias_only(%x: tensor<8x4xf32>, %w: tensor<4x16xf32>, %b: tensor<16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %0 = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x16xf32>) -> tensor<8x16xf32>
  %1 = mpc.add %0, %b : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %2 = mpc.relu %1 : tensor<8x16xf32>
  return %1, %2 : tensor<8x16xf32>, tensor<8x16xf32>
}

// -----

// The forward epilogue writes the pre-activation the dgelu epilogue of
// backward reads, whichever of the two folds first.
// CHECK-LABEL: func.func @gelu_and_dgelu
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xbf16>, %[[W:.*]]: tensor<4x16xbf16>, %[[B:.*]]: tensor<16xbf16>, %[[DY:.*]]: tensor<8x4xbf16>)
// CHECK-NEXT: %[[H:.*]], %[[P:.*]] = mpc.fused_matmul %[[X]], %[[W]] bias %[[B]] epilogue = gelu_bias
// CHECK-NEXT: %[[D:.*]] = mpc.fused_matmul %[[DY]], %[[W]] aux %[[P]] epilogue = dgelu
// CHECK-NEXT: return %[[H]], %[[D]]
func.func @gelu_and_dgelu(%x: tensor<8x4xbf16>, %w: tensor<4x16xbf16>, %b: tensor<16xbf16>, %dy: tensor<8x4xbf16>) -> (tensor<8x16xbf16>, tensor<8x16xbf16>) {
  %0 = mpc.matmul %x, %w : (tensor<8x4xbf16>, tensor<4x16xbf16>) -> tensor<8x16xbf16>
  %1 = mpc.add %0, %b : (tensor<8x16xbf16>, tensor<16xbf16>) -> tensor<8x16xbf16>
  %2 = mpc.gelu %1 : tensor<8x16xbf16>
  %3 = mpc.matmul %dy, %w : (tensor<8x4xbf16>, tensor<4x16xbf16>) -> tensor<8x16xbf16>
  %4 = mpc.gelu_grad %3, %1 : tensor<8x16xbf16>
  return %2, %4 : tensor<8x16xbf16>, tensor<8x16xbf16>
}
