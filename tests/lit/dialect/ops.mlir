// RUN: mpc-opt %s | mpc-opt | FileCheck %s
// RUN: mpc-opt %s -mlir-print-op-generic | mpc-opt | FileCheck %s

// Round trip: print -> parse -> print is stable for every op and attribute
// form, from both the custom and the generic form.

//===----------------------------------------------------------------------===//
// mpc.param and #mpc.init: every argument is printed, defaults included.
//===----------------------------------------------------------------------===//

// CHECK: mpc.param @zeros : tensor<4x8xf32> = #mpc.init<zeros>{{$}}
mpc.param @zeros : tensor<4x8xf32> = #mpc.init<zeros>
// CHECK-NEXT: mpc.param @zeros_int : tensor<4xi32> = #mpc.init<zeros>{{$}}
mpc.param @zeros_int : tensor<4xi32> = #mpc.init<zeros>
// CHECK-NEXT: mpc.param @ones : tensor<8xbf16> = #mpc.init<ones>{{$}}
mpc.param @ones : tensor<8xbf16> = #mpc.init<ones>
// CHECK-NEXT: mpc.param @ones_seeded : tensor<8xf16> = #mpc.init<ones, seed = 0>{{$}}
mpc.param @ones_seeded : tensor<8xf16> = #mpc.init<ones, seed = 0>
// CHECK-NEXT: mpc.param @const : tensor<f32> = #mpc.init<constant, value = 5.000000e-01>{{$}}
mpc.param @const : tensor<f32> = #mpc.init<constant, value = 5.000000e-01>
// CHECK-NEXT: mpc.param @const_default : tensor<2xf32> = #mpc.init<constant, value = 0.000000e+00>{{$}}
mpc.param @const_default : tensor<2xf32> = #mpc.init<constant>
// CHECK-NEXT: mpc.param @const_negative : tensor<2xf32> = #mpc.init<constant, value = -2.500000e-01>{{$}}
mpc.param @const_negative : tensor<2xf32> = #mpc.init<constant, value = -0.25>
// CHECK-NEXT: mpc.param @normal_default : tensor<4x8xf32> = #mpc.init<normal, mean = 0.000000e+00, std = 1.000000e+00>{{$}}
mpc.param @normal_default : tensor<4x8xf32> = #mpc.init<normal>
// CHECK-NEXT: mpc.param @normal_std : tensor<4x8xf32> = #mpc.init<normal, mean = 0.000000e+00, std = 2.000000e-02, seed = 7>{{$}}
mpc.param @normal_std : tensor<4x8xf32> = #mpc.init<normal, std = 2.000000e-02, seed = 7>
// CHECK-NEXT: mpc.param @normal_full : tensor<4x8xf32> = #mpc.init<normal, mean = 1.000000e+00, std = 0.000000e+00, seed = 18446744073709551615>{{$}}
mpc.param @normal_full : tensor<4x8xf32> = #mpc.init<normal, mean = 1.0, std = 0.0, seed = 18446744073709551615>
// CHECK-NEXT: mpc.param @normal_reordered : tensor<4x8xf32> = #mpc.init<normal, mean = -1.000000e+00, std = 3.000000e+00, seed = 1>{{$}}
mpc.param @normal_reordered : tensor<4x8xf32> = #mpc.init<normal, seed = 1, std = 3.0, mean = -1.0>
// CHECK-NEXT: mpc.param @uniform_default : tensor<16xf32> = #mpc.init<uniform, low = 0.000000e+00, high = 1.000000e+00>{{$}}
mpc.param @uniform_default : tensor<16xf32> = #mpc.init<uniform>
// CHECK-NEXT: mpc.param @uniform_full : tensor<16xf32> = #mpc.init<uniform, low = -1.000000e-01, high = 1.000000e-01, seed = 3>{{$}}
mpc.param @uniform_full : tensor<16xf32> = #mpc.init<uniform, low = -1.000000e-01, high = 1.000000e-01, seed = 3>
// CHECK-NEXT: mpc.param @uniform_low : tensor<16xf32> = #mpc.init<uniform, low = -1.000000e+00, high = 1.000000e+00>{{$}}
mpc.param @uniform_low : tensor<16xf32> = #mpc.init<uniform, low = -1.0>
// CHECK-NEXT: mpc.param @xu_default : tensor<64x128xf32> = #mpc.init<xavier_uniform, gain = 1.000000e+00>{{$}}
mpc.param @xu_default : tensor<64x128xf32> = #mpc.init<xavier_uniform>
// CHECK-NEXT: mpc.param @xu_gain : tensor<2x64x128xbf16> = #mpc.init<xavier_uniform, gain = 2.000000e+00, seed = 11>{{$}}
mpc.param @xu_gain : tensor<2x64x128xbf16> = #mpc.init<xavier_uniform, gain = 2.0, seed = 11>
// CHECK-NEXT: mpc.param @xn_default : tensor<64x128xf16> = #mpc.init<xavier_normal, gain = 1.000000e+00>{{$}}
mpc.param @xn_default : tensor<64x128xf16> = #mpc.init<xavier_normal>
// CHECK-NEXT: mpc.param @xn_seed : tensor<64x128xf32> = #mpc.init<xavier_normal, gain = 5.000000e-01, seed = 42>{{$}}
mpc.param @xn_seed : tensor<64x128xf32> = #mpc.init<xavier_normal, gain = 0.5, seed = 42>
// The kind may also be written as a string.
// CHECK-NEXT: mpc.param @quoted : tensor<2xf32> = #mpc.init<ones>{{$}}
mpc.param @quoted : tensor<2xf32> = #mpc.init<"ones">
// Extra attributes survive the round trip.
// CHECK-NEXT: mpc.param @with_attr : tensor<2xf32> = #mpc.init<zeros> {note = "kept"}{{$}}
mpc.param @with_attr : tensor<2xf32> = #mpc.init<zeros> {note = "kept"}

//===----------------------------------------------------------------------===//
// Loads and stores
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @load_store
// CHECK-SAME: (%[[NEW:.*]]: tensor<4x8xf32>)
func.func @load_store(%new: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // The result is named after the param.
  // CHECK: %[[W:zeros]] = mpc.load @zeros : tensor<4x8xf32>
  %0 = mpc.load @zeros : tensor<4x8xf32>
  // CHECK-NEXT: %[[L:zeros_int]] = mpc.load @zeros_int : tensor<4xi32>
  %1 = mpc.load @zeros_int : tensor<4xi32>
  // CHECK-NEXT: mpc.store %[[NEW]], @zeros : tensor<4x8xf32>
  mpc.store %new, @zeros : tensor<4x8xf32>
  // CHECK-NEXT: mpc.store %[[L]], @zeros_int : tensor<4xi32>
  mpc.store %1, @zeros_int : tensor<4xi32>
  // CHECK-NEXT: return %[[W]] : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<f32>, tensor<2x2xf32>, tensor<3xi32>, tensor<2xi1>, tensor<4xbf16>, tensor<2xi64>) {
  // CHECK: %[[S:.*]] = mpc.constant dense<6.250000e-02> : tensor<f32>
  %0 = mpc.constant dense<6.250000e-02> : tensor<f32>
  // CHECK-NEXT: %[[D:.*]] = mpc.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %1 = mpc.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK-NEXT: %[[I:.*]] = mpc.constant dense<[1, -2, 3]> : tensor<3xi32>
  %2 = mpc.constant dense<[1, -2, 3]> : tensor<3xi32>
  // CHECK-NEXT: %[[B:.*]] = mpc.constant dense<[true, false]> : tensor<2xi1>
  %3 = mpc.constant dense<[true, false]> : tensor<2xi1>
  // CHECK-NEXT: %[[H:.*]] = mpc.constant dense<-1.500000e+00> : tensor<4xbf16>
  %4 = mpc.constant dense<-1.5> : tensor<4xbf16>
  // CHECK-NEXT: %[[L:.*]] = mpc.constant dense<7> : tensor<2xi64>
  %5 = mpc.constant dense<7> : tensor<2xi64>
  // CHECK-NEXT: return %[[S]], %[[D]], %[[I]], %[[B]], %[[H]], %[[L]]
  return %0, %1, %2, %3, %4, %5 : tensor<f32>, tensor<2x2xf32>, tensor<3xi32>, tensor<2xi1>, tensor<4xbf16>, tensor<2xi64>
}

// CHECK-LABEL: func.func @casts
// CHECK-SAME: (%[[X:.*]]: tensor<32x64xf32>, %[[I:.*]]: tensor<8xi32>)
func.func @casts(%x: tensor<32x64xf32>, %i: tensor<8xi32>) -> (tensor<32x64xbf16>, tensor<32x64xf16>, tensor<8xf32>, tensor<32x64xi32>, tensor<8xi1>) {
  // CHECK: %[[A:.*]] = mpc.cast %[[X]] : tensor<32x64xf32> to tensor<32x64xbf16>
  %0 = mpc.cast %x : tensor<32x64xf32> to tensor<32x64xbf16>
  // CHECK-NEXT: %[[B:.*]] = mpc.cast %[[X]] : tensor<32x64xf32> to tensor<32x64xf16>
  %1 = mpc.cast %x : tensor<32x64xf32> to tensor<32x64xf16>
  // CHECK-NEXT: %[[C:.*]] = mpc.cast %[[I]] : tensor<8xi32> to tensor<8xf32>
  %2 = mpc.cast %i : tensor<8xi32> to tensor<8xf32>
  // CHECK-NEXT: %[[D:.*]] = mpc.cast %[[X]] : tensor<32x64xf32> to tensor<32x64xi32>
  %3 = mpc.cast %x : tensor<32x64xf32> to tensor<32x64xi32>
  // CHECK-NEXT: %[[E:.*]] = mpc.cast %[[I]] : tensor<8xi32> to tensor<8xi1>
  %4 = mpc.cast %i : tensor<8xi32> to tensor<8xi1>
  // CHECK-NEXT: return %[[A]], %[[B]], %[[C]], %[[D]], %[[E]]
  return %0, %1, %2, %3, %4 : tensor<32x64xbf16>, tensor<32x64xf16>, tensor<8xf32>, tensor<32x64xi32>, tensor<8xi1>
}

//===----------------------------------------------------------------------===//
// Contraction
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: (%[[X:.*]]: tensor<8x64xf32>, %[[W:.*]]: tensor<64x128xf32>)
func.func @matmul_2d(%x: tensor<8x64xf32>, %w: tensor<64x128xf32>) -> tensor<8x128xf32> {
  // CHECK: %[[Y:.*]] = mpc.matmul %[[X]], %[[W]] : (tensor<8x64xf32>, tensor<64x128xf32>) -> tensor<8x128xf32>
  %0 = mpc.matmul %x, %w : (tensor<8x64xf32>, tensor<64x128xf32>) -> tensor<8x128xf32>
  // CHECK-NEXT: return %[[Y]]
  return %0 : tensor<8x128xf32>
}

// CHECK-LABEL: func.func @matmul_batched_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<2x1x3x4xf16>, %[[B:.*]]: tensor<5x4x6xf16>)
func.func @matmul_batched_broadcast(%a: tensor<2x1x3x4xf16>, %b: tensor<5x4x6xf16>) -> tensor<2x5x3x6xf16> {
  // CHECK: mpc.matmul %[[A]], %[[B]] : (tensor<2x1x3x4xf16>, tensor<5x4x6xf16>) -> tensor<2x5x3x6xf16>
  %0 = mpc.matmul %a, %b : (tensor<2x1x3x4xf16>, tensor<5x4x6xf16>) -> tensor<2x5x3x6xf16>
  return %0 : tensor<2x5x3x6xf16>
}

// CHECK-LABEL: func.func @matmul_transpose_a
func.func @matmul_transpose_a(%a: tensor<4x3xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  // CHECK: mpc.matmul %{{.*}}, %{{.*}} {transpose_a} : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %0 = mpc.matmul %a, %b {transpose_a} : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @matmul_transpose_b
func.func @matmul_transpose_b(%q: tensor<2x4x16x8xbf16>, %k: tensor<2x4x16x8xbf16>) -> tensor<2x4x16x16xbf16> {
  // CHECK: mpc.matmul %{{.*}}, %{{.*}} {transpose_b} : (tensor<2x4x16x8xbf16>, tensor<2x4x16x8xbf16>) -> tensor<2x4x16x16xbf16>
  %0 = mpc.matmul %q, %k {transpose_b} : (tensor<2x4x16x8xbf16>, tensor<2x4x16x8xbf16>) -> tensor<2x4x16x16xbf16>
  return %0 : tensor<2x4x16x16xbf16>
}

// CHECK-LABEL: func.func @matmul_transpose_both
func.func @matmul_transpose_both(%a: tensor<4x3xf32>, %b: tensor<5x4xf32>) -> tensor<3x5xf32> {
  // CHECK: mpc.matmul %{{.*}}, %{{.*}} {transpose_a, transpose_b} : (tensor<4x3xf32>, tensor<5x4xf32>) -> tensor<3x5xf32>
  %0 = mpc.matmul %a, %b {transpose_a, transpose_b} : (tensor<4x3xf32>, tensor<5x4xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @matmul_bf16_to_f32
func.func @matmul_bf16_to_f32(%a: tensor<2x3x4xbf16>, %b: tensor<5x4xbf16>) -> tensor<2x3x5xf32> {
  // CHECK: mpc.matmul %{{.*}}, %{{.*}} {transpose_b} : (tensor<2x3x4xbf16>, tensor<5x4xbf16>) -> tensor<2x3x5xf32>
  %0 = mpc.matmul %a, %b {transpose_b} : (tensor<2x3x4xbf16>, tensor<5x4xbf16>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// CHECK-LABEL: func.func @matmul_f16_to_f32
func.func @matmul_f16_to_f32(%a: tensor<3x4xf16>, %b: tensor<4x5xf16>) -> tensor<3x5xf32> {
  // CHECK: mpc.matmul %{{.*}}, %{{.*}} {mpc.precision = bf16} : (tensor<3x4xf16>, tensor<4x5xf16>) -> tensor<3x5xf32>
  %0 = mpc.matmul %a, %b {mpc.precision = bf16} : (tensor<3x4xf16>, tensor<4x5xf16>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:.*]]: tensor<8x128xf32>, %[[B:.*]]: tensor<128xf32>, %[[C:.*]]: tensor<8x1xf32>, %[[S:.*]]: tensor<f32>)
func.func @binary(%a: tensor<8x128xf32>, %b: tensor<128xf32>, %c: tensor<8x1xf32>, %s: tensor<f32>) -> tensor<8x128xf32> {
  // CHECK: %[[ADD:.*]] = mpc.add %[[A]], %[[B]] : (tensor<8x128xf32>, tensor<128xf32>) -> tensor<8x128xf32>
  %0 = mpc.add %a, %b : (tensor<8x128xf32>, tensor<128xf32>) -> tensor<8x128xf32>
  // CHECK-NEXT: %[[SUB:.*]] = mpc.sub %[[C]], %[[B]] : (tensor<8x1xf32>, tensor<128xf32>) -> tensor<8x128xf32>
  %1 = mpc.sub %c, %b : (tensor<8x1xf32>, tensor<128xf32>) -> tensor<8x128xf32>
  // CHECK-NEXT: %[[MUL:.*]] = mpc.mul %[[ADD]], %[[S]] : (tensor<8x128xf32>, tensor<f32>) -> tensor<8x128xf32>
  %2 = mpc.mul %0, %s : (tensor<8x128xf32>, tensor<f32>) -> tensor<8x128xf32>
  // CHECK-NEXT: %[[DIV:.*]] = mpc.div %[[MUL]], %[[SUB]] : (tensor<8x128xf32>, tensor<8x128xf32>) -> tensor<8x128xf32>
  %3 = mpc.div %2, %1 : (tensor<8x128xf32>, tensor<8x128xf32>) -> tensor<8x128xf32>
  // CHECK-NEXT: return %[[DIV]]
  return %3 : tensor<8x128xf32>
}

// CHECK-LABEL: func.func @binary_both_broadcast
func.func @binary_both_broadcast(%a: tensor<4x1x3xbf16>, %b: tensor<2x1xbf16>, %c: tensor<1x3xf16>, %d: tensor<5x1xf16>) -> (tensor<4x2x3xbf16>, tensor<5x3xf16>) {
  // CHECK: mpc.add %{{.*}}, %{{.*}} : (tensor<4x1x3xbf16>, tensor<2x1xbf16>) -> tensor<4x2x3xbf16>
  %0 = mpc.add %a, %b : (tensor<4x1x3xbf16>, tensor<2x1xbf16>) -> tensor<4x2x3xbf16>
  // CHECK: mpc.mul %{{.*}}, %{{.*}} : (tensor<1x3xf16>, tensor<5x1xf16>) -> tensor<5x3xf16>
  %1 = mpc.mul %c, %d : (tensor<1x3xf16>, tensor<5x1xf16>) -> tensor<5x3xf16>
  return %0, %1 : tensor<4x2x3xbf16>, tensor<5x3xf16>
}

// CHECK-LABEL: func.func @unary_f32
// CHECK-SAME: (%[[X:.*]]: tensor<8x128xf32>)
func.func @unary_f32(%x: tensor<8x128xf32>) -> tensor<8x128xf32> {
  // CHECK: %[[R0:.*]] = mpc.relu %[[X]] : tensor<8x128xf32>
  %0 = mpc.relu %x : tensor<8x128xf32>
  // CHECK-NEXT: %[[R1:.*]] = mpc.gelu %[[R0]] : tensor<8x128xf32>
  %1 = mpc.gelu %0 : tensor<8x128xf32>
  // CHECK-NEXT: %[[R2:.*]] = mpc.tanh %[[R1]] : tensor<8x128xf32>
  %2 = mpc.tanh %1 : tensor<8x128xf32>
  // CHECK-NEXT: %[[R3:.*]] = mpc.sigmoid %[[R2]] : tensor<8x128xf32>
  %3 = mpc.sigmoid %2 : tensor<8x128xf32>
  // CHECK-NEXT: %[[R4:.*]] = mpc.exp %[[R3]] : tensor<8x128xf32>
  %4 = mpc.exp %3 : tensor<8x128xf32>
  // CHECK-NEXT: %[[R5:.*]] = mpc.log %[[R4]] : tensor<8x128xf32>
  %5 = mpc.log %4 : tensor<8x128xf32>
  // CHECK-NEXT: %[[R6:.*]] = mpc.sqrt %[[R5]] : tensor<8x128xf32>
  %6 = mpc.sqrt %5 : tensor<8x128xf32>
  // CHECK-NEXT: %[[R7:.*]] = mpc.rsqrt %[[R6]] : tensor<8x128xf32>
  %7 = mpc.rsqrt %6 : tensor<8x128xf32>
  // CHECK-NEXT: return %[[R7]]
  return %7 : tensor<8x128xf32>
}

// CHECK-LABEL: func.func @unary_f16
func.func @unary_f16(%x: tensor<4xf16>) -> tensor<4xf16> {
  // CHECK: mpc.relu %{{.*}} : tensor<4xf16>
  // CHECK-NEXT: mpc.gelu %{{.*}} : tensor<4xf16>
  // CHECK-NEXT: mpc.tanh %{{.*}} : tensor<4xf16>
  // CHECK-NEXT: mpc.sigmoid %{{.*}} : tensor<4xf16>
  // CHECK-NEXT: mpc.exp %{{.*}} : tensor<4xf16>
  // CHECK-NEXT: mpc.log %{{.*}} : tensor<4xf16>
  // CHECK-NEXT: mpc.sqrt %{{.*}} : tensor<4xf16>
  // CHECK-NEXT: mpc.rsqrt %{{.*}} : tensor<4xf16>
  %0 = mpc.relu %x : tensor<4xf16>
  %1 = mpc.gelu %0 : tensor<4xf16>
  %2 = mpc.tanh %1 : tensor<4xf16>
  %3 = mpc.sigmoid %2 : tensor<4xf16>
  %4 = mpc.exp %3 : tensor<4xf16>
  %5 = mpc.log %4 : tensor<4xf16>
  %6 = mpc.sqrt %5 : tensor<4xf16>
  %7 = mpc.rsqrt %6 : tensor<4xf16>
  return %7 : tensor<4xf16>
}

// CHECK-LABEL: func.func @unary_bf16
func.func @unary_bf16(%x: tensor<2x3xbf16>) -> tensor<2x3xbf16> {
  // CHECK: mpc.relu %{{.*}} : tensor<2x3xbf16>
  // CHECK-NEXT: mpc.gelu %{{.*}} : tensor<2x3xbf16>
  // CHECK-NEXT: mpc.tanh %{{.*}} : tensor<2x3xbf16>
  // CHECK-NEXT: mpc.sigmoid %{{.*}} : tensor<2x3xbf16>
  // CHECK-NEXT: mpc.exp %{{.*}} : tensor<2x3xbf16>
  // CHECK-NEXT: mpc.log %{{.*}} : tensor<2x3xbf16>
  // CHECK-NEXT: mpc.sqrt %{{.*}} : tensor<2x3xbf16>
  // CHECK-NEXT: mpc.rsqrt %{{.*}} : tensor<2x3xbf16>
  %0 = mpc.relu %x : tensor<2x3xbf16>
  %1 = mpc.gelu %0 : tensor<2x3xbf16>
  %2 = mpc.tanh %1 : tensor<2x3xbf16>
  %3 = mpc.sigmoid %2 : tensor<2x3xbf16>
  %4 = mpc.exp %3 : tensor<2x3xbf16>
  %5 = mpc.log %4 : tensor<2x3xbf16>
  %6 = mpc.sqrt %5 : tensor<2x3xbf16>
  %7 = mpc.rsqrt %6 : tensor<2x3xbf16>
  return %7 : tensor<2x3xbf16>
}

// neg is exact in every precision.
// CHECK-LABEL: func.func @neg
func.func @neg(%a: tensor<8x128xf32>, %b: tensor<4xf16>, %c: tensor<2x3xbf16>) -> (tensor<8x128xf32>, tensor<4xf16>, tensor<2x3xbf16>) {
  // CHECK-NEXT: mpc.neg %{{.*}} : tensor<8x128xf32>
  // CHECK-NEXT: mpc.neg %{{.*}} : tensor<4xf16>
  // CHECK-NEXT: mpc.neg %{{.*}} : tensor<2x3xbf16>
  %0 = mpc.neg %a : tensor<8x128xf32>
  %1 = mpc.neg %b : tensor<4xf16>
  %2 = mpc.neg %c : tensor<2x3xbf16>
  return %0, %1, %2 : tensor<8x128xf32>, tensor<4xf16>, tensor<2x3xbf16>
}

// silu keeps shape and type.
// CHECK-LABEL: func.func @silu
func.func @silu(%a: tensor<8x128xf32>, %b: tensor<2x3xbf16>) -> (tensor<8x128xf32>, tensor<2x3xbf16>) {
  // CHECK-NEXT: mpc.silu %{{.*}} : tensor<8x128xf32>
  // CHECK-NEXT: mpc.silu %{{.*}} : tensor<2x3xbf16>
  %0 = mpc.silu %a : tensor<8x128xf32>
  %1 = mpc.silu %b : tensor<2x3xbf16>
  return %0, %1 : tensor<8x128xf32>, tensor<2x3xbf16>
}

// pow keeps shape and type and prints its exponent.
// CHECK-LABEL: func.func @pow
func.func @pow(%a: tensor<8x128xf32>, %b: tensor<4xf16>) -> (tensor<8x128xf32>, tensor<4xf16>) {
  // CHECK-NEXT: mpc.pow %{{.*}} exponent = 1.500000e+00 : tensor<8x128xf32>
  // CHECK-NEXT: mpc.pow %{{.*}} exponent = -2.500000e-01 : tensor<4xf16>
  %0 = mpc.pow %a exponent = 1.5 : tensor<8x128xf32>
  %1 = mpc.pow %b exponent = -0.25 : tensor<4xf16>
  return %0, %1 : tensor<8x128xf32>, tensor<4xf16>
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<8x10xf32>, %[[H:.*]]: tensor<2x4x16x16xbf16>)
func.func @softmax(%x: tensor<8x10xf32>, %h: tensor<2x4x16x16xbf16>) -> (tensor<8x10xf32>, tensor<8x10xf32>, tensor<2x4x16x16xbf16>, tensor<2x4x16x16xbf16>) {
  // CHECK: %[[P:.*]] = mpc.softmax %[[X]] axis = 1 : tensor<8x10xf32>
  %0 = mpc.softmax %x axis = 1 : tensor<8x10xf32>
  // CHECK-NEXT: %[[LP:.*]] = mpc.log_softmax %[[X]] axis = 0 : tensor<8x10xf32>
  %1 = mpc.log_softmax %x axis = 0 : tensor<8x10xf32>
  // CHECK-NEXT: %[[Q:.*]] = mpc.softmax %[[H]] axis = 3 : tensor<2x4x16x16xbf16>
  %2 = mpc.softmax %h axis = 3 : tensor<2x4x16x16xbf16>
  // CHECK-NEXT: %[[LQ:.*]] = mpc.log_softmax %[[H]] axis = 2 : tensor<2x4x16x16xbf16>
  %3 = mpc.log_softmax %h axis = 2 : tensor<2x4x16x16xbf16>
  // CHECK-NEXT: return %[[P]], %[[LP]], %[[Q]], %[[LQ]]
  return %0, %1, %2, %3 : tensor<8x10xf32>, tensor<8x10xf32>, tensor<2x4x16x16xbf16>, tensor<2x4x16x16xbf16>
}

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<8x16x64xf32>, %[[G:.*]]: tensor<64xf32>, %[[B:.*]]: tensor<64xf32>, %[[G2:.*]]: tensor<16x64xf32>, %[[B2:.*]]: tensor<16x64xf32>)
func.func @layer_norm(%x: tensor<8x16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>, %g2: tensor<16x64xf32>, %b2: tensor<16x64xf32>) -> (tensor<8x16x64xf32>, tensor<8x16x64xf32>) {
  // CHECK: %[[Y:.*]] = mpc.layer_norm %[[X]], %[[G]], %[[B]] eps = 1.000000e-05 : tensor<8x16x64xf32>, tensor<64xf32>
  %0 = mpc.layer_norm %x, %g, %b eps = 1.000000e-05 : tensor<8x16x64xf32>, tensor<64xf32>
  // CHECK-NEXT: %[[Z:.*]] = mpc.layer_norm %[[X]], %[[G2]], %[[B2]] eps = 1.000000e-03 : tensor<8x16x64xf32>, tensor<16x64xf32>
  %1 = mpc.layer_norm %x, %g2, %b2 eps = 1.0e-3 : tensor<8x16x64xf32>, tensor<16x64xf32>
  // CHECK-NEXT: return %[[Y]], %[[Z]]
  return %0, %1 : tensor<8x16x64xf32>, tensor<8x16x64xf32>
}

// rms_norm: f32 with eps printed back, and bf16 on a rank-2 input.
// CHECK-LABEL: func.func @rms_norm
// CHECK-SAME: (%[[X:.*]]: tensor<8x16x64xf32>, %[[W:.*]]: tensor<64xf32>, %[[XB:.*]]: tensor<4x8xbf16>, %[[WB:.*]]: tensor<8xbf16>)
func.func @rms_norm(%x: tensor<8x16x64xf32>, %w: tensor<64xf32>, %xb: tensor<4x8xbf16>, %wb: tensor<8xbf16>) -> (tensor<8x16x64xf32>, tensor<4x8xbf16>) {
  // CHECK: %[[Y:.*]] = mpc.rms_norm %[[X]], %[[W]] eps = 9.9999999999999995E-7 : tensor<8x16x64xf32>, tensor<64xf32>
  %0 = mpc.rms_norm %x, %w eps = 1.0e-6 : tensor<8x16x64xf32>, tensor<64xf32>
  // CHECK-NEXT: %[[Z:.*]] = mpc.rms_norm %[[XB]], %[[WB]] eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xbf16>
  %1 = mpc.rms_norm %xb, %wb eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xbf16>
  // CHECK-NEXT: return %[[Y]], %[[Z]]
  return %0, %1 : tensor<8x16x64xf32>, tensor<4x8xbf16>
}

// A narrowed result (mpc-fuse) prints its type after an arrow; the input's
// type prints none.
// CHECK-LABEL: func.func @layer_norm_narrowed
// CHECK: mpc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x8xbf16>{{$}}
func.func @layer_norm_narrowed(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xbf16> {
  %0 = mpc.layer_norm %x, %g, %g eps = 1.000000e-05 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x8xbf16>
  return %0 : tensor<4x8xbf16>
}

// Ops that compute in f32 may read a 16-bit input (mpc-fuse folds its
// widening cast): a layer norm or RMS norm with f32 params on a bf16 input
// writes f32 (arrow) or bf16 (none); a sum of f16 values is f32.
// CHECK-LABEL: func.func @narrow_inputs
// CHECK: mpc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xf32> -> tensor<4x8xf32>{{$}}
// CHECK-NEXT: mpc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xf32>{{$}}
// CHECK-NEXT: mpc.rms_norm %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xf32> -> tensor<4x8xf32>{{$}}
// CHECK-NEXT: mpc.reduce_sum %{{.*}} [0] : tensor<4x8xf16> -> tensor<8xf32>
func.func @narrow_inputs(%x: tensor<4x8xbf16>, %g: tensor<8xf32>, %h: tensor<4x8xf16>) -> (tensor<4x8xf32>, tensor<4x8xbf16>, tensor<4x8xf32>, tensor<8xf32>) {
  %0 = mpc.layer_norm %x, %g, %g eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xf32> -> tensor<4x8xf32>
  %1 = mpc.layer_norm %x, %g, %g eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xf32>
  %2 = mpc.rms_norm %x, %g eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xf32> -> tensor<4x8xf32>
  %3 = mpc.reduce_sum %h [0] : tensor<4x8xf16> -> tensor<8xf32>
  return %0, %1, %2, %3 : tensor<4x8xf32>, tensor<4x8xbf16>, tensor<4x8xf32>, tensor<8xf32>
}

// CHECK-LABEL: func.func @layer_norm_whole_bf16
func.func @layer_norm_whole_bf16(%x: tensor<4x8xbf16>, %g: tensor<4x8xbf16>, %b: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  // CHECK: mpc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<4x8xbf16>
  %0 = mpc.layer_norm %x, %g, %b eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<4x8xbf16>
  return %0 : tensor<4x8xbf16>
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reductions
// CHECK-SAME: (%[[X:.*]]: tensor<8x10x4xf32>)
func.func @reductions(%x: tensor<8x10x4xf32>) -> (tensor<8x4xf32>, tensor<8x1x4xf32>, tensor<10xf32>, tensor<1x10x1xf32>, tensor<f32>, tensor<1x1x1xf32>) {
  // CHECK: %[[S0:.*]] = mpc.reduce_sum %[[X]] [1] : tensor<8x10x4xf32> -> tensor<8x4xf32>
  %0 = mpc.reduce_sum %x [1] : tensor<8x10x4xf32> -> tensor<8x4xf32>
  // CHECK-NEXT: %[[S1:.*]] = mpc.reduce_sum %[[X]] [1] {keepdims} : tensor<8x10x4xf32> -> tensor<8x1x4xf32>
  %1 = mpc.reduce_sum %x [1] {keepdims} : tensor<8x10x4xf32> -> tensor<8x1x4xf32>
  // CHECK-NEXT: %[[M0:.*]] = mpc.reduce_mean %[[X]] [0, 2] : tensor<8x10x4xf32> -> tensor<10xf32>
  %2 = mpc.reduce_mean %x [0, 2] : tensor<8x10x4xf32> -> tensor<10xf32>
  // CHECK-NEXT: %[[M1:.*]] = mpc.reduce_mean %[[X]] [0, 2] {keepdims} : tensor<8x10x4xf32> -> tensor<1x10x1xf32>
  %3 = mpc.reduce_mean %x [0, 2] {keepdims} : tensor<8x10x4xf32> -> tensor<1x10x1xf32>
  // CHECK-NEXT: %[[ALL:.*]] = mpc.reduce_sum %[[X]] [0, 1, 2] : tensor<8x10x4xf32> -> tensor<f32>
  %4 = mpc.reduce_sum %x [0, 1, 2] : tensor<8x10x4xf32> -> tensor<f32>
  // CHECK-NEXT: %[[ALLK:.*]] = mpc.reduce_mean %[[X]] [0, 1, 2] {keepdims} : tensor<8x10x4xf32> -> tensor<1x1x1xf32>
  %5 = mpc.reduce_mean %x [0, 1, 2] {keepdims} : tensor<8x10x4xf32> -> tensor<1x1x1xf32>
  // CHECK-NEXT: return %[[S0]], %[[S1]], %[[M0]], %[[M1]], %[[ALL]], %[[ALLK]]
  return %0, %1, %2, %3, %4, %5 : tensor<8x4xf32>, tensor<8x1x4xf32>, tensor<10xf32>, tensor<1x10x1xf32>, tensor<f32>, tensor<1x1x1xf32>
}

// CHECK-LABEL: func.func @reductions_half
func.func @reductions_half(%x: tensor<8x10xf16>, %y: tensor<8x10xbf16>) -> (tensor<8xf16>, tensor<1x10xbf16>) {
  // CHECK: mpc.reduce_sum %{{.*}} [1] : tensor<8x10xf16> -> tensor<8xf16>
  %0 = mpc.reduce_sum %x [1] : tensor<8x10xf16> -> tensor<8xf16>
  // CHECK-NEXT: mpc.reduce_mean %{{.*}} [0] {keepdims} : tensor<8x10xbf16> -> tensor<1x10xbf16>
  %1 = mpc.reduce_mean %y [0] {keepdims} : tensor<8x10xbf16> -> tensor<1x10xbf16>
  return %0, %1 : tensor<8xf16>, tensor<1x10xbf16>
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<8x16x64xf32>)
func.func @reshape_transpose(%x: tensor<8x16x64xf32>) -> (tensor<8x4x16x16xf32>, tensor<8192xf32>) {
  // CHECK: %[[R:.*]] = mpc.reshape %[[X]] : tensor<8x16x64xf32> -> tensor<8x16x4x16xf32>
  %0 = mpc.reshape %x : tensor<8x16x64xf32> -> tensor<8x16x4x16xf32>
  // CHECK-NEXT: %[[T:.*]] = mpc.transpose %[[R]] [0, 2, 1, 3] : tensor<8x16x4x16xf32> -> tensor<8x4x16x16xf32>
  %1 = mpc.transpose %0 [0, 2, 1, 3] : tensor<8x16x4x16xf32> -> tensor<8x4x16x16xf32>
  // CHECK-NEXT: %[[F:.*]] = mpc.reshape %[[X]] : tensor<8x16x64xf32> -> tensor<8192xf32>
  %2 = mpc.reshape %x : tensor<8x16x64xf32> -> tensor<8192xf32>
  // CHECK-NEXT: return %[[T]], %[[F]]
  return %1, %2 : tensor<8x4x16x16xf32>, tensor<8192xf32>
}

// CHECK-LABEL: func.func @reshape_transpose_other_types
func.func @reshape_transpose_other_types(%ids: tensor<2x6xi32>, %m: tensor<3x4xi1>, %s: tensor<1xf16>) -> (tensor<3x4xi32>, tensor<4x3xi1>, tensor<f16>) {
  // CHECK: mpc.reshape %{{.*}} : tensor<2x6xi32> -> tensor<3x4xi32>
  %0 = mpc.reshape %ids : tensor<2x6xi32> -> tensor<3x4xi32>
  // CHECK-NEXT: mpc.transpose %{{.*}} [1, 0] : tensor<3x4xi1> -> tensor<4x3xi1>
  %1 = mpc.transpose %m [1, 0] : tensor<3x4xi1> -> tensor<4x3xi1>
  // CHECK-NEXT: mpc.reshape %{{.*}} : tensor<1xf16> -> tensor<f16>
  %2 = mpc.reshape %s : tensor<1xf16> -> tensor<f16>
  return %0, %1, %2 : tensor<3x4xi32>, tensor<4x3xi1>, tensor<f16>
}

// CHECK-LABEL: func.func @slice_concat
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>, %[[IDS:.*]]: tensor<2x3xi32>, %[[G:.*]]: tensor<4x3xbf16>)
func.func @slice_concat(%x: tensor<4x10xf32>, %ids: tensor<2x3xi32>, %g: tensor<4x3xbf16>) -> (tensor<4x3xf32>, tensor<4x10xf32>, tensor<2x1xi32>, tensor<4x13xf32>, tensor<4x6xi32>, tensor<4x10xbf16>) {
  // CHECK: %[[S:.*]] = mpc.slice %[[X]] axes = [1] starts = [2] ends = [8] steps = [2] : tensor<4x10xf32> -> tensor<4x3xf32>
  %0 = mpc.slice %x axes = [1] starts = [2] ends = [8] steps = [2] : tensor<4x10xf32> -> tensor<4x3xf32>
  // CHECK-NEXT: %[[R:.*]] = mpc.slice %[[X]] axes = [0] starts = [-1] ends = [-11] steps = [-1] : tensor<4x10xf32> -> tensor<4x10xf32>
  %1 = mpc.slice %x axes = [0] starts = [-1] ends = [-11] steps = [-1] : tensor<4x10xf32> -> tensor<4x10xf32>
  // CHECK-NEXT: %[[I:.*]] = mpc.slice %[[IDS]] axes = [1, 0] starts = [1, 0] ends = [2, 100] steps = [1, 1] : tensor<2x3xi32> -> tensor<2x1xi32>
  %2 = mpc.slice %ids axes = [1, 0] starts = [1, 0] ends = [2, 100] steps = [1, 1] : tensor<2x3xi32> -> tensor<2x1xi32>
  // CHECK-NEXT: %[[C:.*]] = mpc.concat %[[X]], %[[S]] axis = 1 : (tensor<4x10xf32>, tensor<4x3xf32>) -> tensor<4x13xf32>
  %3 = mpc.concat %x, %0 axis = 1 : (tensor<4x10xf32>, tensor<4x3xf32>) -> tensor<4x13xf32>
  // CHECK-NEXT: %[[CI:.*]] = mpc.concat %[[IDS]], %[[IDS]] axis = 0 : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<4x3xi32>
  %4 = mpc.concat %ids, %ids axis = 0 : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<4x3xi32>
  // CHECK-NEXT: %[[CJ:.*]] = mpc.concat %[[CI]], %[[CI]] axis = 1 : (tensor<4x3xi32>, tensor<4x3xi32>) -> tensor<4x6xi32>
  %5 = mpc.concat %4, %4 axis = 1 : (tensor<4x3xi32>, tensor<4x3xi32>) -> tensor<4x6xi32>
  // CHECK-NEXT: %[[DX:.*]] = mpc.slice_grad %[[G]] axes = [1] starts = [2] ends = [8] steps = [2] : tensor<4x3xbf16> -> tensor<4x10xbf16>
  %6 = mpc.slice_grad %g axes = [1] starts = [2] ends = [8] steps = [2] : tensor<4x3xbf16> -> tensor<4x10xbf16>
  // CHECK-NEXT: return %[[S]], %[[R]], %[[I]], %[[C]], %[[CJ]], %[[DX]]
  return %0, %1, %2, %3, %5, %6 : tensor<4x3xf32>, tensor<4x10xf32>, tensor<2x1xi32>, tensor<4x13xf32>, tensor<4x6xi32>, tensor<4x10xbf16>
}

// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[IDS:.*]]: tensor<8x16xi32>, %[[IDS64:.*]]: tensor<5xi64>, %[[WTE:.*]]: tensor<128x64xf32>, %[[WTEH:.*]]: tensor<128x64xbf16>)
func.func @embedding(%ids: tensor<8x16xi32>, %ids64: tensor<5xi64>, %wte: tensor<128x64xf32>, %wteh: tensor<128x64xbf16>) -> (tensor<8x16x64xf32>, tensor<5x64xbf16>) {
  // CHECK: %[[E:.*]] = mpc.embedding %[[IDS]], %[[WTE]] : (tensor<8x16xi32>, tensor<128x64xf32>) -> tensor<8x16x64xf32>
  %0 = mpc.embedding %ids, %wte : (tensor<8x16xi32>, tensor<128x64xf32>) -> tensor<8x16x64xf32>
  // CHECK-NEXT: %[[F:.*]] = mpc.embedding %[[IDS64]], %[[WTEH]] : (tensor<5xi64>, tensor<128x64xbf16>) -> tensor<5x64xbf16>
  %1 = mpc.embedding %ids64, %wteh : (tensor<5xi64>, tensor<128x64xbf16>) -> tensor<5x64xbf16>
  // CHECK-NEXT: return %[[E]], %[[F]]
  return %0, %1 : tensor<8x16x64xf32>, tensor<5x64xbf16>
}

//===----------------------------------------------------------------------===//
// Masks and dropout
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @causal_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x16x8xbf16>, %[[K:.*]]: tensor<2x4x16x8xbf16>, %[[V:.*]]: tensor<2x4x16x8xbf16>, %[[DO:.*]]: tensor<2x4x16x8xbf16>)
func.func @causal_attention(%q: tensor<2x4x16x8xbf16>, %k: tensor<2x4x16x8xbf16>, %v: tensor<2x4x16x8xbf16>, %do: tensor<2x4x16x8xbf16>) -> (tensor<2x4x16x8xbf16>, tensor<2x4x16x8xbf16>, tensor<2x4x16x8xbf16>, tensor<2x4x16x8xbf16>) {
  // CHECK: %[[O:.*]], %[[LSE:.*]] = mpc.causal_attention %[[Q]], %[[K]], %[[V]] scale = 3.535530e-01 : tensor<2x4x16x8xbf16>, tensor<2x4x16xf32>
  %o, %lse = mpc.causal_attention %q, %k, %v scale = 0.353553 : tensor<2x4x16x8xbf16>, tensor<2x4x16xf32>
  // CHECK-NEXT: %[[DQ:.*]], %[[DK:.*]], %[[DV:.*]] = mpc.causal_attention_grad %[[DO]], %[[Q]], %[[K]], %[[V]], %[[LSE]] scale = 3.535530e-01 : tensor<2x4x16x8xbf16>, tensor<2x4x16xf32>
  %dq, %dk, %dv = mpc.causal_attention_grad %do, %q, %k, %v, %lse scale = 0.353553 : tensor<2x4x16x8xbf16>, tensor<2x4x16xf32>
  // CHECK-NEXT: return %[[O]], %[[DQ]], %[[DK]], %[[DV]]
  return %o, %dq, %dk, %dv : tensor<2x4x16x8xbf16>, tensor<2x4x16x8xbf16>, tensor<2x4x16x8xbf16>, tensor<2x4x16x8xbf16>
}

// The sequence-major form: [B, T, H, d] operands, a [B, H, T] log-sum-exp.
// CHECK-LABEL: func.func @causal_attention_sequence_major
// CHECK-SAME: (%[[Q:.*]]: tensor<2x16x4x8xf16>, %[[K:.*]]: tensor<2x16x4x8xf16>, %[[V:.*]]: tensor<2x16x4x8xf16>, %[[DO:.*]]: tensor<2x16x4x8xf16>)
func.func @causal_attention_sequence_major(%q: tensor<2x16x4x8xf16>, %k: tensor<2x16x4x8xf16>, %v: tensor<2x16x4x8xf16>, %do: tensor<2x16x4x8xf16>) -> (tensor<2x16x4x8xf16>, tensor<2x16x4x8xf16>) {
  // CHECK: %[[O:.*]], %[[LSE:.*]] = mpc.causal_attention %[[Q]], %[[K]], %[[V]] sequence_major scale = 5.000000e-01 : tensor<2x16x4x8xf16>, tensor<2x4x16xf32>
  %o, %lse = mpc.causal_attention %q, %k, %v sequence_major scale = 0.5 : tensor<2x16x4x8xf16>, tensor<2x4x16xf32>
  // CHECK-NEXT: %[[DQ:.*]], %{{.*}}, %{{.*}} = mpc.causal_attention_grad %[[DO]], %[[Q]], %[[K]], %[[V]], %[[LSE]] sequence_major scale = 5.000000e-01 : tensor<2x16x4x8xf16>, tensor<2x4x16xf32>
  %dq, %dk, %dv = mpc.causal_attention_grad %do, %q, %k, %v, %lse sequence_major scale = 0.5 : tensor<2x16x4x8xf16>, tensor<2x4x16xf32>
  // CHECK-NEXT: return %[[O]], %[[DQ]]
  return %o, %dq : tensor<2x16x4x8xf16>, tensor<2x16x4x8xf16>
}

// q, k and v packed in one [B, T, 3, H, d] operand, its gradient packed
// the same way; the result is [B, T, H, d], the log-sum-exp [B, H, T].
// CHECK-LABEL: func.func @causal_attention_qkv
// CHECK-SAME: (%[[QKV:.*]]: tensor<2x16x3x4x8xbf16>, %[[DO:.*]]: tensor<2x16x4x8xbf16>)
func.func @causal_attention_qkv(%qkv: tensor<2x16x3x4x8xbf16>, %do: tensor<2x16x4x8xbf16>) -> (tensor<2x16x4x8xbf16>, tensor<2x16x3x4x8xbf16>) {
  // CHECK: %[[O:.*]], %[[LSE:.*]] = mpc.causal_attention_qkv %[[QKV]] scale = 5.000000e-01 : tensor<2x16x3x4x8xbf16> -> tensor<2x16x4x8xbf16>, tensor<2x4x16xf32>
  %o, %lse = mpc.causal_attention_qkv %qkv scale = 0.5 : tensor<2x16x3x4x8xbf16> -> tensor<2x16x4x8xbf16>, tensor<2x4x16xf32>
  // CHECK-NEXT: %[[DQKV:.*]] = mpc.causal_attention_qkv_grad %[[DO]], %[[QKV]], %[[LSE]] scale = 5.000000e-01 : tensor<2x16x4x8xbf16>, tensor<2x16x3x4x8xbf16>, tensor<2x4x16xf32>
  %dqkv = mpc.causal_attention_qkv_grad %do, %qkv, %lse scale = 0.5 : tensor<2x16x4x8xbf16>, tensor<2x16x3x4x8xbf16>, tensor<2x4x16xf32>
  // CHECK-NEXT: return %[[O]], %[[DQKV]]
  return %o, %dqkv : tensor<2x16x4x8xbf16>, tensor<2x16x3x4x8xbf16>
}

// CHECK-LABEL: func.func @causal_mask
// CHECK-SAME: (%[[S:.*]]: tensor<8x4x16x16xf32>, %[[T:.*]]: tensor<16x16xbf16>)
func.func @causal_mask(%s: tensor<8x4x16x16xf32>, %t: tensor<16x16xbf16>) -> (tensor<8x4x16x16xf32>, tensor<16x16xbf16>) {
  // -inf, the value for attention scores before a softmax.
  // CHECK: %[[M:.*]] = mpc.causal_mask %[[S]] value = 0xFFF0000000000000 : tensor<8x4x16x16xf32>
  %0 = mpc.causal_mask %s value = 0xFFF0000000000000 : tensor<8x4x16x16xf32>
  // CHECK-NEXT: %[[N:.*]] = mpc.causal_mask %[[T]] value = -1.000000e+04 : tensor<16x16xbf16>
  %1 = mpc.causal_mask %t value = -1.0e4 : tensor<16x16xbf16>
  // CHECK-NEXT: return %[[M]], %[[N]]
  return %0, %1 : tensor<8x4x16x16xf32>, tensor<16x16xbf16>
}

// CHECK-LABEL: func.func @masked_fill
// CHECK-SAME: (%[[S:.*]]: tensor<8x16x16xf32>, %[[PAD:.*]]: tensor<8x1x16xi1>, %[[ROW:.*]]: tensor<16xi1>)
func.func @masked_fill(%s: tensor<8x16x16xf32>, %pad: tensor<8x1x16xi1>, %row: tensor<16xi1>) -> (tensor<8x16x16xf32>, tensor<8x16x16xf32>) {
  // CHECK: %[[A:.*]] = mpc.masked_fill %[[S]], %[[PAD]] value = -1.000000e+04 : (tensor<8x16x16xf32>, tensor<8x1x16xi1>) -> tensor<8x16x16xf32>
  %0 = mpc.masked_fill %s, %pad value = -1.000000e+04 : (tensor<8x16x16xf32>, tensor<8x1x16xi1>) -> tensor<8x16x16xf32>
  // CHECK-NEXT: %[[B:.*]] = mpc.masked_fill %[[A]], %[[ROW]] value = 0xFFF0000000000000 : (tensor<8x16x16xf32>, tensor<16xi1>) -> tensor<8x16x16xf32>
  %1 = mpc.masked_fill %0, %row value = 0xFFF0000000000000 : (tensor<8x16x16xf32>, tensor<16xi1>) -> tensor<8x16x16xf32>
  // CHECK-NEXT: return %[[A]], %[[B]]
  return %0, %1 : tensor<8x16x16xf32>, tensor<8x16x16xf32>
}

// CHECK-LABEL: func.func @where
// CHECK-SAME: (%[[C:.*]]: tensor<8x1xi1>, %[[X:.*]]: tensor<8x16xf32>, %[[Y:.*]]: tensor<16xf32>, %[[H:.*]]: tensor<4xbf16>, %[[ROW:.*]]: tensor<4xi1>)
func.func @where(%c: tensor<8x1xi1>, %x: tensor<8x16xf32>, %y: tensor<16xf32>, %h: tensor<4xbf16>, %row: tensor<4xi1>) -> (tensor<8x16xf32>, tensor<4xbf16>) {
  // CHECK: %[[A:.*]] = mpc.where %[[C]], %[[X]], %[[Y]] : (tensor<8x1xi1>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %0 = mpc.where %c, %x, %y : (tensor<8x1xi1>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  // CHECK-NEXT: %[[B:.*]] = mpc.where %[[ROW]], %[[H]], %[[H]] : (tensor<4xi1>, tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
  %1 = mpc.where %row, %h, %h : (tensor<4xi1>, tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
  // CHECK-NEXT: return %[[A]], %[[B]]
  return %0, %1 : tensor<8x16xf32>, tensor<4xbf16>
}

// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.*]]: tensor<8x128xf32>, %[[H:.*]]: tensor<4xf16>)
func.func @dropout(%x: tensor<8x128xf32>, %h: tensor<4xf16>) -> (tensor<8x128xf32>, tensor<4xf16>, tensor<8x128xf32>) {
  // CHECK: %[[D:.*]] = mpc.dropout %[[X]] rate = 1.000000e-01 seed = 0 : tensor<8x128xf32>
  %0 = mpc.dropout %x rate = 1.000000e-01 seed = 0 : tensor<8x128xf32>
  // CHECK-NEXT: %[[E:.*]] = mpc.dropout %[[H]] rate = 5.000000e-01 seed = 1234 : tensor<4xf16>
  %1 = mpc.dropout %h rate = 0.5 seed = 1234 : tensor<4xf16>
  // A zero rate is the identity but still a valid op.
  // CHECK-NEXT: %[[F:.*]] = mpc.dropout %[[X]] rate = 0.000000e+00 seed = 9 : tensor<8x128xf32>
  %2 = mpc.dropout %x rate = 0.0 seed = 9 : tensor<8x128xf32>
  // CHECK-NEXT: return %[[D]], %[[E]], %[[F]]
  return %0, %1, %2 : tensor<8x128xf32>, tensor<4xf16>, tensor<8x128xf32>
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cross_entropy_2d
// CHECK-SAME: (%[[LOGITS:.*]]: tensor<8x10xf32>, %[[Y:.*]]: tensor<8xi32>)
func.func @cross_entropy_2d(%logits: tensor<8x10xf32>, %y: tensor<8xi32>) -> tensor<f32> {
  // CHECK: %[[L:.*]] = mpc.softmax_cross_entropy %[[LOGITS]], %[[Y]] : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  %0 = mpc.softmax_cross_entropy %logits, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  // CHECK-NEXT: return %[[L]]
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @cross_entropy_3d
func.func @cross_entropy_3d(%logits: tensor<4x16x128xbf16>, %y: tensor<4x16xi64>) -> tensor<bf16> {
  // CHECK: mpc.softmax_cross_entropy %{{.*}}, %{{.*}} : (tensor<4x16x128xbf16>, tensor<4x16xi64>) -> tensor<bf16>
  %0 = mpc.softmax_cross_entropy %logits, %y : (tensor<4x16x128xbf16>, tensor<4x16xi64>) -> tensor<bf16>
  return %0 : tensor<bf16>
}

// ignore_index and reduction print after the operands; the defaults
// (no ignore_index, mean) are not printed.
// CHECK-LABEL: func.func @cross_entropy_rows
func.func @cross_entropy_rows(%logits: tensor<8x10xf32>, %y: tensor<8xi32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  // CHECK: mpc.softmax_cross_entropy %{{.*}}, %{{.*}} ignore_index = -100 : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  %0 = mpc.softmax_cross_entropy %logits, %y ignore_index = -100 : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  // CHECK-NEXT: mpc.softmax_cross_entropy %{{.*}}, %{{.*}} ignore_index = 3 reduction = sum : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  %1 = mpc.softmax_cross_entropy %logits, %y ignore_index = 3 reduction = sum : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  // CHECK-NEXT: mpc.softmax_cross_entropy %{{.*}}, %{{.*}} reduction = sum : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  %2 = mpc.softmax_cross_entropy %logits, %y reduction = sum : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  // CHECK-NEXT: mpc.softmax_cross_entropy %{{.*}}, %{{.*}} : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  %3 = mpc.softmax_cross_entropy %logits, %y reduction = mean : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @mse_loss
// CHECK-SAME: (%[[P:.*]]: tensor<8x1xf32>, %[[T:.*]]: tensor<8x1xf32>, %[[PH:.*]]: tensor<3xf16>)
func.func @mse_loss(%p: tensor<8x1xf32>, %t: tensor<8x1xf32>, %ph: tensor<3xf16>) -> (tensor<f32>, tensor<f16>) {
  // CHECK: %[[L:.*]] = mpc.mse_loss %[[P]], %[[T]] : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<f32>
  %0 = mpc.mse_loss %p, %t : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<f32>
  // CHECK-NEXT: %[[M:.*]] = mpc.mse_loss %[[PH]], %[[PH]] : (tensor<3xf16>, tensor<3xf16>) -> tensor<f16>
  %1 = mpc.mse_loss %ph, %ph : (tensor<3xf16>, tensor<3xf16>) -> tensor<f16>
  // CHECK-NEXT: return %[[L]], %[[M]]
  return %0, %1 : tensor<f32>, tensor<f16>
}

//===----------------------------------------------------------------------===//
// A training step, end to end.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[X:.*]]: tensor<8x64xf32>, %[[Y:.*]]: tensor<8xi32>)
func.func @step(%x: tensor<8x64xf32>, %y: tensor<8xi32>) -> tensor<f32> {
  // CHECK: %[[W:xu_default]] = mpc.load @xu_default : tensor<64x128xf32>
  %w = mpc.load @xu_default : tensor<64x128xf32>
  // CHECK-NEXT: %[[XH:.*]] = mpc.cast %[[X]] : tensor<8x64xf32> to tensor<8x64xbf16>
  %xh = mpc.cast %x : tensor<8x64xf32> to tensor<8x64xbf16>
  // CHECK-NEXT: %[[WH:.*]] = mpc.cast %[[W]] : tensor<64x128xf32> to tensor<64x128xbf16>
  %wh = mpc.cast %w : tensor<64x128xf32> to tensor<64x128xbf16>
  // CHECK-NEXT: %[[H:.*]] = mpc.matmul %[[XH]], %[[WH]] : (tensor<8x64xbf16>, tensor<64x128xbf16>) -> tensor<8x128xf32>
  %h = mpc.matmul %xh, %wh : (tensor<8x64xbf16>, tensor<64x128xbf16>) -> tensor<8x128xf32>
  // CHECK-NEXT: %[[L:.*]] = mpc.softmax_cross_entropy %[[H]], %[[Y]] : (tensor<8x128xf32>, tensor<8xi32>) -> tensor<f32>
  %l = mpc.softmax_cross_entropy %h, %y : (tensor<8x128xf32>, tensor<8xi32>) -> tensor<f32>
  // CHECK-NEXT: %[[LR:.*]] = mpc.constant dense<1.000000e-01> : tensor<f32>
  %lr = mpc.constant dense<1.000000e-01> : tensor<f32>
  // CHECK-NEXT: %[[STEP:.*]] = mpc.mul %[[W]], %[[LR]] : (tensor<64x128xf32>, tensor<f32>) -> tensor<64x128xf32>
  %step = mpc.mul %w, %lr : (tensor<64x128xf32>, tensor<f32>) -> tensor<64x128xf32>
  // CHECK-NEXT: %[[NEW:.*]] = mpc.sub %[[W]], %[[STEP]] : (tensor<64x128xf32>, tensor<64x128xf32>) -> tensor<64x128xf32>
  %new = mpc.sub %w, %step : (tensor<64x128xf32>, tensor<64x128xf32>) -> tensor<64x128xf32>
  // CHECK-NEXT: mpc.store %[[NEW]], @xu_default : tensor<64x128xf32>
  mpc.store %new, @xu_default : tensor<64x128xf32>
  // CHECK-NEXT: return %[[L]] : tensor<f32>
  return %l : tensor<f32>
}
