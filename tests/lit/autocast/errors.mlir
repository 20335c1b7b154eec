// RUN: mpc-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect --mpc-autocast="dtype=f16"
// RUN: not mpc-opt %s -split-input-file -allow-unregistered-dialect --mpc-autocast="dtype=f8" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=DTYPE
// DTYPE: error: option 'dtype' must be f16 or bf16, got 'f8'

// An op autocast has no category for is an error that names it, never
// silently f32.
func.func @unknown_op(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %h = mpc.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  // expected-error @+1 {{'custom.scale' op has no autocast category (allow, deny, infer or clear); declare one for the op, or move it with a policy file}}
  %s = "custom.scale"(%h) : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %s : tensor<4x4xf32>
}

// -----

// Autocast runs once: its decisions are already in the types.
// expected-error @+1 {{autocast has already run on this module (ops carry mpc.autocast)}}
module {
  func.func @annotated(%x: tensor<4x4xf16>, %w: tensor<4x4xf16>) -> tensor<4x4xf16> {
    %h = mpc.matmul %x, %w {mpc.autocast = #mpc.autocast<allow, default_policy>} : (tensor<4x4xf16>, tensor<4x4xf16>) -> tensor<4x4xf16>
    return %h : tensor<4x4xf16>
  }
}

// -----

// The discardable attribute is checked wherever it appears.
func.func @bad_attribute(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'mpc.autocast' must be an #mpc.autocast, got "allow"}}
  %r = mpc.relu %x {mpc.autocast = "allow"} : tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}

// -----

func.func @bad_seed(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'mpc.loss_seed' marks a scalar float mpc.constant}}
  %r = mpc.relu %x {mpc.loss_seed} : tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}
