// RUN: mpc-opt %s --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s

// The cross-entropy and its gradient on 8 rows of 32768 bf16 logits
// (64 KiB rows, more than a block keeps cached, so every pass over a row
// reads it from memory), worked out by hand:
// - softmax_cross_entropy: one online pass for each row's max and sum of
//   exp: reads the logits once (524288 bytes) and the labels (32); writes
//   one f32 loss per row (32); 4 FLOPs per logit, 1048576.
// - its mean reads the 8 row losses (32) and writes the loss (4).
// - softmax_cross_entropy_grad: one online pass for the statistics and one
//   that writes the gradient: reads the logits twice (1048576), the labels
//   (32) and the loss gradient (4); writes the bf16 gradient (524288);
//   6 FLOPs per logit, 1572864.
// CHECK: {"location":"loss","class":"softmax_cross_entropy","backward":false,"math":"f32","flops":1048576,"bytes_read":524320,"bytes_written":32,
// CHECK-NEXT: {"location":"loss","class":"softmax_cross_entropy mean","backward":false,"math":"f32","flops":8,"bytes_read":32,"bytes_written":4,
// CHECK-NEXT: {"location":"dlogits","class":"softmax_cross_entropy_grad","backward":false,"math":"f32","flops":1572864,"bytes_read":1048612,"bytes_written":524288,

func.func @step(%z: tensor<8x32768xbf16>, %y: tensor<8xi32>, %dl: tensor<f32>) -> (tensor<f32>, tensor<8x32768xbf16>) {
  %l = mpc.softmax_cross_entropy %z, %y : (tensor<8x32768xbf16>, tensor<8xi32>) -> tensor<f32> loc("loss")
  %g = mpc.softmax_cross_entropy_grad %dl, %z, %y : (tensor<f32>, tensor<8x32768xbf16>, tensor<8xi32>) -> tensor<8x32768xbf16> loc("dlogits")
  return %l, %g : tensor<f32>, tensor<8x32768xbf16>
}
