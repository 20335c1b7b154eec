// RUN: mpc-opt %s -split-input-file --mpc-fuse --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s

// The cross-entropy and its gradient of cross-entropy.mlir (8 rows of 32768
// bf16 logits, 64 KiB rows, more than a block keeps cached), merged by
// mpc-fuse into one launch, worked out by hand:
// - the statistics pass and the gradient's pass read the logits twice
//   (1048576), the labels twice (for the rows, then for the kept rows'
//   count in the last block: 64), the loss gradient (4) and the 8 f32 row
//   losses the last block adds (32): 1048676;
// - it writes the bf16 gradient (524288), the row losses (32) and the loss
//   (4): 524324; 6 FLOPs per logit, 1572864.
// Unmerged it was three launches reading 1572964 bytes.
// CHECK-NOT: "class":"softmax_cross_entropy{{(_grad| mean)?}}"
// CHECK: {"location":"loss, dlogits","class":"softmax_cross_entropy_with_grad","backward":false,"math":"f32","flops":1572864,"bytes_read":1048676,"bytes_written":524324,
// CHECK-NOT: "class":"softmax_cross_entropy{{(_grad| mean)?}}"

func.func @step(%z: tensor<8x32768xbf16>, %y: tensor<8xi32>, %dl: tensor<f32>) -> (tensor<f32>, tensor<8x32768xbf16>) {
  %l = mpc.softmax_cross_entropy %z, %y : (tensor<8x32768xbf16>, tensor<8xi32>) -> tensor<f32> loc("loss")
  %g = mpc.softmax_cross_entropy_grad %dl, %z, %y : (tensor<f32>, tensor<8x32768xbf16>, tensor<8xi32>) -> tensor<8x32768xbf16> loc("dlogits")
  return %l, %g : tensor<f32>, tensor<8x32768xbf16>
}

// -----

// A mean with an ignore_index over 4 cached rows of 8 f32 logits (32-byte
// rows: each read once): the kept rows are counted first (4 FLOPs, reads
// the labels, 16 bytes, writes an i64 count, 8); then the merged launch
// reads the logits once (128), the labels twice (32), the loss gradient (4)
// and the row losses (16): 180; writes the gradient (128), the row losses
// (16) and the loss (4): 148; 6 FLOPs per logit, 192.
// CHECK: {"location":"loss2, dlogits2","class":"softmax_cross_entropy_with_grad count","backward":false,"math":"f32","flops":4,"bytes_read":16,"bytes_written":8,
// CHECK-NEXT: {"location":"loss2, dlogits2","class":"softmax_cross_entropy_with_grad","backward":false,"math":"f32","flops":192,"bytes_read":180,"bytes_written":148,

func.func @ignored(%z: tensor<4x8xf32>, %y: tensor<4xi32>, %dl: tensor<f32>) -> (tensor<f32>, tensor<4x8xf32>) {
  %l = mpc.softmax_cross_entropy %z, %y ignore_index = -100 : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32> loc("loss2")
  %g = mpc.softmax_cross_entropy_grad %dl, %z, %y ignore_index = -100 : (tensor<f32>, tensor<4x8xf32>, tensor<4xi32>) -> tensor<4x8xf32> loc("dlogits2")
  return %l, %g : tensor<f32>, tensor<4x8xf32>
}
