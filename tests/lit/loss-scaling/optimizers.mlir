// RUN: mpc-opt %s --mpc-build-train-step=optimizer=sgd --mpc-loss-scaling=mode=dynamic \
// RUN:   | FileCheck %s --check-prefix=SGD
// RUN: mpc-opt %s --mpc-build-train-step=optimizer=momentum --mpc-loss-scaling=mode=dynamic \
// RUN:   | FileCheck %s --check-prefix=MOMENTUM
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=sgd clip-norm=1.0" --mpc-loss-scaling=mode=dynamic \
// RUN:   | FileCheck %s --check-prefix=CLIP
// RUN: mpc-opt %s --mpc-build-train-step="clip-norm=0.5" --mpc-loss-scaling=mode=static \
// RUN:   | FileCheck %s --check-prefix=CLIP-ADAMW

// Every optimizer reads the unscaled gradients, and every symbol it stores
// keeps its old value on overflow. With clipping, the clip reads the
// unscaled gradients, so it clips the true norm.

module @linear {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  mpc.param @b : tensor<3xf32> = #mpc.init<zeros>
  func.func @forward(%x: tensor<8x4xf32>, %t: tensor<8x3xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %b = mpc.load @b : tensor<3xf32>
    %0 = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %1 = mpc.add %0, %b : (tensor<8x3xf32>, tensor<3xf32>) -> tensor<8x3xf32>
    %2 = mpc.mse_loss %1, %t : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<f32>
    return %2 : tensor<f32>
  }
}

// SGD-LABEL: func.func @train_step(
// SGD:         %[[OLD_STEP:.*]] = mpc.load @step
// SGD-NEXT:    %[[OLD_W:.*]] = mpc.load @w
// SGD-NEXT:    %[[OLD_B:.*]] = mpc.load @b
// SGD:         %[[SCALE:.*]] = mpc.load @loss_scale :
// SGD:         %[[DB:.*]] = mpc.reduce_sum
// SGD-NEXT:    %[[DW:.*]] = mpc.matmul
// SGD-NEXT:    %[[UNSCALED:.*]]:2, %[[FOUND_INF:.*]] = mpc.unscale_and_check %[[DW]], %[[DB]] by %[[SCALE]]
// SGD-NEXT:    mpc.load @loss_scale.good_steps
// SGD-NEXT:    mpc.load @loss_scale.hysteresis_left
// SGD-NEXT:    mpc.update_loss_scale %[[SCALE]],
// SGD:         mpc.store %{{.*}}, @loss_scale.skipped_steps
// SGD:         %[[NEW_STEP:.*]] = mpc.add
// SGD-NEXT:    %[[KEPT_STEP:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_STEP]], %[[NEW_STEP]]
// SGD-NEXT:    mpc.store %[[KEPT_STEP]], @step
// SGD-NEXT:    %[[NEW_W:.*]] = mpc.sgd_update %{{.*}}, %[[UNSCALED]]#0
// SGD-NEXT:    %[[KEPT_W:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_W]], %[[NEW_W]] : tensor<4x3xf32>
// SGD-NEXT:    mpc.store %[[KEPT_W]], @w
// SGD-NEXT:    %[[NEW_B:.*]] = mpc.sgd_update %{{.*}}, %[[UNSCALED]]#1
// SGD-NEXT:    %[[KEPT_B:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_B]], %[[NEW_B]] : tensor<3xf32>
// SGD-NEXT:    mpc.store %[[KEPT_B]], @b
// SGD-NEXT:    return

// MOMENTUM-LABEL: func.func @train_step(
// MOMENTUM:         %[[OLD_STEP:.*]] = mpc.load @step
// MOMENTUM-NEXT:    %[[OLD_W:.*]] = mpc.load @w :
// MOMENTUM-NEXT:    %[[OLD_WB:.*]] = mpc.load @w.momentum
// MOMENTUM-NEXT:    %[[OLD_B:.*]] = mpc.load @b :
// MOMENTUM-NEXT:    %[[OLD_BB:.*]] = mpc.load @b.momentum
// MOMENTUM:         %[[UNSCALED:.*]]:2, %[[FOUND_INF:.*]] = mpc.unscale_and_check
// MOMENTUM:         %[[NEW_W:.*]], %[[NEW_WB:.*]] = mpc.momentum_update %{{.*}}, %[[UNSCALED]]#0,
// MOMENTUM-NEXT:    %[[KEPT:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_W]], %[[NEW_W]]
// MOMENTUM-NEXT:    mpc.store %[[KEPT]], @w :
// MOMENTUM-NEXT:    %[[KEPT:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_WB]], %[[NEW_WB]]
// MOMENTUM-NEXT:    mpc.store %[[KEPT]], @w.momentum
// MOMENTUM:         %[[NEW_B:.*]], %[[NEW_BB:.*]] = mpc.momentum_update %{{.*}}, %[[UNSCALED]]#1,
// MOMENTUM-NEXT:    %[[KEPT:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_B]], %[[NEW_B]]
// MOMENTUM-NEXT:    mpc.store %[[KEPT]], @b :
// MOMENTUM-NEXT:    %[[KEPT:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_BB]], %[[NEW_BB]]
// MOMENTUM-NEXT:    mpc.store %[[KEPT]], @b.momentum
// MOMENTUM-NEXT:    return

// CLIP-LABEL: func.func @train_step(
// CLIP:         %[[DB:.*]] = mpc.reduce_sum
// CLIP-NEXT:    %[[DW:.*]] = mpc.matmul
// CLIP-NEXT:    %[[UNSCALED:.*]]:2, %[[FOUND_INF:.*]] = mpc.unscale_and_check %[[DW]], %[[DB]] by
// CLIP-NOT:     mpc.unscale_and_check
// CLIP:         %[[CLIPPED:.*]]:2, %{{.*}} = mpc.clip_by_global_norm %[[UNSCALED]]#0, %[[UNSCALED]]#1 max_norm
// CLIP:         mpc.sgd_update %{{.*}}, %[[CLIPPED]]#0
// CLIP-NEXT:    mpc.select %[[FOUND_INF]],
// CLIP:         mpc.sgd_update %{{.*}}, %[[CLIPPED]]#1
// CLIP-NEXT:    mpc.select %[[FOUND_INF]],

// CLIP-ADAMW-LABEL: func.func @train_step(
// CLIP-ADAMW:         %[[SCALE:.*]] = mpc.constant dense<6.553600e+04> : tensor<f32>
// CLIP-ADAMW:         %[[UNSCALED:.*]]:2, %[[FOUND_INF:.*]] = mpc.unscale_and_check %{{.*}}, %{{.*}} by %[[SCALE]]
// CLIP-ADAMW:         %[[CLIPPED:.*]]:2, %{{.*}} = mpc.clip_by_global_norm %[[UNSCALED]]#0, %[[UNSCALED]]#1 max_norm = 5.000000e-01
// CLIP-ADAMW:         mpc.adamw_update %{{.*}}, %[[CLIPPED]]#0,
// CLIP-ADAMW-COUNT-3: mpc.select %[[FOUND_INF]],
// CLIP-ADAMW:         mpc.adamw_update %{{.*}}, %[[CLIPPED]]#1,
// CLIP-ADAMW-COUNT-3: mpc.select %[[FOUND_INF]],
