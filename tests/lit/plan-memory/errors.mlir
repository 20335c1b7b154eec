// RUN: mpc-opt %s -split-input-file -allow-unregistered-dialect -verify-diagnostics --mpc-plan-memory

// The IR mpc-plan-memory cannot plan, one case each.

// expected-error @+1 {{has 2 blocks; mpc-plan-memory plans a function of one block}}
func.func @two_blocks(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
^bb1:
  %c = mpc.constant dense<0.0> : tensor<4xf32>
  return %c : tensor<4xf32>
}

// -----

func.func @dynamic_shape() {
  // expected-error @+1 {{result #0 has type 'tensor<?xf32>'; mpc-plan-memory needs a tensor of static shape}}
  %0 = "test.source"() : () -> tensor<?xf32>
  return
}

// -----

func.func @not_a_tensor() {
  // expected-error @+1 {{result #1 has type 'f32'; mpc-plan-memory needs a tensor of static shape}}
  %0:2 = "test.source"() : () -> (tensor<4xf32>, f32)
  return
}

// -----

func.func @unranked() {
  // expected-error @+1 {{result #0 has type 'tensor<*xf32>'; mpc-plan-memory needs a tensor of static shape}}
  %0 = "test.source"() : () -> tensor<*xf32>
  return
}

// -----

func.func @f64_elements() {
  // expected-error @+1 {{result #0 has elements of 'f64', which the device does not hold}}
  %0 = "test.source"() : () -> tensor<4xf64>
  return
}
