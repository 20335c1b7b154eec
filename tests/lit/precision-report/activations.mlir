// The activation memory saved for backward, against an all-f32 step.
// RUN: mpc-opt %s --mpc-precision-report=output=- -o /dev/null \
// RUN:   | FileCheck %s

module {
  // The typical gain: one f16 activation crosses the loss op, 16 × 64 × 2
  // = 2048 bytes, where an f32 step keeps 16 × 64 × 4 = 4096 (0.50x). The
  // f16 copy of x is not used after the loss op and costs nothing here.

  // CHECK-LABEL: @halves:
  //       CHECK:   saved for backward: 2048 bytes (2.0 KiB); all-f32: 4096 bytes (4.0 KiB); 0.50x
  func.func @halves(%x: tensor<16x64xf32>) -> (tensor<f32> {mpc.loss}) {
    %xh = mpc.cast %x : tensor<16x64xf32> to tensor<16x64xf16>
    %a = mpc.relu %xh {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<16x64xf16>
    %s = mpc.reduce_sum %a [0, 1] {mpc.autocast = #mpc.autocast<deny, default_policy>} : tensor<16x64xf16> -> tensor<f16>
    %loss = mpc.cast %s : tensor<f16> to tensor<f32>
    %d = mpc.relu_grad %a, %a {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<16x64xf16>
    return %loss : tensor<f32>
  }

  // The loss op here is a cast, so the boundary is the cast. Saved:
  //   %a  f16 relu output, 1024 × 2 = 2048 (used by relu_grad)
  //   %af its f32 cast, 1024 × 4 = 4096 (used by the loss gradient)
  //   %vi an i32 tensor, 16 × 4 = 64 (used as labels)
  //   total 6208 bytes (6.1 KiB).
  // Not saved: %c (a constant), %w (a load), %v (used only before the
  // loss), %loss (used only by the return).
  // All-f32: %a and %af are one value there, 4096; %vi keeps its 64 bytes;
  // 4160 bytes (4.1 KiB). 6208 / 4160 = 1.49.

  // CHECK-LABEL: @chain:
  //       CHECK:   saved for backward: 6208 bytes (6.1 KiB); all-f32: 4160 bytes (4.1 KiB); 1.49x
  mpc.param @w : tensor<16x64xf32> = #mpc.init<zeros>
  func.func @chain(%x: tensor<16x64xf32>, %y: tensor<16xi32>)
      -> (tensor<f32> {mpc.loss}, tensor<16x64xf16>) {
    %c = mpc.constant dense<2.0> : tensor<f16>
    %w = mpc.load @w : tensor<16x64xf32>
    %xh = mpc.cast %x : tensor<16x64xf32> to tensor<16x64xf16>
    %a = mpc.relu %xh {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<16x64xf16>
    %af = mpc.cast %a : tensor<16x64xf16> to tensor<16x64xf32>
    %v = mpc.reduce_sum %af [1] {mpc.autocast = #mpc.autocast<deny, default_policy>} : tensor<16x64xf32> -> tensor<16xf32>
    %vi = mpc.cast %v : tensor<16xf32> to tensor<16xi32>
    %l = mpc.softmax_cross_entropy %af, %y {mpc.autocast = #mpc.autocast<deny, default_policy>} : (tensor<16x64xf32>, tensor<16xi32>) -> tensor<f32>
    %loss = mpc.cast %l : tensor<f32> to tensor<f32>
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    %g = mpc.softmax_cross_entropy_grad %seed, %af, %vi {mpc.autocast = #mpc.autocast<deny, default_policy>} : (tensor<f32>, tensor<16x64xf32>, tensor<16xi32>) -> tensor<16x64xf32>
    %gw = mpc.mul %g, %w {mpc.autocast = #mpc.autocast<deny, default_policy>} : (tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<16x64xf32>
    %gh = mpc.cast %gw : tensor<16x64xf32> to tensor<16x64xf16>
    %d = mpc.relu_grad %gh, %a {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<16x64xf16>
    %m = mpc.mul %d, %c {mpc.autocast = #mpc.autocast<infer, neighbours>} : (tensor<16x64xf16>, tensor<f16>) -> tensor<16x64xf16>
    return %loss, %a : tensor<f32>, tensor<16x64xf16>
  }

  // No activation line: the loss is an argument, so there is no loss op;
  // or nothing but the return follows the loss op.

  // CHECK-LABEL: @loss_is_argument:
  //   CHECK-NOT:   saved for backward
  //       CHECK: @loss_then_return:
  //   CHECK-NOT:   saved for backward
  func.func @loss_is_argument(%l: tensor<f32>, %x: tensor<4xf16>) -> (tensor<f32> {mpc.loss}, tensor<4xf16>) {
    %r = mpc.relu %x {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<4xf16>
    return %l, %r : tensor<f32>, tensor<4xf16>
  }
  func.func @loss_then_return(%x: tensor<4xf32>) -> (tensor<f32> {mpc.loss}, tensor<4xf32>) {
    %r = mpc.relu %x {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<4xf32>
    %l = mpc.reduce_sum %r [0] {mpc.autocast = #mpc.autocast<deny, default_policy>} : tensor<4xf32> -> tensor<f32>
    return %l, %r : tensor<f32>, tensor<4xf32>
  }
}
