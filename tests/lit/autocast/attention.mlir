// RUN: mpc-opt %s --mpc-autocast="dtype=bf16" | FileCheck %s

// causal_attention is allow: q, k, v and the output go to bf16, and so do
// its gradient's operands and results, but the log-sum-exp stays f32 (a
// bf16 one would spoil the probabilities the backward recomputes from it):
// no cast touches it.
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[Q:.*]]: tensor<16x8xf32>, %[[K:.*]]: tensor<16x8xf32>, %[[V:.*]]: tensor<16x8xf32>, %[[DO:.*]]: tensor<16x8xf32>)
// CHECK-DAG: %[[Q16:.*]] = mpc.cast %[[Q]] : tensor<16x8xf32> to tensor<16x8xbf16>
// CHECK-DAG: %[[K16:.*]] = mpc.cast %[[K]] : tensor<16x8xf32> to tensor<16x8xbf16>
// CHECK-DAG: %[[V16:.*]] = mpc.cast %[[V]] : tensor<16x8xf32> to tensor<16x8xbf16>
// CHECK-DAG: %[[DO16:.*]] = mpc.cast %[[DO]] : tensor<16x8xf32> to tensor<16x8xbf16>
// CHECK: %[[O:.*]], %[[LSE:.*]] = mpc.causal_attention %[[Q16]], %[[K16]], %[[V16]] scale = 2.500000e-01 {mpc.autocast = #mpc.autocast<allow, default_policy>} : tensor<16x8xbf16>, tensor<16xf32>
// CHECK: %[[DQ:.*]], %{{.*}}, %{{.*}} = mpc.causal_attention_grad %[[DO16]], %[[Q16]], %[[K16]], %[[V16]], %[[LSE]] scale = 2.500000e-01 {mpc.autocast = #mpc.autocast<allow, default_policy>} : tensor<16x8xbf16>, tensor<16xf32>
// CHECK-NOT: mpc.cast %[[LSE]]
// CHECK: return {{.*}}, %[[LSE]]
func.func @attention(%q: tensor<16x8xf32>, %k: tensor<16x8xf32>, %v: tensor<16x8xf32>, %do: tensor<16x8xf32>) -> (tensor<16x8xf32>, tensor<16x8xf32>, tensor<16xf32>) {
  %o, %lse = mpc.causal_attention %q, %k, %v scale = 0.25 : tensor<16x8xf32>, tensor<16xf32>
  %dq, %dk, %dv = mpc.causal_attention_grad %do, %q, %k, %v, %lse scale = 0.25 : tensor<16x8xf32>, tensor<16xf32>
  return %o, %dq, %lse : tensor<16x8xf32>, tensor<16x8xf32>, tensor<16xf32>
}

// causal_attention_qkv is allow too: the packed operand, the output and the
// packed gradient go to bf16, the log-sum-exp stays f32.
// CHECK-LABEL: func.func @packed
// CHECK-SAME: (%[[QKV:.*]]: tensor<16x3x2x4xf32>, %[[DO:.*]]: tensor<16x2x4xf32>)
// CHECK-DAG: %[[QKV16:.*]] = mpc.cast %[[QKV]] : tensor<16x3x2x4xf32> to tensor<16x3x2x4xbf16>
// CHECK-DAG: %[[DO16:.*]] = mpc.cast %[[DO]] : tensor<16x2x4xf32> to tensor<16x2x4xbf16>
// CHECK: %[[O:.*]], %[[LSE:.*]] = mpc.causal_attention_qkv %[[QKV16]] scale = 2.500000e-01 {mpc.autocast = #mpc.autocast<allow, default_policy>} : tensor<16x3x2x4xbf16> -> tensor<16x2x4xbf16>, tensor<2x16xf32>
// CHECK: mpc.causal_attention_qkv_grad %[[DO16]], %[[QKV16]], %[[LSE]] scale = 2.500000e-01 {mpc.autocast = #mpc.autocast<allow, default_policy>} : tensor<16x2x4xbf16>, tensor<16x3x2x4xbf16>, tensor<2x16xf32>
// CHECK-NOT: mpc.cast %[[LSE]]
// CHECK: return {{.*}}, %[[LSE]]
func.func @packed(%qkv: tensor<16x3x2x4xf32>, %do: tensor<16x2x4xf32>) -> (tensor<16x2x4xf32>, tensor<16x3x2x4xf32>, tensor<2x16xf32>) {
  %o, %lse = mpc.causal_attention_qkv %qkv scale = 0.25 : tensor<16x3x2x4xf32> -> tensor<16x2x4xf32>, tensor<2x16xf32>
  %dqkv = mpc.causal_attention_qkv_grad %do, %qkv, %lse scale = 0.25 : tensor<16x2x4xf32>, tensor<16x3x2x4xf32>, tensor<2x16xf32>
  return %o, %dqkv, %lse : tensor<16x2x4xf32>, tensor<16x3x2x4xf32>, tensor<2x16xf32>
}
