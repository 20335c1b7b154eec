// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s

// rms_norm and its gradient on 4 rows of 16 f32 (64-byte rows, cached
// between passes, so each row is read once), worked out by hand:
// - rms_norm: 4 FLOPs per element (square, add, two products), 256; reads
//   x (256 bytes) and the weight (64), writes y (256).
// - rms_norm_grad, one launch: a block per row (4 blocks), each writing its
//   16 f32 partials of dweight (256 bytes in all), which the last block
//   reads back and adds. FLOPs: 10 for dx and 3 for the term per element,
//   832, plus 64 adds of the partials; reads dy, x (256 each), the weight
//   (64) and the partials (256), writes dx (256), dweight (64) and the
//   partials (256).

// CHECK: {"location":"norm","class":"rms_norm","backward":false,"math":"f32","flops":256,"bytes_read":320,"bytes_written":256,
// CHECK-NEXT: {"location":"grad","class":"rms_norm_grad","backward":false,"math":"f32","flops":896,"bytes_read":832,"bytes_written":576,
// CHECK-NEXT: {"location":"out","class":"copy",

func.func @norm(%x: tensor<4x16xf32>, %w: tensor<16xf32>, %dy: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<16xf32>) {
  %y = mpc.rms_norm %x, %w eps = 1.000000e-06 : tensor<4x16xf32>, tensor<16xf32> loc("norm")
  %dx, %dw = mpc.rms_norm_grad %dy, %x, %w eps = 1.000000e-06 : tensor<4x16xf32>, tensor<16xf32> loc("grad")
  return %y, %dx, %dw : tensor<4x16xf32>, tensor<4x16xf32>, tensor<16xf32> loc("out")
}
