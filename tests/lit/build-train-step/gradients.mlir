// RUN: mpc-opt %s -split-input-file --mpc-build-train-step="optimizer=sgd" | FileCheck %s
// RUN: mpc-opt %s -split-input-file --mpc-build-train-step | FileCheck %s --check-prefix=ADAMW

// The backward graph mpc-build-train-step builds, one module per case: the
// gradient structure of each op, fan-out accumulation, and which params get
// a gradient and an update. SGD keeps the updates short; the ADAMW prefix
// checks the optimizer state symbols.

// C = A·B: dA = dC·Bᵀ and dB = Aᵀ·dC as transpose flags; the reduce_sum seed is broadcast to C.
// CHECK-LABEL: module @matmul_nn {
// CHECK:       func.func @train_step(
// CHECK:       %[[A:.*]] = mpc.load @a : tensor<2x3xf32>
// CHECK:       %[[B:.*]] = mpc.load @b : tensor<3x4xf32>
// CHECK:       %[[ONE:.*]] = mpc.constant dense<1.000000e+00> : tensor<f32>
// CHECK:       %[[R:.*]] = mpc.reshape %[[ONE]] : tensor<f32> -> tensor<1x1xf32>
// CHECK:       %[[DC:.*]] = mpc.broadcast %[[R]] : tensor<1x1xf32> -> tensor<2x4xf32>
// CHECK:       %[[DA:.*]] = mpc.matmul %[[DC]], %[[B]] {transpose_b} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
// CHECK:       %[[DB:.*]] = mpc.matmul %[[A]], %[[DC]] {transpose_a} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
// CHECK:       mpc.sgd_update %[[A]], %[[DA]] lr
// CHECK:       mpc.sgd_update %[[B]], %[[DB]] lr
module @matmul_nn {
  mpc.param @a : tensor<2x3xf32> = #mpc.init<normal>
  mpc.param @b : tensor<3x4xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %a = mpc.load @a : tensor<2x3xf32>
    %b = mpc.load @b : tensor<3x4xf32>
    %c = mpc.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
    %l = mpc.reduce_sum %c [0, 1] : tensor<2x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// C = Aᵀ·B: dA = B·dCᵀ and dB = A·dC.
// CHECK-LABEL: module @matmul_transpose_a {
// CHECK:       func.func @train_step(
// CHECK:       %[[A:.*]] = mpc.load @a : tensor<3x2xf32>
// CHECK:       %[[B:.*]] = mpc.load @b : tensor<3x4xf32>
// CHECK:       %[[DC:.*]] = mpc.broadcast
// CHECK:       %[[DA:.*]] = mpc.matmul %[[B]], %[[DC]] {transpose_b} : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
// CHECK:       %[[DB:.*]] = mpc.matmul %[[A]], %[[DC]] : (tensor<3x2xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
// CHECK:       mpc.sgd_update %[[A]], %[[DA]] lr
// CHECK:       mpc.sgd_update %[[B]], %[[DB]] lr
module @matmul_transpose_a {
  mpc.param @a : tensor<3x2xf32> = #mpc.init<normal>
  mpc.param @b : tensor<3x4xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %a = mpc.load @a : tensor<3x2xf32>
    %b = mpc.load @b : tensor<3x4xf32>
    %c = mpc.matmul %a, %b {transpose_a} : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
    %l = mpc.reduce_sum %c [0, 1] : tensor<2x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// C = A·Bᵀ: dA = dC·B and dB = dCᵀ·A.
// CHECK-LABEL: module @matmul_transpose_b {
// CHECK:       func.func @train_step(
// CHECK:       %[[A:.*]] = mpc.load @a : tensor<2x3xf32>
// CHECK:       %[[B:.*]] = mpc.load @b : tensor<4x3xf32>
// CHECK:       %[[DC:.*]] = mpc.broadcast
// CHECK:       %[[DA:.*]] = mpc.matmul %[[DC]], %[[B]] : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
// CHECK:       %[[DB:.*]] = mpc.matmul %[[DC]], %[[A]] {transpose_a} : (tensor<2x4xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
// CHECK:       mpc.sgd_update %[[A]], %[[DA]] lr
// CHECK:       mpc.sgd_update %[[B]], %[[DB]] lr
module @matmul_transpose_b {
  mpc.param @a : tensor<2x3xf32> = #mpc.init<normal>
  mpc.param @b : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %a = mpc.load @a : tensor<2x3xf32>
    %b = mpc.load @b : tensor<4x3xf32>
    %c = mpc.matmul %a, %b {transpose_b} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
    %l = mpc.reduce_sum %c [0, 1] : tensor<2x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// C = Aᵀ·Bᵀ: dA = Bᵀ·dCᵀ and dB = dCᵀ·Aᵀ, both with both flags.
// CHECK-LABEL: module @matmul_transpose_both {
// CHECK:       func.func @train_step(
// CHECK:       %[[A:.*]] = mpc.load @a : tensor<3x2xf32>
// CHECK:       %[[B:.*]] = mpc.load @b : tensor<4x3xf32>
// CHECK:       %[[DC:.*]] = mpc.broadcast
// CHECK:       %[[DA:.*]] = mpc.matmul %[[B]], %[[DC]] {transpose_a, transpose_b} : (tensor<4x3xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
// CHECK:       %[[DB:.*]] = mpc.matmul %[[DC]], %[[A]] {transpose_a, transpose_b} : (tensor<2x4xf32>, tensor<3x2xf32>) -> tensor<4x3xf32>
// CHECK:       mpc.sgd_update %[[A]], %[[DA]] lr
// CHECK:       mpc.sgd_update %[[B]], %[[DB]] lr
module @matmul_transpose_both {
  mpc.param @a : tensor<3x2xf32> = #mpc.init<normal>
  mpc.param @b : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %a = mpc.load @a : tensor<3x2xf32>
    %b = mpc.load @b : tensor<4x3xf32>
    %c = mpc.matmul %a, %b {transpose_a, transpose_b} : (tensor<3x2xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
    %l = mpc.reduce_sum %c [0, 1] : tensor<2x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// A weight broadcast over a batched matmul's batch dim gets its gradient
// summed over it: one GEMM over the rows of every batch matrix, no partial
// products and no reduction.
// CHECK-LABEL: module @matmul_broadcast_batch {
// CHECK:       func.func @train_step(%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<4x5xf32>
// CHECK:       %[[DC:.*]] = mpc.broadcast %{{.*}} : tensor<1x1x1xf32> -> tensor<2x3x5xf32>
// CHECK-NEXT:  %[[XR:.*]] = mpc.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<6x4xf32>
// CHECK-NEXT:  %[[DCR:.*]] = mpc.reshape %[[DC]] : tensor<2x3x5xf32> -> tensor<6x5xf32>
// CHECK-NEXT:  %[[DW:.*]] = mpc.matmul %[[XR]], %[[DCR]] {transpose_a} : (tensor<6x4xf32>, tensor<6x5xf32>) -> tensor<4x5xf32>
// CHECK-NOT:   mpc.reduce_sum
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @matmul_broadcast_batch {
  mpc.param @w : tensor<4x5xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<2x3x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x5xf32>
    %c = mpc.matmul %x, %w : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
    %l = mpc.reduce_sum %c [0, 1, 2] : tensor<2x3x5xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// The same with the weight stored transposed: dW = dCᵀ·X over the rows.
// CHECK-LABEL: module @matmul_broadcast_batch_transposed {
// CHECK:       func.func @train_step(%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<5x4xf32>
// CHECK:       %[[DC:.*]] = mpc.broadcast %{{.*}} : tensor<1x1x1xf32> -> tensor<2x3x5xf32>
// CHECK-NEXT:  %[[XR:.*]] = mpc.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<6x4xf32>
// CHECK-NEXT:  %[[DCR:.*]] = mpc.reshape %[[DC]] : tensor<2x3x5xf32> -> tensor<6x5xf32>
// CHECK-NEXT:  %[[DW:.*]] = mpc.matmul %[[DCR]], %[[XR]] {transpose_a} : (tensor<6x5xf32>, tensor<6x4xf32>) -> tensor<5x4xf32>
// CHECK-NOT:   mpc.reduce_sum
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @matmul_broadcast_batch_transposed {
  mpc.param @w : tensor<5x4xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<2x3x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<5x4xf32>
    %c = mpc.matmul %x, %w {transpose_b} : (tensor<2x3x4xf32>, tensor<5x4xf32>) -> tensor<2x3x5xf32>
    %l = mpc.reduce_sum %c [0, 1, 2] : tensor<2x3x5xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// bf16 matmul of a cast f32 weight: dC is narrowed to bf16, dW widened back to f32.
// CHECK-LABEL: module @mixed_precision {
// CHECK:       func.func @train_step(%[[X:.*]]: tensor<8x4xbf16>)
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<4x3xf32>
// CHECK:       %[[DC:.*]] = mpc.broadcast %{{.*}} -> tensor<8x3xf32>
// CHECK:       %[[DCH:.*]] = mpc.cast %[[DC]] : tensor<8x3xf32> to tensor<8x3xbf16>
// CHECK:       %[[DWH:.*]] = mpc.matmul %[[X]], %[[DCH]] {transpose_a} : (tensor<8x4xbf16>, tensor<8x3xbf16>) -> tensor<4x3xbf16>
// CHECK:       %[[DW:.*]] = mpc.cast %[[DWH]] : tensor<4x3xbf16> to tensor<4x3xf32>
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @mixed_precision {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xbf16>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %wh = mpc.cast %w : tensor<4x3xf32> to tensor<4x3xbf16>
    %h = mpc.matmul %x, %wh : (tensor<8x4xbf16>, tensor<4x3xbf16>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// Broadcast operands of add and mul: gradients reduce_sum'ed and reshaped to the operand shape.
// CHECK-LABEL: module @broadcast_add_mul {
// CHECK:       func.func @train_step(
// CHECK:       %[[B:.*]] = mpc.load @b : tensor<1x3xf32>
// CHECK:       %[[S:.*]] = mpc.load @s : tensor<8x1xf32>
// CHECK:       %[[SUM:.*]] = mpc.add %{{.*}}, %[[B]] : (tensor<8x3xf32>, tensor<1x3xf32>) -> tensor<8x3xf32>
// CHECK:       %[[Y:.*]] = mpc.mul %[[SUM]], %[[S]] : (tensor<8x3xf32>, tensor<8x1xf32>) -> tensor<8x3xf32>
// CHECK:       %[[DY:.*]] = mpc.mul %{{.*}}, %{{.*}} : (tensor<8x3xf32>, tensor<f32>) -> tensor<8x3xf32>
// CHECK:       %[[DSUM:.*]] = mpc.mul %[[DY]], %[[S]] : (tensor<8x3xf32>, tensor<8x1xf32>) -> tensor<8x3xf32>
// CHECK:       %[[DSFULL:.*]] = mpc.mul %[[DY]], %[[SUM]] : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<8x3xf32>
// CHECK:       %[[DSR:.*]] = mpc.reduce_sum %[[DSFULL]] [1] : tensor<8x3xf32> -> tensor<8xf32>
// CHECK:       %[[DS:.*]] = mpc.reshape %[[DSR]] : tensor<8xf32> -> tensor<8x1xf32>
// CHECK:       %[[DBR:.*]] = mpc.reduce_sum %[[DSUM]] [0] : tensor<8x3xf32> -> tensor<3xf32>
// CHECK:       %[[DB:.*]] = mpc.reshape %[[DBR]] : tensor<3xf32> -> tensor<1x3xf32>
// CHECK:       mpc.sgd_update %[[B]], %[[DB]] lr
// CHECK:       mpc.sgd_update %[[S]], %[[DS]] lr
module @broadcast_add_mul {
  mpc.param @b : tensor<1x3xf32> = #mpc.init<zeros>
  mpc.param @s : tensor<8x1xf32> = #mpc.init<ones>
  func.func @forward(%x: tensor<8x3xf32>, %t: tensor<8x3xf32>) -> (tensor<f32> {mpc.loss}) {
    %b = mpc.load @b : tensor<1x3xf32>
    %s = mpc.load @s : tensor<8x1xf32>
    %0 = mpc.add %x, %b : (tensor<8x3xf32>, tensor<1x3xf32>) -> tensor<8x3xf32>
    %1 = mpc.mul %0, %s : (tensor<8x3xf32>, tensor<8x1xf32>) -> tensor<8x3xf32>
    %2 = mpc.mse_loss %1, %t : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<f32>
    return %2 : tensor<f32>
  }
}

// -----

// reduce_mean: the gradient is reshaped, broadcast to the input and scaled by 1/n = 1/32.
// neg: dx = -dy.
// CHECK-LABEL: module @neg {
// CHECK:       func.func @train_step(
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<8x4xf32>
// CHECK:       %[[BC:.*]] = mpc.broadcast %{{.*}} : tensor<1x1xf32> -> tensor<8x4xf32>
// CHECK:       %[[DW:.*]] = mpc.neg %[[BC]] : tensor<8x4xf32>
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @neg {
  mpc.param @w : tensor<8x4xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<8x4xf32>
    %n = mpc.neg %w : tensor<8x4xf32>
    %0 = mpc.reduce_sum %n [0, 1] : tensor<8x4xf32> -> tensor<f32>
    return %0 : tensor<f32>
  }
}

// -----

// CHECK-LABEL: module @reduce_mean {
// CHECK:       func.func @train_step(
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<8x4xf32>
// CHECK:       %[[ONE:.*]] = mpc.constant dense<1.000000e+00> : tensor<f32>
// CHECK:       %[[R:.*]] = mpc.reshape %[[ONE]] : tensor<f32> -> tensor<1x1xf32>
// CHECK:       %[[BC:.*]] = mpc.broadcast %[[R]] : tensor<1x1xf32> -> tensor<8x4xf32>
// CHECK:       %[[N:.*]] = mpc.constant dense<3.125000e-02> : tensor<f32>
// CHECK:       %[[DW:.*]] = mpc.mul %[[BC]], %[[N]] : (tensor<8x4xf32>, tensor<f32>) -> tensor<8x4xf32>
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @reduce_mean {
  mpc.param @w : tensor<8x4xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<8x4xf32>
    %0 = mpc.reduce_mean %w [0, 1] : tensor<8x4xf32> -> tensor<f32>
    return %0 : tensor<f32>
  }
}

// -----

// reduce_mean over one axis: [8] is reshaped to [8, 1], broadcast to [8, 4], scaled by 1/4.
// CHECK-LABEL: module @reduce_mean_one_axis {
// CHECK:       func.func @train_step(
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<8x4xf32>
// CHECK:       %[[G:.*]] = mpc.broadcast %{{.*}} : tensor<1xf32> -> tensor<8xf32>
// CHECK:       %[[R:.*]] = mpc.reshape %[[G]] : tensor<8xf32> -> tensor<8x1xf32>
// CHECK:       %[[BC:.*]] = mpc.broadcast %[[R]] : tensor<8x1xf32> -> tensor<8x4xf32>
// CHECK:       %[[N:.*]] = mpc.constant dense<2.500000e-01> : tensor<f32>
// CHECK:       %[[DW:.*]] = mpc.mul %[[BC]], %[[N]] : (tensor<8x4xf32>, tensor<f32>) -> tensor<8x4xf32>
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @reduce_mean_one_axis {
  mpc.param @w : tensor<8x4xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<8x4xf32>
    %0 = mpc.reduce_mean %w [1] : tensor<8x4xf32> -> tensor<8xf32>
    %1 = mpc.reduce_sum %0 [0] : tensor<8xf32> -> tensor<f32>
    return %1 : tensor<f32>
  }
}

// -----

// transpose [1, 2, 0]: the gradient goes through the inverse permutation [2, 0, 1].
// CHECK-LABEL: module @transpose {
// CHECK:       func.func @train_step(
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<2x3x4xf32>
// CHECK:       %[[T:.*]] = mpc.transpose %[[W]] [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
// CHECK:       %[[Y:.*]] = mpc.tanh %[[T]] : tensor<3x4x2xf32>
// CHECK:       %[[DY:.*]] = mpc.broadcast %{{.*}} -> tensor<3x4x2xf32>
// CHECK:       %[[DT:.*]] = mpc.tanh_grad %[[DY]], %[[Y]] : tensor<3x4x2xf32>
// CHECK:       %[[DW:.*]] = mpc.transpose %[[DT]] [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @transpose {
  mpc.param @w : tensor<2x3x4xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<2x3x4xf32>
    %0 = mpc.transpose %w [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
    %1 = mpc.tanh %0 : tensor<3x4x2xf32>
    %2 = mpc.reduce_sum %1 [0, 1, 2] : tensor<3x4x2xf32> -> tensor<f32>
    return %2 : tensor<f32>
  }
}

// -----

// slice: a slice_grad with the forward bounds, typed as the sliced param;
// concat: a slice of the result's gradient per input (the param's part
// and the slice's part, summed through the slice_grad).
// CHECK-LABEL: module @slice_concat {
// CHECK:       func.func @train_step(
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<4x6xf32>
// CHECK:       %[[S:.*]] = mpc.slice %[[W]] axes = [1] starts = [-1] ends = [0] steps = [-2] : tensor<4x6xf32> -> tensor<4x3xf32>
// CHECK:       %[[C:.*]] = mpc.concat %[[W]], %[[S]] axis = 1 : (tensor<4x6xf32>, tensor<4x3xf32>) -> tensor<4x9xf32>
// CHECK-DAG:   %[[DW1:.*]] = mpc.slice %[[DC:.*]] axes = [1] starts = [0] ends = [6] steps = [1] : tensor<4x9xf32> -> tensor<4x6xf32>
// CHECK-DAG:   %[[DS:.*]] = mpc.slice %[[DC]] axes = [1] starts = [6] ends = [9] steps = [1] : tensor<4x9xf32> -> tensor<4x3xf32>
// CHECK:       %[[DW2:.*]] = mpc.slice_grad %[[DS]] axes = [1] starts = [-1] ends = [0] steps = [-2] : tensor<4x3xf32> -> tensor<4x6xf32>
// CHECK:       %[[DW:.*]] = mpc.add %{{.*}}, %{{.*}} : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @slice_concat {
  mpc.param @w : tensor<4x6xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x6xf32>
    %0 = mpc.slice %w axes = [1] starts = [-1] ends = [0] steps = [-2] : tensor<4x6xf32> -> tensor<4x3xf32>
    %1 = mpc.concat %w, %0 axis = 1 : (tensor<4x6xf32>, tensor<4x3xf32>) -> tensor<4x9xf32>
    %2 = mpc.tanh %1 : tensor<4x9xf32>
    %3 = mpc.reduce_sum %2 [0, 1] : tensor<4x9xf32> -> tensor<f32>
    return %3 : tensor<f32>
  }
}

// -----

// layer_norm: one layer_norm_grad, with the forward epsilon, gives the gamma and beta gradients.
// CHECK-LABEL: module @layer_norm {
// CHECK:       func.func @train_step(%[[X:.*]]: tensor<4x16xf32>, %{{.*}}: tensor<4x16xf32>)
// CHECK:       %[[G:.*]] = mpc.load @g : tensor<16xf32>
// CHECK:       %[[B:.*]] = mpc.load @b : tensor<16xf32>
// CHECK:       %[[DY:.*]] = mpc.mul %{{.*}}, %{{.*}} : (tensor<4x16xf32>, tensor<f32>) -> tensor<4x16xf32>
// CHECK:       %{{.*}}, %[[DG:.*]], %[[DB:.*]] = mpc.layer_norm_grad %[[DY]], %[[X]], %[[G]] eps = 1.000000e-05 : tensor<4x16xf32>, tensor<16xf32>
// CHECK:       mpc.sgd_update %[[G]], %[[DG]] lr
// CHECK:       mpc.sgd_update %[[B]], %[[DB]] lr
module @layer_norm {
  mpc.param @g : tensor<16xf32> = #mpc.init<ones>
  mpc.param @b : tensor<16xf32> = #mpc.init<zeros>
  func.func @forward(%x: tensor<4x16xf32>, %t: tensor<4x16xf32>) -> (tensor<f32> {mpc.loss}) {
    %g = mpc.load @g : tensor<16xf32>
    %b = mpc.load @b : tensor<16xf32>
    %0 = mpc.layer_norm %x, %g, %b eps = 1.000000e-05 : tensor<4x16xf32>, tensor<16xf32>
    %1 = mpc.mse_loss %0, %t : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<f32>
    return %1 : tensor<f32>
  }
}

// -----

// rms_norm: one rms_norm_grad, with the forward epsilon, gives the input and weight gradients.
// CHECK-LABEL: module @rms_norm {
// CHECK:       func.func @train_step(%[[X:.*]]: tensor<4x16xf32>, %{{.*}}: tensor<4x16xf32>)
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<16xf32>
// CHECK:       %[[DY:.*]] = mpc.mul %{{.*}}, %{{.*}} : (tensor<4x16xf32>, tensor<f32>) -> tensor<4x16xf32>
// CHECK:       %{{.*}}, %[[DW:.*]] = mpc.rms_norm_grad %[[DY]], %[[X]], %[[W]] eps = 9.9999999999999995E-7 : tensor<4x16xf32>, tensor<16xf32>
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @rms_norm {
  mpc.param @w : tensor<16xf32> = #mpc.init<ones>
  func.func @forward(%x: tensor<4x16xf32>, %t: tensor<4x16xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<16xf32>
    %0 = mpc.rms_norm %x, %w eps = 1.000000e-06 : tensor<4x16xf32>, tensor<16xf32>
    %1 = mpc.mse_loss %0, %t : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<f32>
    return %1 : tensor<f32>
  }
}

// -----

// embedding: the table gradient is an embedding_grad of the rows' gradient by the same ids.
// CHECK-LABEL: module @embedding {
// CHECK:       func.func @train_step(%[[IDS:.*]]: tensor<4x6xi32>, %[[Y:.*]]: tensor<4x6xi32>)
// CHECK:       %[[WTE:.*]] = mpc.load @wte : tensor<32x8xf32>
// CHECK:       %[[E:.*]] = mpc.embedding %[[IDS]], %[[WTE]]
// CHECK:       %[[ONE:.*]] = mpc.constant dense<1.000000e+00> : tensor<f32>
// CHECK:       %[[DE:.*]] = mpc.softmax_cross_entropy_grad %[[ONE]], %[[E]], %[[Y]] : (tensor<f32>, tensor<4x6x8xf32>, tensor<4x6xi32>) -> tensor<4x6x8xf32>
// CHECK:       %[[DWTE:.*]] = mpc.embedding_grad %[[DE]], %[[IDS]] : (tensor<4x6x8xf32>, tensor<4x6xi32>) -> tensor<32x8xf32>
// CHECK:       mpc.sgd_update %[[WTE]], %[[DWTE]] lr
module @embedding {
  mpc.param @wte : tensor<32x8xf32> = #mpc.init<normal>
  func.func @forward(%ids: tensor<4x6xi32>, %y: tensor<4x6xi32>) -> (tensor<f32> {mpc.loss}) {
    %wte = mpc.load @wte : tensor<32x8xf32>
    %0 = mpc.embedding %ids, %wte : (tensor<4x6xi32>, tensor<32x8xf32>) -> tensor<4x6x8xf32>
    %1 = mpc.softmax_cross_entropy %0, %y : (tensor<4x6x8xf32>, tensor<4x6xi32>) -> tensor<f32>
    return %1 : tensor<f32>
  }
}

// -----

// softmax: the gradient is a softmax_grad on the forward output, same axis.
// CHECK-LABEL: module @softmax {
// CHECK:       func.func @train_step(
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<8x10xf32>
// CHECK:       %[[P:.*]] = mpc.softmax %[[W]] axis = 1 : tensor<8x10xf32>
// CHECK:       %[[DP:.*]] = mpc.mul %{{.*}}, %{{.*}} : (tensor<8x10xf32>, tensor<f32>) -> tensor<8x10xf32>
// CHECK:       %[[DW:.*]] = mpc.softmax_grad %[[DP]], %[[P]] axis = 1 : tensor<8x10xf32>
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @softmax {
  mpc.param @w : tensor<8x10xf32> = #mpc.init<normal>
  func.func @forward(%t: tensor<8x10xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<8x10xf32>
    %0 = mpc.softmax %w axis = 1 : tensor<8x10xf32>
    %1 = mpc.mse_loss %0, %t : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<f32>
    return %1 : tensor<f32>
  }
}

// -----

// dropout: gone from eval @forward; @train_step applies the same dropout (rate, seed) to the gradient.
// CHECK-LABEL: module @dropout {
// CHECK:       func.func @forward(
// CHECK:       %[[FH:.*]] = mpc.matmul
// CHECK-NOT:   mpc.dropout
// CHECK:       mpc.softmax_cross_entropy %[[FH]],
// CHECK:       return
// CHECK:       func.func @train_step(
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<4x3xf32>
// CHECK:       %[[H:.*]] = mpc.matmul
// CHECK:       %[[D:.*]] = mpc.dropout %[[H]] rate = 2.500000e-01 seed = 7 : tensor<8x3xf32>
// CHECK:       %[[DD:.*]] = mpc.softmax_cross_entropy_grad %{{.*}}, %[[D]],
// CHECK:       %[[DH:.*]] = mpc.dropout %[[DD]] rate = 2.500000e-01 seed = 7 : tensor<8x3xf32>
// CHECK:       %[[DW:.*]] = mpc.matmul %{{.*}}, %[[DH]] {transpose_a}
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @dropout {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>, %y: tensor<8xi32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %0 = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %1 = mpc.dropout %0 rate = 2.500000e-01 seed = 7 : tensor<8x3xf32>
    %2 = mpc.softmax_cross_entropy %1, %y : (tensor<8x3xf32>, tensor<8xi32>) -> tensor<f32>
    return %2 : tensor<f32>
  }
}

// -----

// pow: dx = dy · (e · x^(e-1)), one pow lower; exponent 0 has a zero gradient.
// CHECK-LABEL: module @pow {
// CHECK:       func.func @train_step(
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<8x4xf32>
// CHECK:       %[[BC:.*]] = mpc.broadcast %{{.*}} : tensor<1x1xf32> -> tensor<8x4xf32>
// CHECK-NEXT:  %[[ZERO:.*]] = mpc.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT:  %[[DC:.*]] = mpc.mul %[[BC]], %[[ZERO]]
// CHECK-NEXT:  %[[LOWER:.*]] = mpc.pow %[[W]] exponent = 5.000000e-01 : tensor<8x4xf32>
// CHECK-NEXT:  %[[E:.*]] = mpc.constant dense<1.500000e+00> : tensor<f32>
// CHECK-NEXT:  %[[FACTOR:.*]] = mpc.mul %[[LOWER]], %[[E]]
// CHECK-NEXT:  %[[DP:.*]] = mpc.mul %[[BC]], %[[FACTOR]]
// CHECK-NEXT:  %[[DW:.*]] = mpc.add %[[DC]], %[[DP]]
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @pow {
  mpc.param @w : tensor<8x4xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<8x4xf32>
    %p = mpc.pow %w exponent = 1.5 : tensor<8x4xf32>
    %c = mpc.pow %w exponent = 0.0 : tensor<8x4xf32>
    %s = mpc.add %p, %c : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    %0 = mpc.reduce_sum %s [0, 1] : tensor<8x4xf32> -> tensor<f32>
    return %0 : tensor<f32>
  }
}

// -----

// silu: dx = silu_grad(dy, x), from the forward input.
// CHECK-LABEL: module @silu {
// CHECK:       func.func @train_step(
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<8x4xf32>
// CHECK:       %[[BC:.*]] = mpc.broadcast %{{.*}} : tensor<1x1xf32> -> tensor<8x4xf32>
// CHECK:       %[[DW:.*]] = mpc.silu_grad %[[BC]], %[[W]] : tensor<8x4xf32>
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
module @silu {
  mpc.param @w : tensor<8x4xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<8x4xf32>
    %s = mpc.silu %w : tensor<8x4xf32>
    %0 = mpc.reduce_sum %s [0, 1] : tensor<8x4xf32> -> tensor<f32>
    return %0 : tensor<f32>
  }
}

// -----

// Fan-out: a value used by two ops gets the sum of both gradients.
// CHECK-LABEL: module @fan_out {
// CHECK:       func.func @train_step(%[[X:.*]]: tensor<8x4xf32>)
// CHECK:       %[[H:.*]] = mpc.matmul
// CHECK:       %[[S:.*]] = mpc.sigmoid %[[H]]
// CHECK:       %[[DY:.*]] = mpc.broadcast
// CHECK:       %[[DS:.*]] = mpc.sigmoid_grad %[[DY]], %[[S]] : tensor<8x3xf32>
// CHECK:       %[[DR:.*]] = mpc.relu_grad %[[DY]], %[[H]] : tensor<8x3xf32>
// CHECK:       %[[DH:.*]] = mpc.add %[[DS]], %[[DR]] : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<8x3xf32>
// CHECK:       mpc.matmul %[[X]], %[[DH]] {transpose_a}
module @fan_out {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %r = mpc.relu %h : tensor<8x3xf32>
    %s = mpc.sigmoid %h : tensor<8x3xf32>
    %y = mpc.add %r, %s : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %y [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// A param loaded twice: both loads' gradients are summed into one update of the first load.
// CHECK-LABEL: module @loaded_twice {
// CHECK:       func.func @train_step(%[[X:.*]]: tensor<8x4xf32>)
// CHECK:       %[[W0:.*]] = mpc.load @w : tensor<4x4xf32>
// CHECK:       %[[H:.*]] = mpc.matmul %[[X]], %[[W0]]
// CHECK:       %[[W1:.*]] = mpc.load @w : tensor<4x4xf32>
// CHECK:       %[[DY:.*]] = mpc.broadcast
// CHECK:       %[[DH:.*]] = mpc.matmul %[[DY]], %[[W1]] {transpose_b}
// CHECK:       %[[DW1:.*]] = mpc.matmul %[[H]], %[[DY]] {transpose_a}
// CHECK:       %[[DW0:.*]] = mpc.matmul %[[X]], %[[DH]] {transpose_a}
// CHECK:       %[[DW:.*]] = mpc.add %[[DW0]], %[[DW1]] : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK:       %[[NEW:.*]] = mpc.sgd_update %[[W0]], %[[DW]] lr
// CHECK:       mpc.store %[[NEW]], @w
// CHECK-NOT:   mpc.sgd_update
// CHECK:       return
module @loaded_twice {
  mpc.param @w : tensor<4x4xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w0 = mpc.load @w : tensor<4x4xf32>
    %h = mpc.matmul %x, %w0 : (tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<8x4xf32>
    %w1 = mpc.load @w : tensor<4x4xf32>
    %y = mpc.matmul %h, %w1 : (tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<8x4xf32>
    %l = mpc.reduce_sum %y [0, 1] : tensor<8x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// A param the loss does not depend on gets no update and no optimizer state.
// CHECK-LABEL: module @unused_param {
// CHECK:       func.func @train_step(
// CHECK:       mpc.sgd_update {{.*}} : tensor<4x3xf32>
// CHECK-NOT:   mpc.sgd_update
// CHECK-NOT:   mpc.store {{.*}}, @unused
// CHECK:       return
// ADAMW-LABEL: module @unused_param {
// ADAMW-NOT:   @unused.m
// ADAMW-NOT:   @unused.v
// ADAMW:       mpc.param state @w.m
// ADAMW:       mpc.param @unused : tensor<5xf32>
// ADAMW-NOT:   @unused.m
// ADAMW-NOT:   @unused.v
// ADAMW:       func.func @train_step(
// ADAMW:       mpc.adamw_update {{.*}} : tensor<4x3xf32>
// ADAMW-NOT:   mpc.adamw_update
// ADAMW:       return
module @unused_param {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  mpc.param @unused : tensor<5xf32> = #mpc.init<zeros>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %u = mpc.load @unused : tensor<5xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// An input that is not a param gets no gradient: nothing of x's type is built, only dw.
// CHECK-LABEL: module @input_not_param {
// CHECK:       func.func @train_step(%[[X:.*]]: tensor<8x4xf32>)
// CHECK:       %[[W:.*]] = mpc.load @w : tensor<4x3xf32>
// CHECK:       mpc.reduce_sum
// CHECK-NOT:   -> tensor<8x4xf32>
// CHECK:       %[[DW:.*]] = mpc.matmul %[[X]], %{{.*}} {transpose_a} : (tensor<8x4xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
// CHECK-NOT:   -> tensor<8x4xf32>
// CHECK:       mpc.sgd_update %[[W]], %[[DW]] lr
// CHECK-NOT:   -> tensor<8x4xf32>
// CHECK:       return
module @input_not_param {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// A `state` param is read but not trained: no gradient, no update.
// CHECK-LABEL: module @state_param_not_trained {
// CHECK:       func.func @train_step(
// CHECK:       %[[SCALE:.*]] = mpc.load @scale : tensor<3xf32>
// CHECK:       mpc.reduce_sum
// CHECK-NOT:   -> tensor<3xf32>
// CHECK:       mpc.sgd_update {{.*}} : tensor<4x3xf32>
// CHECK-NOT:   mpc.sgd_update
// CHECK-NOT:   @scale
// CHECK:       return
module @state_param_not_trained {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  mpc.param state @scale : tensor<3xf32> = #mpc.init<ones>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %s = mpc.load @scale : tensor<3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %y = mpc.mul %h, %s : (tensor<8x3xf32>, tensor<3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %y [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// A module with a param @step: the step count gets a unique name, incremented and fed to AdamW.
// CHECK-LABEL: module @step_clash {
// CHECK:       mpc.param state @[[STEP:step_[0-9]+]] : tensor<f32> = #mpc.init<zeros>
// CHECK:       mpc.param @step : tensor<f32> = #mpc.init<zeros>
// CHECK:       func.func @train_step(
// CHECK:       %[[T:.*]] = mpc.load @[[STEP]] : tensor<f32>
// CHECK:       %[[T1:.*]] = mpc.add %[[T]], %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK:       mpc.store %[[T1]], @[[STEP]] : tensor<f32>
// CHECK-NOT:   mpc.store {{.*}}, @step :
// CHECK:       return
// ADAMW-LABEL: module @step_clash {
// ADAMW:       mpc.param state @[[STEP:step_[0-9]+]] : tensor<f32>
// ADAMW:       func.func @train_step(
// ADAMW:       %[[T:.*]] = mpc.load @[[STEP]] : tensor<f32>
// ADAMW:       %[[T1:.*]] = mpc.add %[[T]], %{{.*}}
// ADAMW:       mpc.adamw_update {{.*}}, %[[T1]] lr
module @step_clash {
  mpc.param @step : tensor<f32> = #mpc.init<zeros>
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  func.func @forward(%x: tensor<8x4xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %l = mpc.reduce_sum %h [0, 1] : tensor<8x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// causal_attention: one causal_attention_grad reads the forward's operands
// and its f32 log-sum-exp, and gives all three gradients.
// CHECK-LABEL: module @causal_attention {
// CHECK:       func.func @train_step(
// CHECK:       %[[Q:.*]] = mpc.load @q : tensor<2x8x4xf32>
// CHECK:       %[[K:.*]] = mpc.load @k : tensor<2x8x4xf32>
// CHECK:       %[[V:.*]] = mpc.load @v : tensor<2x8x4xf32>
// CHECK:       %{{.*}}, %[[LSE:.*]] = mpc.causal_attention %[[Q]], %[[K]], %[[V]] scale = 5.000000e-01 : tensor<2x8x4xf32>, tensor<2x8xf32>
// CHECK:       %[[DO:.*]] = mpc.broadcast
// CHECK:       %[[DQ:.*]], %[[DK:.*]], %[[DV:.*]] = mpc.causal_attention_grad %[[DO]], %[[Q]], %[[K]], %[[V]], %[[LSE]] scale = 5.000000e-01 : tensor<2x8x4xf32>, tensor<2x8xf32>
// CHECK:       mpc.sgd_update %[[Q]], %[[DQ]] lr
// CHECK:       mpc.sgd_update %[[K]], %[[DK]] lr
// CHECK:       mpc.sgd_update %[[V]], %[[DV]] lr
module @causal_attention {
  mpc.param @q : tensor<2x8x4xf32> = #mpc.init<normal>
  mpc.param @k : tensor<2x8x4xf32> = #mpc.init<normal>
  mpc.param @v : tensor<2x8x4xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %q = mpc.load @q : tensor<2x8x4xf32>
    %k = mpc.load @k : tensor<2x8x4xf32>
    %v = mpc.load @v : tensor<2x8x4xf32>
    %o, %lse = mpc.causal_attention %q, %k, %v scale = 0.5 : tensor<2x8x4xf32>, tensor<2x8xf32>
    %l = mpc.reduce_sum %o [0, 1, 2] : tensor<2x8x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// A sequence-major causal_attention gets the sequence-major gradient, on
// the same [B, T, H, d] values: no transpose appears in the backward.
// CHECK-LABEL: module @causal_attention_sequence_major {
// CHECK:       func.func @train_step(
// CHECK-NOT:   mpc.transpose
// CHECK:       %[[Q:.*]] = mpc.load @q : tensor<2x8x3x4xf32>
// CHECK:       %[[K:.*]] = mpc.load @k : tensor<2x8x3x4xf32>
// CHECK:       %[[V:.*]] = mpc.load @v : tensor<2x8x3x4xf32>
// CHECK:       %{{.*}}, %[[LSE:.*]] = mpc.causal_attention %[[Q]], %[[K]], %[[V]] sequence_major scale = 5.000000e-01 : tensor<2x8x3x4xf32>, tensor<2x3x8xf32>
// CHECK:       %[[DO:.*]] = mpc.broadcast
// CHECK:       %[[DQ:.*]], %[[DK:.*]], %[[DV:.*]] = mpc.causal_attention_grad %[[DO]], %[[Q]], %[[K]], %[[V]], %[[LSE]] sequence_major scale = 5.000000e-01 : tensor<2x8x3x4xf32>, tensor<2x3x8xf32>
// CHECK-NOT:   mpc.transpose
// CHECK:       mpc.sgd_update %[[Q]], %[[DQ]] lr
// CHECK:       mpc.sgd_update %[[K]], %[[DK]] lr
// CHECK:       mpc.sgd_update %[[V]], %[[DV]] lr
module @causal_attention_sequence_major {
  mpc.param @q : tensor<2x8x3x4xf32> = #mpc.init<normal>
  mpc.param @k : tensor<2x8x3x4xf32> = #mpc.init<normal>
  mpc.param @v : tensor<2x8x3x4xf32> = #mpc.init<normal>
  func.func @forward() -> (tensor<f32> {mpc.loss}) {
    %q = mpc.load @q : tensor<2x8x3x4xf32>
    %k = mpc.load @k : tensor<2x8x3x4xf32>
    %v = mpc.load @v : tensor<2x8x3x4xf32>
    %o, %lse = mpc.causal_attention %q, %k, %v sequence_major scale = 0.5 : tensor<2x8x3x4xf32>, tensor<2x3x8xf32>
    %l = mpc.reduce_sum %o [0, 1, 2, 3] : tensor<2x8x3x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// where: each branch gets the result's gradient where it was chosen and 0
// elsewhere (a where with a zero scalar), summed over the dims it was
// broadcast along; the condition, an argument, gets none.
// CHECK-LABEL: module @where {
// CHECK:       func.func @train_step(
// CHECK-SAME:  %[[C:[^:]*]]: tensor<3x1xi1>
// CHECK:       %[[A:.*]] = mpc.load @a : tensor<3x4xf32>
// CHECK:       %[[B:.*]] = mpc.load @b : tensor<4xf32>
// CHECK:       %[[DY:.*]] = mpc.broadcast
// CHECK:       %[[ZERO:.*]] = mpc.constant dense<0.000000e+00> : tensor<f32>
// CHECK:       %[[DA:.*]] = mpc.where %[[C]], %[[DY]], %[[ZERO]] : (tensor<3x1xi1>, tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
// CHECK:       %[[DBFULL:.*]] = mpc.where %[[C]], %[[ZERO]], %[[DY]] : (tensor<3x1xi1>, tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK:       %[[DB:.*]] = mpc.reduce_sum %[[DBFULL]] [0] : tensor<3x4xf32> -> tensor<4xf32>
// CHECK:       mpc.sgd_update %[[A]], %[[DA]] lr
// CHECK:       mpc.sgd_update %[[B]], %[[DB]] lr
module @where {
  mpc.param @a : tensor<3x4xf32> = #mpc.init<normal>
  mpc.param @b : tensor<4xf32> = #mpc.init<normal>
  func.func @forward(%c: tensor<3x1xi1>) -> (tensor<f32> {mpc.loss}) {
    %a = mpc.load @a : tensor<3x4xf32>
    %b = mpc.load @b : tensor<4xf32>
    %y = mpc.where %c, %a, %b : (tensor<3x1xi1>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
    %l = mpc.reduce_sum %y [0, 1] : tensor<3x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}
