// RUN: mpc-opt %s -split-input-file | mpc-opt -split-input-file | FileCheck %s
// RUN: mpc-opt %s -split-input-file -mlir-print-op-generic | mpc-opt -split-input-file | FileCheck %s

// Round trip of mpc.fused, mpc.fused_matmul, mpc.add_layer_norm and
// mpc.softmax_cross_entropy_with_grad;
// backend-invalid.mlir has their verifier rules.

// CHECK-LABEL: func.func @fused
// CHECK: %[[R:.*]]:2 = mpc.fused(%{{.*}}, %{{.*}}) : (tensor<32x128xf16>, tensor<128xf16>) -> (tensor<32x128xf16>, tensor<32x128xf16>) {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<32x128xf16>, %[[Y:.*]]: tensor<128xf16>):
// CHECK-NEXT: %[[C:.*]] = mpc.constant dense<2.000000e+00> : tensor<f16>
// CHECK-NEXT: %[[S:.*]] = mpc.add %[[X]], %[[Y]] : (tensor<32x128xf16>, tensor<128xf16>) -> tensor<32x128xf16>
// CHECK-NEXT: %[[M:.*]] = mpc.mul %[[S]], %[[C]]
// CHECK-NEXT: %[[T:.*]] = mpc.relu %[[M]] : tensor<32x128xf16>
// CHECK-NEXT: mpc.yield %[[S]], %[[T]] : tensor<32x128xf16>, tensor<32x128xf16>
// CHECK-NEXT: }
// CHECK: mpc.fused() : () -> tensor<f32>
func.func @fused(%a: tensor<32x128xf16>, %b: tensor<128xf16>) -> (tensor<32x128xf16>, tensor<32x128xf16>, tensor<f32>) {
  %r:2 = mpc.fused (%a, %b) : (tensor<32x128xf16>, tensor<128xf16>) -> (tensor<32x128xf16>, tensor<32x128xf16>) {
  ^bb0(%x: tensor<32x128xf16>, %y: tensor<128xf16>):
    %c = mpc.constant dense<2.0> : tensor<f16>
    %s = mpc.add %x, %y : (tensor<32x128xf16>, tensor<128xf16>) -> tensor<32x128xf16>
    %m = mpc.mul %s, %c : (tensor<32x128xf16>, tensor<f16>) -> tensor<32x128xf16>
    %t = mpc.relu %m : tensor<32x128xf16>
    mpc.yield %s, %t : tensor<32x128xf16>, tensor<32x128xf16>
  }
  %k = mpc.fused () : () -> tensor<f32> {
    %c = mpc.constant dense<1.0> : tensor<f32>
    %e = mpc.exp %c : tensor<f32>
    mpc.yield %e : tensor<f32>
  }
  return %r#0, %r#1, %k : tensor<32x128xf16>, tensor<32x128xf16>, tensor<f32>
}

// -----

// CHECK-LABEL: func.func @fused_matmul
// CHECK: mpc.fused_matmul %{{.*}}, %{{.*}} bias %{{.*}} epilogue = bias : (tensor<8x64xbf16>, tensor<64x256xbf16>, tensor<256xf32>) -> tensor<8x256xf32>
// CHECK: mpc.fused_matmul %{{.*}}, %{{.*}} epilogue = relu {transpose_a} : (tensor<64x8xbf16>, tensor<64x256xbf16>) -> tensor<8x256xbf16>
// CHECK: mpc.fused_matmul %{{.*}}, %{{.*}} bias %{{.*}} epilogue = relu_bias : (tensor<8x64xbf16>, tensor<64x256xbf16>, tensor<256xbf16>) -> (tensor<8x256xbf16>, tensor<8x256xbf16>)
// CHECK: mpc.fused_matmul %{{.*}}, %{{.*}} epilogue = gelu : (tensor<2x8x64xbf16>, tensor<64x256xbf16>) -> tensor<2x8x256xbf16>
// CHECK: mpc.fused_matmul %{{.*}}, %{{.*}} bias %{{.*}} epilogue = gelu_bias : (tensor<8x64xbf16>, tensor<64x256xbf16>, tensor<256xbf16>) -> (tensor<8x256xbf16>, tensor<8x256xf32>)
// CHECK: mpc.fused_matmul %{{.*}}, %{{.*}} aux %{{.*}} epilogue = dgelu {transpose_b} : (tensor<8x64xbf16>, tensor<256x64xbf16>, tensor<8x256xbf16>) -> tensor<8x256xbf16>
func.func @fused_matmul(%x: tensor<8x64xbf16>, %xt: tensor<64x8xbf16>, %x3: tensor<2x8x64xbf16>, %w: tensor<64x256xbf16>, %wt: tensor<256x64xbf16>, %b: tensor<256xbf16>, %b32: tensor<256xf32>, %pre: tensor<8x256xbf16>) {
  %0 = mpc.fused_matmul %x, %w bias %b32 epilogue = bias : (tensor<8x64xbf16>, tensor<64x256xbf16>, tensor<256xf32>) -> tensor<8x256xf32>
  %1 = mpc.fused_matmul %xt, %w epilogue = relu {transpose_a} : (tensor<64x8xbf16>, tensor<64x256xbf16>) -> tensor<8x256xbf16>
  %2:2 = mpc.fused_matmul %x, %w bias %b epilogue = relu_bias : (tensor<8x64xbf16>, tensor<64x256xbf16>, tensor<256xbf16>) -> (tensor<8x256xbf16>, tensor<8x256xbf16>)
  %3 = mpc.fused_matmul %x3, %w epilogue = gelu : (tensor<2x8x64xbf16>, tensor<64x256xbf16>) -> tensor<2x8x256xbf16>
  %4:2 = mpc.fused_matmul %x, %w bias %b epilogue = gelu_bias : (tensor<8x64xbf16>, tensor<64x256xbf16>, tensor<256xbf16>) -> (tensor<8x256xbf16>, tensor<8x256xf32>)
  %5 = mpc.fused_matmul %x, %wt aux %pre epilogue = dgelu {transpose_b} : (tensor<8x64xbf16>, tensor<256x64xbf16>, tensor<8x256xbf16>) -> tensor<8x256xbf16>
  return
}

// -----

// mpc.add_layer_norm: the sum has the addends' type, the result the
// layer norm's (here narrowed to bf16, or f32 as its params).
// CHECK-LABEL: func.func @add_layer_norm
// CHECK: %{{.*}}, %{{.*}} = mpc.add_layer_norm %{{.*}} + %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<2x8x64xbf16>, tensor<64xf32> -> tensor<2x8x64xbf16>
// CHECK: %{{.*}}, %{{.*}} = mpc.add_layer_norm %{{.*}} + %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<2x8x64xbf16>, tensor<64xf32> -> tensor<2x8x64xf32>
func.func @add_layer_norm(%a: tensor<2x8x64xbf16>, %b: tensor<2x8x64xbf16>, %g: tensor<64xf32>) {
  %s, %y = mpc.add_layer_norm %a + %b, %g, %g eps = 1.0e-5 : tensor<2x8x64xbf16>, tensor<64xf32> -> tensor<2x8x64xbf16>
  %t, %z = mpc.add_layer_norm %a + %b, %g, %g eps = 1.0e-5 : tensor<2x8x64xbf16>, tensor<64xf32> -> tensor<2x8x64xf32>
  return
}

// -----

// mpc.softmax_cross_entropy_with_grad: the types of the loss and of its
// gradient, and their attributes.
// CHECK-LABEL: func.func @loss_with_grad
// CHECK: %{{.*}}, %{{.*}} = mpc.softmax_cross_entropy_with_grad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x8x64xbf16>, tensor<2x8xi32>, tensor<f32>) -> (tensor<f32>, tensor<2x8x64xbf16>)
// CHECK: %{{.*}}, %{{.*}} = mpc.softmax_cross_entropy_with_grad %{{.*}}, %{{.*}}, %{{.*}} ignore_index = -100 reduction = sum : (tensor<4x8xf32>, tensor<4xi32>, tensor<f32>) -> (tensor<f32>, tensor<4x8xf32>)
func.func @loss_with_grad(%z: tensor<2x8x64xbf16>, %y: tensor<2x8xi32>, %dl: tensor<f32>, %w: tensor<4x8xf32>, %v: tensor<4xi32>) {
  %l, %g = mpc.softmax_cross_entropy_with_grad %z, %y, %dl : (tensor<2x8x64xbf16>, tensor<2x8xi32>, tensor<f32>) -> (tensor<f32>, tensor<2x8x64xbf16>)
  %m, %h = mpc.softmax_cross_entropy_with_grad %w, %v, %dl ignore_index = -100 reduction = sum : (tensor<4x8xf32>, tensor<4xi32>, tensor<f32>) -> (tensor<f32>, tensor<4x8xf32>)
  return
}
