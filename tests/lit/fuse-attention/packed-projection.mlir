// RUN: mpc-opt %s --mpc-fuse-attention -split-input-file | FileCheck %s

// GPT-2's attention: one [C, 3C] projection, q, k and v its three slices,
// each split into heads and transposed. One causal_attention_qkv reads the
// projection, reshaped to [B, T, 3, H, d]; no slice, transpose or
// per-part reshape is left.
// CHECK-LABEL: func.func @gpt2_heads
// CHECK-SAME: (%[[X:.*]]: tensor<2x16x32xf32>, %[[W:.*]]: tensor<32x96xf32>)
// CHECK-NEXT: %[[QKV:.*]] = mpc.matmul %[[X]], %[[W]]
// CHECK-NEXT: %[[PACKED:.*]] = mpc.reshape %[[QKV]] : tensor<2x16x96xf32> -> tensor<2x16x3x4x8xf32>
// CHECK-NEXT: %[[O:.*]], %{{.*}} = mpc.causal_attention_qkv %[[PACKED]] scale = 0.35355338454246521 : tensor<2x16x3x4x8xf32> -> tensor<2x16x4x8xf32>, tensor<2x4x16xf32>
// CHECK-NEXT: %[[Y:.*]] = mpc.reshape %[[O]] : tensor<2x16x4x8xf32> -> tensor<2x16x32xf32>
// CHECK-NEXT: return %[[Y]]
func.func @gpt2_heads(%x: tensor<2x16x32xf32>, %w: tensor<32x96xf32>) -> tensor<2x16x32xf32> {
  %qkv = mpc.matmul %x, %w : (tensor<2x16x32xf32>, tensor<32x96xf32>) -> tensor<2x16x96xf32>
  %q = mpc.slice %qkv axes = [2] starts = [0] ends = [32] steps = [1] : tensor<2x16x96xf32> -> tensor<2x16x32xf32>
  %k = mpc.slice %qkv axes = [2] starts = [32] ends = [64] steps = [1] : tensor<2x16x96xf32> -> tensor<2x16x32xf32>
  %v = mpc.slice %qkv axes = [2] starts = [-32] ends = [9223372036854775807] steps = [1] : tensor<2x16x96xf32> -> tensor<2x16x32xf32>
  %qs = mpc.reshape %q : tensor<2x16x32xf32> -> tensor<2x16x4x8xf32>
  %ks = mpc.reshape %k : tensor<2x16x32xf32> -> tensor<2x16x4x8xf32>
  %vs = mpc.reshape %v : tensor<2x16x32xf32> -> tensor<2x16x4x8xf32>
  %qh = mpc.transpose %qs [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %kh = mpc.transpose %ks [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %vh = mpc.transpose %vs [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %c = mpc.constant dense<0.35355339059327379> : tensor<f32>
  %s = mpc.matmul %qh, %kh {transpose_b} : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x16xf32>
  %t = mpc.mul %s, %c : (tensor<2x4x16x16xf32>, tensor<f32>) -> tensor<2x4x16x16xf32>
  %m = mpc.causal_mask %t value = 0xFFF0000000000000 : tensor<2x4x16x16xf32>
  %p = mpc.softmax %m axis = 3 : tensor<2x4x16x16xf32>
  %o = mpc.matmul %p, %vh : (tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  %ot = mpc.transpose %o [0, 2, 1, 3] : tensor<2x4x16x8xf32> -> tensor<2x16x4x8xf32>
  %y = mpc.reshape %ot : tensor<2x16x4x8xf32> -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

// A sequence-major op on the three parts of one bf16 projection folds and
// keeps its own attributes (a node's precision); a slice something else
// reads stays for it.
// CHECK-LABEL: func.func @shared_slice
// CHECK-SAME: (%[[QKV:.*]]: tensor<16x96xbf16>)
// CHECK-NEXT: %[[Q:.*]] = mpc.slice %[[QKV]] axes = [1] starts = [0]
// CHECK-NEXT: %[[PACKED:.*]] = mpc.reshape %[[QKV]] : tensor<16x96xbf16> -> tensor<16x3x4x8xbf16>
// CHECK-NEXT: %[[O:.*]], %{{.*}} = mpc.causal_attention_qkv %[[PACKED]] scale = 5.000000e-01 {mpc.precision = bf16} : tensor<16x3x4x8xbf16> -> tensor<16x4x8xbf16>, tensor<4x16xf32>
// CHECK-NEXT: return %[[O]], %[[Q]]
func.func @shared_slice(%qkv: tensor<16x96xbf16>) -> (tensor<16x4x8xbf16>, tensor<16x32xbf16>) {
  %q = mpc.slice %qkv axes = [1] starts = [0] ends = [32] steps = [1] : tensor<16x96xbf16> -> tensor<16x32xbf16>
  %k = mpc.slice %qkv axes = [1] starts = [32] ends = [64] steps = [1] : tensor<16x96xbf16> -> tensor<16x32xbf16>
  %v = mpc.slice %qkv axes = [1] starts = [64] ends = [96] steps = [1] : tensor<16x96xbf16> -> tensor<16x32xbf16>
  %qs = mpc.reshape %q : tensor<16x32xbf16> -> tensor<16x4x8xbf16>
  %ks = mpc.reshape %k : tensor<16x32xbf16> -> tensor<16x4x8xbf16>
  %vs = mpc.reshape %v : tensor<16x32xbf16> -> tensor<16x4x8xbf16>
  %o, %lse = mpc.causal_attention %qs, %ks, %vs sequence_major scale = 5.000000e-01 {mpc.precision = bf16} : tensor<16x4x8xbf16>, tensor<4x16xf32>
  return %o, %q : tensor<16x4x8xbf16>, tensor<16x32xbf16>
}

// -----

// Not the packed order: k and v swapped, a slice of another tensor, a
// strided slice, a slice that cuts a leading dim, and a precision override
// on a slice or on a reshape each keep the separate operands.
// CHECK-LABEL: func.func @not_packed
// CHECK-NOT: causal_attention_qkv
// CHECK-COUNT-6: mpc.causal_attention {{.*}} sequence_major
// CHECK-NOT: causal_attention_qkv
func.func @not_packed(%qkv: tensor<16x96xf32>, %other: tensor<16x96xf32>, %wide: tensor<32x96xf32>, %strided: tensor<16x192xf32>) -> (tensor<16x4x8xf32>, tensor<16x4x8xf32>, tensor<16x4x8xf32>, tensor<16x4x8xf32>, tensor<16x4x8xf32>, tensor<16x4x8xf32>) {
  %q = mpc.slice %qkv axes = [1] starts = [0] ends = [32] steps = [1] : tensor<16x96xf32> -> tensor<16x32xf32>
  %k = mpc.slice %qkv axes = [1] starts = [32] ends = [64] steps = [1] : tensor<16x96xf32> -> tensor<16x32xf32>
  %v = mpc.slice %qkv axes = [1] starts = [64] ends = [96] steps = [1] : tensor<16x96xf32> -> tensor<16x32xf32>
  %qs = mpc.reshape %q : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %ks = mpc.reshape %k : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %vs = mpc.reshape %v : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %swapped, %l0 = mpc.causal_attention %qs, %vs, %ks sequence_major scale = 5.000000e-01 : tensor<16x4x8xf32>, tensor<4x16xf32>

  %v2 = mpc.slice %other axes = [1] starts = [64] ends = [96] steps = [1] : tensor<16x96xf32> -> tensor<16x32xf32>
  %v2s = mpc.reshape %v2 : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %mixed, %l1 = mpc.causal_attention %qs, %ks, %v2s sequence_major scale = 5.000000e-01 : tensor<16x4x8xf32>, tensor<4x16xf32>

  %sq = mpc.slice %strided axes = [1] starts = [0] ends = [64] steps = [2] : tensor<16x192xf32> -> tensor<16x32xf32>
  %sk = mpc.slice %strided axes = [1] starts = [64] ends = [128] steps = [2] : tensor<16x192xf32> -> tensor<16x32xf32>
  %sv = mpc.slice %strided axes = [1] starts = [128] ends = [192] steps = [2] : tensor<16x192xf32> -> tensor<16x32xf32>
  %sqs = mpc.reshape %sq : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %sks = mpc.reshape %sk : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %svs = mpc.reshape %sv : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %stepped, %l2 = mpc.causal_attention %sqs, %sks, %svs sequence_major scale = 5.000000e-01 : tensor<16x4x8xf32>, tensor<4x16xf32>

  %wq = mpc.slice %wide axes = [0, 1] starts = [16, 0] ends = [32, 32] steps = [1, 1] : tensor<32x96xf32> -> tensor<16x32xf32>
  %wk = mpc.slice %wide axes = [0, 1] starts = [16, 32] ends = [32, 64] steps = [1, 1] : tensor<32x96xf32> -> tensor<16x32xf32>
  %wv = mpc.slice %wide axes = [0, 1] starts = [16, 64] ends = [32, 96] steps = [1, 1] : tensor<32x96xf32> -> tensor<16x32xf32>
  %wqs = mpc.reshape %wq : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %wks = mpc.reshape %wk : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %wvs = mpc.reshape %wv : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %cut, %l3 = mpc.causal_attention %wqs, %wks, %wvs sequence_major scale = 5.000000e-01 : tensor<16x4x8xf32>, tensor<4x16xf32>

  %pv = mpc.slice %qkv axes = [1] starts = [64] ends = [96] steps = [1] {mpc.precision = f32} : tensor<16x96xf32> -> tensor<16x32xf32>
  %pvs = mpc.reshape %pv : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %pinned, %l4 = mpc.causal_attention %qs, %ks, %pvs sequence_major scale = 5.000000e-01 : tensor<16x4x8xf32>, tensor<4x16xf32>
  %rvs = mpc.reshape %v {mpc.precision = f32} : tensor<16x32xf32> -> tensor<16x4x8xf32>
  %reshaped, %l5 = mpc.causal_attention %qs, %ks, %rvs sequence_major scale = 5.000000e-01 : tensor<16x4x8xf32>, tensor<4x16xf32>
  return %swapped, %mixed, %stepped, %cut, %pinned, %reshaped : tensor<16x4x8xf32>, tensor<16x4x8xf32>, tensor<16x4x8xf32>, tensor<16x4x8xf32>, tensor<16x4x8xf32>, tensor<16x4x8xf32>
}
