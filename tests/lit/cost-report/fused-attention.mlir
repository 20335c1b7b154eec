// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s

// Fused causal attention over 2 heads of T = 16 rows, d = 8, in bf16: the
// kernels compute the 16 * 17 / 2 = 136 unmasked (query, key) pairs per
// head, 272 in all, their products on the tensor cores (bf16 math).
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

// CHECK-LABEL: "name": "attention",
// CHECK: {"location":"{{.*}}","class":"causal_attention","backward":false,"math":"bf16","flops":8704,"bytes_read":1536,"bytes_written":640,
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dq","backward":false,"math":"bf16","flops":21760,"bytes_read":2176,"bytes_written":640,
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dk dv","backward":false,"math":"bf16","flops":17408,"bytes_read":2304,"bytes_written":1024,
// CHECK: "summary": {{{.*}}"gemm_launches":0,{{.*}}"gemm_flops":0,{{.*}}"model_flops":24576,

func.func @attention(%q: tensor<2x16x8xbf16>, %k: tensor<2x16x8xbf16>, %v: tensor<2x16x8xbf16>, %do: tensor<2x16x8xbf16>) -> (tensor<2x16x8xbf16>, tensor<2x16x8xbf16>, tensor<2x16x8xbf16>, tensor<2x16x8xbf16>) {
  %o, %lse = mpc.causal_attention %q, %k, %v scale = 0.35355339059327379 : tensor<2x16x8xbf16>, tensor<2x16xf32>
  %dq, %dk, %dv = mpc.causal_attention_grad %do, %q, %k, %v, %lse scale = 0.35355339059327379 : tensor<2x16x8xbf16>, tensor<2x16xf32>
  return %o, %dq, %dk, %dv : tensor<2x16x8xbf16>, tensor<2x16x8xbf16>, tensor<2x16x8xbf16>, tensor<2x16x8xbf16>
}

// The same heads sequence-major, [T, H, d] = [16, 2, 8]: T and d are read
// from their own dims, so every figure is the head-major op's.

// CHECK-LABEL: "name": "attention_sequence_major",
// CHECK: {"location":"{{.*}}","class":"causal_attention","backward":false,"math":"bf16","flops":8704,"bytes_read":1536,"bytes_written":640,
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dq","backward":false,"math":"bf16","flops":21760,"bytes_read":2176,"bytes_written":640,
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dk dv","backward":false,"math":"bf16","flops":17408,"bytes_read":2304,"bytes_written":1024,
// CHECK: "summary": {{{.*}}"gemm_launches":0,{{.*}}"gemm_flops":0,{{.*}}"model_flops":24576,

func.func @attention_sequence_major(%q: tensor<16x2x8xbf16>, %k: tensor<16x2x8xbf16>, %v: tensor<16x2x8xbf16>, %do: tensor<16x2x8xbf16>) -> (tensor<16x2x8xbf16>, tensor<16x2x8xbf16>, tensor<16x2x8xbf16>, tensor<16x2x8xbf16>) {
  %o, %lse = mpc.causal_attention %q, %k, %v sequence_major scale = 0.35355339059327379 : tensor<16x2x8xbf16>, tensor<2x16xf32>
  %dq, %dk, %dv = mpc.causal_attention_grad %do, %q, %k, %v, %lse sequence_major scale = 0.35355339059327379 : tensor<16x2x8xbf16>, tensor<2x16xf32>
  return %o, %dq, %dk, %dv : tensor<16x2x8xbf16>, tensor<16x2x8xbf16>, tensor<16x2x8xbf16>, tensor<16x2x8xbf16>
}

// The same heads packed, [T, 3, H, d] = [16, 3, 2, 8]: qkv holds the
// bytes of q, k and v (1536) and dqkv those of dq, dk and dv, a third of
// them written by the dq pass and two thirds by the dk/dv pass, so every
// figure is the separate operands' again.

// CHECK-LABEL: "name": "attention_packed",
// CHECK: {"location":"{{.*}}","class":"causal_attention","backward":false,"math":"bf16","flops":8704,"bytes_read":1536,"bytes_written":640,
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dq","backward":false,"math":"bf16","flops":21760,"bytes_read":2176,"bytes_written":640,
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dk dv","backward":false,"math":"bf16","flops":17408,"bytes_read":2304,"bytes_written":1024,
// CHECK: "summary": {{{.*}}"gemm_launches":0,{{.*}}"gemm_flops":0,{{.*}}"model_flops":24576,

func.func @attention_packed(%qkv: tensor<16x3x2x8xbf16>, %do: tensor<16x2x8xbf16>) -> (tensor<16x2x8xbf16>, tensor<16x3x2x8xbf16>) {
  %o, %lse = mpc.causal_attention_qkv %qkv scale = 0.35355339059327379 : tensor<16x3x2x8xbf16> -> tensor<16x2x8xbf16>, tensor<2x16xf32>
  %dqkv = mpc.causal_attention_qkv_grad %do, %qkv, %lse scale = 0.35355339059327379 : tensor<16x2x8xbf16>, tensor<16x3x2x8xbf16>, tensor<2x16xf32>
  return %o, %dqkv : tensor<16x2x8xbf16>, tensor<16x3x2x8xbf16>
}

// One head of T = 1024 rows, d = 64: 1024 * 1025 / 2 = 524800 pairs, long
// enough for the backward to be compute-bound on h100-sxm (989.5 TFLOP/s
// dense f16 and bf16, 67 TFLOP/s f32, 3.35 TB/s). In f16, on tensor cores:
// - forward: 4 * 64 * 524800 = 134348800 FLOPs, 1.358e-7 s at the f16
//   peak; reads 3 * 1024 * 64 * 2 = 393216, writes 131072 + 4096 = 135168,
//   528384 bytes in 1.577e-7 s: memory-bound;
// - dq: 10 * 64 * 524800 = 335872000 FLOPs, 3.394e-7 s; bytes 4 * 131072 +
//   4096 = 528384 and 135168, 1.981e-7 s: compute-bound;
// - dk dv: 8 * 64 * 524800 = 268697600 FLOPs, 2.715e-7 s; bytes 528384 +
//   4096 = 532480 and 262144, 2.372e-7 s: compute-bound.

// CHECK-LABEL: "name": "attention_f16",
// CHECK: {"location":"{{.*}}","class":"causal_attention","backward":false,"math":"f16","flops":134348800,"bytes_read":393216,"bytes_written":135168,"bound":"memory","seconds":1.577{{[0-9]*}}e-07},
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dq","backward":false,"math":"f16","flops":335872000,"bytes_read":528384,"bytes_written":135168,"bound":"compute","seconds":3.394{{[0-9]*}}e-07},
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dk dv","backward":false,"math":"f16","flops":268697600,"bytes_read":532480,"bytes_written":262144,"bound":"compute","seconds":2.715{{[0-9]*}}e-07},

func.func @attention_f16(%q: tensor<1x1024x64xf16>, %k: tensor<1x1024x64xf16>, %v: tensor<1x1024x64xf16>, %do: tensor<1x1024x64xf16>) -> (tensor<1x1024x64xf16>, tensor<1x1024x64xf16>, tensor<1x1024x64xf16>, tensor<1x1024x64xf16>) {
  %o, %lse = mpc.causal_attention %q, %k, %v scale = 1.250000e-01 : tensor<1x1024x64xf16>, tensor<1x1024xf32>
  %dq, %dk, %dv = mpc.causal_attention_grad %do, %q, %k, %v, %lse scale = 1.250000e-01 : tensor<1x1024x64xf16>, tensor<1x1024xf32>
  return %o, %dq, %dk, %dv : tensor<1x1024x64xf16>, tensor<1x1024x64xf16>, tensor<1x1024x64xf16>, tensor<1x1024x64xf16>
}

// The same in f32, on the CUDA cores: the same FLOPs at 67 TFLOP/s, every
// launch compute-bound (forward 2.005e-6 s, dq 5.013e-6 s, dk dv
// 4.010e-6 s); bytes twice the f16 operands' (the statistics stay f32).

// CHECK-LABEL: "name": "attention_f32",
// CHECK: {"location":"{{.*}}","class":"causal_attention","backward":false,"math":"f32","flops":134348800,"bytes_read":786432,"bytes_written":266240,"bound":"compute","seconds":2.005{{[0-9]*}}e-06},
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dq","backward":false,"math":"f32","flops":335872000,"bytes_read":1052672,"bytes_written":266240,"bound":"compute","seconds":5.013{{[0-9]*}}e-06},
// CHECK: {"location":"{{.*}}","class":"causal_attention_grad dk dv","backward":false,"math":"f32","flops":268697600,"bytes_read":1056768,"bytes_written":524288,"bound":"compute","seconds":4.010{{[0-9]*}}e-06},

func.func @attention_f32(%q: tensor<1x1024x64xf32>, %k: tensor<1x1024x64xf32>, %v: tensor<1x1024x64xf32>, %do: tensor<1x1024x64xf32>) -> (tensor<1x1024x64xf32>, tensor<1x1024x64xf32>, tensor<1x1024x64xf32>, tensor<1x1024x64xf32>) {
  %o, %lse = mpc.causal_attention %q, %k, %v scale = 1.250000e-01 : tensor<1x1024x64xf32>, tensor<1x1024xf32>
  %dq, %dk, %dv = mpc.causal_attention_grad %do, %q, %k, %v, %lse scale = 1.250000e-01 : tensor<1x1024x64xf32>, tensor<1x1024xf32>
  return %o, %dq, %dk, %dv : tensor<1x1024x64xf32>, tensor<1x1024x64xf32>, tensor<1x1024x64xf32>, tensor<1x1024x64xf32>
}
