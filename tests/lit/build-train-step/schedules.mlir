// RUN: mpc-opt %s --mpc-build-train-step | FileCheck %s --check-prefix=GRAPH
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=sgd lr-schedule=constant warmup-steps=0" | FileCheck %s --check-prefix=CONSTANT
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=momentum lr-schedule=linear decay-steps=50 min-lr-ratio=0.25" | FileCheck %s --check-prefix=LINEAR
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=sgd lr-schedule=step lr-step-size=30 lr-gamma=0.5 warmup-steps=5" | FileCheck %s --check-prefix=STEP
// RUN: mpc-opt %s --mpc-train-pipeline="lr-schedule=cosine warmup-steps=20 decay-steps=400" | FileCheck %s --check-prefix=PIPELINE

// The graph's training block asks for a cosine schedule with a warmup; its
// decay ends at training.steps. Pass options override the block.
module @linear attributes {mpc.training = {learning_rate = 1.000000e-02 : f64, lr_schedule = "cosine", warmup_steps = 10 : i64, min_lr_ratio = 1.000000e-01 : f64, steps = 200 : i64}} {
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

// Every update carries the schedule and reads the step count; @train_step
// records the peak and the schedule for the driver's log.
// GRAPH-LABEL: func.func @train_step(
// GRAPH-SAME:    attributes {mpc.learning_rate = 1.000000e-02 : f64, mpc.lr_schedule = #mpc.lr_schedule<kind = cosine, warmup_steps = 10, decay_steps = 200, min_ratio = 1.000000e-01>}
// GRAPH:       %[[T:.*]] = mpc.add %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// GRAPH:       mpc.store %[[T]], @step
// GRAPH:       mpc.adamw_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[T]] lr = 1.000000e-02 {{.*}} {schedule = #mpc.lr_schedule<kind = cosine, warmup_steps = 10, decay_steps = 200, min_ratio = 1.000000e-01>} : tensor<4x3xf32>
// GRAPH:       mpc.adamw_update {{.*}} {schedule = #mpc.lr_schedule<kind = cosine, warmup_steps = 10, decay_steps = 200, min_ratio = 1.000000e-01>} : tensor<3xf32>

// A constant rate without warmup needs no schedule: SGD reads no step.
// CONSTANT-LABEL: func.func @train_step(
// CONSTANT-SAME:    attributes {mpc.learning_rate = 1.000000e-02 : f64} {
// CONSTANT:       mpc.sgd_update %{{[^ ]*}}, %{{[^ ]*}} lr = 1.000000e-02 weight_decay = 0.000000e+00 : tensor<4x3xf32>

// LINEAR-LABEL: func.func @train_step(
// LINEAR:       %[[T:.*]] = mpc.add %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// LINEAR:       mpc.momentum_update %{{.*}}, %{{.*}}, %{{.*}} step %[[T]] lr = 1.000000e-02 momentum = 9.000000e-01 weight_decay = 0.000000e+00 {schedule = #mpc.lr_schedule<kind = linear, warmup_steps = 10, decay_steps = 50, min_ratio = 2.500000e-01>} : tensor<4x3xf32>

// The graph's warmup is overridden; min_ratio does not apply to step.
// STEP-LABEL: func.func @train_step(
// STEP:       mpc.sgd_update %{{.*}}, %{{.*}} step %{{.*}} lr = 1.000000e-02 weight_decay = 0.000000e+00 {schedule = #mpc.lr_schedule<kind = step, warmup_steps = 5, step_size = 30, gamma = 5.000000e-01>} : tensor<4x3xf32>

// PIPELINE-LABEL: func.func @train_step(
// PIPELINE:       mpc.adamw_update {{.*}} {schedule = #mpc.lr_schedule<kind = cosine, warmup_steps = 20, decay_steps = 400, min_ratio = 1.000000e-01>}
