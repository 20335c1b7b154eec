// RUN: mpc-opt %s --mpc-fuse-attention -split-input-file | FileCheck %s

// GPT's chain: q kᵀ, times 1/sqrt(d), causal mask, softmax, times v. The
// scale is the f32 constant's value; the chain and the constant are gone.
// CHECK-LABEL: func.func @scaled
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x16x8xf32>, %[[K:.*]]: tensor<2x4x16x8xf32>, %[[V:.*]]: tensor<2x4x16x8xf32>)
// CHECK-NEXT: %[[O:.*]], %{{.*}} = mpc.causal_attention %[[Q]], %[[K]], %[[V]] scale = 0.35355338454246521 : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
// CHECK-NEXT: return %[[O]]
func.func @scaled(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32> {
  %c = mpc.constant dense<0.35355339059327379> : tensor<f32>
  %s = mpc.matmul %q, %k {transpose_b} : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x16xf32>
  %t = mpc.mul %s, %c : (tensor<2x4x16x16xf32>, tensor<f32>) -> tensor<2x4x16x16xf32>
  %m = mpc.causal_mask %t value = 0xFFF0000000000000 : tensor<2x4x16x16xf32>
  %p = mpc.softmax %m axis = 3 : tensor<2x4x16x16xf32>
  %o = mpc.matmul %p, %v : (tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

// No scaling: scale 1. A transposed key (the last two dims swapped) is the
// key itself.
// CHECK-LABEL: func.func @unscaled_transposed_key
// CHECK-SAME: (%[[Q:.*]]: tensor<16x8xf32>, %[[K:.*]]: tensor<16x8xf32>, %[[V:.*]]: tensor<16x8xf32>)
// CHECK-NEXT: mpc.causal_attention %[[Q]], %[[K]], %[[V]] scale = 1.000000e+00 : tensor<16x8xf32>, tensor<16xf32>
// CHECK-NOT: mpc.transpose
func.func @unscaled_transposed_key(%q: tensor<16x8xf32>, %k: tensor<16x8xf32>, %v: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %kt = mpc.transpose %k [1, 0] : tensor<16x8xf32> -> tensor<8x16xf32>
  %s = mpc.matmul %q, %kt : (tensor<16x8xf32>, tensor<8x16xf32>) -> tensor<16x16xf32>
  %m = mpc.causal_mask %s value = 0xFFF0000000000000 : tensor<16x16xf32>
  %p = mpc.softmax %m axis = 1 : tensor<16x16xf32>
  %o = mpc.matmul %p, %v : (tensor<16x16xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// -----

// Division by a constant after the mask, the constant first: scale 1/4. A
// constant still read elsewhere stays.
// CHECK-LABEL: func.func @divided_after_mask
// CHECK: %[[C:.*]] = mpc.constant
// CHECK-NEXT: %[[O:.*]], %{{.*}} = mpc.causal_attention {{.*}} scale = 2.500000e-01
// CHECK-NEXT: return %[[O]], %[[C]]
func.func @divided_after_mask(%q: tensor<16x8xf32>, %k: tensor<16x8xf32>, %v: tensor<16x8xf32>) -> (tensor<16x8xf32>, tensor<f32>) {
  %c = mpc.constant dense<4.0> : tensor<f32>
  %s = mpc.matmul %q, %k {transpose_b} : (tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x16xf32>
  %m = mpc.causal_mask %s value = 0xFFF0000000000000 : tensor<16x16xf32>
  %t = mpc.div %m, %c : (tensor<16x16xf32>, tensor<f32>) -> tensor<16x16xf32>
  %p = mpc.softmax %t axis = 1 : tensor<16x16xf32>
  %o = mpc.matmul %p, %v : (tensor<16x16xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o, %c : tensor<16x8xf32>, tensor<f32>
}

// -----

// A constant first in the mul: the same scale.
// CHECK-LABEL: func.func @constant_first
// CHECK: mpc.causal_attention {{.*}} scale = 5.000000e-01
func.func @constant_first(%q: tensor<16x8xf32>, %k: tensor<16x8xf32>, %v: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %c = mpc.constant dense<0.5> : tensor<f32>
  %s = mpc.matmul %q, %k {transpose_b} : (tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x16xf32>
  %t = mpc.mul %c, %s : (tensor<f32>, tensor<16x16xf32>) -> tensor<16x16xf32>
  %m = mpc.causal_mask %t value = 0xFFF0000000000000 : tensor<16x16xf32>
  %p = mpc.softmax %m axis = 1 : tensor<16x16xf32>
  %o = mpc.matmul %p, %v : (tensor<16x16xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// -----

// Not attention, or not this attention; each stays as it is:
// a finite fill (exp(fill - max) need not be 0), a negative factor after
// the mask (it turns -inf into +inf), probabilities read twice, a softmax
// over another axis.
// CHECK-LABEL: func.func @finite_fill
// CHECK-NOT: mpc.causal_attention
// CHECK: mpc.causal_mask
func.func @finite_fill(%q: tensor<16x8xf32>, %k: tensor<16x8xf32>, %v: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %s = mpc.matmul %q, %k {transpose_b} : (tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x16xf32>
  %m = mpc.causal_mask %s value = -1.0e4 : tensor<16x16xf32>
  %p = mpc.softmax %m axis = 1 : tensor<16x16xf32>
  %o = mpc.matmul %p, %v : (tensor<16x16xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// -----

// CHECK-LABEL: func.func @negative_after_mask
// CHECK-NOT: mpc.causal_attention
// CHECK: mpc.causal_mask
func.func @negative_after_mask(%q: tensor<16x8xf32>, %k: tensor<16x8xf32>, %v: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %c = mpc.constant dense<-0.5> : tensor<f32>
  %s = mpc.matmul %q, %k {transpose_b} : (tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x16xf32>
  %m = mpc.causal_mask %s value = 0xFFF0000000000000 : tensor<16x16xf32>
  %t = mpc.mul %m, %c : (tensor<16x16xf32>, tensor<f32>) -> tensor<16x16xf32>
  %p = mpc.softmax %t axis = 1 : tensor<16x16xf32>
  %o = mpc.matmul %p, %v : (tensor<16x16xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// -----

// CHECK-LABEL: func.func @probabilities_returned
// CHECK-NOT: mpc.causal_attention
// CHECK: mpc.softmax
func.func @probabilities_returned(%q: tensor<16x8xf32>, %k: tensor<16x8xf32>, %v: tensor<16x8xf32>) -> (tensor<16x8xf32>, tensor<16x16xf32>) {
  %s = mpc.matmul %q, %k {transpose_b} : (tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x16xf32>
  %m = mpc.causal_mask %s value = 0xFFF0000000000000 : tensor<16x16xf32>
  %p = mpc.softmax %m axis = 1 : tensor<16x16xf32>
  %o = mpc.matmul %p, %v : (tensor<16x16xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o, %p : tensor<16x8xf32>, tensor<16x16xf32>
}

// -----

// CHECK-LABEL: func.func @softmax_over_queries
// CHECK-NOT: mpc.causal_attention
// CHECK: mpc.softmax
func.func @softmax_over_queries(%q: tensor<16x8xf32>, %k: tensor<16x8xf32>, %v: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %s = mpc.matmul %q, %k {transpose_b} : (tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x16xf32>
  %m = mpc.causal_mask %s value = 0xFFF0000000000000 : tensor<16x16xf32>
  %p = mpc.softmax %m axis = 0 : tensor<16x16xf32>
  %o = mpc.matmul %p, %v : (tensor<16x16xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// -----

// A node's precision override on any op of the chain keeps it unfused.
// CHECK-LABEL: func.func @precision_override
// CHECK-NOT: mpc.causal_attention
func.func @precision_override(%q: tensor<16x8xf32>, %k: tensor<16x8xf32>, %v: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %s = mpc.matmul %q, %k {transpose_b} : (tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x16xf32>
  %m = mpc.causal_mask %s value = 0xFFF0000000000000 : tensor<16x16xf32>
  %p = mpc.softmax %m axis = 1 {mpc.precision = f32} : tensor<16x16xf32>
  %o = mpc.matmul %p, %v : (tensor<16x16xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}
