// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s

// Model FLOPs count a GEMM on causally masked attention at half, llm.c's
// 6 L T C per token. Forward GEMMs (no loss: every op is forward):
// - scores q k^T: 2 * (2 * 16 * 16) * 8 = 8192 FLOPs, masked: 4096;
// - probabilities p v: 2 * (2 * 16 * 8) * 16 = 8192 FLOPs, masked: 4096;
// - the projection o w: 2 * (2 * 16 * 8) * 8 = 4096 FLOPs, counted whole.
// Model FLOPs: 3 * (4096 + 4096 + 4096) = 36864; the GEMMs' own FLOPs
// 8192 + 8192 + 4096 = 20480.

// CHECK: "summary": {"launches":{{[0-9]+}},"gemm_launches":3,"flops":{{[0-9]+}},"gemm_flops":20480,{{.*}}"model_flops":36864,

func.func @attention(%q: tensor<2x16x8xbf16>, %k: tensor<2x16x8xbf16>, %v: tensor<2x16x8xbf16>, %w: tensor<8x8xbf16>) -> tensor<2x16x8xbf16> {
  %s = mpc.matmul %q, %k {transpose_b} : (tensor<2x16x8xbf16>, tensor<2x16x8xbf16>) -> tensor<2x16x16xbf16>
  %t = mpc.mul %s, %s : (tensor<2x16x16xbf16>, tensor<2x16x16xbf16>) -> tensor<2x16x16xbf16>
  %m = mpc.causal_mask %t value = 0xFFF0000000000000 : tensor<2x16x16xbf16>
  %p = mpc.softmax %m axis = 2 : tensor<2x16x16xbf16>
  %o = mpc.matmul %p, %v : (tensor<2x16x16xbf16>, tensor<2x16x8xbf16>) -> tensor<2x16x8xbf16>
  %r = mpc.matmul %o, %w : (tensor<2x16x8xbf16>, tensor<8x8xbf16>) -> tensor<2x16x8xbf16>
  return %r : tensor<2x16x8xbf16>
}
