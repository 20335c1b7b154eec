// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s

// The one-launch column sums (runtime/cuda/BlockPartials.h), worked out by
// hand. Each block writes its f32 partials to the scratch, and the last
// block reads them all back.
// - layer_norm_grad of 300 rows of 16 f32 (64-byte rows, cached between
//   passes, so each row is read once): up to 264 blocks of at least one
//   row give 150 blocks of 2 rows, whose partials of dgamma and dbeta are
//   150 x 2 x 16 f32 (19200 bytes). FLOPs: 12 for dx and 4 for the terms
//   per element (4800 elements), plus 4800 adds of the partials: 81600.
//   Reads dy, x (19200 each), gamma (64) and the partials; writes dx
//   (19200), dgamma, dbeta (64 each) and the partials.
// - reduce_sum of [4096, 16] over axis 0: one tile of 16 columns, so 264
//   slices are wanted, but a slice walks at least 64 rows: 64 slices of 64,
//   partials 64 x 16 f32 (4096 bytes). FLOPs: 16 outputs + 1024 adds.
//   Reads the input (262144) and the partials, writes 16 f32 and the
//   partials.
// - reduce_mean of [8, 300, 16] over axis 1: 8 blocks per slice, 33
//   slices wanted, 300 / 64 = 4 slices of 75; partials 8 x 4 x 16 f32
//   (2048 bytes). FLOPs: 128 outputs + 512 adds.
// - reduce_sum of [4, 300] over the last axis: a block per row, no
//   partials.

// CHECK: {"location":"ln","class":"layer_norm_grad","backward":false,"math":"f32","flops":81600,"bytes_read":57664,"bytes_written":38528,
// CHECK-NEXT: {"location":"bias","class":"reduce_sum","backward":false,"math":"f32","flops":1040,"bytes_read":266240,"bytes_written":4160,
// CHECK-NEXT: {"location":"mean","class":"reduce_mean","backward":false,"math":"f32","flops":640,"bytes_read":155648,"bytes_written":2560,
// CHECK-NEXT: {"location":"rows","class":"reduce_sum","backward":false,"math":"f32","flops":4,"bytes_read":4800,"bytes_written":16,

func.func @sums(%dy: tensor<300x16xf32>, %x: tensor<300x16xf32>, %g: tensor<16xf32>, %b: tensor<4096x16xf32>, %m: tensor<8x300x16xf32>, %r: tensor<4x300xf32>) -> (tensor<300x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<8x16xf32>, tensor<4xf32>) {
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 1.000000e-05 : tensor<300x16xf32>, tensor<16xf32> loc("ln")
  %bias = mpc.reduce_sum %b [0] : tensor<4096x16xf32> -> tensor<16xf32> loc("bias")
  %mean = mpc.reduce_mean %m [1] : tensor<8x300x16xf32> -> tensor<8x16xf32> loc("mean")
  %rows = mpc.reduce_sum %r [1] : tensor<4x300xf32> -> tensor<4xf32> loc("rows")
  return %dx, %dg, %db, %bias, %mean, %rows : tensor<300x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<8x16xf32>, tensor<4xf32> loc("out")
}
