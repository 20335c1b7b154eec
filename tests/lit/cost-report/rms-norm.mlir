// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s

// rms_norm and its gradient on 4 rows of 16 f32 (64-byte rows, cached
// between passes, so each row is read once), worked out by hand:
// - rms_norm: 4 FLOPs per element (square, add, two products), 256; reads
//   x (256 bytes) and the weight (64), writes y (256).
// - rms_norm_grad rows: 10 FLOPs per element, 640; reads dy, x (256 each)
//   and the weight (64), writes dx (256) and one 8-byte statistic per row
//   (32).
// - the weight partials: one group of up to 8 rows; 3 FLOPs per element,
//   192; reads dy, x and the statistics (544), writes 16 f32 partials (64).
// - their sum: 16 FLOPs, reads the partials (64), writes dweight (64).

// CHECK: {"location":"norm","class":"rms_norm","backward":false,"math":"f32","flops":256,"bytes_read":320,"bytes_written":256,
// CHECK-NEXT: {"location":"grad","class":"rms_norm_grad","backward":false,"math":"f32","flops":640,"bytes_read":576,"bytes_written":288,
// CHECK-NEXT: {"location":"grad","class":"rms_norm_grad weight","backward":false,"math":"f32","flops":192,"bytes_read":544,"bytes_written":64,
// CHECK-NEXT: {"location":"grad","class":"rms_norm_grad weight sum","backward":false,"math":"f32","flops":16,"bytes_read":64,"bytes_written":64,

func.func @norm(%x: tensor<4x16xf32>, %w: tensor<16xf32>, %dy: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<16xf32>) {
  %y = mpc.rms_norm %x, %w eps = 1.000000e-06 : tensor<4x16xf32>, tensor<16xf32> loc("norm")
  %dx, %dw = mpc.rms_norm_grad %dy, %x, %w eps = 1.000000e-06 : tensor<4x16xf32>, tensor<16xf32> loc("grad")
  return %y, %dx, %dw : tensor<4x16xf32>, tensor<4x16xf32>, tensor<16xf32> loc("out")
}
