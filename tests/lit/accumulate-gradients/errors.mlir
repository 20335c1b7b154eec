// RUN: mpc-opt %s -split-input-file -verify-diagnostics --mpc-accumulate-gradients=accumulate=2

// The errors of mpc-accumulate-gradients on its input, one case each, run
// with accumulate=2; options.mlir has those of the count.

// Accumulation needs a training step.
// expected-error @+1 {{gradient accumulation needs a @train_step; run mpc-build-train-step first}}
module @no_step {
  func.func @forward(%x: tensor<4xf32>) -> (tensor<f32> {mpc.loss}) {
    %l = mpc.reduce_sum %x [0] : tensor<4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// A second application would sum the sums.
// expected-error @+1 {{the module already has @accumulate.phase; gradient accumulation was applied already}}
module @twice {
  mpc.param state @accumulate.phase : tensor<f32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xf32>) -> (tensor<f32> {mpc.loss}) {
    %l = mpc.reduce_sum %x [0] : tensor<4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// A step that updates nothing has nothing to accumulate.
module @no_update {
  // expected-error @+1 {{gradient accumulation found no gradient (no optimizer update)}}
  func.func @train_step(%x: tensor<4xf32>) -> (tensor<f32> {mpc.loss}) {
    %l = mpc.reduce_sum %x [0] : tensor<4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}
