// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s

// Fused causal attention over 2 heads of T = 16 rows, d = 8, in bf16: the
// kernels compute the 16 * 17 / 2 = 136 unmasked (query, key) pairs per
// head, 272 in all, on the CUDA cores (f32 math).
// - forward: 4 d FLOPs a pair, 4 * 8 * 272 = 8704; reads q, k, v once
//   (3 * 2 * 16 * 8 * 2 bytes = 1536) and writes the output (512) and the
//   f32 log-sum-exp (2 * 16 * 4 = 128), 640;
// - gradient, dq first: 10 d a pair (the row sums D, then dq), 21760;
//   reads dO, q, k, v (4 * 512) and the log-sum-exp (128), 2176; writes dq
//   and the f32 D to scratch, 512 + 128 = 640;
// - gradient, dk and dv: 8 d a pair, 17408; reads the same and D,
//   2176 + 128 = 2304; writes dk and dv, 1024.
// Model FLOPs (no loss: every op is forward) are the unfused chain's two
// GEMMs at half, 2 * (2 * 16 * 16 * 8) = 8192, times 3: 24576. No GEMM.

// CHECK: {"location":"{{.*}}","class":"causal_attention","backward":false,"math":"f32","flops":8704,"bytes_read":1536,"bytes_written":640,
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dq","backward":false,"math":"f32","flops":21760,"bytes_read":2176,"bytes_written":640,
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dk dv","backward":false,"math":"f32","flops":17408,"bytes_read":2304,"bytes_written":1024,
// CHECK: "summary": {{{.*}}"gemm_launches":0,{{.*}}"gemm_flops":0,{{.*}}"model_flops":24576,

func.func @attention(%q: tensor<2x16x8xbf16>, %k: tensor<2x16x8xbf16>, %v: tensor<2x16x8xbf16>, %do: tensor<2x16x8xbf16>) -> (tensor<2x16x8xbf16>, tensor<2x16x8xbf16>, tensor<2x16x8xbf16>, tensor<2x16x8xbf16>) {
  %o, %lse = mpc.causal_attention %q, %k, %v scale = 0.35355339059327379 : tensor<2x16x8xbf16>, tensor<2x16xf32>
  %dq, %dk, %dv = mpc.causal_attention_grad %do, %q, %k, %v, %lse scale = 0.35355339059327379 : tensor<2x16x8xbf16>, tensor<2x16xf32>
  return %o, %dq, %dk, %dv : tensor<2x16x8xbf16>, tensor<2x16x8xbf16>, tensor<2x16x8xbf16>, tensor<2x16x8xbf16>
}
