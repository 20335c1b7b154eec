// RUN: mpc-opt %s -split-input-file -verify-diagnostics --mpc-loss-scaling=mode=dynamic

// The errors of mpc-loss-scaling on its input, one case each; options.mlir
// has those of the options.

// Loss scaling needs the seed of backward that mpc-build-train-step marks.
// expected-error @+1 {{no constant is marked mpc.loss_seed (the seed of backward); run mpc-build-train-step first}}
module @no_seed {
  mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
  func.func @forward(%x: tensor<4xf32>) -> (tensor<f32> {mpc.loss}) {
    %l = mpc.reduce_sum %x [0] : tensor<4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// expected-error @+1 {{2 constants are marked mpc.loss_seed; loss scaling needs exactly one}}
module @two_seeds {
  func.func @train_step(%x: tensor<4xf32>) -> tensor<f32> {
    // expected-note @+1 {{marked here}}
    %a = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    // expected-note @+1 {{marked here}}
    %b = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %a : tensor<f32>
  }
}

// -----

module @seed_outside_a_function {
  // expected-error @+1 {{the loss seed must lie in the only block of a function (the training step)}}
  %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
}

// -----

// A second application would scale an already scaled step.
// expected-error @+1 {{the module already has @loss_scale.skipped_steps; loss scaling was applied already}}
module @applied_twice {
  mpc.param state @loss_scale.skipped_steps : tensor<f32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xf32>) -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

// -----

// expected-error @+1 {{the module already has @loss_scale; loss scaling was applied already}}
module @scale_symbol_exists {
  mpc.param @loss_scale : tensor<f32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xf32>) -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

// -----

module @no_gradients {
  // expected-error @+1 {{loss scaling found no gradient to unscale (no mpc.clip_by_global_norm and no optimizer update)}}
  func.func @train_step(%x: tensor<4xf32>) -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

// -----

// All gradients are unscaled together, so no update may come before the
// last one.
module @update_before_last_gradient {
  mpc.param @a : tensor<4xf32> = #mpc.init<zeros>
  mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xf32>) -> tensor<f32> {
    %a = mpc.load @a : tensor<4xf32>
    %b = mpc.load @b : tensor<4xf32>
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    %ga = mpc.mul %x, %seed : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    // expected-error @+1 {{'mpc.sgd_update' op reads a gradient before all gradients are computed; loss scaling unscales them together, after the last one}}
    %new_a = mpc.sgd_update %a, %ga lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new_a, @a : tensor<4xf32>
    %gb = mpc.add %ga, %ga : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %new_b = mpc.sgd_update %b, %gb lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new_b, @b : tensor<4xf32>
    return %seed : tensor<f32>
  }
}

// -----

// A store before the check moves after it, which a later load of the same
// symbol would notice.
module @load_after_early_store {
  mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
  mpc.param state @count : tensor<f32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xf32>) -> tensor<f32> {
    %w = mpc.load @w : tensor<4xf32>
    %count = mpc.load @count : tensor<f32>
    %one = mpc.constant dense<1.0> : tensor<f32>
    %next = mpc.add %count, %one : (tensor<f32>, tensor<f32>) -> tensor<f32>
    mpc.store %next, @count : tensor<f32>
    // expected-error @+1 {{'mpc.load' op reads @count after it is stored, before the overflow check; loss scaling cannot delay that store}}
    %again = mpc.load @count : tensor<f32>
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    %g = mpc.mul %x, %seed : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %new = mpc.sgd_update %w, %g lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new, @w : tensor<4xf32>
    return %again : tensor<f32>
  }
}
