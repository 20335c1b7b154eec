// RUN: mpc-opt %s -split-input-file --mpc-loss-scaling=mode=static | FileCheck %s

// Where the pass puts the check and the selects in hand-written steps.

// A store before the last gradient moves to the end of the step, where
// the check decides it; its old value is loaded first thing.
// CHECK-LABEL: module @early_store
// CHECK:         %[[OLD_COUNT:.*]] = mpc.load @count
// CHECK-NEXT:    %[[OLD_W:.*]] = mpc.load @w
// CHECK:         %[[NEW_COUNT:.*]] = mpc.add
// CHECK-NOT:     mpc.store
// CHECK:         %[[UNSCALED:.*]], %[[FOUND_INF:.*]] = mpc.unscale_and_check
// CHECK:         %[[NEW_W:.*]] = mpc.sgd_update %{{.*}}, %[[UNSCALED]]
// CHECK-NEXT:    %[[KEPT_W:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_W]], %[[NEW_W]]
// CHECK-NEXT:    mpc.store %[[KEPT_W]], @w
// CHECK-NEXT:    %[[KEPT_COUNT:.*]] = mpc.select %[[FOUND_INF]], %[[OLD_COUNT]], %[[NEW_COUNT]]
// CHECK-NEXT:    mpc.store %[[KEPT_COUNT]], @count
// CHECK-NEXT:    return %[[NEW_COUNT]]
module @early_store {
  mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
  mpc.param state @count : tensor<f32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xf32>) -> tensor<f32> {
    %w = mpc.load @w : tensor<4xf32>
    %count = mpc.load @count : tensor<f32>
    %one = mpc.constant dense<1.0> : tensor<f32>
    %next = mpc.add %count, %one : (tensor<f32>, tensor<f32>) -> tensor<f32>
    mpc.store %next, @count : tensor<f32>
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    %g = mpc.mul %x, %seed : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %new = mpc.sgd_update %w, %g lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new, @w : tensor<4xf32>
    return %next : tensor<f32>
  }
}

// -----

// A gradient read twice is unscaled once; the check goes after the last
// gradient, whatever the order of the updates.
// CHECK-LABEL: module @shared_gradient
// CHECK:         %[[GB:.*]] = mpc.mul %{{.*}}, %[[SCALE:.*]] :
// CHECK-NEXT:    %[[GA:.*]] = mpc.add %[[GB]], %[[GB]]
// CHECK-NEXT:    %[[UNSCALED:.*]]:2, %[[FOUND_INF:.*]] = mpc.unscale_and_check %[[GB]], %[[GA]] by %[[SCALE]] : (tensor<4xf32>, tensor<4xf32>, tensor<f32>)
// CHECK:         mpc.sgd_update %{{.*}}, %[[UNSCALED]]#0
// CHECK:         mpc.sgd_update %{{.*}}, %[[UNSCALED]]#0
// CHECK:         mpc.sgd_update %{{.*}}, %[[UNSCALED]]#1
module @shared_gradient {
  mpc.param @a : tensor<4xf32> = #mpc.init<zeros>
  mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
  mpc.param @c : tensor<4xf32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xf32>) -> tensor<f32> {
    %a = mpc.load @a : tensor<4xf32>
    %b = mpc.load @b : tensor<4xf32>
    %c = mpc.load @c : tensor<4xf32>
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    %gb = mpc.mul %x, %seed : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %ga = mpc.add %gb, %gb : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %new_b = mpc.sgd_update %b, %gb lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new_b, @b : tensor<4xf32>
    %new_c = mpc.sgd_update %c, %gb lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new_c, @c : tensor<4xf32>
    %new_a = mpc.sgd_update %a, %ga lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new_a, @a : tensor<4xf32>
    return %seed : tensor<f32>
  }
}
