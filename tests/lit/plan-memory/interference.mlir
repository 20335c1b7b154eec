// RUN: mpc-opt %s --mpc-plan-memory | FileCheck %s

// Arena offsets follow live ranges: values live at one program point get
// disjoint bytes, values that never are share them. Every value here is
// 64 f32 = 256 bytes, one alignment unit.

// %a, %b and %c are all read by the add: three slots.
// CHECK-LABEL: func.func @overlapping
// CHECK-SAME: mpc.arena_bytes = 768 : i64, mpc.peak_live_bytes = 768 : i64
func.func @overlapping(%x: tensor<64xf32>) -> tensor<64xf32> {
  // CHECK: mpc.relu %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 0>]}
  %a = mpc.relu %x : tensor<64xf32>
  // CHECK: mpc.exp %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 256>]}
  %b = mpc.exp %x : tensor<64xf32>
  // CHECK: mpc.add %{{.*}}, %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 512>]}
  %c = mpc.add %a, %b : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return %c : tensor<64xf32>
}

// A chain: each value dies where the next is made, so %c reuses %a's slot.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: mpc.arena_bytes = 512 : i64, mpc.peak_live_bytes = 512 : i64
func.func @chain(%x: tensor<64xf32>) -> tensor<64xf32> {
  // CHECK: mpc.relu %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 0>]}
  %a = mpc.relu %x : tensor<64xf32>
  // CHECK: mpc.exp %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 256>]}
  %b = mpc.exp %a : tensor<64xf32>
  // CHECK: mpc.tanh %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 0>]}
  %c = mpc.tanh %b : tensor<64xf32>
  return %c : tensor<64xf32>
}

// Offsets are rounded up to 256 bytes: 4000-byte values start at 0, 4096
// and 8192, so the arena is 192 bytes more than the peak.
// CHECK-LABEL: func.func @aligned
// CHECK-SAME: mpc.arena_bytes = 12192 : i64, mpc.peak_live_bytes = 12000 : i64
func.func @aligned(%x: tensor<1000xf32>) -> tensor<1000xf32> {
  // CHECK: mpc.relu %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 0>]}
  %a = mpc.relu %x : tensor<1000xf32>
  // CHECK: mpc.exp %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 4096>]}
  %b = mpc.exp %x : tensor<1000xf32>
  // CHECK: mpc.add %{{.*}}, %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 8192>]}
  %c = mpc.add %a, %b : (tensor<1000xf32>, tensor<1000xf32>) -> tensor<1000xf32>
  return %c : tensor<1000xf32>
}

// Device element sizes: i1 one byte, f16 two.
// CHECK-LABEL: func.func @flag_bytes
// CHECK-SAME: mpc.arena_bytes = 1000 : i64, mpc.peak_live_bytes = 1000 : i64
func.func @flag_bytes() -> tensor<1000xi1> {
  %k = mpc.constant dense<true> : tensor<1000xi1>
  return %k : tensor<1000xi1>
}

// CHECK-LABEL: func.func @half_bytes
// CHECK-SAME: mpc.arena_bytes = 2000 : i64, mpc.peak_live_bytes = 2000 : i64
func.func @half_bytes(%x: tensor<1000xf32>) -> tensor<1000xf16> {
  %h = mpc.cast %x : tensor<1000xf32> to tensor<1000xf16>
  return %h : tensor<1000xf16>
}
