// RUN: mpc-opt %s -split-input-file --mpc-loss-scaling | FileCheck %s
// RUN: mpc-opt %s -split-input-file --mpc-loss-scaling="mode=static init-scale=1024" | FileCheck %s --check-prefix=STATIC

// mode=auto (the default) scales the loss of a step that computes in f16,
// and leaves f32 and bf16 steps alone: bf16 has f32's range.

// CHECK-LABEL: module @f16_values
// CHECK:         mpc.param state @loss_scale : tensor<f32> = #mpc.init<constant, value = 6.553600e+04>
// CHECK:         %[[SCALE:.*]] = mpc.load @loss_scale : tensor<f32>
// CHECK-NEXT:    %[[HALF:.*]] = mpc.cast %[[SCALE]] : tensor<f32> to tensor<f16>
// CHECK-NEXT:    mpc.mul %{{.*}}, %[[HALF]]
// CHECK:         mpc.unscale_and_check
// CHECK:         mpc.update_loss_scale
// STATIC-LABEL: module @f16_values
// STATIC:         %[[SCALE:.*]] = mpc.constant dense<1.024000e+03> : tensor<f32>
// STATIC-NEXT:    %[[HALF:.*]] = mpc.cast %[[SCALE]] : tensor<f32> to tensor<f16>
// STATIC-NEXT:    mpc.mul %{{.*}}, %[[HALF]]
// STATIC:         mpc.unscale_and_check %{{.*}} by %[[SCALE]]
module @f16_values {
  mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xf16>) -> tensor<f32> {
    %w = mpc.load @w : tensor<4xf32>
    %seed = mpc.constant dense<1.0> : tensor<f16> {mpc.loss_seed}
    %gh = mpc.mul %x, %seed : (tensor<4xf16>, tensor<f16>) -> tensor<4xf16>
    %g = mpc.cast %gh : tensor<4xf16> to tensor<4xf32>
    %new = mpc.sgd_update %w, %g lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new, @w : tensor<4xf32>
    %loss = mpc.reduce_sum %g [0] : tensor<4xf32> -> tensor<f32>
    return %loss : tensor<f32>
  }
}

// -----

// An f16 block argument is enough.
// CHECK-LABEL: module @f16_argument
// CHECK:         mpc.param state @loss_scale :
// CHECK:         mpc.update_loss_scale
module @f16_argument {
  mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xf16>) -> tensor<f32> {
    %w = mpc.load @w : tensor<4xf32>
    %xf = mpc.cast %x : tensor<4xf16> to tensor<4xf32>
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    %g = mpc.mul %xf, %seed : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %new = mpc.sgd_update %w, %g lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new, @w : tensor<4xf32>
    return %seed : tensor<f32>
  }
}

// -----

// CHECK-LABEL: module @f32_step
// CHECK-NOT:     loss_scale
// CHECK:         %[[SEED:.*]] = mpc.constant dense<1.000000e+00> : tensor<f32> {mpc.loss_seed}
// CHECK-NEXT:    %[[G:.*]] = mpc.mul %{{.*}}, %[[SEED]]
// CHECK-NEXT:    %[[NEW:.*]] = mpc.sgd_update %{{.*}}, %[[G]]
// CHECK-NEXT:    mpc.store %[[NEW]], @w
// STATIC-LABEL: module @f32_step
// STATIC:         mpc.unscale_and_check
module @f32_step {
  mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xf32>) -> tensor<f32> {
    %w = mpc.load @w : tensor<4xf32>
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    %g = mpc.mul %x, %seed : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %new = mpc.sgd_update %w, %g lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new, @w : tensor<4xf32>
    return %seed : tensor<f32>
  }
}

// -----

// CHECK-LABEL: module @bf16_step
// CHECK-NOT:     loss_scale
// CHECK:         mpc.constant dense<1.000000e+00> : tensor<bf16> {mpc.loss_seed}
// CHECK-NOT:     mpc.unscale_and_check
// CHECK:         return
// STATIC-LABEL: module @bf16_step
// STATIC:         %[[SCALE:.*]] = mpc.constant dense<1.024000e+03> : tensor<f32>
// STATIC-NEXT:    mpc.cast %[[SCALE]] : tensor<f32> to tensor<bf16>
module @bf16_step {
  mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xbf16>) -> tensor<4xf32> {
    %w = mpc.load @w : tensor<4xf32>
    %seed = mpc.constant dense<1.0> : tensor<bf16> {mpc.loss_seed}
    %gh = mpc.mul %x, %seed : (tensor<4xbf16>, tensor<bf16>) -> tensor<4xbf16>
    %g = mpc.cast %gh : tensor<4xbf16> to tensor<4xf32>
    %new = mpc.sgd_update %w, %g lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new, @w : tensor<4xf32>
    return %new : tensor<4xf32>
  }
}
