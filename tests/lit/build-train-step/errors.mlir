// RUN: mpc-opt %s -split-input-file -verify-diagnostics --mpc-build-train-step
// RUN: rm -rf %t && split-file --leading-lines %s %t
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="optimizer=adam" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UNKNOWN-OPTIMIZER --implicit-check-not=error:
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="optimizer=sgd clip-norm=-1" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NEGATIVE-CLIP --implicit-check-not=error:
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="optimizer=sgd clip-norm=nan" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NAN-CLIP --implicit-check-not=error:
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="optimizer=sgd learning-rate=0" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ZERO-LR --implicit-check-not=error:
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="lr-schedule=cos" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UNKNOWN-SCHEDULE --implicit-check-not=error:
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="lr-schedule=cosine" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NO-DECAY-STEPS --implicit-check-not=error:
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="lr-schedule=cosine warmup-steps=100 decay-steps=100" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=DECAY-IN-WARMUP --implicit-check-not=error:
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="lr-schedule=linear decay-steps=10 min-lr-ratio=1.5" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD-RATIO --implicit-check-not=error:
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="lr-schedule=step" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NO-STEP-SIZE --implicit-check-not=error:
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="lr-schedule=step lr-step-size=10 lr-gamma=2" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD-GAMMA --implicit-check-not=error:
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="warmup-steps=5 min-lr-ratio=0.1" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=STRAY-OPTION --implicit-check-not=error:
// RUN: not mpc-opt %t/options.mlir --mpc-build-train-step="warmup-steps=-1" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NEGATIVE-WARMUP --implicit-check-not=error:

// The errors of mpc-build-train-step, one case each. The cases of the pass
// options run on the last module, options.mlir.

// A module whose function has no mpc.loss result has nothing to train.
// expected-error @+1 {{no function has a result marked mpc.loss}}
module @no_loss {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>) -> tensor<8x3xf32> {
    %w = mpc.load @w : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    return %h : tensor<8x3xf32>
  }
}

// -----

// A module without any function has no loss either.
// expected-error @+1 {{no function has a result marked mpc.loss}}
module @no_function {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
}

// -----

// The pass does not overwrite an existing @train_step.
// expected-error @+1 {{the module already has a @train_step}}
module @has_train_step {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
  func.func @train_step() {
    return
  }
}

// -----

// Any symbol named train_step clashes, a param too.
// expected-error @+1 {{the module already has a @train_step}}
module @param_named_train_step {
  mpc.param @train_step : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @train_step : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// An unknown optimizer in the graph's training block is rejected.
// expected-error @+1 {{unknown optimizer 'adam'; expected sgd, momentum or adamw}}
module @unknown_optimizer attributes {mpc.training = {optimizer = "adam"}} {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// A trainable bf16 param is rejected: master weights are f32.
module @bf16_param {
  // expected-error @+1 {{'mpc.param' op is 'bf16'; a trainable parameter must be f32 (its master weight), and lower precision comes from mpc-autocast}}
  mpc.param @w : tensor<4x3xbf16> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xbf16>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xbf16>
    %h = mpc.matmul %x, %w : (tensor<8x4xbf16>, tensor<4x3xbf16>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// Every trainable param must be f32, also one the loss does not read.
module @unused_f16_param {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  // expected-error @+1 {{'mpc.param' op is 'f16'; a trainable parameter must be f32}}
  mpc.param @h : tensor<3xf16> = #mpc.init<zeros>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// A bf16 `state` param is not trained, so its type is no error.
module @bf16_state_param {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  mpc.param state @cache : tensor<3xbf16> = #mpc.init<zeros>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// An op without a gradient between a param and the loss stops the pass.
module @no_gradient {
  mpc.param @w : tensor<8x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x3xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<8x3xf32>
    // expected-error @+1 {{'mpc.relu_grad' op has no gradient, but lies between a trainable parameter and the loss}}
    %g = mpc.relu_grad %x, %w : tensor<8x3xf32>
    %l = mpc.reduce_sum %g [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// An op without a gradient off every param-to-loss path is no error.
module @no_gradient_off_path {
  mpc.param @w : tensor<8x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x3xf32>, %y: tensor<8x3xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<8x3xf32>
    %g = mpc.relu_grad %x, %y : tensor<8x3xf32>
    %s = mpc.add %w, %g : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %s [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// The module the option cases run on: valid, so only the options fail.
// optimizer=adam on the command line is rejected like in the training block.
// UNKNOWN-OPTIMIZER: options.mlir:[[@LINE+6]]:1: error: unknown optimizer 'adam'; expected sgd, momentum or adamw
// A negative clip-norm is rejected before anything is built.
// NEGATIVE-CLIP: options.mlir:[[@LINE+4]]:1: error: clip-norm must be in (0.000000e+00, inf), got -1.000000e+00
// A NaN clip-norm is rejected too, not taken as "no clipping".
// NAN-CLIP: options.mlir:[[@LINE+2]]:1: error: clip-norm must be in (0.000000e+00, inf), got nan
//--- options.mlir
module @options {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}
// A learning rate of 0 is rejected as an option, at the module.
// ZERO-LR: options.mlir:{{[0-9]+}}:1: error: learning-rate must be in (0.000000e+00, inf), got 0.000000e+00
// The learning-rate schedule's options, each error one line at the module.
// UNKNOWN-SCHEDULE: options.mlir:{{[0-9]+}}:1: error: unknown lr-schedule 'cos'; expected constant, cosine, linear or step
// NO-DECAY-STEPS: options.mlir:{{[0-9]+}}:1: error: lr-schedule cosine needs decay-steps (or the graph's training.steps): the step its decay ends at
// DECAY-IN-WARMUP: options.mlir:{{[0-9]+}}:1: error: lr schedule cosine: decay_steps must be greater than warmup_steps (100), got 100
// BAD-RATIO: options.mlir:{{[0-9]+}}:1: error: lr schedule linear: min_ratio must lie in [0, 1], got 1.5
// NO-STEP-SIZE: options.mlir:{{[0-9]+}}:1: error: lr-schedule step needs lr-step-size
// BAD-GAMMA: options.mlir:{{[0-9]+}}:1: error: lr schedule step: gamma must lie in (0, 1], got 2
// STRAY-OPTION: options.mlir:{{[0-9]+}}:1: error: min-lr-ratio does not apply to lr-schedule constant (only to cosine and linear)
// NEGATIVE-WARMUP: options.mlir:{{[0-9]+}}:1: error: lr schedule: warmup_steps must be >= 0, got -1
