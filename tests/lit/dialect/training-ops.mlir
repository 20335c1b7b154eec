// RUN: mpc-opt %s | mpc-opt | FileCheck %s
// RUN: mpc-opt %s -mlir-print-op-generic | mpc-opt | FileCheck %s

// Round trip of the ops a training step adds: print -> parse -> print is
// stable for every gradient op, optimizer op and `mpc.param state`, from
// both the custom and the generic form.

//===----------------------------------------------------------------------===//
// mpc.param state
//===----------------------------------------------------------------------===//

// A trainable param prints without the flag.
// CHECK: mpc.param @w : tensor<4x3xf32> = #mpc.init<normal, mean = 0.000000e+00, std = 1.000000e+00>{{$}}
mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
// Optimizer state keeps the flag, written before the symbol name.
// CHECK-NEXT: mpc.param state @w.m : tensor<4x3xf32> = #mpc.init<zeros>{{$}}
mpc.param state @w.m : tensor<4x3xf32> = #mpc.init<zeros>
// A 16-bit copy of a param names its source after the initializer.
// CHECK-NEXT: mpc.param state @w.bf16 : tensor<4x3xbf16> = #mpc.init<zeros> copy_of @w{{$}}
mpc.param state @w.bf16 : tensor<4x3xbf16> = #mpc.init<zeros> copy_of @w
// A scalar state symbol (the step count) with another initializer.
// CHECK-NEXT: mpc.param state @step : tensor<f32> = #mpc.init<constant, value = 0.000000e+00>{{$}}
mpc.param state @step : tensor<f32> = #mpc.init<constant>
// The flag and extra attributes survive together.
// CHECK-NEXT: mpc.param state @w.momentum : tensor<4x3xf32> = #mpc.init<zeros> {note = "kept"}{{$}}
mpc.param state @w.momentum : tensor<4x3xf32> = #mpc.init<zeros> {note = "kept"}

// State symbols are loaded and stored like any param.
// CHECK-LABEL: func.func @state_load_store
// CHECK-SAME: (%[[NEW:.*]]: tensor<f32>)
func.func @state_load_store(%new: tensor<f32>) -> tensor<4x3xf32> {
  // CHECK: %[[M:.*]] = mpc.load @w.m : tensor<4x3xf32>
  %0 = mpc.load @w.m : tensor<4x3xf32>
  // CHECK-NEXT: mpc.store %[[NEW]], @step : tensor<f32>
  mpc.store %new, @step : tensor<f32>
  // CHECK-NEXT: return %[[M]]
  return %0 : tensor<4x3xf32>
}

//===----------------------------------------------------------------------===//
// Gradient ops
//===----------------------------------------------------------------------===//

// Broadcasts of a size-1 dim, of missing leading dims, of a scalar, and the identity.
// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<8x1xf32>, %[[B:.*]]: tensor<10xbf16>, %[[S:.*]]: tensor<f16>, %[[C:.*]]: tensor<2x3xf32>)
func.func @broadcast(%a: tensor<8x1xf32>, %b: tensor<10xbf16>, %s: tensor<f16>, %c: tensor<2x3xf32>) -> (tensor<8x10xf32>, tensor<2x4x10xbf16>, tensor<3x4xf16>, tensor<2x3xf32>) {
  // CHECK: %[[R0:.*]] = mpc.broadcast %[[A]] : tensor<8x1xf32> -> tensor<8x10xf32>
  %0 = mpc.broadcast %a : tensor<8x1xf32> -> tensor<8x10xf32>
  // CHECK-NEXT: %[[R1:.*]] = mpc.broadcast %[[B]] : tensor<10xbf16> -> tensor<2x4x10xbf16>
  %1 = mpc.broadcast %b : tensor<10xbf16> -> tensor<2x4x10xbf16>
  // CHECK-NEXT: %[[R2:.*]] = mpc.broadcast %[[S]] : tensor<f16> -> tensor<3x4xf16>
  %2 = mpc.broadcast %s : tensor<f16> -> tensor<3x4xf16>
  // CHECK-NEXT: %[[R3:.*]] = mpc.broadcast %[[C]] : tensor<2x3xf32> -> tensor<2x3xf32>
  %3 = mpc.broadcast %c : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK-NEXT: return %[[R0]], %[[R1]], %[[R2]], %[[R3]]
  return %0, %1, %2, %3 : tensor<8x10xf32>, tensor<2x4x10xbf16>, tensor<3x4xf16>, tensor<2x3xf32>
}

// The five activation gradients take dy and the saved forward value.
// CHECK-LABEL: func.func @activation_grads
// CHECK-SAME: (%[[DY:.*]]: tensor<8x128xf32>, %[[X:.*]]: tensor<8x128xf32>, %[[DH:.*]]: tensor<4xbf16>, %[[H:.*]]: tensor<4xbf16>)
func.func @activation_grads(%dy: tensor<8x128xf32>, %x: tensor<8x128xf32>, %dh: tensor<4xbf16>, %h: tensor<4xbf16>) -> (tensor<8x128xf32>, tensor<8x128xf32>, tensor<8x128xf32>, tensor<4xbf16>, tensor<4xbf16>) {
  // CHECK: %[[R:.*]] = mpc.relu_grad %[[DY]], %[[X]] : tensor<8x128xf32>
  %0 = mpc.relu_grad %dy, %x : tensor<8x128xf32>
  // CHECK-NEXT: %[[G:.*]] = mpc.gelu_grad %[[DY]], %[[X]] : tensor<8x128xf32>
  %1 = mpc.gelu_grad %dy, %x : tensor<8x128xf32>
  // CHECK-NEXT: %[[T:.*]] = mpc.tanh_grad %[[DY]], %[[X]] : tensor<8x128xf32>
  %2 = mpc.tanh_grad %dy, %x : tensor<8x128xf32>
  // CHECK-NEXT: %[[S:.*]] = mpc.sigmoid_grad %[[DH]], %[[H]] : tensor<4xbf16>
  %3 = mpc.sigmoid_grad %dh, %h : tensor<4xbf16>
  // CHECK-NEXT: %[[W:.*]] = mpc.silu_grad %[[DH]], %[[H]] : tensor<4xbf16>
  %4 = mpc.silu_grad %dh, %h : tensor<4xbf16>
  // CHECK-NEXT: return %[[R]], %[[G]], %[[T]], %[[S]], %[[W]]
  return %0, %1, %2, %3, %4 : tensor<8x128xf32>, tensor<8x128xf32>, tensor<8x128xf32>, tensor<4xbf16>, tensor<4xbf16>
}

// softmax_grad and log_softmax_grad keep their axis.
// CHECK-LABEL: func.func @softmax_grads
// CHECK-SAME: (%[[DY:.*]]: tensor<8x10xf32>, %[[Y:.*]]: tensor<8x10xf32>, %[[DS:.*]]: tensor<2x4x16x16xf16>, %[[S:.*]]: tensor<2x4x16x16xf16>)
func.func @softmax_grads(%dy: tensor<8x10xf32>, %y: tensor<8x10xf32>, %ds: tensor<2x4x16x16xf16>, %s: tensor<2x4x16x16xf16>) -> (tensor<8x10xf32>, tensor<8x10xf32>, tensor<2x4x16x16xf16>) {
  // CHECK: %[[A:.*]] = mpc.softmax_grad %[[DY]], %[[Y]] axis = 1 : tensor<8x10xf32>
  %0 = mpc.softmax_grad %dy, %y axis = 1 : tensor<8x10xf32>
  // CHECK-NEXT: %[[B:.*]] = mpc.log_softmax_grad %[[DY]], %[[Y]] axis = 0 : tensor<8x10xf32>
  %1 = mpc.log_softmax_grad %dy, %y axis = 0 : tensor<8x10xf32>
  // CHECK-NEXT: %[[C:.*]] = mpc.softmax_grad %[[DS]], %[[S]] axis = 3 : tensor<2x4x16x16xf16>
  %2 = mpc.softmax_grad %ds, %s axis = 3 : tensor<2x4x16x16xf16>
  // CHECK-NEXT: return %[[A]], %[[B]], %[[C]]
  return %0, %1, %2 : tensor<8x10xf32>, tensor<8x10xf32>, tensor<2x4x16x16xf16>
}

// rms_norm_grad's two results.
// CHECK-LABEL: func.func @rms_norm_grad
// CHECK-SAME: (%[[DY:.*]]: tensor<8x16x64xf32>, %[[X:.*]]: tensor<8x16x64xf32>, %[[W:.*]]: tensor<64xf32>)
func.func @rms_norm_grad(%dy: tensor<8x16x64xf32>, %x: tensor<8x16x64xf32>, %w: tensor<64xf32>) -> (tensor<8x16x64xf32>, tensor<64xf32>) {
  // CHECK: %[[DX:.*]], %[[DW:.*]] = mpc.rms_norm_grad %[[DY]], %[[X]], %[[W]] eps = 9.9999999999999995E-7 : tensor<8x16x64xf32>, tensor<64xf32>
  %dx, %dw = mpc.rms_norm_grad %dy, %x, %w eps = 1.0e-6 : tensor<8x16x64xf32>, tensor<64xf32>
  // CHECK-NEXT: return %[[DX]], %[[DW]]
  return %dx, %dw : tensor<8x16x64xf32>, tensor<64xf32>
}

// Normalization gradients reading a bf16 input with f32 params: the
// gradients' f32 type follows an arrow.
// CHECK-LABEL: func.func @narrow_input_grads
// CHECK: mpc.layer_norm_grad %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xf32> -> tensor<4x8xf32>{{$}}
// CHECK-NEXT: mpc.rms_norm_grad %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xf32> -> tensor<4x8xf32>{{$}}
func.func @narrow_input_grads(%dy: tensor<4x8xf32>, %x: tensor<4x8xbf16>, %g: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xf32> -> tensor<4x8xf32>
  %dx2, %dw = mpc.rms_norm_grad %dy, %x, %g eps = 1.000000e-05 : tensor<4x8xbf16>, tensor<8xf32> -> tensor<4x8xf32>
  return %dx, %dx2 : tensor<4x8xf32>, tensor<4x8xf32>
}

// layer_norm_grad's three results, with a gamma of one and of two trailing dims.
// CHECK-LABEL: func.func @layer_norm_grad
// CHECK-SAME: (%[[DY:.*]]: tensor<8x16x64xf32>, %[[X:.*]]: tensor<8x16x64xf32>, %[[G:.*]]: tensor<64xf32>, %[[G2:.*]]: tensor<16x64xf32>)
func.func @layer_norm_grad(%dy: tensor<8x16x64xf32>, %x: tensor<8x16x64xf32>, %g: tensor<64xf32>, %g2: tensor<16x64xf32>) -> (tensor<8x16x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<16x64xf32>) {
  // CHECK: %[[DX:.*]], %[[DG:.*]], %[[DB:.*]] = mpc.layer_norm_grad %[[DY]], %[[X]], %[[G]] eps = 1.000000e-05 : tensor<8x16x64xf32>, tensor<64xf32>
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 1.000000e-05 : tensor<8x16x64xf32>, tensor<64xf32>
  // CHECK-NEXT: %{{.*}}, %[[DG2:.*]], %{{.*}} = mpc.layer_norm_grad %[[DY]], %[[X]], %[[G2]] eps = 2.500000e-01 : tensor<8x16x64xf32>, tensor<16x64xf32>
  %r:3 = mpc.layer_norm_grad %dy, %x, %g2 eps = 0.25 : tensor<8x16x64xf32>, tensor<16x64xf32>
  // CHECK-NEXT: return %[[DX]], %[[DG]], %[[DB]], %[[DG2]]
  return %dx, %dg, %db, %r#1 : tensor<8x16x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<16x64xf32>
}

// embedding_grad with i32 and with i64 ids.
// CHECK-LABEL: func.func @embedding_grad
// CHECK-SAME: (%[[DE:.*]]: tensor<8x16x64xf32>, %[[IDS:.*]]: tensor<8x16xi32>, %[[DH:.*]]: tensor<5x64xbf16>, %[[IDS64:.*]]: tensor<5xi64>)
func.func @embedding_grad(%de: tensor<8x16x64xf32>, %ids: tensor<8x16xi32>, %dh: tensor<5x64xbf16>, %ids64: tensor<5xi64>) -> (tensor<128x64xf32>, tensor<7x64xbf16>) {
  // CHECK: %[[A:.*]] = mpc.embedding_grad %[[DE]], %[[IDS]] : (tensor<8x16x64xf32>, tensor<8x16xi32>) -> tensor<128x64xf32>
  %0 = mpc.embedding_grad %de, %ids : (tensor<8x16x64xf32>, tensor<8x16xi32>) -> tensor<128x64xf32>
  // CHECK-NEXT: %[[B:.*]] = mpc.embedding_grad %[[DH]], %[[IDS64]] : (tensor<5x64xbf16>, tensor<5xi64>) -> tensor<7x64xbf16>
  %1 = mpc.embedding_grad %dh, %ids64 : (tensor<5x64xbf16>, tensor<5xi64>) -> tensor<7x64xbf16>
  // CHECK-NEXT: return %[[A]], %[[B]]
  return %0, %1 : tensor<128x64xf32>, tensor<7x64xbf16>
}

// softmax_cross_entropy_grad, on 2-d logits and on 3-d bf16 logits.
// CHECK-LABEL: func.func @cross_entropy_grad
// CHECK-SAME: (%[[DL:.*]]: tensor<f32>, %[[LOGITS:.*]]: tensor<8x10xf32>, %[[Y:.*]]: tensor<8xi32>, %[[DLH:.*]]: tensor<bf16>, %[[LH:.*]]: tensor<4x16x128xbf16>, %[[YH:.*]]: tensor<4x16xi64>)
func.func @cross_entropy_grad(%dl: tensor<f32>, %logits: tensor<8x10xf32>, %y: tensor<8xi32>, %dlh: tensor<bf16>, %lh: tensor<4x16x128xbf16>, %yh: tensor<4x16xi64>) -> (tensor<8x10xf32>, tensor<4x16x128xbf16>) {
  // CHECK: %[[A:.*]] = mpc.softmax_cross_entropy_grad %[[DL]], %[[LOGITS]], %[[Y]] : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  %0 = mpc.softmax_cross_entropy_grad %dl, %logits, %y : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  // CHECK-NEXT: %[[B:.*]] = mpc.softmax_cross_entropy_grad %[[DLH]], %[[LH]], %[[YH]] : (tensor<bf16>, tensor<4x16x128xbf16>, tensor<4x16xi64>) -> tensor<4x16x128xbf16>
  %1 = mpc.softmax_cross_entropy_grad %dlh, %lh, %yh : (tensor<bf16>, tensor<4x16x128xbf16>, tensor<4x16xi64>) -> tensor<4x16x128xbf16>
  // CHECK-NEXT: return %[[A]], %[[B]]
  return %0, %1 : tensor<8x10xf32>, tensor<4x16x128xbf16>
}

// The forward op's ignore_index and reduction.
// CHECK-LABEL: func.func @cross_entropy_grad_rows
func.func @cross_entropy_grad_rows(%dl: tensor<f32>, %logits: tensor<8x10xf32>, %y: tensor<8xi32>) -> (tensor<8x10xf32>, tensor<8x10xf32>) {
  // CHECK: mpc.softmax_cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} ignore_index = -100 : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  %0 = mpc.softmax_cross_entropy_grad %dl, %logits, %y ignore_index = -100 : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  // CHECK-NEXT: mpc.softmax_cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} ignore_index = 0 reduction = sum : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  %1 = mpc.softmax_cross_entropy_grad %dl, %logits, %y ignore_index = 0 reduction = sum : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  return %0, %1 : tensor<8x10xf32>, tensor<8x10xf32>
}

//===----------------------------------------------------------------------===//
// Optimizer ops
//===----------------------------------------------------------------------===//

// sgd_update, with and without weight decay.
// CHECK-LABEL: func.func @sgd_update
// CHECK-SAME: (%[[P:.*]]: tensor<64x128xf32>, %[[G:.*]]: tensor<64x128xf32>)
func.func @sgd_update(%p: tensor<64x128xf32>, %g: tensor<64x128xf32>) -> (tensor<64x128xf32>, tensor<64x128xf32>) {
  // CHECK: %[[A:.*]] = mpc.sgd_update %[[P]], %[[G]] lr = 1.000000e-01 weight_decay = 0.000000e+00 : tensor<64x128xf32>
  %0 = mpc.sgd_update %p, %g lr = 1.000000e-01 weight_decay = 0.000000e+00 : tensor<64x128xf32>
  // CHECK-NEXT: %[[B:.*]] = mpc.sgd_update %[[A]], %[[G]] lr = 5.000000e-01 weight_decay = 1.000000e-02 : tensor<64x128xf32>
  %1 = mpc.sgd_update %0, %g lr = 0.5 weight_decay = 0.01 : tensor<64x128xf32>
  // CHECK-NEXT: return %[[A]], %[[B]]
  return %0, %1 : tensor<64x128xf32>, tensor<64x128xf32>
}

// momentum_update's two results; momentum 0 is in range.
// CHECK-LABEL: func.func @momentum_update
// CHECK-SAME: (%[[P:.*]]: tensor<128xf32>, %[[G:.*]]: tensor<128xf32>, %[[BUF:.*]]: tensor<128xf32>)
func.func @momentum_update(%p: tensor<128xf32>, %g: tensor<128xf32>, %buf: tensor<128xf32>) -> (tensor<128xf32>, tensor<128xf32>, tensor<128xf32>) {
  // CHECK: %[[NP:.*]], %[[NB:.*]] = mpc.momentum_update %[[P]], %[[G]], %[[BUF]] lr = 1.000000e-01 momentum = 9.000000e-01 weight_decay = 0.000000e+00 : tensor<128xf32>
  %new_p, %new_buf = mpc.momentum_update %p, %g, %buf lr = 1.000000e-01 momentum = 9.000000e-01 weight_decay = 0.000000e+00 : tensor<128xf32>
  // CHECK-NEXT: %[[NP2:.*]], %{{.*}} = mpc.momentum_update %[[NP]], %[[G]], %[[NB]] lr = 2.000000e-01 momentum = 0.000000e+00 weight_decay = 5.000000e-01 : tensor<128xf32>
  %r:2 = mpc.momentum_update %new_p, %g, %new_buf lr = 0.2 momentum = 0.0 weight_decay = 0.5 : tensor<128xf32>
  // CHECK-NEXT: return %[[NP]], %[[NB]], %[[NP2]]
  return %new_p, %new_buf, %r#0 : tensor<128xf32>, tensor<128xf32>, tensor<128xf32>
}

// adamw_update's three results; a beta inexact in binary prints with all its digits.
// CHECK-LABEL: func.func @adamw_update
// CHECK-SAME: (%[[P:.*]]: tensor<64x128xf32>, %[[G:.*]]: tensor<64x128xf32>, %[[M:.*]]: tensor<64x128xf32>, %[[V:.*]]: tensor<64x128xf32>, %[[T:.*]]: tensor<f32>)
func.func @adamw_update(%p: tensor<64x128xf32>, %g: tensor<64x128xf32>, %m: tensor<64x128xf32>, %v: tensor<64x128xf32>, %t: tensor<f32>) -> (tensor<64x128xf32>, tensor<64x128xf32>, tensor<64x128xf32>) {
  // CHECK: %[[NP:.*]], %[[NM:.*]], %[[NV:.*]] = mpc.adamw_update %[[P]], %[[G]], %[[M]], %[[V]], %[[T]] lr = 1.000000e-03 betas = (9.000000e-01, 0.99899999999999999) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<64x128xf32>
  %new_p, %new_m, %new_v = mpc.adamw_update %p, %g, %m, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 0.01 : tensor<64x128xf32>
  // Betas of 0 and no weight decay are in range.
  // CHECK-NEXT: mpc.adamw_update %[[NP]], %[[G]], %[[NM]], %[[NV]], %[[T]] lr = 1.000000e+00 betas = (0.000000e+00, 0.000000e+00) eps = 1.000000e+00 weight_decay = 0.000000e+00 : tensor<64x128xf32>
  %r:3 = mpc.adamw_update %new_p, %g, %new_m, %new_v, %t lr = 1.0 betas = (0.0, 0.0) eps = 1.0 weight_decay = 0.0 : tensor<64x128xf32>
  // CHECK-NEXT: return %[[NP]], %[[NM]], %[[NV]]
  return %new_p, %new_m, %new_v : tensor<64x128xf32>, tensor<64x128xf32>, tensor<64x128xf32>
}

// A learning-rate schedule: SGD and momentum then read the step count;
// arguments at their defaults are left out of the text.
// CHECK-LABEL: func.func @scheduled_updates
// CHECK-SAME: (%[[P:.*]]: tensor<8xf32>, %[[G:.*]]: tensor<8xf32>, %[[M:.*]]: tensor<8xf32>, %[[V:.*]]: tensor<8xf32>, %[[T:.*]]: tensor<f32>, %[[F:.*]]: tensor<i1>)
func.func @scheduled_updates(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<f32>, %f: tensor<i1>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  // CHECK: %[[A:.*]] = mpc.sgd_update %[[P]], %[[G]] step %[[T]] lr = 1.000000e-01 weight_decay = 0.000000e+00 skip_if %[[F]] {schedule = #mpc.lr_schedule<kind = constant, warmup_steps = 10>} : tensor<8xf32>
  %0 = mpc.sgd_update %p, %g step %t lr = 0.1 weight_decay = 0.0 skip_if %f {schedule = #mpc.lr_schedule<kind = constant, warmup_steps = 10, decay_steps = 0, gamma = 1.0>} : tensor<8xf32>
  // CHECK-NEXT: %[[B:.*]], %{{.*}} = mpc.momentum_update %[[A]], %[[G]], %[[M]] step %[[T]] lr = 1.000000e-01 momentum = 9.000000e-01 weight_decay = 0.000000e+00 {schedule = #mpc.lr_schedule<kind = step, step_size = 100, gamma = 5.000000e-01>} : tensor<8xf32>
  %1:2 = mpc.momentum_update %0, %g, %m step %t lr = 0.1 momentum = 0.9 weight_decay = 0.0 {schedule = #mpc.lr_schedule<kind = step, step_size = 100, gamma = 0.5>} : tensor<8xf32>
  // CHECK-NEXT: %[[C:.*]], %{{.*}}, %{{.*}} = mpc.adamw_update %[[B]], %[[G]], %[[M]], %[[V]], %[[T]] lr = 1.000000e-03 betas = (9.000000e-01, 0.99899999999999999) eps = 1.000000e-08 weight_decay = 1.000000e-02 {schedule = #mpc.lr_schedule<kind = cosine, warmup_steps = 100, decay_steps = 1000, min_ratio = 1.000000e-01>} : tensor<8xf32>
  %2:3 = mpc.adamw_update %1#0, %g, %m, %v, %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 1.0e-8 weight_decay = 0.01 {schedule = #mpc.lr_schedule<kind = cosine, warmup_steps = 100, decay_steps = 1000, min_ratio = 0.1>} : tensor<8xf32>
  // CHECK-NEXT: return %[[A]], %[[B]], %[[C]]
  return %0, %1#0, %2#0 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// adamw_multi_update: the types of the params give every other tensor's;
// the results are the new params, m and v.
// CHECK-LABEL: func.func @adamw_multi_update
// CHECK-SAME: (%[[P:.*]]: tensor<4x8xf32>, %[[Q:.*]]: tensor<8xf32>, %[[G:.*]]: tensor<4x8xf32>, %[[H:.*]]: tensor<8xf32>, %[[T:.*]]: tensor<f32>, %[[F:.*]]: tensor<i1>)
func.func @adamw_multi_update(%p: tensor<4x8xf32>, %q: tensor<8xf32>, %g: tensor<4x8xf32>, %h: tensor<8xf32>, %t: tensor<f32>, %f: tensor<i1>) -> (tensor<4x8xf32>, tensor<8xf32>) {
  // CHECK: %[[R:.*]]:6 = mpc.adamw_multi_update params(%[[P]], %[[Q]]) grads(%[[G]], %[[H]]) m(%[[G]], %[[H]]) v(%[[P]], %[[Q]]) step %[[T]] lr = 1.000000e-03 betas = (9.000000e-01, 0.99899999999999999) eps = 1.000000e-08 weight_decays = [1.000000e-02, 0.000000e+00] skip_if %[[F]] {schedule = #mpc.lr_schedule<kind = cosine, warmup_steps = 100, decay_steps = 1000, min_ratio = 1.000000e-01>} : tensor<4x8xf32>, tensor<8xf32>
  %r:6 = mpc.adamw_multi_update params(%p, %q) grads(%g, %h) m(%g, %h) v(%p, %q) step %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 1.0e-8 weight_decays = [0.01, 0.0] skip_if %f {schedule = #mpc.lr_schedule<kind = cosine, warmup_steps = 100, decay_steps = 1000, min_ratio = 0.1>} : tensor<4x8xf32>, tensor<8xf32>
  // CHECK-NEXT: return %[[R]]#0, %[[R]]#1
  return %r#0, %r#1 : tensor<4x8xf32>, tensor<8xf32>
}

// With copies: each names its param's index; their new values follow v.
// CHECK-LABEL: func.func @adamw_multi_update_copies
// CHECK-SAME: (%[[P:.*]]: tensor<4x8xf32>, %[[Q:.*]]: tensor<8xf32>, %[[C:.*]]: tensor<8xf16>, %[[T:.*]]: tensor<f32>)
func.func @adamw_multi_update_copies(%p: tensor<4x8xf32>, %q: tensor<8xf32>, %c: tensor<8xf16>, %t: tensor<f32>) -> tensor<8xf16> {
  // CHECK: %[[R:.*]]:7 = mpc.adamw_multi_update params(%[[P]], %[[Q]]) grads(%[[P]], %[[Q]]) m(%[[P]], %[[Q]]) v(%[[P]], %[[Q]]) copies(%[[C]] : tensor<8xf16>) of [1] step %[[T]] lr
  %r:7 = mpc.adamw_multi_update params(%p, %q) grads(%p, %q) m(%p, %q) v(%p, %q) copies(%c : tensor<8xf16>) of [1] step %t lr = 1.0e-3 betas = (0.9, 0.999) eps = 1.0e-8 weight_decays = [0.01, 0.0] : tensor<4x8xf32>, tensor<8xf32>
  // CHECK-NEXT: return %[[R]]#6 : tensor<8xf16>
  return %r#6 : tensor<8xf16>
}

// clip_by_global_norm returns one clipped gradient per input, then the norm.
// CHECK-LABEL: func.func @clip_by_global_norm
// CHECK-SAME: (%[[DW:.*]]: tensor<64x128xf32>, %[[DB:.*]]: tensor<128xf32>)
func.func @clip_by_global_norm(%dw: tensor<64x128xf32>, %db: tensor<128xf32>) -> (tensor<64x128xf32>, tensor<128xf32>, tensor<f32>, tensor<128xf32>, tensor<f32>) {
  // CHECK: %[[C:.*]]:2, %[[N:.*]] = mpc.clip_by_global_norm %[[DW]], %[[DB]] max_norm = 1.000000e+00 : (tensor<64x128xf32>, tensor<128xf32>) -> (tensor<64x128xf32>, tensor<128xf32>, tensor<f32>)
  %c:2, %norm = mpc.clip_by_global_norm %dw, %db max_norm = 1.000000e+00 : (tensor<64x128xf32>, tensor<128xf32>) -> (tensor<64x128xf32>, tensor<128xf32>, tensor<f32>)
  // A single gradient.
  // CHECK-NEXT: %[[D:.*]], %[[DN:.*]] = mpc.clip_by_global_norm %[[DB]] max_norm = 2.500000e-01 : (tensor<128xf32>) -> (tensor<128xf32>, tensor<f32>)
  %d, %dnorm = mpc.clip_by_global_norm %db max_norm = 0.25 : (tensor<128xf32>) -> (tensor<128xf32>, tensor<f32>)
  // CHECK-NEXT: return %[[C]]#0, %[[C]]#1, %[[N]], %[[D]], %[[DN]]
  return %c#0, %c#1, %norm, %d, %dnorm : tensor<64x128xf32>, tensor<128xf32>, tensor<f32>, tensor<128xf32>, tensor<f32>
}
