// RUN: mpc-opt %s -split-input-file -verify-diagnostics

// Every verifier rule of mpc.fused, mpc.fused_matmul and
// mpc.add_layer_norm, one case each.

func.func @fused_non_elementwise(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %r = mpc.fused (%a) : (tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%x: tensor<4x4xf32>):
    // expected-error @+1 {{cannot be part of an mpc.fused body: only elementwise ops and scalar constants can}}
    %s = mpc.softmax %x axis = 1 : tensor<4x4xf32>
    mpc.yield %s : tensor<4x4xf32>
  }
  return %r : tensor<4x4xf32>
}

// -----

func.func @fused_tensor_constant(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = mpc.fused (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    // expected-error @+1 {{cannot be part of an mpc.fused body}}
    %c = mpc.constant dense<1.0> : tensor<4xf32>
    %s = mpc.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    mpc.yield %s : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @fused_yield_types(%a: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{mpc.yield types must match the result types}}
  %r = mpc.fused (%a) : (tensor<4xf32>) -> tensor<4xf16> {
  ^bb0(%x: tensor<4xf32>):
    %e = mpc.exp %x : tensor<4xf32>
    mpc.yield %e : tensor<4xf32>
  }
  return %r : tensor<4xf16>
}

// -----

func.func @fused_result_shapes(%a: tensor<4xf32>, %b: tensor<2x4xf32>) -> (tensor<4xf32>, tensor<2x4xf32>) {
  // expected-error @+1 {{every result must have the iteration shape [4], got [2, 4]}}
  %r:2 = mpc.fused (%a, %b) : (tensor<4xf32>, tensor<2x4xf32>) -> (tensor<4xf32>, tensor<2x4xf32>) {
  ^bb0(%x: tensor<4xf32>, %y: tensor<2x4xf32>):
    %e = mpc.exp %x : tensor<4xf32>
    %f = mpc.exp %y : tensor<2x4xf32>
    mpc.yield %e, %f : tensor<4xf32>, tensor<2x4xf32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<2x4xf32>
}

// -----

func.func @fused_input_shape(%a: tensor<4x3xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{cannot broadcast shapes [4, 4] and [4, 3]}}
  %r = mpc.fused (%a) : (tensor<4x3xf32>) -> tensor<4x4xf32> {
  ^bb0(%x: tensor<4x3xf32>):
    %b = mpc.broadcast %x : tensor<4x3xf32> -> tensor<4x4xf32>
    mpc.yield %b : tensor<4x4xf32>
  }
  return %r : tensor<4x4xf32>
}

// -----

func.func @fused_arguments(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{body arguments must have the types of the inputs}}
  %r = mpc.fused (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf16>):
    %e = mpc.cast %x : tensor<4xf16> to tensor<4xf32>
    mpc.yield %e : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @fused_no_results(%a: tensor<4xf32>) {
  // expected-error @+1 {{must have at least one result}}
  mpc.fused (%a) : (tensor<4xf32>) -> () {
  ^bb0(%x: tensor<4xf32>):
    "mpc.yield"() : () -> ()
  }
  return
}

// -----

func.func @matmul_missing_bias(%x: tensor<8x64xf32>, %w: tensor<64x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{epilogue relu_bias needs a bias operand}}
  %0 = mpc.fused_matmul %x, %w epilogue = relu_bias : (tensor<8x64xf32>, tensor<64x256xf32>) -> tensor<8x256xf32>
  return %0 : tensor<8x256xf32>
}

// -----

func.func @matmul_unexpected_bias(%x: tensor<8x64xf32>, %w: tensor<64x256xf32>, %b: tensor<256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{epilogue gelu takes no bias}}
  %0 = mpc.fused_matmul %x, %w bias %b epilogue = gelu : (tensor<8x64xf32>, tensor<64x256xf32>, tensor<256xf32>) -> tensor<8x256xf32>
  return %0 : tensor<8x256xf32>
}

// -----

func.func @matmul_bias_length(%x: tensor<8x64xf32>, %w: tensor<64x256xf32>, %b: tensor<64xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{bias must be 1-D of the result's last dimension 256, got [64]}}
  %0 = mpc.fused_matmul %x, %w bias %b epilogue = bias : (tensor<8x64xf32>, tensor<64x256xf32>, tensor<64xf32>) -> tensor<8x256xf32>
  return %0 : tensor<8x256xf32>
}

// -----

func.func @matmul_dgelu_without_aux(%x: tensor<8x64xf32>, %w: tensor<64x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{epilogue dgelu needs the forward pre-activation as aux}}
  %0 = mpc.fused_matmul %x, %w epilogue = dgelu : (tensor<8x64xf32>, tensor<64x256xf32>) -> tensor<8x256xf32>
  return %0 : tensor<8x256xf32>
}

// -----

func.func @matmul_aux_shape(%x: tensor<8x64xf32>, %w: tensor<64x256xf32>, %pre: tensor<8x64xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{aux must have the result's shape [8, 256]}}
  %0 = mpc.fused_matmul %x, %w aux %pre epilogue = dgelu : (tensor<8x64xf32>, tensor<64x256xf32>, tensor<8x64xf32>) -> tensor<8x256xf32>
  return %0 : tensor<8x256xf32>
}

// -----

func.func @matmul_pre_activation_with_bias(%x: tensor<8x64xf32>, %w: tensor<64x256xf32>, %b: tensor<256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{epilogue bias has no pre-activation result}}
  %0:2 = mpc.fused_matmul %x, %w bias %b epilogue = bias : (tensor<8x64xf32>, tensor<64x256xf32>, tensor<256xf32>) -> (tensor<8x256xf32>, tensor<8x256xf32>)
  return %0#0 : tensor<8x256xf32>
}

// -----

func.func @matmul_shapes(%x: tensor<8x64xf32>, %w: tensor<32x256xf32>) -> tensor<8x256xf32> {
  // expected-error @+1 {{contraction dims differ: [8, 64] has 64, [32, 256] has 32}}
  %0 = mpc.fused_matmul %x, %w epilogue = relu : (tensor<8x64xf32>, tensor<32x256xf32>) -> tensor<8x256xf32>
  return %0 : tensor<8x256xf32>
}

// -----

// mpc.add_layer_norm follows mpc.layer_norm's rules with the sum as input.
func.func @add_layer_norm_params(%a: tensor<8x64xf16>, %g: tensor<64xbf16>) {
  // expected-error @+1 {{'mpc.add_layer_norm' op input element type 'f16' must be 'bf16'}}
  %s, %y = mpc.add_layer_norm %a + %a, %g, %g eps = 1.0e-5 : tensor<8x64xf16>, tensor<64xbf16> -> tensor<8x64xbf16>
  return
}

// -----

func.func @add_layer_norm_epsilon(%a: tensor<8x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'mpc.add_layer_norm' op epsilon must be finite and positive, got 0.000000e+00}}
  %s, %y = mpc.add_layer_norm %a + %a, %g, %g eps = 0.0 : tensor<8x64xf32>, tensor<64xf32> -> tensor<8x64xf32>
  return
}

// -----

func.func @add_layer_norm_gamma_shape(%a: tensor<8x64xf32>, %g: tensor<32xf32>) {
  // expected-error @+1 {{'mpc.add_layer_norm' op scale shape [32] is not a non-empty trailing part of input shape [8, 64]}}
  %s, %y = mpc.add_layer_norm %a + %a, %g, %g eps = 1.0e-5 : tensor<8x64xf32>, tensor<32xf32> -> tensor<8x64xf32>
  return
}

// -----

// mpc.softmax_cross_entropy_with_grad follows the rules of the loss and of
// its gradient.
func.func @loss_with_grad_labels(%z: tensor<4x8xf32>, %y: tensor<8xi32>, %dl: tensor<f32>) {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_with_grad' op labels shape [8] must be logits shape [4, 8] without its last dim}}
  %l, %g = mpc.softmax_cross_entropy_with_grad %z, %y, %dl : (tensor<4x8xf32>, tensor<8xi32>, tensor<f32>) -> (tensor<f32>, tensor<4x8xf32>)
  return
}

// -----

func.func @loss_with_grad_loss_type(%z: tensor<4x8xf32>, %y: tensor<4xi32>, %dl: tensor<f32>) {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_with_grad' op loss element type 'bf16' must be the logits' ('f32'), or f32 with 16-bit logits}}
  %l, %g = mpc.softmax_cross_entropy_with_grad %z, %y, %dl : (tensor<4x8xf32>, tensor<4xi32>, tensor<f32>) -> (tensor<bf16>, tensor<4x8xf32>)
  return
}

// -----

func.func @loss_with_grad_seed_type(%z: tensor<4x8xf32>, %y: tensor<4xi32>, %dl: tensor<bf16>) {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_with_grad' op loss_grad element type 'bf16' must be the logits' ('f32'), or f32 with 16-bit logits}}
  %l, %g = mpc.softmax_cross_entropy_with_grad %z, %y, %dl : (tensor<4x8xf32>, tensor<4xi32>, tensor<bf16>) -> (tensor<f32>, tensor<4x8xf32>)
  return
}

// -----

func.func @loss_with_grad_grad_type(%z: tensor<4x8xbf16>, %y: tensor<4xi32>, %dl: tensor<f32>) {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_with_grad' op result element type 'f32' must be the logits' ('bf16'), or f16 or bf16}}
  %l, %g = mpc.softmax_cross_entropy_with_grad %z, %y, %dl : (tensor<4x8xbf16>, tensor<4xi32>, tensor<f32>) -> (tensor<f32>, tensor<4x8xf32>)
  return
}

// -----

func.func @loss_with_grad_shape(%z: tensor<4x8xf32>, %y: tensor<4xi32>, %dl: tensor<f32>) {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_with_grad' op failed to verify that all of {logits, grad} have same shape}}
  %l, %g = mpc.softmax_cross_entropy_with_grad %z, %y, %dl : (tensor<4x8xf32>, tensor<4xi32>, tensor<f32>) -> (tensor<f32>, tensor<4x4xf32>)
  return
}

// -----

func.func @loss_with_grad_ignore_index(%z: tensor<4x8xf32>, %y: tensor<4xi32>, %dl: tensor<f32>) {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_with_grad' op ignore_index}}
  %l, %g = mpc.softmax_cross_entropy_with_grad %z, %y, %dl ignore_index = 4294967296 : (tensor<4x8xf32>, tensor<4xi32>, tensor<f32>) -> (tensor<f32>, tensor<4x8xf32>)
  return
}
