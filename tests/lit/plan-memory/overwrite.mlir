// RUN: mpc-opt %s -split-input-file --mpc-plan-memory | FileCheck %s
// RUN: mpc-opt %s -split-input-file --mpc-plan-memory=report=- -o /dev/null | FileCheck %s --check-prefix=REPORT

// The loss gradient may write its result over its logits
// (OverwritesOperandOpInterface): 16-bit dlogits of the logits' bytes take
// the logits' arena interval when nothing reads the logits afterwards.
// CHECK-LABEL: func.func @dlogits_over_logits
// CHECK-SAME: mpc.arena_bytes = 524292 : i64
// CHECK: mpc.matmul {{.*}}mpc.buffers = [#mpc.buffer<arena, [[Z:[0-9]+]]>]
// CHECK: mpc.softmax_cross_entropy_grad {{.*}}mpc.buffers = [#mpc.buffer<arena, [[Z]]>]
// REPORT: memory plan @dlogits_over_logits: {{.*}}; results written over an operand: 1 (0.25 MiB)
// REPORT-NEXT: bytes: {{.*}}, written over an operand 262144
func.func @dlogits_over_logits(%x: tensor<128x64xbf16>, %w: tensor<64x1024xbf16>, %y: tensor<128xi32>, %dl: tensor<f32>) -> (tensor<f32>, tensor<64x1024xf32>) {
  %z = mpc.matmul %x, %w : (tensor<128x64xbf16>, tensor<64x1024xbf16>) -> tensor<128x1024xbf16>
  %l = mpc.softmax_cross_entropy %z, %y : (tensor<128x1024xbf16>, tensor<128xi32>) -> tensor<f32>
  %g = mpc.softmax_cross_entropy_grad %dl, %z, %y : (tensor<f32>, tensor<128x1024xbf16>, tensor<128xi32>) -> tensor<128x1024xbf16>
  %dw = mpc.matmul %x, %g {transpose_a} : (tensor<128x64xbf16>, tensor<128x1024xbf16>) -> tensor<64x1024xf32>
  return %l, %dw : tensor<f32>, tensor<64x1024xf32>
}

// -----

// Logits read through a reshape count as the reshape's readers: the
// gradient of the reshaped logits still takes their interval, and a
// reshape of the gradient lives in it too.
// CHECK-LABEL: func.func @through_reshapes
// CHECK: mpc.matmul {{.*}}mpc.buffers = [#mpc.buffer<arena, [[Z:[0-9]+]]>]
// CHECK: mpc.reshape {{.*}}mpc.buffers = [#mpc.buffer<arena, [[Z]]>]
// CHECK: mpc.softmax_cross_entropy_grad {{.*}}mpc.buffers = [#mpc.buffer<arena, [[Z]]>]
// CHECK: mpc.reshape {{.*}}mpc.buffers = [#mpc.buffer<arena, [[Z]]>]
// REPORT: memory plan @through_reshapes: {{.*}}; results written over an operand: 1 (0.25 MiB)
func.func @through_reshapes(%x: tensor<128x64xbf16>, %w: tensor<64x1024xbf16>, %y: tensor<2x64xi32>, %dl: tensor<f32>) -> (tensor<f32>, tensor<64x1024xf32>) {
  %z = mpc.matmul %x, %w : (tensor<128x64xbf16>, tensor<64x1024xbf16>) -> tensor<128x1024xbf16>
  %z3 = mpc.reshape %z : tensor<128x1024xbf16> -> tensor<2x64x1024xbf16>
  %l = mpc.softmax_cross_entropy %z3, %y : (tensor<2x64x1024xbf16>, tensor<2x64xi32>) -> tensor<f32>
  %g3 = mpc.softmax_cross_entropy_grad %dl, %z3, %y : (tensor<f32>, tensor<2x64x1024xbf16>, tensor<2x64xi32>) -> tensor<2x64x1024xbf16>
  %g = mpc.reshape %g3 : tensor<2x64x1024xbf16> -> tensor<128x1024xbf16>
  %dw = mpc.matmul %x, %g {transpose_a} : (tensor<128x64xbf16>, tensor<128x1024xbf16>) -> tensor<64x1024xf32>
  return %l, %dw : tensor<f32>, tensor<64x1024xf32>
}

// -----

// Logits read after the gradient (here returned) keep their bytes: the
// gradient gets an interval of its own.
// CHECK-LABEL: func.func @logits_read_later
// CHECK-SAME: mpc.arena_bytes = 786432 : i64
// CHECK: mpc.matmul {{.*}}mpc.buffers = [#mpc.buffer<arena, [[Z:[0-9]+]]>]
// CHECK-NOT: #mpc.buffer<arena, [[Z]]>
// CHECK: return
// REPORT: memory plan @logits_read_later: {{.*}}; results written over an operand: 0 (0.00 MiB)
func.func @logits_read_later(%x: tensor<128x64xbf16>, %w: tensor<64x1024xbf16>, %y: tensor<128xi32>, %dl: tensor<f32>) -> (tensor<64x1024xf32>, tensor<128x1024xbf16>) {
  %z = mpc.matmul %x, %w : (tensor<128x64xbf16>, tensor<64x1024xbf16>) -> tensor<128x1024xbf16>
  %g = mpc.softmax_cross_entropy_grad %dl, %z, %y : (tensor<f32>, tensor<128x1024xbf16>, tensor<128xi32>) -> tensor<128x1024xbf16>
  %dw = mpc.matmul %x, %g {transpose_a} : (tensor<128x64xbf16>, tensor<128x1024xbf16>) -> tensor<64x1024xf32>
  return %dw, %z : tensor<64x1024xf32>, tensor<128x1024xbf16>
}

// -----

// bf16 dlogits of f32 logits are half their bytes: each gets its own
// interval.
// CHECK-LABEL: func.func @sizes_differ
// CHECK: mpc.matmul {{.*}}mpc.buffers = [#mpc.buffer<arena, [[Z:[0-9]+]]>]
// CHECK-NOT: #mpc.buffer<arena, [[Z]]>
// CHECK: mpc.softmax_cross_entropy_grad
// REPORT: memory plan @sizes_differ: {{.*}}; results written over an operand: 0 (0.00 MiB)
func.func @sizes_differ(%x: tensor<128x64xbf16>, %w: tensor<64x1024xbf16>, %y: tensor<128xi32>, %dl: tensor<f32>) -> tensor<64x1024xf32> {
  %z = mpc.matmul %x, %w : (tensor<128x64xbf16>, tensor<64x1024xbf16>) -> tensor<128x1024xf32>
  %g = mpc.softmax_cross_entropy_grad %dl, %z, %y : (tensor<f32>, tensor<128x1024xf32>, tensor<128xi32>) -> tensor<128x1024xbf16>
  %dw = mpc.matmul %x, %g {transpose_a} : (tensor<128x64xbf16>, tensor<128x1024xbf16>) -> tensor<64x1024xf32>
  return %dw : tensor<64x1024xf32>
}

// -----

// Logits that are a function argument live in the caller's buffer, which
// the step never overwrites.
// CHECK-LABEL: func.func @logits_argument
// CHECK: mpc.softmax_cross_entropy_grad {{.*}}mpc.buffers = [#mpc.buffer<arena, 0>]
// REPORT: memory plan @logits_argument: {{.*}}; results written over an operand: 0 (0.00 MiB)
func.func @logits_argument(%z: tensor<128x1024xbf16>, %y: tensor<128xi32>, %dl: tensor<f32>) -> tensor<128x1024xbf16> {
  %g = mpc.softmax_cross_entropy_grad %dl, %z, %y : (tensor<f32>, tensor<128x1024xbf16>, tensor<128xi32>) -> tensor<128x1024xbf16>
  return %g : tensor<128x1024xbf16>
}
