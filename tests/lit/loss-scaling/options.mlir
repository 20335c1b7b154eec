// RUN: rm -rf %t && split-file --leading-lines %s %t
// RUN: mpc-opt %t/mode.mlir -verify-diagnostics --mpc-loss-scaling="mode=bogus"
// RUN: mpc-opt %t/init-scale.mlir -verify-diagnostics --mpc-loss-scaling="mode=static init-scale=0"
// RUN: mpc-opt %t/init-scale-nan.mlir -verify-diagnostics --mpc-loss-scaling="mode=dynamic init-scale=nan"
// RUN: mpc-opt %t/init-scale-f32.mlir -verify-diagnostics --mpc-loss-scaling="mode=static init-scale=1e39"
// RUN: mpc-opt %t/growth-factor.mlir -verify-diagnostics --mpc-loss-scaling="mode=dynamic growth-factor=1"
// RUN: mpc-opt %t/backoff-factor.mlir -verify-diagnostics --mpc-loss-scaling="mode=dynamic backoff-factor=1"
// RUN: mpc-opt %t/growth-interval.mlir -verify-diagnostics --mpc-loss-scaling="mode=dynamic growth-interval=0"
// RUN: mpc-opt %t/hysteresis.mlir -verify-diagnostics --mpc-loss-scaling="mode=dynamic hysteresis=0"
// RUN: mpc-opt %t/min-scale.mlir -verify-diagnostics --mpc-loss-scaling="mode=dynamic min-scale=0"
// RUN: mpc-opt %t/max-scale.mlir -verify-diagnostics --mpc-loss-scaling="mode=dynamic max-scale=-1"
// RUN: mpc-opt %t/range.mlir -verify-diagnostics --mpc-loss-scaling="mode=dynamic init-scale=4 min-scale=8 max-scale=4"
// RUN: mpc-opt %t/init-outside-range.mlir -verify-diagnostics --mpc-loss-scaling="mode=dynamic init-scale=2 min-scale=4"
// RUN: mpc-opt %t/static-f16.mlir -verify-diagnostics --mpc-loss-scaling="mode=static init-scale=65536"
// RUN: mpc-opt %t/twice.mlir -verify-diagnostics --mpc-build-train-step --mpc-loss-scaling=mode=dynamic --mpc-loss-scaling=mode=dynamic
// RUN: mpc-opt %t/twice.mlir -verify-diagnostics --mpc-build-train-step --mpc-loss-scaling=mode=static --mpc-loss-scaling=mode=static
// Options a mode does not use are not checked: static scaling has no growth,
// and none changes nothing.
// RUN: mpc-opt %t/unused.mlir --mpc-build-train-step --mpc-loss-scaling="mode=static init-scale=8 growth-factor=0.5 min-scale=-1" | FileCheck %s --check-prefix=UNUSED
// RUN: mpc-opt %t/unused.mlir --mpc-build-train-step --mpc-loss-scaling="mode=none init-scale=-1 hysteresis=0" | FileCheck %s --check-prefix=NONE
// UNUSED: mpc.constant dense<8.000000e+00> : tensor<f32>
// UNUSED: mpc.unscale_and_check
// NONE-NOT: loss_scale
// NONE: {mpc.loss_seed}

// Each bad option is one error at the module naming the option and its
// admissible range; each case is a file of its own.

//--- mode.mlir
// An unknown mode.
// expected-error @+1 {{unknown loss-scaling mode 'bogus'; expected auto, none, static or dynamic}}
module @mode {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- init-scale.mlir
// The scale is positive and finite, in every mode.
// expected-error @+1 {{init-scale must be in (0.000000e+00, inf), got 0.000000e+00}}
module @init_scale {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- init-scale-nan.mlir
// expected-error @+1 {{init-scale must be in (0.000000e+00, inf), got nan}}
module @init_scale_nan {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- init-scale-f32.mlir
// The scale is an f32 value.
// expected-error @+1 {{init-scale 1.000000e+39 overflows f32 (largest 3.402823e+38)}}
module @init_scale_f32 {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- growth-factor.mlir
// Dynamic scaling grows, backs off, and has a floor and a ceiling.
// expected-error @+1 {{growth-factor must be in (1.000000e+00, inf), got 1.000000e+00}}
module @growth_factor {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- backoff-factor.mlir
// expected-error @+1 {{backoff-factor must be in (0.000000e+00, 1.000000e+00), got 1.000000e+00}}
module @backoff_factor {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- growth-interval.mlir
// expected-error @+1 {{growth-interval must be at least 1, got 0}}
module @growth_interval {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- hysteresis.mlir
// expected-error @+1 {{hysteresis must be at least 1, got 0}}
module @hysteresis {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- min-scale.mlir
// expected-error @+1 {{min-scale must be in (0.000000e+00, inf), got 0.000000e+00}}
module @min_scale {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- max-scale.mlir
// expected-error @+1 {{max-scale must be in (0.000000e+00, inf), got -1.000000e+00}}
module @max_scale {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- range.mlir
// expected-error @+1 {{min-scale 8.000000e+00 exceeds max-scale 4.000000e+00}}
module @range {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- init-outside-range.mlir
// The first scale lies within the range.
// expected-error @+1 {{init-scale 2.000000e+00 is outside [min-scale, max-scale] = [4.000000e+00, 1.677722e+07]}}
module @init_outside_range {
  func.func @train_step() -> tensor<f32> {
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed}
    return %seed : tensor<f32>
  }
}

//--- static-f16.mlir
// A static scale the seed's type cannot hold would seed backward with inf.
module @static_f16 {
  mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
  func.func @train_step(%x: tensor<4xf16>) -> tensor<f32> {
    %w = mpc.load @w : tensor<4xf32>
    // expected-error @+1 {{init-scale 6.553600e+04 overflows the loss seed's type 'f16'}}
    %seed = mpc.constant dense<1.0> : tensor<f16> {mpc.loss_seed}
    %gh = mpc.mul %x, %seed : (tensor<4xf16>, tensor<f16>) -> tensor<4xf16>
    %g = mpc.cast %gh : tensor<4xf16> to tensor<4xf32>
    %new = mpc.sgd_update %w, %g lr = 0.1 weight_decay = 0.0 : tensor<4xf32>
    mpc.store %new, @w : tensor<4xf32>
    %loss = mpc.reduce_sum %g [0] : tensor<4xf32> -> tensor<f32>
    return %loss : tensor<f32>
  }
}

//--- twice.mlir
// Applying the pass twice, in either mode, is an error.
// expected-error @+1 {{loss scaling was applied already}}
module @twice {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

//--- unused.mlir
module @unused {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}
