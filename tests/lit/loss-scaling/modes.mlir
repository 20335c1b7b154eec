// RUN: mpc-opt %s --mpc-build-train-step -o %t.reference.mlir
// RUN: mpc-opt %s --mpc-build-train-step --mpc-loss-scaling=mode=none -o %t.none.mlir
// RUN: diff %t.reference.mlir %t.none.mlir
// RUN: mpc-opt %s --mpc-build-train-step --mpc-loss-scaling="mode=static init-scale=1024" \
// RUN:   | FileCheck %s --check-prefix=STATIC
// RUN: mpc-opt %s --mpc-build-train-step --mpc-loss-scaling="mode=dynamic init-scale=1024 growth-factor=4 backoff-factor=0.25 growth-interval=100 hysteresis=3 min-scale=0.5 max-scale=1e6" \
// RUN:   | FileCheck %s --check-prefix=DYNAMIC
// RUN: mpc-opt %s --mpc-build-train-step --mpc-loss-scaling=mode=dynamic --mlir-print-debuginfo \
// RUN:   | FileCheck %s --check-prefix=LOC
// RUN: mpc-opt %s --mpc-build-train-step --mpc-loss-scaling=mode=dynamic \
// RUN:   | FileCheck %s --check-prefix=DEFAULTS

// A linear model trained with AdamW (the default optimizer). mode=none
// leaves the step exactly as mpc-build-train-step built it.

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

// Static: a constant scale seeds backward, and only the skipped-step
// counter is added to the module.
// STATIC:      module @linear {
// STATIC-NEXT:   mpc.param state @loss_scale.skipped_steps : tensor<f32> = #mpc.init<zeros>
// STATIC-NEXT:   mpc.param state @step : tensor<f32> = #mpc.init<zeros>
// STATIC-NOT:    mpc.param state @loss_scale
// STATIC-LABEL:  func.func @forward(
// STATIC-NOT:      mpc.unscale_and_check
// STATIC-LABEL:  func.func @train_step(
// STATIC:          %[[OLD_STEP:.*]] = mpc.load @step
// STATIC-NEXT:     %[[OLD_W:.*]] = mpc.load @w :
// STATIC-NEXT:     %[[OLD_WM:.*]] = mpc.load @w.m
// STATIC-NEXT:     %[[OLD_WV:.*]] = mpc.load @w.v
// STATIC-NEXT:     %[[OLD_B:.*]] = mpc.load @b :
// STATIC-NEXT:     %[[OLD_BM:.*]] = mpc.load @b.m
// STATIC-NEXT:     %[[OLD_BV:.*]] = mpc.load @b.v
// STATIC:          mpc.mse_loss
// STATIC-NOT:      mpc.loss_seed
// STATIC-NEXT:     %[[SCALE:.*]] = mpc.constant dense<1.024000e+03> : tensor<f32>
// STATIC-NOT:      mpc.loss_seed
// STATIC:          %[[DB:.*]] = mpc.reduce_sum
// STATIC-NEXT:     %[[DW:.*]] = mpc.matmul
// STATIC-NEXT:     %[[UNSCALED:.*]]:2, %[[FOUND_INF:.*]] = mpc.unscale_and_check %[[DW]], %[[DB]] by %[[SCALE]] : (tensor<4x3xf32>, tensor<3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<i1>)
// STATIC-NEXT:     %[[SKIPPED:.*]] = mpc.load @loss_scale.skipped_steps
// STATIC-NEXT:     %[[FLAG:.*]] = mpc.cast %[[FOUND_INF]] : tensor<i1> to tensor<f32>
// STATIC-NEXT:     %[[COUNT:.*]] = mpc.add %[[SKIPPED]], %[[FLAG]]
// STATIC-NEXT:     mpc.store %[[COUNT]], @loss_scale.skipped_steps
// STATIC-NOT:      mpc.update_loss_scale
// STATIC:          %[[NEW_STEP:.*]] = mpc.add
// STATIC-NEXT:     %[[KEPT_STEP:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_STEP]], %[[NEW_STEP]] : tensor<f32>
// STATIC-NEXT:     mpc.store %[[KEPT_STEP]], @step
// STATIC:          %[[NEW_W:.*]], %[[NEW_WM:.*]], %[[NEW_WV:.*]] = mpc.adamw_update %{{.*}}, %[[UNSCALED]]#0,
// STATIC-NEXT:     %[[KEPT_W:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_W]], %[[NEW_W]] : tensor<4x3xf32>
// STATIC-NEXT:     mpc.store %[[KEPT_W]], @w :
// STATIC-NEXT:     %[[KEPT_WM:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_WM]], %[[NEW_WM]]
// STATIC-NEXT:     mpc.store %[[KEPT_WM]], @w.m
// STATIC-NEXT:     %[[KEPT_WV:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_WV]], %[[NEW_WV]]
// STATIC-NEXT:     mpc.store %[[KEPT_WV]], @w.v
// STATIC:          %[[NEW_B:.*]], %[[NEW_BM:.*]], %[[NEW_BV:.*]] = mpc.adamw_update %{{.*}}, %[[UNSCALED]]#1,
// STATIC-NEXT:     %[[KEPT_B:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_B]], %[[NEW_B]] : tensor<3xf32>
// STATIC-NEXT:     mpc.store %[[KEPT_B]], @b :
// STATIC-NEXT:     %[[KEPT_BM:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_BM]], %[[NEW_BM]]
// STATIC-NEXT:     mpc.store %[[KEPT_BM]], @b.m
// STATIC-NEXT:     %[[KEPT_BV:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_BV]], %[[NEW_BV]]
// STATIC-NEXT:     mpc.store %[[KEPT_BV]], @b.v
// STATIC-NEXT:     return

// Dynamic: the scale and its state are params saved with the model, the
// seed is the loaded scale, and the scale update follows the check.
// DYNAMIC:      module @linear {
// DYNAMIC-NEXT:   mpc.param state @loss_scale : tensor<f32> = #mpc.init<constant, value = 1.024000e+03>
// DYNAMIC-NEXT:   mpc.param state @loss_scale.good_steps : tensor<f32> = #mpc.init<zeros>
// DYNAMIC-NEXT:   mpc.param state @loss_scale.hysteresis_left : tensor<f32> = #mpc.init<constant, value = 3.000000e+00>
// DYNAMIC-NEXT:   mpc.param state @loss_scale.skipped_steps : tensor<f32> = #mpc.init<zeros>
// DYNAMIC-NEXT:   mpc.param state @step : tensor<f32> = #mpc.init<zeros>
// DYNAMIC-LABEL: func.func @train_step(
// DYNAMIC:         %[[OLD_STEP:.*]] = mpc.load @step
// DYNAMIC:         mpc.mse_loss
// DYNAMIC-NEXT:    %[[SCALE:.*]] = mpc.load @loss_scale : tensor<f32>
// DYNAMIC-NOT:     mpc.loss_seed
// DYNAMIC-NEXT:    mpc.sub
// DYNAMIC:         mpc.mul %[[SCALE]],
// DYNAMIC:         %[[UNSCALED:.*]]:2, %[[FOUND_INF:.*]] = mpc.unscale_and_check %{{.*}}, %{{.*}} by %[[SCALE]]
// DYNAMIC-NEXT:    %[[GOOD:.*]] = mpc.load @loss_scale.good_steps
// DYNAMIC-NEXT:    %[[LEFT:.*]] = mpc.load @loss_scale.hysteresis_left
// DYNAMIC-NEXT:    %[[NEW_SCALE:.*]], %[[NEW_GOOD:.*]], %[[NEW_LEFT:.*]] = mpc.update_loss_scale %[[SCALE]], %[[GOOD]], %[[LEFT]], %[[FOUND_INF]] growth = 4.000000e+00 every 100 backoff = 2.500000e-01 hysteresis = 3 range = [5.000000e-01, 1.000000e+06]
// DYNAMIC-NEXT:    mpc.store %[[NEW_SCALE]], @loss_scale :
// DYNAMIC-NEXT:    mpc.store %[[NEW_GOOD]], @loss_scale.good_steps
// DYNAMIC-NEXT:    mpc.store %[[NEW_LEFT]], @loss_scale.hysteresis_left
// DYNAMIC-NEXT:    %[[SKIPPED:.*]] = mpc.load @loss_scale.skipped_steps
// DYNAMIC-NEXT:    %[[FLAG:.*]] = mpc.cast %[[FOUND_INF]] : tensor<i1> to tensor<f32>
// DYNAMIC-NEXT:    %[[COUNT:.*]] = mpc.add %[[SKIPPED]], %[[FLAG]]
// DYNAMIC-NEXT:    mpc.store %[[COUNT]], @loss_scale.skipped_steps
// DYNAMIC:         %[[NEW_STEP:.*]] = mpc.add
// DYNAMIC-NEXT:    %[[KEPT_STEP:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_STEP]], %[[NEW_STEP]]
// DYNAMIC-NEXT:    mpc.store %[[KEPT_STEP]], @step
// DYNAMIC:         mpc.adamw_update %{{.*}}, %[[UNSCALED]]#0,
// DYNAMIC-NEXT:    %[[KEPT:.*]] = mpc.select %[[FOUND_INF]],
// DYNAMIC-NEXT:    mpc.store %[[KEPT]], @w :
// DYNAMIC-NEXT:    %[[KEPT:.*]] = mpc.select %[[FOUND_INF]],
// DYNAMIC-NEXT:    mpc.store %[[KEPT]], @w.m
// DYNAMIC-NEXT:    %[[KEPT:.*]] = mpc.select %[[FOUND_INF]],
// DYNAMIC-NEXT:    mpc.store %[[KEPT]], @w.v
// DYNAMIC:         mpc.adamw_update %{{.*}}, %[[UNSCALED]]#1,
// DYNAMIC-NEXT:    %[[KEPT:.*]] = mpc.select %[[FOUND_INF]],
// DYNAMIC-NEXT:    mpc.store %[[KEPT]], @b :
// DYNAMIC-NEXT:    %[[KEPT:.*]] = mpc.select %[[FOUND_INF]],
// DYNAMIC-NEXT:    mpc.store %[[KEPT]], @b.m
// DYNAMIC-NEXT:    %[[KEPT:.*]] = mpc.select %[[FOUND_INF]],
// DYNAMIC-NEXT:    mpc.store %[[KEPT]], @b.v
// DYNAMIC-NEXT:    return

// The defaults: 65536, doubled every 2000 clean steps, halved on each
// overflow, within [1, 2^24].
// DEFAULTS: mpc.param state @loss_scale : tensor<f32> = #mpc.init<constant, value = 6.553600e+04>
// DEFAULTS: mpc.param state @loss_scale.hysteresis_left : tensor<f32> = #mpc.init<constant, value = 1.000000e+00>
// DEFAULTS: mpc.update_loss_scale {{.*}} growth = 2.000000e+00 every 2000 backoff = 5.000000e-01 hysteresis = 1 range = [1.000000e+00, 0x4170000000000000]

// New ops are located at the seed, under the name loss_scale.
// LOC: mpc.unscale_and_check {{.*}} loc(#[[LOC:.*]])
// LOC: #[[LOC]] = loc("loss_scale"(
