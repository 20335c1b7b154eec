// RUN: mpc-translate --mpc-to-cuda %s | FileCheck %s

// Fused causal attention and its gradient become one runtime call each,
// with the log-sum-exp as f32. Head-major [2, 4, 16, 8] is one batch of
// 2 * 4 heads of [16, 8], rows 8 apart and heads 16 * 8; sequence-major
// [2, 16, 4, 8] is 2 batches of 4 heads, rows 4 * 8 apart and heads 8.
// Packed [2, 16, 3, 4, 8] holds q, k and v of the same heads with rows
// 3 * 4 * 8 apart, k 4 * 8 elements (64 bytes) after q and v 128 bytes;
// the result stays [2, 16, 4, 8] and the gradient is packed like qkv.

module @attention {
  // CHECK-LABEL: extern "C" int mpc_fn_forward(mpc_rt *rt, const mpc_step_args *args) {
  func.func @forward(%q: tensor<2x4x16x8xbf16> {mpc.name = "q"}, %k: tensor<2x4x16x8xbf16> {mpc.name = "k"}, %v: tensor<2x4x16x8xbf16> {mpc.name = "v"}, %do: tensor<2x4x16x8xbf16> {mpc.name = "do"})
      -> (tensor<2x4x16x8xbf16> {mpc.name = "o"}, tensor<2x4x16x8xbf16> {mpc.name = "dq"})
      attributes {mpc.arena_bytes = 65536 : i64, mpc.peak_live_bytes = 65536 : i64} {
    // CHECK: if (mpc_rt_causal_attention(rt, args->inputs[0], args->inputs[1], args->inputs[2], (args->arena + 0), (float *)(args->arena + 2048), MPC_BF16, 1, 8, 16, 8, 8, 128, 8, 0.25))
    %o, %lse = mpc.causal_attention %q, %k, %v scale = 2.500000e-01 {mpc.buffers = [#mpc.buffer<arena, 0>, #mpc.buffer<arena, 2048>]} : tensor<2x4x16x8xbf16>, tensor<2x4x16xf32>
    // CHECK: if (mpc_rt_causal_attention_grad(rt, args->inputs[3], args->inputs[0], args->inputs[1], args->inputs[2], (const float *)(args->arena + 2048), (args->arena + 4096), (args->arena + 8192), (args->arena + 12288), MPC_BF16, 1, 8, 16, 8, 8, 128, 8, 0.25))
    %dq, %dk, %dv = mpc.causal_attention_grad %do, %q, %k, %v, %lse scale = 2.500000e-01 {mpc.buffers = [#mpc.buffer<arena, 4096>, #mpc.buffer<arena, 8192>, #mpc.buffer<arena, 12288>]} : tensor<2x4x16x8xbf16>, tensor<2x4x16xf32>
    return %o, %dq : tensor<2x4x16x8xbf16>, tensor<2x4x16x8xbf16>
  }
  // CHECK-LABEL: extern "C" int mpc_fn_sequence_major(mpc_rt *rt, const mpc_step_args *args) {
  func.func @sequence_major(%q: tensor<2x16x4x8xbf16> {mpc.name = "q"}, %k: tensor<2x16x4x8xbf16> {mpc.name = "k"}, %v: tensor<2x16x4x8xbf16> {mpc.name = "v"}, %do: tensor<2x16x4x8xbf16> {mpc.name = "do"})
      -> (tensor<2x16x4x8xbf16> {mpc.name = "o"}, tensor<2x16x4x8xbf16> {mpc.name = "dq"})
      attributes {mpc.arena_bytes = 65536 : i64, mpc.peak_live_bytes = 65536 : i64} {
    // CHECK: if (mpc_rt_causal_attention(rt, args->inputs[0], args->inputs[1], args->inputs[2], (args->arena + 0), (float *)(args->arena + 2048), MPC_BF16, 2, 4, 16, 8, 32, 8, 32, 0.25))
    %o, %lse = mpc.causal_attention %q, %k, %v sequence_major scale = 2.500000e-01 {mpc.buffers = [#mpc.buffer<arena, 0>, #mpc.buffer<arena, 2048>]} : tensor<2x16x4x8xbf16>, tensor<2x4x16xf32>
    // CHECK: if (mpc_rt_causal_attention_grad(rt, args->inputs[3], args->inputs[0], args->inputs[1], args->inputs[2], (const float *)(args->arena + 2048), (args->arena + 4096), (args->arena + 8192), (args->arena + 12288), MPC_BF16, 2, 4, 16, 8, 32, 8, 32, 0.25))
    %dq, %dk, %dv = mpc.causal_attention_grad %do, %q, %k, %v, %lse sequence_major scale = 2.500000e-01 {mpc.buffers = [#mpc.buffer<arena, 4096>, #mpc.buffer<arena, 8192>, #mpc.buffer<arena, 12288>]} : tensor<2x16x4x8xbf16>, tensor<2x4x16xf32>
    return %o, %dq : tensor<2x16x4x8xbf16>, tensor<2x16x4x8xbf16>
  }
  // CHECK-LABEL: extern "C" int mpc_fn_packed(mpc_rt *rt, const mpc_step_args *args) {
  func.func @packed(%qkv: tensor<2x16x3x4x8xbf16> {mpc.name = "qkv"}, %do: tensor<2x16x4x8xbf16> {mpc.name = "do"})
      -> (tensor<2x16x4x8xbf16> {mpc.name = "o"}, tensor<2x16x3x4x8xbf16> {mpc.name = "dqkv"})
      attributes {mpc.arena_bytes = 65536 : i64, mpc.peak_live_bytes = 65536 : i64} {
    // CHECK: if (mpc_rt_causal_attention(rt, args->inputs[0], ((const char *)args->inputs[0] + 64), ((const char *)args->inputs[0] + 128), (args->arena + 0), (float *)(args->arena + 2048), MPC_BF16, 2, 4, 16, 8, 32, 8, 96, 0.25))
    %o, %lse = mpc.causal_attention_qkv %qkv scale = 2.500000e-01 {mpc.buffers = [#mpc.buffer<arena, 0>, #mpc.buffer<arena, 2048>]} : tensor<2x16x3x4x8xbf16> -> tensor<2x16x4x8xbf16>, tensor<2x4x16xf32>
    // CHECK: if (mpc_rt_causal_attention_grad(rt, args->inputs[1], args->inputs[0], ((const char *)args->inputs[0] + 64), ((const char *)args->inputs[0] + 128), (const float *)(args->arena + 2048), (args->arena + 4096), ((char *)(args->arena + 4096) + 64), ((char *)(args->arena + 4096) + 128), MPC_BF16, 2, 4, 16, 8, 32, 8, 96, 0.25))
    %dqkv = mpc.causal_attention_qkv_grad %do, %qkv, %lse scale = 2.500000e-01 {mpc.buffers = [#mpc.buffer<arena, 4096>]} : tensor<2x16x4x8xbf16>, tensor<2x16x3x4x8xbf16>, tensor<2x4x16xf32>
    return %o, %dqkv : tensor<2x16x4x8xbf16>, tensor<2x16x3x4x8xbf16>
  }
}
