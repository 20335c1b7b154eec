// RUN: mpc-opt %s -split-input-file -verify-diagnostics

// Every verifier rule of the mpc dialect, one case each.

//===----------------------------------------------------------------------===//
// #mpc.init: parsing
//===----------------------------------------------------------------------===//

// expected-error @+1 {{unknown initializer kind 'gaussian'}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<gaussian>

// -----

// expected-error @+1 {{initializer 'zeros' takes no argument 'std'}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<zeros, std = 1.0>

// -----

// expected-error @+1 {{initializer 'ones' takes no argument 'value'}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<ones, value = 1.0>

// -----

// An argument of another kind.
// expected-error @+1 {{initializer 'normal' takes no argument 'gain'}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<normal, gain = 1.0>

// -----

// expected-error @+1 {{initializer 'uniform' takes no argument 'std'}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<uniform, low = 0.0, std = 1.0>

// -----

// expected-error @+1 {{initializer 'xavier_normal' takes no argument 'mean'}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<xavier_normal, mean = 0.0>

// -----

// expected-error @+1 {{initializer 'constant' takes no argument 'low'}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<constant, low = 0.0>

// -----

// expected-error @+1 {{initializer argument 'std' is given more than once}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<normal, std = 1.0, std = 2.0>

// -----

// expected-error @+1 {{initializer argument 'seed' is given more than once}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<uniform, seed = 1, seed = 1>

// -----

// expected-error @+1 {{seed must be an integer in [0, 2^64), got -1}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<normal, seed = -1>

// -----

// expected-error @+1 {{seed must be an integer in [0, 2^64), got 18446744073709551616}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<normal, seed = 18446744073709551616>

// -----

// Arguments are floats; a decimal integer literal is not one.
// expected-error @+2 {{unexpected decimal integer literal for a floating point value}}
// expected-note @+1 {{add a trailing dot to make the literal a float}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<constant, value = 1>

// -----

// Arguments are named.
// expected-error @+1 {{expected valid keyword}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<normal, 0.0>

// -----

// expected-error @+1 {{expected '='}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<normal, std 1.0>

// -----

//===----------------------------------------------------------------------===//
// #mpc.init: verification
//===----------------------------------------------------------------------===//

// expected-error @+1 {{initializer arguments must be finite}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<constant, value = 0x7FF0000000000000>

// -----

// expected-error @+1 {{initializer arguments must be finite}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<normal, mean = 0x7FF8000000000000>

// -----

// expected-error @+1 {{initializer arguments must be finite}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<uniform, high = 0xFFF0000000000000>

// -----

// expected-error @+1 {{normal initializer needs std >= 0, got -1.000000e+00}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<normal, std = -1.0>

// -----

// expected-error @+1 {{uniform initializer needs low < high, got low = 1.000000e+00, high = 1.000000e+00}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<uniform, low = 1.0>

// -----

// expected-error @+1 {{uniform initializer needs low < high, got low = 2.000000e+00, high = -2.000000e+00}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<uniform, low = 2.0, high = -2.0>

// -----

// expected-error @+1 {{xavier initializer needs gain > 0, got 0.000000e+00}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<xavier_uniform, gain = 0.0>

// -----

// expected-error @+1 {{xavier initializer needs gain > 0, got -1.000000e+00}}
mpc.param @p : tensor<2x2xf32> = #mpc.init<xavier_normal, gain = -1.0>

// -----

//===----------------------------------------------------------------------===//
// mpc.param
//===----------------------------------------------------------------------===//

// expected-error @+1 {{'mpc.param' op xavier initializer needs rank >= 2, got 'tensor<8xf32>'}}
mpc.param @p : tensor<8xf32> = #mpc.init<xavier_uniform>

// -----

// expected-error @+1 {{'mpc.param' op xavier initializer needs rank >= 2, got 'tensor<f32>'}}
mpc.param @p : tensor<f32> = #mpc.init<xavier_normal, gain = 2.0>

// -----

// expected-error @+1 {{'mpc.param' op initializer 'normal' needs a float element type, got 'tensor<2x2xi32>'}}
mpc.param @p : tensor<2x2xi32> = #mpc.init<normal>

// -----

// expected-error @+1 {{'mpc.param' op initializer 'ones' needs a float element type, got 'tensor<4xi64>'}}
mpc.param @p : tensor<4xi64> = #mpc.init<ones>

// -----

// expected-error @+1 {{'mpc.param' op initializer 'constant' needs a float element type, got 'tensor<4xi1>'}}
mpc.param @p : tensor<4xi1> = #mpc.init<constant, value = 1.0>

// -----

// expected-error @+1 {{'mpc.param' op initializer 'uniform' needs a float element type, got 'tensor<4xi32>'}}
mpc.param @p : tensor<4xi32> = #mpc.init<uniform>

// -----

// The float check applies to xavier kinds too, once the rank is fine.
// expected-error @+1 {{'mpc.param' op initializer 'xavier_uniform' needs a float element type, got 'tensor<4x4xi32>'}}
mpc.param @p : tensor<4x4xi32> = #mpc.init<xavier_uniform>

// -----

// expected-error @+1 {{'mpc.param' op attribute 'type' failed to satisfy constraint: type attribute of statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values}}
mpc.param @p : tensor<?x2xf32> = #mpc.init<zeros>

// -----

// expected-error @+1 {{'mpc.param' op attribute 'type' failed to satisfy constraint: type attribute of statically shaped tensor of}}
mpc.param @p : tensor<4xf64> = #mpc.init<zeros>

// -----

// expected-error @+1 {{'mpc.param' op attribute 'type' failed to satisfy constraint: type attribute of statically shaped tensor of}}
mpc.param @p : memref<4xf32> = #mpc.init<zeros>

// -----

func.func @param_in_function() {
  // expected-error @+1 {{'mpc.param' op expects parent op 'builtin.module'}}
  mpc.param @p : tensor<2xf32> = #mpc.init<zeros>
  return
}

// -----

// expected-note @+1 {{see existing symbol definition here}}
mpc.param @p : tensor<2xf32> = #mpc.init<zeros>
// expected-error @+1 {{redefinition of symbol named 'p'}}
mpc.param @p : tensor<2xf32> = #mpc.init<ones>

// -----

//===----------------------------------------------------------------------===//
// mpc.load and mpc.store
//===----------------------------------------------------------------------===//

func.func @load_unknown() -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.load' op 'nope' does not name an mpc.param}}
  %0 = mpc.load @nope : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @not_a_param() {
  return
}

func.func @load_function() -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.load' op 'not_a_param' does not name an mpc.param}}
  %0 = mpc.load @not_a_param : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

mpc.param @w : tensor<4x8xf32> = #mpc.init<zeros>

func.func @load_wrong_shape() -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.load' op type 'tensor<4xf32>' differs from the type 'tensor<4x8xf32>' of param @w}}
  %0 = mpc.load @w : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

mpc.param @w : tensor<4x8xf32> = #mpc.init<zeros>

func.func @load_wrong_element_type() -> tensor<4x8xbf16> {
  // expected-error @+1 {{'mpc.load' op type 'tensor<4x8xbf16>' differs from the type 'tensor<4x8xf32>' of param @w}}
  %0 = mpc.load @w : tensor<4x8xbf16>
  return %0 : tensor<4x8xbf16>
}

// -----

func.func @load_dynamic() -> tensor<?xf32> {
  // expected-error @+1 {{'mpc.load' op result #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values with positive dims, but got 'tensor<?xf32>'}}
  %0 = mpc.load @w : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @store_unknown(%x: tensor<4xf32>) {
  // expected-error @+1 {{'mpc.store' op 'nope' does not name an mpc.param}}
  mpc.store %x, @nope : tensor<4xf32>
  return
}

// -----

mpc.param @w : tensor<4x8xf32> = #mpc.init<zeros>

func.func @store_wrong_type(%x: tensor<4x8xf16>) {
  // expected-error @+1 {{'mpc.store' op type 'tensor<4x8xf16>' differs from the type 'tensor<4x8xf32>' of param @w}}
  mpc.store %x, @w : tensor<4x8xf16>
  return
}

// -----

func.func @store_i8(%x: tensor<4xi8>) {
  // expected-error @+1 {{'mpc.store' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values with positive dims, but got 'tensor<4xi8>'}}
  mpc.store %x, @w : tensor<4xi8>
  return
}

// -----

//===----------------------------------------------------------------------===//
// mpc.constant and mpc.cast
//===----------------------------------------------------------------------===//

func.func @constant_type_mismatch() -> tensor<2xf32> {
  // expected-error @+1 {{'mpc.constant' op value type 'tensor<3xf32>' differs from result type 'tensor<2xf32>'}}
  %0 = "mpc.constant"() {value = dense<1.0> : tensor<3xf32>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @constant_i8() -> tensor<2xi8> {
  // expected-error @+1 {{'mpc.constant' op result #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values with positive dims, but got 'tensor<2xi8>'}}
  %0 = mpc.constant dense<1> : tensor<2xi8>
  return %0 : tensor<2xi8>
}

// -----

func.func @constant_vector() -> vector<2xf32> {
  // expected-error @+1 {{'mpc.constant' op result #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values with positive dims, but got 'vector<2xf32>'}}
  %0 = mpc.constant dense<1.0> : vector<2xf32>
  return %0 : vector<2xf32>
}

// -----

func.func @constant_not_elements() {
  // expected-error @+1 {{invalid kind of attribute specified}}
  %0 = mpc.constant 1.0 : f32
  return
}

// -----

func.func @cast_shape(%x: tensor<4xf32>) -> tensor<5xf16> {
  // expected-error @+1 {{'mpc.cast' op requires the same shape for all operands and results}}
  %0 = mpc.cast %x : tensor<4xf32> to tensor<5xf16>
  return %0 : tensor<5xf16>
}

// -----

func.func @cast_f64(%x: tensor<4xf32>) -> tensor<4xf64> {
  // expected-error @+1 {{'mpc.cast' op result #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values with positive dims, but got 'tensor<4xf64>'}}
  %0 = mpc.cast %x : tensor<4xf32> to tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

//===----------------------------------------------------------------------===//
// mpc.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_rank_1(%x: tensor<4xf32>, %w: tensor<4x8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'mpc.matmul' op operands need rank >= 2, got [4] and [4, 8]}}
  %0 = mpc.matmul %x, %w : (tensor<4xf32>, tensor<4x8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @matmul_rhs_rank_1(%x: tensor<2x4xf32>, %w: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'mpc.matmul' op operands need rank >= 2, got [2, 4] and [4]}}
  %0 = mpc.matmul %x, %w : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @matmul_element_types(%x: tensor<2x4xf32>, %w: tensor<4x8xbf16>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'mpc.matmul' op operands have different element types 'f32' and 'bf16'}}
  %0 = mpc.matmul %x, %w : (tensor<2x4xf32>, tensor<4x8xbf16>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @matmul_contraction(%x: tensor<3x4xf32>, %w: tensor<5x6xf32>) -> tensor<3x6xf32> {
  // expected-error @+1 {{'mpc.matmul' op contraction dims differ: [3, 4] has 4, [5, 6] has 5}}
  %0 = mpc.matmul %x, %w : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

func.func @matmul_contraction_transpose_a(%x: tensor<3x4xf32>, %w: tensor<4x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+1 {{'mpc.matmul' op contraction dims differ: [3, 4] (transposed) has 3, [4, 6] has 4}}
  %0 = mpc.matmul %x, %w {transpose_a} : (tensor<3x4xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

func.func @matmul_contraction_transpose_b(%x: tensor<3x4xf32>, %w: tensor<4x6xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'mpc.matmul' op contraction dims differ: [3, 4] has 4, [4, 6] (transposed) has 6}}
  %0 = mpc.matmul %x, %w {transpose_b} : (tensor<3x4xf32>, tensor<4x6xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @matmul_contraction_transpose_both(%x: tensor<2x3x4xf32>, %w: tensor<5x4xf32>) -> tensor<2x4x5xf32> {
  // expected-error @+1 {{'mpc.matmul' op contraction dims differ: [2, 3, 4] (transposed) has 3, [5, 4] (transposed) has 4}}
  %0 = mpc.matmul %x, %w {transpose_a, transpose_b} : (tensor<2x3x4xf32>, tensor<5x4xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

func.func @matmul_batch(%x: tensor<2x3x4xf32>, %w: tensor<3x4x5xf32>) -> tensor<2x3x5xf32> {
  // expected-error @+1 {{'mpc.matmul' op cannot broadcast shapes [2] and [3]}}
  %0 = mpc.matmul %x, %w : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @matmul_result_shape(%x: tensor<3x4xf32>, %w: tensor<4x5xf32>) -> tensor<3x6xf32> {
  // expected-error @+1 {{'mpc.matmul' op result shape [3, 6] does not match the expected [3, 5]}}
  %0 = mpc.matmul %x, %w : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

func.func @matmul_result_batch(%x: tensor<2x3x4xf32>, %w: tensor<4x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{'mpc.matmul' op result shape [3, 5] does not match the expected [2, 3, 5]}}
  %0 = mpc.matmul %x, %w : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @matmul_narrower_result(%x: tensor<3x4xf32>, %w: tensor<4x5xf32>) -> tensor<3x5xbf16> {
  // expected-error @+1 {{'mpc.matmul' op result element type 'bf16' is neither the operands' 'f32' nor wider}}
  %0 = mpc.matmul %x, %w : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xbf16>
  return %0 : tensor<3x5xbf16>
}

// -----

func.func @matmul_same_width_result(%x: tensor<3x4xbf16>, %w: tensor<4x5xbf16>) -> tensor<3x5xf16> {
  // expected-error @+1 {{'mpc.matmul' op result element type 'f16' is neither the operands' 'bf16' nor wider}}
  %0 = mpc.matmul %x, %w : (tensor<3x4xbf16>, tensor<4x5xbf16>) -> tensor<3x5xf16>
  return %0 : tensor<3x5xf16>
}

// -----

func.func @matmul_integer(%x: tensor<3x4xi32>, %w: tensor<4x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{'mpc.matmul' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<3x4xi32>'}}
  %0 = mpc.matmul %x, %w : (tensor<3x4xi32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @matmul_dynamic(%x: tensor<?x4xf32>, %w: tensor<4x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{'mpc.matmul' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<?x4xf32>'}}
  %0 = mpc.matmul %x, %w : (tensor<?x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// add, sub, mul, div
//===----------------------------------------------------------------------===//

func.func @add_element_types(%a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.add' op operands have different element types 'f32' and 'f16'}}
  %0 = mpc.add %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @add_broadcast(%a: tensor<8x3xf32>, %b: tensor<4xf32>) -> tensor<8x3xf32> {
  // expected-error @+1 {{'mpc.add' op cannot broadcast shapes [8, 3] and [4]}}
  %0 = mpc.add %a, %b : (tensor<8x3xf32>, tensor<4xf32>) -> tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

func.func @add_result_shape(%a: tensor<8x1xf32>, %b: tensor<3xf32>) -> tensor<8x1xf32> {
  // expected-error @+1 {{'mpc.add' op result type 'tensor<8x1xf32>' does not match the expected 'tensor<8x3xf32>'}}
  %0 = mpc.add %a, %b : (tensor<8x1xf32>, tensor<3xf32>) -> tensor<8x1xf32>
  return %0 : tensor<8x1xf32>
}

// -----

func.func @add_result_element_type(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xbf16> {
  // expected-error @+1 {{'mpc.add' op result type 'tensor<4xbf16>' does not match the expected 'tensor<4xf32>'}}
  %0 = mpc.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

func.func @add_integer(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'mpc.add' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<4xi32>'}}
  %0 = mpc.add %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @sub_element_types(%a: tensor<4xbf16>, %b: tensor<4xf16>) -> tensor<4xbf16> {
  // expected-error @+1 {{'mpc.sub' op operands have different element types 'bf16' and 'f16'}}
  %0 = mpc.sub %a, %b : (tensor<4xbf16>, tensor<4xf16>) -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

func.func @sub_broadcast(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'mpc.sub' op cannot broadcast shapes [2, 3] and [3, 2]}}
  %0 = mpc.sub %a, %b : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @sub_result(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'mpc.sub' op result type 'tensor<1x4xf32>' does not match the expected 'tensor<4xf32>'}}
  %0 = mpc.sub %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @mul_element_types(%a: tensor<4xf16>, %b: tensor<f32>) -> tensor<4xf16> {
  // expected-error @+1 {{'mpc.mul' op operands have different element types 'f16' and 'f32'}}
  %0 = mpc.mul %a, %b : (tensor<4xf16>, tensor<f32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @mul_broadcast(%a: tensor<5x4xf32>, %b: tensor<3x1xf32>) -> tensor<5x4xf32> {
  // expected-error @+1 {{'mpc.mul' op cannot broadcast shapes [5, 4] and [3, 1]}}
  %0 = mpc.mul %a, %b : (tensor<5x4xf32>, tensor<3x1xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @mul_result(%a: tensor<4xf32>, %b: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.mul' op result type 'tensor<f32>' does not match the expected 'tensor<4xf32>'}}
  %0 = mpc.mul %a, %b : (tensor<4xf32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @div_element_types(%a: tensor<4xf32>, %b: tensor<4xbf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.div' op operands have different element types 'f32' and 'bf16'}}
  %0 = mpc.div %a, %b : (tensor<4xf32>, tensor<4xbf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @div_broadcast(%a: tensor<4xf32>, %b: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.div' op cannot broadcast shapes [4] and [2]}}
  %0 = mpc.div %a, %b : (tensor<4xf32>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @div_result(%a: tensor<4xf16>, %b: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.div' op result type 'tensor<4xf32>' does not match the expected 'tensor<4xf16>'}}
  %0 = mpc.div %a, %b : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

func.func @relu_integer(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'mpc.relu' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<4xi32>'}}
  %0 = mpc.relu %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @gelu_f64(%x: tensor<4xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{'mpc.gelu' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<4xf64>'}}
  %0 = mpc.gelu %x : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

func.func @tanh_dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'mpc.tanh' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<?xf32>'}}
  %0 = mpc.tanh %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @sigmoid_unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'mpc.sigmoid' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<*xf32>'}}
  %0 = "mpc.sigmoid"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @relu_type_change(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'mpc.relu' op requires the same type for all operands and results}}
  %0 = "mpc.relu"(%x) : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @exp_shape_change(%x: tensor<4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'mpc.exp' op requires the same type for all operands and results}}
  %0 = "mpc.exp"(%x) : (tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @log_type_change(%x: tensor<4xbf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.log' op requires the same type for all operands and results}}
  %0 = "mpc.log"(%x) : (tensor<4xbf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @sqrt_integer(%x: tensor<4xi64>) -> tensor<4xi64> {
  // expected-error @+1 {{'mpc.sqrt' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<4xi64>'}}
  %0 = mpc.sqrt %x : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @rsqrt_type_change(%x: tensor<4xf16>) -> tensor<4xbf16> {
  // expected-error @+1 {{'mpc.rsqrt' op requires the same type for all operands and results}}
  %0 = "mpc.rsqrt"(%x) : (tensor<4xf16>) -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// softmax, log_softmax, layer_norm
//===----------------------------------------------------------------------===//

func.func @softmax_axis(%x: tensor<8x10xf32>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.softmax' op axis 2 is out of range for rank 2}}
  %0 = mpc.softmax %x axis = 2 : tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// The op holds axes non-negative; -1 is not normalized here.
func.func @softmax_negative_axis(%x: tensor<8x10xf32>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.softmax' op axis -1 is out of range for rank 2}}
  %0 = mpc.softmax %x axis = -1 : tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

func.func @softmax_scalar(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.softmax' op axis 0 is out of range for rank 0}}
  %0 = mpc.softmax %x axis = 0 : tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @log_softmax_axis(%x: tensor<8x10xbf16>) -> tensor<8x10xbf16> {
  // expected-error @+1 {{'mpc.log_softmax' op axis 5 is out of range for rank 2}}
  %0 = mpc.log_softmax %x axis = 5 : tensor<8x10xbf16>
  return %0 : tensor<8x10xbf16>
}

// -----

func.func @log_softmax_negative_axis(%x: tensor<8x10xf32>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.log_softmax' op axis -2 is out of range for rank 2}}
  %0 = mpc.log_softmax %x axis = -2 : tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

func.func @softmax_type_change(%x: tensor<8x10xf32>) -> tensor<8x10xf16> {
  // expected-error @+1 {{'mpc.softmax' op requires the same type for all operands and results}}
  %0 = "mpc.softmax"(%x) {axis = 1 : i64} : (tensor<8x10xf32>) -> tensor<8x10xf16>
  return %0 : tensor<8x10xf16>
}

// -----

func.func @log_softmax_type_change(%x: tensor<8x10xf32>) -> tensor<10x8xf32> {
  // expected-error @+1 {{'mpc.log_softmax' op requires the same type for all operands and results}}
  %0 = "mpc.log_softmax"(%x) {axis = 1 : i64} : (tensor<8x10xf32>) -> tensor<10x8xf32>
  return %0 : tensor<10x8xf32>
}

// -----

func.func @rms_norm_zero_epsilon(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.rms_norm' op epsilon must be finite and positive, got 0.000000e+00}}
  %0 = mpc.rms_norm %x, %w eps = 0.0 : tensor<4x8xf32>, tensor<8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @rms_norm_infinite_epsilon(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.rms_norm' op epsilon must be finite and positive, got INF}}
  %0 = mpc.rms_norm %x, %w eps = 0x7FF0000000000000 : tensor<4x8xf32>, tensor<8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// The weight is the last dim, not a leading one.
func.func @rms_norm_weight_shape(%x: tensor<4x8xf32>, %w: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.rms_norm' op weight shape [4] is not the last dim of input shape [4, 8]}}
  %0 = mpc.rms_norm %x, %w eps = 1.0e-6 : tensor<4x8xf32>, tensor<4xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// The weight is 1-D, not layer_norm's trailing dims.
func.func @rms_norm_weight_rank(%x: tensor<2x4x8xf32>, %w: tensor<4x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'mpc.rms_norm' op weight shape [4, 8] is not the last dim of input shape [2, 4, 8]}}
  %0 = mpc.rms_norm %x, %w eps = 1.0e-6 : tensor<2x4x8xf32>, tensor<4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// A scalar has no last dim.
func.func @rms_norm_scalar_input(%x: tensor<f32>, %w: tensor<1xf32>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.rms_norm' op weight shape [1] is not the last dim of input shape []}}
  %0 = mpc.rms_norm %x, %w eps = 1.0e-6 : tensor<f32>, tensor<1xf32>
  return %0 : tensor<f32>
}

// -----

func.func @rms_norm_element_types(%x: tensor<4x8xf32>, %w: tensor<8xf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.rms_norm' op failed to verify that all of {result, weight} have same element type}}
  %0 = mpc.rms_norm %x, %w eps = 1.0e-6 : tensor<4x8xf32>, tensor<8xf16>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @rms_norm_result_type(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'mpc.rms_norm' op failed to verify that all of {result, weight} have same element type}}
  %0 = "mpc.rms_norm"(%x, %w) {epsilon = 1.0e-6 : f64} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf16>
  return %0 : tensor<4x8xf16>
}

// -----

func.func @layer_norm_zero_epsilon(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm' op epsilon must be finite and positive, got 0.000000e+00}}
  %0 = mpc.layer_norm %x, %g, %g eps = 0.0 : tensor<4x8xf32>, tensor<8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_negative_epsilon(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm' op epsilon must be finite and positive, got -1.000000e-05}}
  %0 = mpc.layer_norm %x, %g, %g eps = -1.0e-5 : tensor<4x8xf32>, tensor<8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_nan_epsilon(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm' op epsilon must be finite and positive, got nan}}
  %0 = mpc.layer_norm %x, %g, %g eps = 0x7FF8000000000000 : tensor<4x8xf32>, tensor<8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<8x16x64xf32>, %g: tensor<16xf32>) -> tensor<8x16x64xf32> {
  // expected-error @+1 {{'mpc.layer_norm' op scale shape [16] is not a non-empty trailing part of input shape [8, 16, 64]}}
  %0 = mpc.layer_norm %x, %g, %g eps = 1.0e-5 : tensor<8x16x64xf32>, tensor<16xf32>
  return %0 : tensor<8x16x64xf32>
}

// -----

func.func @layer_norm_scalar_scale(%x: tensor<4x8xf32>, %g: tensor<f32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm' op scale shape [] is not a non-empty trailing part of input shape [4, 8]}}
  %0 = mpc.layer_norm %x, %g, %g eps = 1.0e-5 : tensor<4x8xf32>, tensor<f32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_scale_too_long(%x: tensor<8xf32>, %g: tensor<2x8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'mpc.layer_norm' op scale shape [2, 8] is not a non-empty trailing part of input shape [8]}}
  %0 = mpc.layer_norm %x, %g, %g eps = 1.0e-5 : tensor<8xf32>, tensor<2x8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @layer_norm_element_types(%x: tensor<4x8xf32>, %g: tensor<8xf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm' op input element type 'f32' must be 'f16'}}
  %0 = mpc.layer_norm %x, %g, %g eps = 1.0e-5 : tensor<4x8xf32>, tensor<8xf16>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_beta_type(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm' op failed to verify that all of {gamma, beta} have same type}}
  %0 = "mpc.layer_norm"(%x, %g, %b) {epsilon = 1.0e-5 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_result_type(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<32xf32> {
  // expected-error @+1 {{'mpc.layer_norm' op failed to verify that all of {input, result} have same shape}}
  %0 = "mpc.layer_norm"(%x, %g, %g) {epsilon = 1.0e-5 : f64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<32xf32>
  return %0 : tensor<32xf32>
}

// -----

// The result has the params' element type, or a 16-bit one.
func.func @layer_norm_result_element_type(%x: tensor<4x8xbf16>, %g: tensor<8xbf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm' op result element type 'f32' must be the params' ('bf16'), or f16 or bf16}}
  %0 = mpc.layer_norm %x, %g, %g eps = 1.0e-5 : tensor<4x8xbf16>, tensor<8xbf16> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// reduce_sum, reduce_mean
//===----------------------------------------------------------------------===//

func.func @reduce_sum_axis(%x: tensor<8x3xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'mpc.reduce_sum' op axis 2 is out of range for rank 2}}
  %0 = mpc.reduce_sum %x [2] : tensor<8x3xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @reduce_sum_negative_axis(%x: tensor<8x3xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'mpc.reduce_sum' op axis -1 is out of range for rank 2}}
  %0 = mpc.reduce_sum %x [-1] : tensor<8x3xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @reduce_sum_unsorted(%x: tensor<8x3xf32>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.reduce_sum' op reduction axes [1, 0] must be sorted and distinct}}
  %0 = mpc.reduce_sum %x [1, 0] : tensor<8x3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @reduce_sum_repeated(%x: tensor<8x3xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'mpc.reduce_sum' op reduction axes [1, 1] must be sorted and distinct}}
  %0 = mpc.reduce_sum %x [1, 1] : tensor<8x3xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @reduce_sum_result(%x: tensor<8x3xf32>) -> tensor<8x1xf32> {
  // expected-error @+1 {{'mpc.reduce_sum' op result type 'tensor<8x1xf32>' does not match the expected 'tensor<8xf32>'}}
  %0 = mpc.reduce_sum %x [1] : tensor<8x3xf32> -> tensor<8x1xf32>
  return %0 : tensor<8x1xf32>
}

// -----

func.func @reduce_sum_keepdims_result(%x: tensor<8x3xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'mpc.reduce_sum' op result type 'tensor<8xf32>' does not match the expected 'tensor<8x1xf32>'}}
  %0 = mpc.reduce_sum %x [1] {keepdims} : tensor<8x3xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// A 16-bit input may give an f32 sum; not one of the other 16-bit type.
func.func @reduce_sum_element_type(%x: tensor<8x3xf16>) -> tensor<8xbf16> {
  // expected-error @+1 {{'mpc.reduce_sum' op input element type 'f16' must be 'bf16'}}
  %0 = mpc.reduce_sum %x [1] : tensor<8x3xf16> -> tensor<8xbf16>
  return %0 : tensor<8xbf16>
}

// -----

func.func @reduce_mean_axis(%x: tensor<8x3xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'mpc.reduce_mean' op axis 7 is out of range for rank 2}}
  %0 = mpc.reduce_mean %x [7] : tensor<8x3xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @reduce_mean_unsorted(%x: tensor<8x3x2xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'mpc.reduce_mean' op reduction axes [2, 0] must be sorted and distinct}}
  %0 = mpc.reduce_mean %x [2, 0] : tensor<8x3x2xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @reduce_mean_result(%x: tensor<8x3x2xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'mpc.reduce_mean' op result type 'tensor<3xf32>' does not match the expected 'tensor<1x3x1xf32>'}}
  %0 = mpc.reduce_mean %x [0, 2] {keepdims} : tensor<8x3x2xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @reduce_mean_element_type(%x: tensor<8x3xf32>) -> tensor<8xf16> {
  // expected-error @+1 {{'mpc.reduce_mean' op input element type 'f32' must be 'f16'}}
  %0 = mpc.reduce_mean %x [1] : tensor<8x3xf32> -> tensor<8xf16>
  return %0 : tensor<8xf16>
}

// -----

//===----------------------------------------------------------------------===//
// reshape, transpose, embedding
//===----------------------------------------------------------------------===//

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.reshape' op reshape from [2, 3] (6 elements) to [4] (4 elements)}}
  %0 = mpc.reshape %x : tensor<2x3xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) -> tensor<6xf16> {
  // expected-error @+1 {{'mpc.reshape' op failed to verify that all of {input, result} have same element type}}
  %0 = mpc.reshape %x : tensor<2x3xf32> -> tensor<6xf16>
  return %0 : tensor<6xf16>
}

// -----

func.func @reshape_dynamic(%x: tensor<?x4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'mpc.reshape' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values with positive dims, but got 'tensor<?x4xf32>'}}
  %0 = mpc.reshape %x : tensor<?x4xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @transpose_length(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'mpc.transpose' op permutation [1] is not a permutation of the dims of [2, 3]}}
  %0 = mpc.transpose %x [1] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_repeated(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'mpc.transpose' op permutation [0, 0] is not a permutation of the dims of [2, 3]}}
  %0 = mpc.transpose %x [0, 0] : tensor<2x3xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @transpose_out_of_range(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'mpc.transpose' op permutation [2, 0] is not a permutation of the dims of [2, 3]}}
  %0 = mpc.transpose %x [2, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_negative(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'mpc.transpose' op permutation [-1, 0] is not a permutation of the dims of [2, 3]}}
  %0 = mpc.transpose %x [-1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_result(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{'mpc.transpose' op result type 'tensor<2x3x4xf32>' does not match the expected 'tensor<2x4x3xf32>'}}
  %0 = mpc.transpose %x [0, 2, 1] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @transpose_element_type(%x: tensor<2x3xf32>) -> tensor<3x2xbf16> {
  // expected-error @+1 {{'mpc.transpose' op failed to verify that all of {input, result} have same element type}}
  %0 = mpc.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<3x2xbf16>
  return %0 : tensor<3x2xbf16>
}

// -----

func.func @slice_lengths(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'mpc.slice' op axes, starts, ends and steps must have one entry per sliced axis, got 1, 2, 1 and 1}}
  %0 = mpc.slice %x axes = [1] starts = [2, 3] ends = [8] steps = [1] : tensor<4x10xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @slice_axis_range(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'mpc.slice' op axis 2 is out of range for [4, 10]}}
  %0 = mpc.slice %x axes = [2] starts = [0] ends = [1] steps = [1] : tensor<4x10xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @slice_axis_negative(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'mpc.slice' op axis -1 is out of range for [4, 10]}}
  %0 = mpc.slice %x axes = [-1] starts = [0] ends = [1] steps = [1] : tensor<4x10xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @slice_axis_twice(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'mpc.slice' op axis 1 is sliced twice}}
  %0 = mpc.slice %x axes = [1, 1] starts = [0, 0] ends = [1, 1] steps = [1, 1] : tensor<4x10xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @slice_step_zero(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'mpc.slice' op step 0 of axis 1 must be nonzero and greater than INT64_MIN}}
  %0 = mpc.slice %x axes = [1] starts = [0] ends = [5] steps = [0] : tensor<4x10xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @slice_empty(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'mpc.slice' op slice [12, 20) step 1 of axis 1 of [4, 10] is empty; mpc has no empty tensors}}
  %0 = mpc.slice %x axes = [1] starts = [12] ends = [20] steps = [1] : tensor<4x10xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @slice_empty_backwards(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'mpc.slice' op slice [2, 5) step -1 of axis 1 of [4, 10] is empty; mpc has no empty tensors}}
  %0 = mpc.slice %x axes = [1] starts = [2] ends = [5] steps = [-1] : tensor<4x10xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @slice_result(%x: tensor<4x10xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'mpc.slice' op result type 'tensor<4x4xf32>' does not match the expected 'tensor<4x3xf32>'}}
  %0 = mpc.slice %x axes = [1] starts = [-1] ends = [0] steps = [-3] : tensor<4x10xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @slice_element_type(%x: tensor<4x10xf32>) -> tensor<4x10xf16> {
  // expected-error @+1 {{'mpc.slice' op failed to verify that all of {input, result} have same element type}}
  %0 = mpc.slice %x axes = [1] starts = [0] ends = [10] steps = [1] : tensor<4x10xf32> -> tensor<4x10xf16>
  return %0 : tensor<4x10xf16>
}

// -----

func.func @slice_grad_type(%dy: tensor<4x4xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'mpc.slice_grad' op result_grad type 'tensor<4x4xf32>' does not match the slice of 'tensor<4x10xf32>', 'tensor<4x3xf32>'}}
  %0 = mpc.slice_grad %dy axes = [1] starts = [2] ends = [8] steps = [2] : tensor<4x4xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @slice_grad_rule(%dy: tensor<4x3xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'mpc.slice_grad' op step 0 of axis 1 must be nonzero and greater than INT64_MIN}}
  %0 = mpc.slice_grad %dy axes = [1] starts = [2] ends = [8] steps = [0] : tensor<4x3xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @concat_no_inputs() -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.concat' op expected 1 or more operands, but found 0}}
  %0 = mpc.concat axis = 0 : () -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'mpc.concat' op axis 2 is out of range for [2, 3]}}
  %0 = mpc.concat %a, %b axis = 2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'mpc.concat' op input 1 of shape [2, 3, 1] does not fit input 0 of shape [2, 3] outside axis 1}}
  %0 = mpc.concat %a, %b axis = 1 : (tensor<2x3xf32>, tensor<2x3x1xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_other_dims(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>, %c: tensor<3x3xf32>) -> tensor<2x10xf32> {
  // expected-error @+1 {{'mpc.concat' op input 2 of shape [3, 3] does not fit input 0 of shape [2, 3] outside axis 1}}
  %0 = mpc.concat %a, %b, %c axis = 1 : (tensor<2x3xf32>, tensor<2x4xf32>, tensor<3x3xf32>) -> tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// -----

func.func @concat_result(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'mpc.concat' op result type 'tensor<2x8xf32>' does not match the expected 'tensor<2x7xf32>'}}
  %0 = mpc.concat %a, %b axis = 1 : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @concat_element_type(%a: tensor<2x3xf32>, %b: tensor<2x4xf16>) -> tensor<2x7xf32> {
  // expected-error @+1 {{'mpc.concat' op requires the same element type for all operands and results}}
  %0 = mpc.concat %a, %b axis = 1 : (tensor<2x3xf32>, tensor<2x4xf16>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}

// -----

func.func @embedding_table_rank(%ids: tensor<8xi32>, %table: tensor<128xf32>) -> tensor<8x128xf32> {
  // expected-error @+1 {{'mpc.embedding' op table must have rank 2, got [128]}}
  %0 = mpc.embedding %ids, %table : (tensor<8xi32>, tensor<128xf32>) -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}

// -----

func.func @embedding_table_rank_3(%ids: tensor<8xi32>, %table: tensor<2x128x4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'mpc.embedding' op table must have rank 2, got [2, 128, 4]}}
  %0 = mpc.embedding %ids, %table : (tensor<8xi32>, tensor<2x128x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @embedding_result(%ids: tensor<8x16xi64>, %table: tensor<128x64xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'mpc.embedding' op result type 'tensor<8x64xf32>' does not match the expected 'tensor<8x16x64xf32>'}}
  %0 = mpc.embedding %ids, %table : (tensor<8x16xi64>, tensor<128x64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @embedding_element_type(%ids: tensor<8xi32>, %table: tensor<128x64xbf16>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'mpc.embedding' op failed to verify that all of {table, result} have same element type}}
  %0 = mpc.embedding %ids, %table : (tensor<8xi32>, tensor<128x64xbf16>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @embedding_float_ids(%ids: tensor<8xf32>, %table: tensor<128x64xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'mpc.embedding' op operand #0 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values with positive dims, but got 'tensor<8xf32>'}}
  %0 = mpc.embedding %ids, %table : (tensor<8xf32>, tensor<128x64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @embedding_integer_table(%ids: tensor<8xi32>, %table: tensor<128x64xi32>) -> tensor<8x64xi32> {
  // expected-error @+1 {{'mpc.embedding' op operand #1 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<128x64xi32>'}}
  %0 = mpc.embedding %ids, %table : (tensor<8xi32>, tensor<128x64xi32>) -> tensor<8x64xi32>
  return %0 : tensor<8x64xi32>
}

// -----

//===----------------------------------------------------------------------===//
// causal_attention, causal_attention_grad
//===----------------------------------------------------------------------===//

func.func @causal_attention_rank_1(%x: tensor<16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'mpc.causal_attention' op query needs rank >= 2 ([..., T, d]), got [16]}}
  %o, %lse = "mpc.causal_attention"(%x, %x, %x) {scale = 1.0 : f64} : (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<16xf32>, tensor<f32>)
  return %o : tensor<16xf32>
}

// -----

func.func @causal_attention_scale_zero(%x: tensor<16x8xf32>) -> tensor<16x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention' op scale must be finite and nonzero, got 0}}
  %o, %lse = mpc.causal_attention %x, %x, %x scale = 0.0 : tensor<16x8xf32>, tensor<16xf32>
  return %o : tensor<16x8xf32>
}

// -----

func.func @causal_attention_stats_shape(%x: tensor<16x8xf32>) -> tensor<16x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention' op log_sum_exp shape [8] must be query shape [16, 8] without its last dim}}
  %o, %lse = mpc.causal_attention %x, %x, %x scale = 1.0 : tensor<16x8xf32>, tensor<8xf32>
  return %o : tensor<16x8xf32>
}

// -----

func.func @causal_attention_stats_bf16(%x: tensor<16x8xbf16>) -> tensor<16x8xbf16> {
  // expected-error @+1 {{'mpc.causal_attention' op result #1 must be statically shaped tensor of 32-bit float values with positive dims, but got 'tensor<16xbf16>'}}
  %o, %lse = mpc.causal_attention %x, %x, %x scale = 1.0 : tensor<16x8xbf16>, tensor<16xbf16>
  return %o : tensor<16x8xbf16>
}

// -----

func.func @causal_attention_key_type(%q: tensor<16x8xf32>, %k: tensor<8x8xf32>) -> tensor<16x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention' op failed to verify that all of {query, key, value, result} have same type}}
  %o, %lse = "mpc.causal_attention"(%q, %k, %q) {scale = 1.0 : f64} : (tensor<16x8xf32>, tensor<8x8xf32>, tensor<16x8xf32>) -> (tensor<16x8xf32>, tensor<16xf32>)
  return %o : tensor<16x8xf32>
}

// -----

func.func @causal_attention_grad_stats_shape(%x: tensor<16x8xf32>, %lse: tensor<8xf32>) -> tensor<16x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention_grad' op log_sum_exp shape [8] must be query shape [16, 8] without its last dim}}
  %dq, %dk, %dv = mpc.causal_attention_grad %x, %x, %x, %x, %lse scale = 1.0 : tensor<16x8xf32>, tensor<8xf32>
  return %dq : tensor<16x8xf32>
}

// -----

func.func @causal_attention_grad_value_type(%x: tensor<16x8xf32>, %v: tensor<16x8xbf16>, %lse: tensor<16xf32>) -> tensor<16x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention_grad' op failed to verify that all of {result_grad, query, key, value, query_grad, key_grad, value_grad} have same type}}
  %dq, %dk, %dv = "mpc.causal_attention_grad"(%x, %x, %x, %v, %lse) {scale = 1.0 : f64} : (tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xbf16>, tensor<16xf32>) -> (tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>)
  return %dq : tensor<16x8xf32>
}

// -----

func.func @causal_attention_sequence_major_rank_2(%x: tensor<16x8xf32>) -> tensor<16x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention' op sequence-major query needs rank >= 3 ([..., T, H, d]), got [16, 8]}}
  %o, %lse = mpc.causal_attention %x, %x, %x sequence_major scale = 1.0 : tensor<16x8xf32>, tensor<16xf32>
  return %o : tensor<16x8xf32>
}

// -----

// A head-major [..., T] log-sum-exp is wrong for a sequence-major query:
// it stays [..., H, T].
func.func @causal_attention_sequence_major_stats_shape(%x: tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention' op log_sum_exp shape [2, 16, 4] must be [2, 4, 16] ([..., H, T]) for the sequence-major query shape [2, 16, 4, 8]}}
  %o, %lse = mpc.causal_attention %x, %x, %x sequence_major scale = 1.0 : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>
  return %o : tensor<2x16x4x8xf32>
}

// -----

func.func @causal_attention_qkv_no_parts(%x: tensor<16x2x4x8xf32>) -> tensor<16x4x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention_qkv' op qkv shape [16, 2, 4, 8] must be [..., T, 3, H, d]}}
  %o, %lse = mpc.causal_attention_qkv %x scale = 1.0 : tensor<16x2x4x8xf32> -> tensor<16x4x8xf32>, tensor<4x16xf32>
  return %o : tensor<16x4x8xf32>
}

// -----

func.func @causal_attention_qkv_rank_3(%x: tensor<3x4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention_qkv' op qkv shape [3, 4, 8] must be [..., T, 3, H, d]}}
  %o, %lse = mpc.causal_attention_qkv %x scale = 1.0 : tensor<3x4x8xf32> -> tensor<4x8xf32>, tensor<4xf32>
  return %o : tensor<4x8xf32>
}

// -----

func.func @causal_attention_qkv_result_type(%x: tensor<16x3x4x8xbf16>) -> tensor<16x4x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention_qkv' op result type 'tensor<16x4x8xf32>' must be 'tensor<16x4x8xbf16>', the qkv type without its 3}}
  %o, %lse = mpc.causal_attention_qkv %x scale = 1.0 : tensor<16x3x4x8xbf16> -> tensor<16x4x8xf32>, tensor<4x16xf32>
  return %o : tensor<16x4x8xf32>
}

// -----

func.func @causal_attention_qkv_stats_shape(%x: tensor<16x3x4x8xf32>) -> tensor<16x4x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention_qkv' op log_sum_exp shape [16, 4] must be [4, 16] ([..., H, T]) for the sequence-major query shape [16, 4, 8]}}
  %o, %lse = mpc.causal_attention_qkv %x scale = 1.0 : tensor<16x3x4x8xf32> -> tensor<16x4x8xf32>, tensor<16x4xf32>
  return %o : tensor<16x4x8xf32>
}

// -----

func.func @causal_attention_qkv_grad_result_grad(%do: tensor<16x8x4xf32>, %x: tensor<16x3x4x8xf32>, %lse: tensor<4x16xf32>) -> tensor<16x3x4x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention_qkv_grad' op result type 'tensor<16x8x4xf32>' must be 'tensor<16x4x8xf32>', the qkv type without its 3}}
  %d = mpc.causal_attention_qkv_grad %do, %x, %lse scale = 1.0 : tensor<16x8x4xf32>, tensor<16x3x4x8xf32>, tensor<4x16xf32>
  return %d : tensor<16x3x4x8xf32>
}

// -----

func.func @causal_attention_qkv_grad_scale(%do: tensor<16x4x8xf32>, %x: tensor<16x3x4x8xf32>, %lse: tensor<4x16xf32>) -> tensor<16x3x4x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention_qkv_grad' op scale must be finite and nonzero, got INF}}
  %d = mpc.causal_attention_qkv_grad %do, %x, %lse scale = 0x7FF0000000000000 : tensor<16x4x8xf32>, tensor<16x3x4x8xf32>, tensor<4x16xf32>
  return %d : tensor<16x3x4x8xf32>
}

// -----

func.func @causal_attention_grad_sequence_major_rank_2(%x: tensor<16x8xf32>, %lse: tensor<16xf32>) -> tensor<16x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention_grad' op sequence-major query needs rank >= 3 ([..., T, H, d]), got [16, 8]}}
  %dq, %dk, %dv = mpc.causal_attention_grad %x, %x, %x, %x, %lse sequence_major scale = 1.0 : tensor<16x8xf32>, tensor<16xf32>
  return %dq : tensor<16x8xf32>
}

// -----

func.func @causal_attention_grad_sequence_major_stats_shape(%x: tensor<16x4x8xf32>, %lse: tensor<16x4xf32>) -> tensor<16x4x8xf32> {
  // expected-error @+1 {{'mpc.causal_attention_grad' op log_sum_exp shape [16, 4] must be [4, 16] ([..., H, T]) for the sequence-major query shape [16, 4, 8]}}
  %dq, %dk, %dv = mpc.causal_attention_grad %x, %x, %x, %x, %lse sequence_major scale = 1.0 : tensor<16x4x8xf32>, tensor<16x4xf32>
  return %dq : tensor<16x4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// causal_mask, masked_fill, where, dropout
//===----------------------------------------------------------------------===//

func.func @causal_mask_rank_1(%x: tensor<16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'mpc.causal_mask' op input needs rank >= 2, got [16]}}
  %0 = mpc.causal_mask %x value = 0xFFF0000000000000 : tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

func.func @causal_mask_type_change(%x: tensor<4x4xf32>) -> tensor<4x4xf16> {
  // expected-error @+1 {{'mpc.causal_mask' op requires the same type for all operands and results}}
  %0 = "mpc.causal_mask"(%x) {value = 0.0 : f64} : (tensor<4x4xf32>) -> tensor<4x4xf16>
  return %0 : tensor<4x4xf16>
}

// -----

func.func @causal_mask_integer(%x: tensor<4x4xi32>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'mpc.causal_mask' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<4x4xi32>'}}
  %0 = mpc.causal_mask %x value = 0.0 : tensor<4x4xi32>
  return %0 : tensor<4x4xi32>
}

// -----

func.func @masked_fill_broadcast(%x: tensor<8x16x16xf32>, %m: tensor<8x3x16xi1>) -> tensor<8x16x16xf32> {
  // expected-error @+1 {{'mpc.masked_fill' op cannot broadcast shapes [8, 16, 16] and [8, 3, 16]}}
  %0 = mpc.masked_fill %x, %m value = 0.0 : (tensor<8x16x16xf32>, tensor<8x3x16xi1>) -> tensor<8x16x16xf32>
  return %0 : tensor<8x16x16xf32>
}

// -----

func.func @masked_fill_grows_rank(%x: tensor<16x16xf32>, %m: tensor<2x16x16xi1>) -> tensor<16x16xf32> {
  // expected-error @+1 {{'mpc.masked_fill' op mask shape [2, 16, 16] does not broadcast to input shape [16, 16]}}
  %0 = mpc.masked_fill %x, %m value = 0.0 : (tensor<16x16xf32>, tensor<2x16x16xi1>) -> tensor<16x16xf32>
  return %0 : tensor<16x16xf32>
}

// -----

func.func @masked_fill_grows_dim(%x: tensor<8x1x16xf32>, %m: tensor<8x4x16xi1>) -> tensor<8x1x16xf32> {
  // expected-error @+1 {{'mpc.masked_fill' op mask shape [8, 4, 16] does not broadcast to input shape [8, 1, 16]}}
  %0 = mpc.masked_fill %x, %m value = 0.0 : (tensor<8x1x16xf32>, tensor<8x4x16xi1>) -> tensor<8x1x16xf32>
  return %0 : tensor<8x1x16xf32>
}

// -----

func.func @masked_fill_result(%x: tensor<8x3xf32>, %m: tensor<8x3xi1>) -> tensor<8x3xf16> {
  // expected-error @+1 {{'mpc.masked_fill' op failed to verify that all of {input, result} have same type}}
  %0 = mpc.masked_fill %x, %m value = 1.0 : (tensor<8x3xf32>, tensor<8x3xi1>) -> tensor<8x3xf16>
  return %0 : tensor<8x3xf16>
}

// -----

func.func @masked_fill_mask_type(%x: tensor<8x3xf32>, %m: tensor<8x3xi32>) -> tensor<8x3xf32> {
  // expected-error @+1 {{'mpc.masked_fill' op operand #1 must be statically shaped tensor of 1-bit signless integer values with positive dims, but got 'tensor<8x3xi32>'}}
  %0 = mpc.masked_fill %x, %m value = 1.0 : (tensor<8x3xf32>, tensor<8x3xi32>) -> tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

func.func @pow_exponent_infinite(%x: tensor<8x3xf32>) -> tensor<8x3xf32> {
  // expected-error @+1 {{'mpc.pow' op exponent must be finite and within the range of f32, got INF}}
  %0 = mpc.pow %x exponent = 0x7FF0000000000000 : tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

func.func @where_branch_types(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.where' op branches have different element types 'f32' and 'f16'}}
  %0 = mpc.where %c, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @pow_exponent_beyond_f32(%x: tensor<8x3xf32>) -> tensor<8x3xf32> {
  // expected-error @+1 {{'mpc.pow' op exponent must be finite and within the range of f32, got 1.000000e+39}}
  %0 = mpc.pow %x exponent = 1.0e39 : tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

func.func @where_branches_broadcast(%c: tensor<4xi1>, %x: tensor<3xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.where' op cannot broadcast shapes [3] and [4]}}
  %0 = mpc.where %c, %x, %y : (tensor<4xi1>, tensor<3xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @pow_result_type(%x: tensor<8x3xf32>) -> tensor<8x3xf16> {
  // expected-error @+1 {{'mpc.pow' op requires the same type for all operands and results}}
  %0 = "mpc.pow"(%x) {exponent = 2.5 : f64} : (tensor<8x3xf32>) -> tensor<8x3xf16>
  return %0 : tensor<8x3xf16>
}

// -----

func.func @where_condition_broadcast(%c: tensor<2x3xi1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'mpc.where' op cannot broadcast shapes [2, 3] and [4]}}
  %0 = mpc.where %c, %x, %y : (tensor<2x3xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @where_result(%c: tensor<2x1xi1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.where' op result type 'tensor<4xf32>' does not match the expected 'tensor<2x4xf32>'}}
  %0 = mpc.where %c, %x, %y : (tensor<2x1xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @where_condition_type(%c: tensor<4xf32>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.where' op operand #0 must be statically shaped tensor of 1-bit signless integer values with positive dims, but got 'tensor<4xf32>'}}
  %0 = mpc.where %c, %x, %y : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dropout_rate_one(%x: tensor<8x3xf32>) -> tensor<8x3xf32> {
  // expected-error @+1 {{'mpc.dropout' op rate must be in [0, 1), got 1.000000e+00}}
  %0 = mpc.dropout %x rate = 1.0 seed = 0 : tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

func.func @dropout_rate_negative(%x: tensor<8x3xf32>) -> tensor<8x3xf32> {
  // expected-error @+1 {{'mpc.dropout' op rate must be in [0, 1), got -1.000000e-01}}
  %0 = mpc.dropout %x rate = -0.1 seed = 0 : tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

func.func @dropout_rate_nan(%x: tensor<8x3xf32>) -> tensor<8x3xf32> {
  // expected-error @+1 {{'mpc.dropout' op rate must be in [0, 1), got nan}}
  %0 = mpc.dropout %x rate = 0x7FF8000000000000 seed = 0 : tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

func.func @dropout_seed(%x: tensor<8x3xf32>) -> tensor<8x3xf32> {
  // expected-error @+1 {{'mpc.dropout' op seed must be non-negative, got -1}}
  %0 = mpc.dropout %x rate = 0.5 seed = -1 : tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

func.func @dropout_type_change(%x: tensor<8x3xf32>) -> tensor<8x3xbf16> {
  // expected-error @+1 {{'mpc.dropout' op requires the same type for all operands and results}}
  %0 = "mpc.dropout"(%x) {rate = 0.5 : f64, seed = 0 : i64} : (tensor<8x3xf32>) -> tensor<8x3xbf16>
  return %0 : tensor<8x3xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

func.func @cross_entropy_labels(%logits: tensor<8x10xf32>, %y: tensor<4xi32>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy' op labels shape [4] must be logits shape [8, 10] without its last dim}}
  %0 = mpc.softmax_cross_entropy %logits, %y : (tensor<8x10xf32>, tensor<4xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_labels_3d(%logits: tensor<4x16x128xf32>, %y: tensor<4x128xi64>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy' op labels shape [4, 128] must be logits shape [4, 16, 128] without its last dim}}
  %0 = mpc.softmax_cross_entropy %logits, %y : (tensor<4x16x128xf32>, tensor<4x128xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_scalar_logits(%logits: tensor<f32>, %y: tensor<i32>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy' op labels shape [] must be logits shape [] without its last dim}}
  %0 = mpc.softmax_cross_entropy %logits, %y : (tensor<f32>, tensor<i32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// The loss has the logits' element type, or f32 with 16-bit logits.
func.func @cross_entropy_result_element_type(%logits: tensor<8x10xbf16>, %y: tensor<8xi32>) -> tensor<f16> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy' op result type 'tensor<f16>' does not match the expected 'tensor<bf16>'}}
  %0 = mpc.softmax_cross_entropy %logits, %y : (tensor<8x10xbf16>, tensor<8xi32>) -> tensor<f16>
  return %0 : tensor<f16>
}

// -----

func.func @cross_entropy_non_scalar(%logits: tensor<8x10xf32>, %y: tensor<8xi32>) -> tensor<8xf32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy' op result #0 must be 0D tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<8xf32>'}}
  %0 = mpc.softmax_cross_entropy %logits, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @cross_entropy_ignore_index_too_large(%logits: tensor<8x10xf32>, %y: tensor<8xi64>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy' op ignore_index 2147483648 does not fit in 32 bits (labels are i32 on the device)}}
  %0 = mpc.softmax_cross_entropy %logits, %y ignore_index = 2147483648 : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_ignore_index_too_small(%logits: tensor<8x10xf32>, %y: tensor<8xi64>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy' op ignore_index -2147483649 does not fit in 32 bits (labels are i32 on the device)}}
  %0 = mpc.softmax_cross_entropy %logits, %y ignore_index = -2147483649 : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_unknown_reduction(%logits: tensor<8x10xf32>, %y: tensor<8xi32>) -> tensor<f32> {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'reduction' [mean, sum]}}
  %0 = mpc.softmax_cross_entropy %logits, %y reduction = none : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_float_labels(%logits: tensor<8x10xf32>, %y: tensor<8xf32>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values with positive dims, but got 'tensor<8xf32>'}}
  %0 = mpc.softmax_cross_entropy %logits, %y : (tensor<8x10xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @mse_loss_types(%p: tensor<4x8xf32>, %t: tensor<4x8xf16>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.mse_loss' op failed to verify that all of {prediction, target} have same type}}
  %0 = mpc.mse_loss %p, %t : (tensor<4x8xf32>, tensor<4x8xf16>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @mse_loss_shapes(%p: tensor<8x1xf32>, %t: tensor<8xf32>) -> tensor<f32> {
  // expected-error @+1 {{'mpc.mse_loss' op failed to verify that all of {prediction, target} have same type}}
  %0 = mpc.mse_loss %p, %t : (tensor<8x1xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @mse_loss_non_scalar(%p: tensor<4x8xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'mpc.mse_loss' op result #0 must be 0D tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1xf32>'}}
  %0 = mpc.mse_loss %p, %p : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @mse_loss_result_element_type(%p: tensor<4x8xf32>) -> tensor<bf16> {
  // expected-error @+1 {{'mpc.mse_loss' op result type 'tensor<bf16>' does not match the expected 'tensor<f32>'}}
  %0 = mpc.mse_loss %p, %p : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<bf16>
  return %0 : tensor<bf16>
}

// -----

// Zero-sized dims would make means and norms divide by zero.
func.func @zero_dim(%x: tensor<0x4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.reduce_mean' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<0x4xf32>'}}
  %0 = mpc.reduce_mean %x [0] : tensor<0x4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An element count that overflows int64 is no shape.
func.func @overflowing_shape(%x: tensor<4611686018427387904x4xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'mpc.reshape' op operand #0 must be statically shaped tensor of}}
  %0 = mpc.reshape %x : tensor<4611686018427387904x4xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @infinite_epsilon(%x: tensor<2x4xf32>, %g: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'mpc.layer_norm' op epsilon must be finite and positive, got INF}}
  %0 = mpc.layer_norm %x, %g, %g eps = 0x7FF0000000000000 : tensor<2x4xf32>, tensor<4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @nan_causal_fill(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'mpc.causal_mask' op fill value must not be NaN}}
  %0 = mpc.causal_mask %x value = 0x7FF8000000000000 : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @nan_masked_fill(%x: tensor<4xf32>, %m: tensor<4xi1>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.masked_fill' op fill value must not be NaN}}
  %0 = mpc.masked_fill %x, %m value = 0x7FF8000000000000 : (tensor<4xf32>, tensor<4xi1>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @precision_not_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.precision' must be f32, f16 or bf16, got i64}}
  %0 = mpc.relu %x {mpc.precision = i64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unknown_mpc_attribute(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unknown attribute 'mpc.bogus'}}
  %0 = mpc.relu %x {mpc.bogus} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A param's mpc.name (the model's name for a renamed param) is a string.
// expected-error @+1 {{'mpc.name' must be a string on an mpc.param}}
mpc.param @onnx.step : tensor<2xf32> = #mpc.init<zeros> {mpc.name = 3 : i32}

// -----

func.func @name_on_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.name' must be a string on an mpc.param}}
  %0 = mpc.relu %x {mpc.name = "y"} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{'mpc.training' must be a dictionary on a module}}
func.func @training_on_function() attributes {mpc.training = {steps = 1 : i64}} {
  return
}

// -----

// expected-error @+1 {{'mpc.training' must be a dictionary on a module}}
module attributes {mpc.training = 3 : i32} {
}

// -----

// expected-error @+1 {{'mpc.name' of argument 0 must be a string}}
func.func @name_not_string(%x: tensor<4xf32> {mpc.name = 7}) {
  return
}

// -----

// expected-error @+1 {{'mpc.loss' marks a scalar float result, not result 0}}
func.func @loss_not_scalar(%x: tensor<4xf32>) -> (tensor<4xf32> {mpc.loss}) {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{unknown result attribute 'mpc.lost'}}
func.func @unknown_result_attribute(%x: tensor<f32>) -> (tensor<f32> {mpc.lost}) {
  return %x : tensor<f32>
}
