// RUN: mpc-opt %s --mpc-build-train-step | FileCheck %s --check-prefix=ADAMW
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=sgd learning-rate=0.5" | FileCheck %s --check-prefix=SGD
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=momentum momentum=0.8 weight-decay=0.1" | FileCheck %s --check-prefix=MOMENTUM
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=sgd clip-norm=1.0" | FileCheck %s --check-prefix=CLIP
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=sgd record-grad-norm=true" | FileCheck %s --check-prefix=NORM
// RUN: mpc-opt %s --mpc-build-train-step | FileCheck %s --check-prefix=NO-NORM

// A linear model with a broadcast bias: the graph's training block picks
// AdamW with lr 0.01; options override it.
module @linear attributes {mpc.training = {optimizer = "adamw", learning_rate = 1.000000e-02 : f64}} {
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

// State symbols sit beside their params; the step count is shared.
// ADAMW:      mpc.param state @step : tensor<f32> = #mpc.init<zeros>
// ADAMW-NEXT: mpc.param @w : tensor<4x3xf32>
// ADAMW-NEXT: mpc.param state @w.m : tensor<4x3xf32> = #mpc.init<zeros>
// ADAMW-NEXT: mpc.param state @w.v : tensor<4x3xf32> = #mpc.init<zeros>
// ADAMW-NEXT: mpc.param @b : tensor<3xf32>
// ADAMW-NEXT: mpc.param state @b.m
// ADAMW-NEXT: mpc.param state @b.v
// The forward function stays for evaluation, unchanged.
// ADAMW-LABEL: func.func @forward(
// ADAMW-NOT:   mpc.store
// ADAMW:       return
// ADAMW-LABEL: func.func @train_step(
// ADAMW-SAME:    -> (tensor<f32> {mpc.loss})
// ADAMW:       %[[W:.*]] = mpc.load @w
// ADAMW:       %[[B:.*]] = mpc.load @b
// ADAMW:       %[[Y:.*]] = mpc.add
// ADAMW:       %[[LOSS:.*]] = mpc.mse_loss %[[Y]]
// The seed of backward is d loss / d loss = 1.
// ADAMW:       %[[ONE:.*]] = mpc.constant dense<1.000000e+00> : tensor<f32>
// ADAMW:       %[[DIFF:.*]] = mpc.sub %[[Y]], %arg1
// ADAMW:       %[[FACTOR:.*]] = mpc.mul %[[ONE]], %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// ADAMW:       %[[DY:.*]] = mpc.mul %[[DIFF]], %[[FACTOR]]
// The bias was broadcast over the batch: its gradient sums it back.
// ADAMW:       %[[DB:.*]] = mpc.reduce_sum %[[DY]] [0] : tensor<8x3xf32> -> tensor<3xf32>
// ADAMW:       %[[DW:.*]] = mpc.matmul %arg0, %[[DY]] {transpose_a} : (tensor<8x4xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
// ADAMW:       %[[STEP:.*]] = mpc.load @step
// ADAMW:       %[[T:.*]] = mpc.add %[[STEP]], %{{.*}}
// ADAMW:       mpc.store %[[T]], @step
// ADAMW:       %[[WM:.*]] = mpc.load @w.m
// ADAMW:       %[[WV:.*]] = mpc.load @w.v
// ADAMW:       %[[NW:.*]], %[[NM:.*]], %[[NV:.*]] = mpc.adamw_update %[[W]], %[[DW]], %[[WM]], %[[WV]], %[[T]] lr = 1.000000e-02 betas = (9.000000e-01, 0.99899999999999999) eps = 1.000000e-08 weight_decay = 1.000000e-02
// ADAMW:       mpc.store %[[NW]], @w
// ADAMW:       mpc.store %[[NM]], @w.m
// ADAMW:       mpc.store %[[NV]], @w.v
// ADAMW:       mpc.adamw_update %[[B]], %[[DB]]
// ADAMW:       return %[[LOSS]]

// SGD-NOT:   @w.m
// SGD-LABEL: func.func @train_step(
// SGD:       %[[NW:.*]] = mpc.sgd_update %{{.*}}, %{{.*}} lr = 5.000000e-01 weight_decay = 0.000000e+00 : tensor<4x3xf32>
// SGD:       mpc.store %[[NW]], @w
// SGD:       mpc.sgd_update {{.*}} : tensor<3xf32>

// MOMENTUM:       mpc.param state @w.momentum : tensor<4x3xf32> = #mpc.init<zeros>
// MOMENTUM-LABEL: func.func @train_step(
// MOMENTUM:       %[[BUF:.*]] = mpc.load @w.momentum
// MOMENTUM:       %[[NW:.*]], %[[NB:.*]] = mpc.momentum_update %{{.*}}, %{{.*}}, %[[BUF]] lr = 1.000000e-02 momentum = 8.000000e-01 weight_decay = 1.000000e-01
// MOMENTUM:       mpc.store %[[NW]], @w
// MOMENTUM:       mpc.store %[[NB]], @w.momentum

// Clipping sees every gradient at once, before any update, and stores
// their norm before clipping in a state scalar.
// CLIP:       mpc.param state @grad_norm : tensor<f32> = #mpc.init<zeros>
// CLIP-LABEL: func.func @train_step(
// CLIP:       %[[DB:.*]] = mpc.reduce_sum
// CLIP:       %[[DW:.*]] = mpc.matmul
// CLIP:       %[[C:.*]]:2, %[[GN:.*]] = mpc.clip_by_global_norm %[[DW]], %[[DB]] max_norm = 1.000000e+00
// CLIP-NEXT:  mpc.store %[[GN]], @grad_norm : tensor<f32>
// CLIP:       mpc.sgd_update %{{.*}}, %[[C]]#0
// CLIP:       mpc.sgd_update %{{.*}}, %[[C]]#1

// Recording the norm without clipping: a clip to the largest f32, whose
// factor is exactly 1 for every finite norm.
// NORM:       mpc.param state @grad_norm : tensor<f32> = #mpc.init<zeros>
// NORM-LABEL: func.func @train_step(
// NORM:       %[[C:.*]]:2, %[[GN:.*]] = mpc.clip_by_global_norm %{{.*}}, %{{.*}} max_norm = 3.4028234663852886E+38
// NORM-NEXT:  mpc.store %[[GN]], @grad_norm : tensor<f32>
// NORM:       mpc.sgd_update %{{.*}}, %[[C]]#0

// Neither: no norm, no state for it.
// NO-NORM-NOT: grad_norm
// NO-NORM-NOT: clip_by_global_norm
