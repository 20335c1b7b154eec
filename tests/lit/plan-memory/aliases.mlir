// RUN: mpc-opt %s --mpc-plan-memory | FileCheck %s

// Values that need no arena bytes: function arguments, reshapes (they
// alias their operand and keep it live), loads of parameters, and results
// that are returned (live to the end).

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: mpc.arena_bytes = 640 : i64, mpc.peak_live_bytes = 384 : i64
func.func @reshape(%x: tensor<4x8xf32>) -> tensor<32xf32> {
  // CHECK: mpc.reshape %{{.*}} {mpc.buffers = [#mpc.buffer<input, 0>]}
  %r = mpc.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
  // CHECK: mpc.relu %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 0>]}
  %a = mpc.relu %x : tensor<4x8xf32>
  // CHECK: mpc.reshape %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 0>]}
  %ra = mpc.reshape %a : tensor<4x8xf32> -> tensor<32xf32>
  // %a is read through %ra by the add, so %b cannot take its bytes.
  // CHECK: mpc.exp %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 256>]}
  %b = mpc.exp %r : tensor<32xf32>
  // CHECK: mpc.add %{{.*}}, %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 512>]}
  %c = mpc.add %ra, %b : (tensor<32xf32>, tensor<32xf32>) -> tensor<32xf32>
  return %c : tensor<32xf32>
}

// %a is only returned: it stays live to the end, so %c cannot reuse it
// though %b could have.
// CHECK-LABEL: func.func @returned
// CHECK-SAME: mpc.arena_bytes = 768 : i64, mpc.peak_live_bytes = 768 : i64
func.func @returned(%x: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  // CHECK: mpc.relu %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 0>]}
  %a = mpc.relu %x : tensor<64xf32>
  // CHECK: mpc.exp %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 256>]}
  %b = mpc.exp %x : tensor<64xf32>
  // CHECK: mpc.tanh %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 512>]}
  %c = mpc.tanh %b : tensor<64xf32>
  // CHECK: return
  // CHECK-NOT: mpc.buffers
  return %a, %c : tensor<64xf32>, tensor<64xf32>
}

// Returning an argument or a parameter needs no arena at all.
// CHECK-LABEL: func.func @passthrough
// CHECK-SAME: mpc.arena_bytes = 0 : i64, mpc.peak_live_bytes = 0 : i64
mpc.param @w : tensor<64xf32> = #mpc.init<zeros>
func.func @passthrough(%x: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  // CHECK: mpc.load @w {mpc.buffers = [#mpc.buffer<state, 0, @w>]}
  %w = mpc.load @w : tensor<64xf32>
  return %x, %w : tensor<64xf32>, tensor<64xf32>
}
