// RUN: mpc-opt %s -split-input-file -verify-diagnostics

// Every verifier rule of the gradient and optimizer ops, at least one case each.

//===----------------------------------------------------------------------===//
// mpc.broadcast
//===----------------------------------------------------------------------===//

// A dim that is neither 1 nor the target's size does not broadcast.
func.func @broadcast_incompatible(%x: tensor<8x3xf32>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.broadcast' op cannot broadcast shapes [8, 10] and [8, 3]}}
  %0 = mpc.broadcast %x : tensor<8x3xf32> -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// Broadcasting only grows: the result cannot have a size-1 dim where the input is larger.
func.func @broadcast_shrinks_dim(%x: tensor<8x10xf32>) -> tensor<1x10xf32> {
  // expected-error @+1 {{'mpc.broadcast' op input shape [8, 10] does not broadcast to result shape [1, 10]}}
  %0 = mpc.broadcast %x : tensor<8x10xf32> -> tensor<1x10xf32>
  return %0 : tensor<1x10xf32>
}

// -----

// Broadcasting only grows: the result cannot drop a leading dim.
func.func @broadcast_drops_rank(%x: tensor<4x10xf32>) -> tensor<10xf32> {
  // expected-error @+1 {{'mpc.broadcast' op input shape [4, 10] does not broadcast to result shape [10]}}
  %0 = mpc.broadcast %x : tensor<4x10xf32> -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

// Broadcasting does not convert the element type.
func.func @broadcast_element_type(%x: tensor<8x1xf32>) -> tensor<8x10xbf16> {
  // expected-error @+1 {{'mpc.broadcast' op failed to verify that all of {input, result} have same element type}}
  %0 = mpc.broadcast %x : tensor<8x1xf32> -> tensor<8x10xbf16>
  return %0 : tensor<8x10xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Activation gradients
//===----------------------------------------------------------------------===//

// dy and the saved value have one type.
func.func @relu_grad_type_mismatch(%dy: tensor<4xf32>, %x: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.relu_grad' op requires the same type for all operands and results}}
  %0 = "mpc.relu_grad"(%dy, %x) : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The result has the operands' shape.
func.func @tanh_grad_shape_change(%dy: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'mpc.tanh_grad' op requires the same type for all operands and results}}
  %0 = "mpc.tanh_grad"(%dy, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Gradients are float tensors.
func.func @gelu_grad_integer(%dy: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'mpc.gelu_grad' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values with positive dims, but got 'tensor<4xi32>'}}
  %0 = mpc.gelu_grad %dy, %dy : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

//===----------------------------------------------------------------------===//
// softmax_grad, log_softmax_grad
//===----------------------------------------------------------------------===//

// The axis is less than the rank.
func.func @softmax_grad_axis(%dy: tensor<8x10xf32>, %y: tensor<8x10xf32>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.softmax_grad' op axis 2 is out of range for rank 2}}
  %0 = mpc.softmax_grad %dy, %y axis = 2 : tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// The axis is non-negative.
func.func @softmax_grad_negative_axis(%dy: tensor<8x10xf32>, %y: tensor<8x10xf32>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.softmax_grad' op axis -1 is out of range for rank 2}}
  %0 = mpc.softmax_grad %dy, %y axis = -1 : tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// log_softmax_grad checks its axis too.
func.func @log_softmax_grad_axis(%dy: tensor<8x10xbf16>, %y: tensor<8x10xbf16>) -> tensor<8x10xbf16> {
  // expected-error @+1 {{'mpc.log_softmax_grad' op axis 5 is out of range for rank 2}}
  %0 = mpc.log_softmax_grad %dy, %y axis = 5 : tensor<8x10xbf16>
  return %0 : tensor<8x10xbf16>
}

// -----

// dy and the forward output have one type.
func.func @softmax_grad_type_mismatch(%dy: tensor<8x10xf32>, %y: tensor<8x10xbf16>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.softmax_grad' op requires the same type for all operands and results}}
  %0 = "mpc.softmax_grad"(%dy, %y) {axis = 1 : i64} : (tensor<8x10xf32>, tensor<8x10xbf16>) -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

//===----------------------------------------------------------------------===//
// layer_norm_grad
//===----------------------------------------------------------------------===//

// Epsilon is positive.
func.func @layer_norm_grad_zero_epsilon(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm_grad' op epsilon must be finite and positive, got 0.000000e+00}}
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 0.0 : tensor<4x8xf32>, tensor<8xf32>
  return %dx : tensor<4x8xf32>
}

// -----

// Epsilon is not negative.
func.func @layer_norm_grad_negative_epsilon(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm_grad' op epsilon must be finite and positive, got -1.000000e-05}}
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = -1.0e-5 : tensor<4x8xf32>, tensor<8xf32>
  return %dx : tensor<4x8xf32>
}

// -----

// Epsilon is not NaN.
func.func @layer_norm_grad_nan_epsilon(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm_grad' op epsilon must be finite and positive, got nan}}
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 0x7FF8000000000000 : tensor<4x8xf32>, tensor<8xf32>
  return %dx : tensor<4x8xf32>
}

// -----

// Epsilon is finite.
func.func @layer_norm_grad_infinite_epsilon(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm_grad' op epsilon must be finite and positive, got INF}}
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 0x7FF0000000000000 : tensor<4x8xf32>, tensor<8xf32>
  return %dx : tensor<4x8xf32>
}

// -----

// Gamma's shape is a trailing part of the input's shape.
func.func @layer_norm_grad_gamma_shape(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %g: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm_grad' op scale shape [4] is not a non-empty trailing part of input shape [4, 8]}}
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 1.0e-5 : tensor<4x8xf32>, tensor<4xf32>
  return %dx : tensor<4x8xf32>
}

// -----

// Gamma is not a scalar.
func.func @layer_norm_grad_scalar_gamma(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %g: tensor<f32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm_grad' op scale shape [] is not a non-empty trailing part of input shape [4, 8]}}
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 1.0e-5 : tensor<4x8xf32>, tensor<f32>
  return %dx : tensor<4x8xf32>
}

// -----

// Gamma has no more dims than the input.
func.func @layer_norm_grad_gamma_rank(%dy: tensor<8xf32>, %x: tensor<8xf32>, %g: tensor<2x8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'mpc.layer_norm_grad' op scale shape [2, 8] is not a non-empty trailing part of input shape [8]}}
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 1.0e-5 : tensor<8xf32>, tensor<2x8xf32>
  return %dx : tensor<8xf32>
}

// -----

// The input gradient has the result gradient's type.
func.func @layer_norm_grad_input_grad_type(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'mpc.layer_norm_grad' op failed to verify that all of {result_grad, input_grad} have same type}}
  %dx, %dg, %db = "mpc.layer_norm_grad"(%dy, %x, %g) {epsilon = 1.0e-5 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf16>, tensor<8xf32>, tensor<8xf32>)
  return %dx : tensor<4x8xf16>
}

// -----

// The beta gradient has gamma's type.
func.func @layer_norm_grad_beta_grad_type(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.layer_norm_grad' op failed to verify that all of {gamma, gamma_grad, beta_grad} have same type}}
  %dx, %dg, %db = "mpc.layer_norm_grad"(%dy, %x, %g) {epsilon = 1.0e-5 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>)
  return %dx : tensor<4x8xf32>
}

// -----

// The gradients and gamma share an element type.
func.func @layer_norm_grad_gamma_element_type(%dy: tensor<4x8xbf16>, %x: tensor<4x8xbf16>, %g: tensor<8xf32>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{'mpc.layer_norm_grad' op failed to verify that all of {result_grad, gamma} have same element type}}
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 1.0e-5 : tensor<4x8xbf16>, tensor<8xf32>
  return %dx : tensor<4x8xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// rms_norm_grad
//===----------------------------------------------------------------------===//

// Epsilon is positive.
func.func @rms_norm_grad_negative_epsilon(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.rms_norm_grad' op epsilon must be finite and positive, got -1.000000e-06}}
  %dx, %dw = mpc.rms_norm_grad %dy, %x, %w eps = -1.0e-6 : tensor<4x8xf32>, tensor<8xf32>
  return %dx : tensor<4x8xf32>
}

// -----

// The weight is the input's last dim.
func.func @rms_norm_grad_weight_shape(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %w: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.rms_norm_grad' op weight shape [4] is not the last dim of input shape [4, 8]}}
  %dx, %dw = mpc.rms_norm_grad %dy, %x, %w eps = 1.0e-6 : tensor<4x8xf32>, tensor<4xf32>
  return %dx : tensor<4x8xf32>
}

// -----

// The input gradient has the result gradient's type.
func.func @rms_norm_grad_input_grad_type(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'mpc.rms_norm_grad' op failed to verify that all of {result_grad, input_grad} have same type}}
  %dx, %dw = "mpc.rms_norm_grad"(%dy, %x, %w) {epsilon = 1.0e-6 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf16>, tensor<8xf32>)
  return %dx : tensor<4x8xf16>
}

// -----

// The weight gradient has the weight's type.
func.func @rms_norm_grad_weight_grad_type(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'mpc.rms_norm_grad' op failed to verify that all of {weight, weight_grad} have same type}}
  %dx, %dw = "mpc.rms_norm_grad"(%dy, %x, %w) {epsilon = 1.0e-6 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>)
  return %dx : tensor<4x8xf32>
}

// -----

// The gradients and the weight share an element type.
func.func @rms_norm_grad_weight_element_type(%dy: tensor<4x8xbf16>, %x: tensor<4x8xbf16>, %w: tensor<8xf32>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{'mpc.rms_norm_grad' op failed to verify that all of {result_grad, weight} have same element type}}
  %dx, %dw = mpc.rms_norm_grad %dy, %x, %w eps = 1.0e-6 : tensor<4x8xbf16>, tensor<8xf32>
  return %dx : tensor<4x8xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// embedding_grad
//===----------------------------------------------------------------------===//

// The row gradients have the shape of the ids plus the table's columns.
func.func @embedding_grad_shape(%de: tensor<8x16x32xf32>, %ids: tensor<8x16xi32>) -> tensor<128x64xf32> {
  // expected-error @+1 {{'mpc.embedding_grad' op result_grad shape [8, 16, 32] is not ids shape + [table columns] = [8, 16, 64]}}
  %0 = mpc.embedding_grad %de, %ids : (tensor<8x16x32xf32>, tensor<8x16xi32>) -> tensor<128x64xf32>
  return %0 : tensor<128x64xf32>
}

// -----

// The ids' shape is a prefix of the row gradients' shape.
func.func @embedding_grad_ids_shape(%de: tensor<8x16x64xf32>, %ids: tensor<16x8xi32>) -> tensor<128x64xf32> {
  // expected-error @+1 {{'mpc.embedding_grad' op result_grad shape [8, 16, 64] is not ids shape + [table columns] = [16, 8, 64]}}
  %0 = mpc.embedding_grad %de, %ids : (tensor<8x16x64xf32>, tensor<16x8xi32>) -> tensor<128x64xf32>
  return %0 : tensor<128x64xf32>
}

// -----

// The table gradient has rank 2.
func.func @embedding_grad_table_rank(%de: tensor<8x64xf32>, %ids: tensor<8xi32>) -> tensor<2x128x64xf32> {
  // expected-error @+1 {{'mpc.embedding_grad' op table must have rank 2, got [2, 128, 64]}}
  %0 = mpc.embedding_grad %de, %ids : (tensor<8x64xf32>, tensor<8xi32>) -> tensor<2x128x64xf32>
  return %0 : tensor<2x128x64xf32>
}

// -----

// The table gradient has the row gradients' element type.
func.func @embedding_grad_element_type(%de: tensor<8x64xbf16>, %ids: tensor<8xi32>) -> tensor<128x64xf32> {
  // expected-error @+1 {{'mpc.embedding_grad' op failed to verify that all of {result_grad, result} have same element type}}
  %0 = mpc.embedding_grad %de, %ids : (tensor<8x64xbf16>, tensor<8xi32>) -> tensor<128x64xf32>
  return %0 : tensor<128x64xf32>
}

// -----

// Ids are integers.
func.func @embedding_grad_float_ids(%de: tensor<8x64xf32>, %ids: tensor<8xf32>) -> tensor<128x64xf32> {
  // expected-error @+1 {{'mpc.embedding_grad' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values with positive dims, but got 'tensor<8xf32>'}}
  %0 = mpc.embedding_grad %de, %ids : (tensor<8x64xf32>, tensor<8xf32>) -> tensor<128x64xf32>
  return %0 : tensor<128x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// softmax_cross_entropy_grad
//===----------------------------------------------------------------------===//

// The labels have the logits' shape without the class dim.
func.func @cross_entropy_grad_labels(%dl: tensor<f32>, %logits: tensor<8x10xf32>, %y: tensor<10xi32>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_grad' op labels shape [10] must be logits shape [8, 10] without its last dim}}
  %0 = mpc.softmax_cross_entropy_grad %dl, %logits, %y : (tensor<f32>, tensor<8x10xf32>, tensor<10xi32>) -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// ignore_index fits in 32 bits, as in the forward op.
func.func @cross_entropy_grad_ignore_index(%dl: tensor<f32>, %logits: tensor<8x10xf32>, %y: tensor<8xi64>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_grad' op ignore_index 4294967296 does not fit in 32 bits (labels are i32 on the device)}}
  %0 = mpc.softmax_cross_entropy_grad %dl, %logits, %y ignore_index = 4294967296 : (tensor<f32>, tensor<8x10xf32>, tensor<8xi64>) -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// Labels with the class dim kept are rejected too.
func.func @cross_entropy_grad_labels_rank(%dl: tensor<f32>, %logits: tensor<8x10xf32>, %y: tensor<8x10xi32>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_grad' op labels shape [8, 10] must be logits shape [8, 10] without its last dim}}
  %0 = mpc.softmax_cross_entropy_grad %dl, %logits, %y : (tensor<f32>, tensor<8x10xf32>, tensor<8x10xi32>) -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// The loss gradient is a scalar.
func.func @cross_entropy_grad_loss_grad_rank(%dl: tensor<1xf32>, %logits: tensor<8x10xf32>, %y: tensor<8xi32>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_grad' op operand #0 must be 0D tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1xf32>'}}
  %0 = mpc.softmax_cross_entropy_grad %dl, %logits, %y : (tensor<1xf32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// The loss gradient has the logits' element type (or is f32 with 16-bit
// logits).
func.func @cross_entropy_grad_loss_grad_type(%dl: tensor<bf16>, %logits: tensor<8x10xf32>, %y: tensor<8xi32>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_grad' op loss_grad element type 'bf16' must be the logits' ('f32'), or f32 with 16-bit logits}}
  %0 = mpc.softmax_cross_entropy_grad %dl, %logits, %y : (tensor<bf16>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// The result has the logits' shape, and their element type or a 16-bit one.
func.func @cross_entropy_grad_result_shape(%dl: tensor<f32>, %logits: tensor<8x10xf32>, %y: tensor<8xi32>) -> tensor<8x11xf32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_grad' op failed to verify that all of {logits, result} have same shape}}
  %0 = mpc.softmax_cross_entropy_grad %dl, %logits, %y : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x11xf32>
  return %0 : tensor<8x11xf32>
}

// -----

func.func @cross_entropy_grad_result_type(%dl: tensor<f32>, %logits: tensor<8x10xbf16>, %y: tensor<8xi32>) -> tensor<8x10xf32> {
  // expected-error @+1 {{'mpc.softmax_cross_entropy_grad' op result element type 'f32' must be the logits' ('bf16'), or f16 or bf16}}
  %0 = mpc.softmax_cross_entropy_grad %dl, %logits, %y : (tensor<f32>, tensor<8x10xbf16>, tensor<8xi32>) -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

//===----------------------------------------------------------------------===//
// sgd_update
//===----------------------------------------------------------------------===//

// A schedule computes the rate from the step count, which SGD must read.
func.func @sgd_schedule_without_step(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.sgd_update' op has a schedule but no step operand to read it at}}
  %0 = mpc.sgd_update %p, %g lr = 0.1 weight_decay = 0.0 {schedule = #mpc.lr_schedule<kind = constant, warmup_steps = 10>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Momentum too.
func.func @momentum_schedule_without_step(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.momentum_update' op has a schedule but no step operand to read it at}}
  %0:2 = mpc.momentum_update %p, %g, %b lr = 0.1 momentum = 0.9 weight_decay = 0.0 {schedule = #mpc.lr_schedule<kind = step, step_size = 5, gamma = 0.5>} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----

// A decay must end after the warmup.
func.func @schedule_decay_within_warmup(%p: tensor<4xf32>, %g: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{lr schedule cosine: decay_steps must be greater than warmup_steps (10), got 10}}
  %0 = mpc.sgd_update %p, %g step %t lr = 0.1 weight_decay = 0.0 {schedule = #mpc.lr_schedule<kind = cosine, warmup_steps = 10, decay_steps = 10>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An argument the kind does not read is an error, not ignored.
func.func @schedule_stray_argument(%p: tensor<4xf32>, %g: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{lr schedule cosine: step_size and gamma apply to step only}}
  %0 = mpc.sgd_update %p, %g step %t lr = 0.1 weight_decay = 0.0 {schedule = #mpc.lr_schedule<kind = cosine, decay_steps = 10, gamma = 0.5>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The step decay needs its period.
func.func @schedule_step_without_size(%p: tensor<4xf32>, %g: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{lr schedule step: step_size must be >= 1, got 0}}
  %0 = mpc.sgd_update %p, %g step %t lr = 0.1 weight_decay = 0.0 {schedule = #mpc.lr_schedule<kind = step, gamma = 0.5>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A zero learning rate is out of range.
func.func @sgd_zero_lr(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.sgd_update' op learning_rate must be in (0.000000e+00, inf), got 0.000000e+00}}
  %0 = mpc.sgd_update %p, %g lr = 0.0 weight_decay = 0.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A negative learning rate is out of range.
func.func @sgd_negative_lr(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.sgd_update' op learning_rate must be in (0.000000e+00, inf), got -1.000000e-01}}
  %0 = mpc.sgd_update %p, %g lr = -0.1 weight_decay = 0.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A NaN learning rate is rejected.
func.func @sgd_nan_lr(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.sgd_update' op learning_rate must be in (0.000000e+00, inf), got nan}}
  %0 = mpc.sgd_update %p, %g lr = 0x7FF8000000000000 weight_decay = 0.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An infinite learning rate is rejected: the range's bound is open.
func.func @sgd_infinite_lr(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.sgd_update' op learning_rate must be in (0.000000e+00, inf), got INF}}
  %0 = mpc.sgd_update %p, %g lr = 0x7FF0000000000000 weight_decay = 0.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A negative weight decay is out of range.
func.func @sgd_negative_weight_decay(%p: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.sgd_update' op weight_decay must be in [0.000000e+00, inf), got -1.000000e-02}}
  %0 = mpc.sgd_update %p, %g lr = 0.1 weight_decay = -0.01 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Master weights are f32: an f16 param is rejected.
func.func @sgd_f16(%p: tensor<4xf16>, %g: tensor<4xf16>) -> tensor<4xf16> {
  // expected-error @+1 {{'mpc.sgd_update' op operand #0 must be statically shaped tensor of 32-bit float values with positive dims, but got 'tensor<4xf16>'}}
  %0 = mpc.sgd_update %p, %g lr = 0.1 weight_decay = 0.0 : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// The gradient has the param's type.
func.func @sgd_grad_type(%p: tensor<4xf32>, %g: tensor<2x2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.sgd_update' op failed to verify that all of {param, grad, new_param} have same type}}
  %0 = "mpc.sgd_update"(%p, %g) {learning_rate = 0.1 : f64, weight_decay = 0.0 : f64, operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<4xf32>, tensor<2x2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// momentum_update
//===----------------------------------------------------------------------===//

// A zero learning rate is out of range.
func.func @momentum_zero_lr(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.momentum_update' op learning_rate must be in (0.000000e+00, inf), got 0.000000e+00}}
  %np, %nb = mpc.momentum_update %p, %g, %b lr = 0.0 momentum = 0.9 weight_decay = 0.0 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// A momentum of 1 never decays the buffer: out of range.
func.func @momentum_one(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.momentum_update' op momentum must be in [0.000000e+00, 1.000000e+00), got 1.000000e+00}}
  %np, %nb = mpc.momentum_update %p, %g, %b lr = 0.1 momentum = 1.0 weight_decay = 0.0 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// A momentum above 1 is out of range.
func.func @momentum_above_one(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.momentum_update' op momentum must be in [0.000000e+00, 1.000000e+00), got 1.500000e+00}}
  %np, %nb = mpc.momentum_update %p, %g, %b lr = 0.1 momentum = 1.5 weight_decay = 0.0 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// A negative momentum is out of range.
func.func @momentum_negative(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.momentum_update' op momentum must be in [0.000000e+00, 1.000000e+00), got -1.000000e-01}}
  %np, %nb = mpc.momentum_update %p, %g, %b lr = 0.1 momentum = -0.1 weight_decay = 0.0 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// A NaN momentum is rejected.
func.func @momentum_nan(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.momentum_update' op momentum must be in [0.000000e+00, 1.000000e+00), got nan}}
  %np, %nb = mpc.momentum_update %p, %g, %b lr = 0.1 momentum = 0x7FF8000000000000 weight_decay = 0.0 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// A negative weight decay is out of range.
func.func @momentum_negative_weight_decay(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.momentum_update' op weight_decay must be in [0.000000e+00, inf), got -1.000000e+00}}
  %np, %nb = mpc.momentum_update %p, %g, %b lr = 0.1 momentum = 0.9 weight_decay = -1.0 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// The buffer has the param's type.
func.func @momentum_buffer_type(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.momentum_update' op failed to verify that all of {param, grad, buffer, new_param, new_buffer} have same type}}
  %np, %nb = "mpc.momentum_update"(%p, %g, %b) {learning_rate = 0.1 : f64, momentum = 0.9 : f64, weight_decay = 0.0 : f64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<4xf32>, tensor<4xf32>, tensor<8xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %np : tensor<4xf32>
}

// -----

// The buffer is f32 optimizer state.
func.func @momentum_bf16(%p: tensor<4xbf16>, %g: tensor<4xbf16>, %b: tensor<4xbf16>) -> tensor<4xbf16> {
  // expected-error @+1 {{'mpc.momentum_update' op operand #0 must be statically shaped tensor of 32-bit float values with positive dims, but got 'tensor<4xbf16>'}}
  %np, %nb = mpc.momentum_update %p, %g, %b lr = 0.1 momentum = 0.9 weight_decay = 0.0 : tensor<4xbf16>
  return %np : tensor<4xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// adamw_update
//===----------------------------------------------------------------------===//

// A zero learning rate is out of range.
func.func @adamw_zero_lr(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op learning_rate must be in (0.000000e+00, inf), got 0.000000e+00}}
  %np, %nm, %nv = mpc.adamw_update %p, %g, %m, %v, %t lr = 0.0 betas = (0.9, 0.999) eps = 1.0e-8 weight_decay = 0.01 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// A NaN learning rate is rejected.
func.func @adamw_nan_lr(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op learning_rate must be in (0.000000e+00, inf), got nan}}
  %np, %nm, %nv = mpc.adamw_update %p, %g, %m, %v, %t lr = 0x7FF8000000000000 betas = (0.9, 0.999) eps = 1.0e-8 weight_decay = 0.01 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// beta1 = 1 divides by zero in the bias correction: out of range.
func.func @adamw_beta1_one(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op beta1 must be in [0.000000e+00, 1.000000e+00), got 1.000000e+00}}
  %np, %nm, %nv = mpc.adamw_update %p, %g, %m, %v, %t lr = 1.0e-3 betas = (1.0, 0.999) eps = 1.0e-8 weight_decay = 0.01 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// A negative beta1 is out of range.
func.func @adamw_beta1_negative(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op beta1 must be in [0.000000e+00, 1.000000e+00), got -5.000000e-01}}
  %np, %nm, %nv = mpc.adamw_update %p, %g, %m, %v, %t lr = 1.0e-3 betas = (-0.5, 0.999) eps = 1.0e-8 weight_decay = 0.01 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// beta2 = 1 is out of range.
func.func @adamw_beta2_one(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op beta2 must be in [0.000000e+00, 1.000000e+00), got 1.000000e+00}}
  %np, %nm, %nv = mpc.adamw_update %p, %g, %m, %v, %t lr = 1.0e-3 betas = (0.9, 1.0) eps = 1.0e-8 weight_decay = 0.01 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// A NaN beta2 is rejected.
func.func @adamw_beta2_nan(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op beta2 must be in [0.000000e+00, 1.000000e+00), got nan}}
  %np, %nm, %nv = mpc.adamw_update %p, %g, %m, %v, %t lr = 1.0e-3 betas = (0.9, 0x7FF8000000000000) eps = 1.0e-8 weight_decay = 0.01 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// A zero epsilon can divide by zero: out of range.
func.func @adamw_zero_eps(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op epsilon must be in (0.000000e+00, inf), got 0.000000e+00}}
  %np, %nm, %nv = mpc.adamw_update %p, %g, %m, %v, %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 0.0 weight_decay = 0.01 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// A negative epsilon is out of range.
func.func @adamw_negative_eps(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op epsilon must be in (0.000000e+00, inf), got -1.000000e-08}}
  %np, %nm, %nv = mpc.adamw_update %p, %g, %m, %v, %t lr = 1.0e-3 betas = (0.9, 0.999) eps = -1.0e-8 weight_decay = 0.01 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// A negative weight decay is out of range.
func.func @adamw_negative_weight_decay(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op weight_decay must be in [0.000000e+00, inf), got -1.000000e-02}}
  %np, %nm, %nv = mpc.adamw_update %p, %g, %m, %v, %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 1.0e-8 weight_decay = -0.01 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// An infinite weight decay is rejected.
func.func @adamw_infinite_weight_decay(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op weight_decay must be in [0.000000e+00, inf), got INF}}
  %np, %nm, %nv = mpc.adamw_update %p, %g, %m, %v, %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 1.0e-8 weight_decay = 0x7FF0000000000000 : tensor<4xf32>
  return %np : tensor<4xf32>
}

// -----

// Master weights are f32: an f16 param is rejected.
func.func @adamw_f16(%p: tensor<4xf16>, %g: tensor<4xf16>, %m: tensor<4xf16>, %v: tensor<4xf16>, %t: tensor<f32>) -> tensor<4xf16> {
  // expected-error @+1 {{'mpc.adamw_update' op operand #0 must be statically shaped tensor of 32-bit float values with positive dims, but got 'tensor<4xf16>'}}
  %np, %nm, %nv = mpc.adamw_update %p, %g, %m, %v, %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 1.0e-8 weight_decay = 0.01 : tensor<4xf16>
  return %np : tensor<4xf16>
}

// -----

// The moments have the param's type.
func.func @adamw_moment_type(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<2x2xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op failed to verify that all of {param, grad, m, v, new_param, new_m, new_v} have same type}}
  %np, %nm, %nv = "mpc.adamw_update"(%p, %g, %m, %v, %t) {learning_rate = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, epsilon = 1.0e-8 : f64, weight_decay = 0.01 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2x2xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %np : tensor<4xf32>
}

// -----

// The step count is a scalar, not a one-element tensor.
func.func @adamw_step_rank(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<1xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op operand #4 must be 0D tensor of 32-bit float values, but got 'tensor<1xf32>'}}
  %np, %nm, %nv = "mpc.adamw_update"(%p, %g, %m, %v, %t) {learning_rate = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, epsilon = 1.0e-8 : f64, weight_decay = 0.01 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %np : tensor<4xf32>
}

// -----

// The step count is f32.
func.func @adamw_step_type(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<i32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_update' op operand #4 must be 0D tensor of 32-bit float values, but got 'tensor<i32>'}}
  %np, %nm, %nv = "mpc.adamw_update"(%p, %g, %m, %v, %t) {learning_rate = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, epsilon = 1.0e-8 : f64, weight_decay = 0.01 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<i32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %np : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// clip_by_global_norm
//===----------------------------------------------------------------------===//

// A zero max_norm is out of range: the op always clips.
func.func @clip_zero_max_norm(%dw: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.clip_by_global_norm' op max_norm must be in (0.000000e+00, inf), got 0.000000e+00}}
  %c, %n = mpc.clip_by_global_norm %dw max_norm = 0.0 : (tensor<4xf32>) -> (tensor<4xf32>, tensor<f32>)
  return %c : tensor<4xf32>
}

// -----

// A negative max_norm is out of range.
func.func @clip_negative_max_norm(%dw: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.clip_by_global_norm' op max_norm must be in (0.000000e+00, inf), got -1.000000e+00}}
  %c, %n = mpc.clip_by_global_norm %dw max_norm = -1.0 : (tensor<4xf32>) -> (tensor<4xf32>, tensor<f32>)
  return %c : tensor<4xf32>
}

// -----

// A NaN max_norm is rejected.
func.func @clip_nan_max_norm(%dw: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.clip_by_global_norm' op max_norm must be in (0.000000e+00, inf), got nan}}
  %c, %n = mpc.clip_by_global_norm %dw max_norm = 0x7FF8000000000000 : (tensor<4xf32>) -> (tensor<4xf32>, tensor<f32>)
  return %c : tensor<4xf32>
}

// -----

// Each clipped gradient has its gradient's type.
func.func @clip_result_type(%dw: tensor<4xf32>, %db: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.clip_by_global_norm' op clipped types must match the gradient types}}
  %c:2, %n = mpc.clip_by_global_norm %dw, %db max_norm = 1.0 : (tensor<4xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<4xf32>, tensor<f32>)
  return %c#1 : tensor<4xf32>
}

// -----

// One clipped result per gradient.
func.func @clip_result_count(%dw: tensor<4xf32>, %db: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.clip_by_global_norm' op clipped types must match the gradient types}}
  %c, %n = mpc.clip_by_global_norm %dw, %db max_norm = 1.0 : (tensor<4xf32>, tensor<2xf32>) -> (tensor<4xf32>, tensor<f32>)
  return %c : tensor<4xf32>
}

// -----

// The norm is a scalar f32.
func.func @clip_norm_not_scalar(%dw: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.clip_by_global_norm' op result #1 must be 0D tensor of 32-bit float values, but got 'tensor<1xf32>'}}
  %c, %n = mpc.clip_by_global_norm %dw max_norm = 1.0 : (tensor<4xf32>) -> (tensor<4xf32>, tensor<1xf32>)
  return %c : tensor<4xf32>
}

// -----

// Gradients of f32 master weights are f32.
func.func @clip_bf16(%dw: tensor<4xbf16>) -> tensor<4xbf16> {
  // expected-error @+1 {{'mpc.clip_by_global_norm' op operand #0 must be variadic of statically shaped tensor of 32-bit float values with positive dims, but got 'tensor<4xbf16>'}}
  %c, %n = mpc.clip_by_global_norm %dw max_norm = 1.0 : (tensor<4xbf16>) -> (tensor<4xbf16>, tensor<f32>)
  return %c : tensor<4xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// adamw_multi_update
//===----------------------------------------------------------------------===//

// One weight decay per parameter.
func.func @adamw_multi_decays(%p: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_multi_update' op has 2 weight decays for 1 parameters}}
  %r:3 = mpc.adamw_multi_update params(%p) grads(%p) m(%p) v(%p) step %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 1.0e-8 weight_decays = [0.01, 0.0] : tensor<4xf32>
  return %r#0 : tensor<4xf32>
}

// -----

// A negative weight decay is out of range.
func.func @adamw_multi_negative_decay(%p: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_multi_update' op weight_decays must be in [0.000000e+00, inf), got -1.000000e-02}}
  %r:3 = mpc.adamw_multi_update params(%p) grads(%p) m(%p) v(%p) step %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 1.0e-8 weight_decays = [-0.01] : tensor<4xf32>
  return %r#0 : tensor<4xf32>
}

// -----

// The hyperparameters are those of adamw_update.
func.func @adamw_multi_beta1(%p: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_multi_update' op beta1 must be in [0.000000e+00, 1.000000e+00), got 1.000000e+00}}
  %r:3 = mpc.adamw_multi_update params(%p) grads(%p) m(%p) v(%p) step %t lr = 1.0e-3 betas = (1.0, 0.999) eps = 1.0e-8 weight_decays = [0.0] : tensor<4xf32>
  return %r#0 : tensor<4xf32>
}

// -----

// Every group holds one tensor per parameter, of its type.
func.func @adamw_multi_types(%p: tensor<4xf32>, %g: tensor<8xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.adamw_multi_update' op failed to verify that grads types match the param types}}
  %r:3 = "mpc.adamw_multi_update"(%p, %g, %p, %p, %t) <{beta1 = 9.000000e-01 : f64, beta2 = 9.990000e-01 : f64, epsilon = 1.000000e-08 : f64, learning_rate = 1.000000e-03 : f64, weight_decays = array<f64: 0.0>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1, 0>}> : (tensor<4xf32>, tensor<8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %r#0 : tensor<4xf32>
}

// -----

// A copy says which parameter it copies; one copy per parameter, of its
// shape in 16 bits.
func.func @adamw_multi_copy_index(%p: tensor<4xf32>, %c: tensor<4xbf16>, %t: tensor<f32>) {
  // expected-error @+1 {{'mpc.adamw_multi_update' op copy_params index 1 is not a parameter}}
  %r:4 = mpc.adamw_multi_update params(%p) grads(%p) m(%p) v(%p) copies(%c : tensor<4xbf16>) of [1] step %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 1.0e-8 weight_decays = [0.0] : tensor<4xf32>
  return
}

// -----

func.func @adamw_multi_copy_twice(%p: tensor<4xf32>, %c: tensor<4xbf16>, %t: tensor<f32>) {
  // expected-error @+1 {{'mpc.adamw_multi_update' op parameter 0 has two copies}}
  %r:5 = mpc.adamw_multi_update params(%p) grads(%p) m(%p) v(%p) copies(%c, %c : tensor<4xbf16>, tensor<4xbf16>) of [0, 0] step %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 1.0e-8 weight_decays = [0.0] : tensor<4xf32>
  return
}

// -----

func.func @adamw_multi_copy_type(%p: tensor<4xf32>, %c: tensor<8xbf16>, %t: tensor<f32>) {
  // expected-error @+1 {{'mpc.adamw_multi_update' op copy of parameter 0 must be f16 or bf16 of its shape, not 'tensor<8xbf16>'}}
  %r:4 = mpc.adamw_multi_update params(%p) grads(%p) m(%p) v(%p) copies(%c : tensor<8xbf16>) of [0] step %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 1.0e-8 weight_decays = [0.0] : tensor<4xf32>
  return
}

// -----

func.func @adamw_multi_copy_count(%p: tensor<4xf32>, %c: tensor<4xbf16>, %t: tensor<f32>) {
  // expected-error @+1 {{'mpc.adamw_multi_update' op has 0 copy_params for 1 copies}}
  %r:4 = "mpc.adamw_multi_update"(%p, %p, %p, %p, %c, %t) <{beta1 = 9.000000e-01 : f64, beta2 = 9.990000e-01 : f64, epsilon = 1.000000e-08 : f64, learning_rate = 1.000000e-03 : f64, weight_decays = array<f64: 0.0>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0>}> : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xbf16>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xbf16>)
  return
}

// -----

// A copy is zero-initialized 16-bit state of a trainable f32 param's shape.
mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
// expected-error @+1 {{'mpc.param' op a copy (copy_of) must be state of f16 or bf16 elements initialized with #mpc.init<zeros>}}
mpc.param @w.bf16 : tensor<4xbf16> = #mpc.init<zeros> copy_of @w

// -----

mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
// expected-error @+1 {{'mpc.param' op a copy (copy_of) must be state of f16 or bf16 elements initialized with #mpc.init<zeros>}}
mpc.param state @w.f32 : tensor<4xf32> = #mpc.init<zeros> copy_of @w

// -----

// expected-error @+1 {{'mpc.param' op copy_of 'nowhere' does not name an mpc.param}}
mpc.param state @w.bf16 : tensor<4xbf16> = #mpc.init<zeros> copy_of @nowhere

// -----

mpc.param state @w.m : tensor<4xf32> = #mpc.init<zeros>
// expected-error @+1 {{'mpc.param' op copy_of names @w.m, which must be a trainable f32 param of the copy's shape}}
mpc.param state @w.bf16 : tensor<4xbf16> = #mpc.init<zeros> copy_of @w.m

// -----

mpc.param @w : tensor<8xf32> = #mpc.init<zeros>
// expected-error @+1 {{'mpc.param' op copy_of names @w, which must be a trainable f32 param of the copy's shape}}
mpc.param state @w.bf16 : tensor<4xbf16> = #mpc.init<zeros> copy_of @w

// -----

// A 16-bit input is read by f32 gradients only, not by 16-bit ones of the
// other type.
func.func @layer_norm_grad_narrow_input(%dy: tensor<4x8xbf16>, %x: tensor<4x8xf16>, %g: tensor<8xbf16>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{'mpc.layer_norm_grad' op input element type 'f16' must be 'bf16'}}
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 1.0e-5 : tensor<4x8xf16>, tensor<8xbf16> -> tensor<4x8xbf16>
  return %dx : tensor<4x8xbf16>
}

// -----

func.func @rms_norm_grad_narrow_input(%dy: tensor<4x8xf16>, %x: tensor<4x8xbf16>, %w: tensor<8xf16>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'mpc.rms_norm_grad' op input element type 'bf16' must be 'f16'}}
  %dx, %dw = mpc.rms_norm_grad %dy, %x, %w eps = 1.0e-6 : tensor<4x8xbf16>, tensor<8xf16> -> tensor<4x8xf16>
  return %dx : tensor<4x8xf16>
}
