// RUN: mpc-opt %s --mpc-fuse-attention -split-input-file | FileCheck %s

// GPT's heads: q, k and v transposed [B, T, H, d] -> [B, H, T, d], the
// chain, the result transposed back. One sequence-major op reads the
// projections and writes what the transpose back wrote; no transpose is
// left.
// CHECK-LABEL: func.func @gpt_heads
// CHECK-SAME: (%[[Q:.*]]: tensor<2x16x4x8xf32>, %[[K:.*]]: tensor<2x16x4x8xf32>, %[[V:.*]]: tensor<2x16x4x8xf32>)
// CHECK-NEXT: %[[O:.*]], %{{.*}} = mpc.causal_attention %[[Q]], %[[K]], %[[V]] sequence_major scale = 0.35355338454246521 : tensor<2x16x4x8xf32>, tensor<2x4x16xf32>
// CHECK-NEXT: return %[[O]]
// CHECK-NOT: mpc.transpose
func.func @gpt_heads(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>, %v: tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32> {
  %qh = mpc.transpose %q [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %kh = mpc.transpose %k [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %vh = mpc.transpose %v [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %c = mpc.constant dense<0.35355339059327379> : tensor<f32>
  %s = mpc.matmul %qh, %kh {transpose_b} : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x16xf32>
  %t = mpc.mul %s, %c : (tensor<2x4x16x16xf32>, tensor<f32>) -> tensor<2x4x16x16xf32>
  %m = mpc.causal_mask %t value = 0xFFF0000000000000 : tensor<2x4x16x16xf32>
  %p = mpc.softmax %m axis = 3 : tensor<2x4x16x16xf32>
  %o = mpc.matmul %p, %vh : (tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  %y = mpc.transpose %o [0, 2, 1, 3] : tensor<2x4x16x8xf32> -> tensor<2x16x4x8xf32>
  return %y : tensor<2x16x4x8xf32>
}

// -----

// An existing head-major op folds too. The log-sum-exp, [B, H, T] in both
// orders, goes to the new op; its bf16 operands keep their type; every
// transpose back (two here) reads the new result.
// CHECK-LABEL: func.func @existing_op
// CHECK-SAME: (%[[Q:.*]]: tensor<2x16x4x8xbf16>, %[[K:.*]]: tensor<2x16x4x8xbf16>, %[[V:.*]]: tensor<2x16x4x8xbf16>)
// CHECK-NEXT: %[[O:.*]], %[[LSE:.*]] = mpc.causal_attention %[[Q]], %[[K]], %[[V]] sequence_major scale = 5.000000e-01 : tensor<2x16x4x8xbf16>, tensor<2x4x16xf32>
// CHECK-NEXT: return %[[O]], %[[O]], %[[LSE]]
func.func @existing_op(%q: tensor<2x16x4x8xbf16>, %k: tensor<2x16x4x8xbf16>, %v: tensor<2x16x4x8xbf16>) -> (tensor<2x16x4x8xbf16>, tensor<2x16x4x8xbf16>, tensor<2x4x16xf32>) {
  %qh = mpc.transpose %q [0, 2, 1, 3] : tensor<2x16x4x8xbf16> -> tensor<2x4x16x8xbf16>
  %kh = mpc.transpose %k [0, 2, 1, 3] : tensor<2x16x4x8xbf16> -> tensor<2x4x16x8xbf16>
  %vh = mpc.transpose %v [0, 2, 1, 3] : tensor<2x16x4x8xbf16> -> tensor<2x4x16x8xbf16>
  %o, %lse = mpc.causal_attention %qh, %kh, %vh scale = 0.5 : tensor<2x4x16x8xbf16>, tensor<2x4x16xf32>
  %y = mpc.transpose %o [0, 2, 1, 3] : tensor<2x4x16x8xbf16> -> tensor<2x16x4x8xbf16>
  %z = mpc.transpose %o [0, 2, 1, 3] : tensor<2x4x16x8xbf16> -> tensor<2x16x4x8xbf16>
  return %y, %z, %lse : tensor<2x16x4x8xbf16>, tensor<2x16x4x8xbf16>, tensor<2x4x16xf32>
}

// -----

// Rank 3, [T, H, d]: the same fold over the last three dims.
// CHECK-LABEL: func.func @rank_3
// CHECK-SAME: (%[[X:.*]]: tensor<16x4x8xf32>)
// CHECK-NEXT: %[[O:.*]], %{{.*}} = mpc.causal_attention %[[X]], %[[X]], %[[X]] sequence_major scale = 2.500000e-01 : tensor<16x4x8xf32>, tensor<4x16xf32>
// CHECK-NEXT: return %[[O]]
func.func @rank_3(%x: tensor<16x4x8xf32>) -> tensor<16x4x8xf32> {
  // q, k and v share one transpose, which goes once.
  %h = mpc.transpose %x [1, 0, 2] : tensor<16x4x8xf32> -> tensor<4x16x8xf32>
  %o, %lse = mpc.causal_attention %h, %h, %h scale = 0.25 : tensor<4x16x8xf32>, tensor<4x16xf32>
  %y = mpc.transpose %o [1, 0, 2] : tensor<4x16x8xf32> -> tensor<16x4x8xf32>
  return %y : tensor<16x4x8xf32>
}

// -----

// A head-major query that something else reads too: its transpose stays
// for that reader, and the op still reads the untransposed value (the
// transposes of k, v and the result still go, as does the backward's).
// CHECK-LABEL: func.func @query_heads_read_elsewhere
// CHECK-SAME: (%[[Q:.*]]: tensor<2x16x4x8xf32>, %[[K:.*]]: tensor<2x16x4x8xf32>, %[[V:.*]]: tensor<2x16x4x8xf32>)
// CHECK-NEXT: %[[QH:.*]] = mpc.transpose %[[Q]] [0, 2, 1, 3]
// CHECK-NEXT: %[[O:.*]], %{{.*}} = mpc.causal_attention %[[Q]], %[[K]], %[[V]] sequence_major scale = 5.000000e-01
// CHECK-NEXT: return %[[O]], %[[QH]]
func.func @query_heads_read_elsewhere(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>, %v: tensor<2x16x4x8xf32>) -> (tensor<2x16x4x8xf32>, tensor<2x4x16x8xf32>) {
  %qh = mpc.transpose %q [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %kh = mpc.transpose %k [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %vh = mpc.transpose %v [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %o, %lse = mpc.causal_attention %qh, %kh, %vh scale = 0.5 : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
  %y = mpc.transpose %o [0, 2, 1, 3] : tensor<2x4x16x8xf32> -> tensor<2x16x4x8xf32>
  return %y, %qh : tensor<2x16x4x8xf32>, tensor<2x4x16x8xf32>
}

// -----

// Not exactly the pattern; each op stays head-major, every transpose stays:
// the result also read head-major (it would need the transpose back the
// fold removes),
// CHECK-LABEL: func.func @result_read_head_major
// CHECK-NOT: sequence_major
// CHECK-COUNT-4: mpc.transpose
// CHECK-NOT: sequence_major
func.func @result_read_head_major(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>, %v: tensor<2x16x4x8xf32>) -> (tensor<2x16x4x8xf32>, tensor<2x4x16x8xf32>) {
  %qh = mpc.transpose %q [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %kh = mpc.transpose %k [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %vh = mpc.transpose %v [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %o, %lse = mpc.causal_attention %qh, %kh, %vh scale = 0.5 : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
  %y = mpc.transpose %o [0, 2, 1, 3] : tensor<2x4x16x8xf32> -> tensor<2x16x4x8xf32>
  return %y, %o : tensor<2x16x4x8xf32>, tensor<2x4x16x8xf32>
}

// -----

// a value that is not a transpose (LLaMA's rotated q and k),
// CHECK-LABEL: func.func @value_not_transposed
// CHECK-NOT: sequence_major
// CHECK-COUNT-3: mpc.transpose
// CHECK-NOT: sequence_major
func.func @value_not_transposed(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>, %vh: tensor<2x4x16x8xf32>) -> tensor<2x16x4x8xf32> {
  %qh = mpc.transpose %q [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %kh = mpc.transpose %k [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %o, %lse = mpc.causal_attention %qh, %kh, %vh scale = 0.5 : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
  %y = mpc.transpose %o [0, 2, 1, 3] : tensor<2x4x16x8xf32> -> tensor<2x16x4x8xf32>
  return %y : tensor<2x16x4x8xf32>
}

// -----

// another permutation (this one makes [B, H, T, d] of [H, B, T, d]),
// CHECK-LABEL: func.func @other_permutation
// CHECK-NOT: sequence_major
// CHECK-COUNT-4: mpc.transpose
// CHECK-NOT: sequence_major
func.func @other_permutation(%q: tensor<4x2x16x8xf32>, %k: tensor<4x2x16x8xf32>, %v: tensor<4x2x16x8xf32>) -> tensor<4x2x16x8xf32> {
  %qh = mpc.transpose %q [1, 0, 2, 3] : tensor<4x2x16x8xf32> -> tensor<2x4x16x8xf32>
  %kh = mpc.transpose %k [1, 0, 2, 3] : tensor<4x2x16x8xf32> -> tensor<2x4x16x8xf32>
  %vh = mpc.transpose %v [1, 0, 2, 3] : tensor<4x2x16x8xf32> -> tensor<2x4x16x8xf32>
  %o, %lse = mpc.causal_attention %qh, %kh, %vh scale = 0.5 : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
  %y = mpc.transpose %o [1, 0, 2, 3] : tensor<2x4x16x8xf32> -> tensor<4x2x16x8xf32>
  return %y : tensor<4x2x16x8xf32>
}

// -----

// and a transpose with a node's precision override.
// CHECK-LABEL: func.func @precision_override
// CHECK-NOT: sequence_major
// CHECK-COUNT-4: mpc.transpose
// CHECK-NOT: sequence_major
func.func @precision_override(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>, %v: tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32> {
  %qh = mpc.transpose %q [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %kh = mpc.transpose %k [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %vh = mpc.transpose %v [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
  %o, %lse = mpc.causal_attention %qh, %kh, %vh scale = 0.5 : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
  %y = mpc.transpose %o [0, 2, 1, 3] {mpc.precision = f32} : tensor<2x4x16x8xf32> -> tensor<2x16x4x8xf32>
  return %y : tensor<2x16x4x8xf32>
}
