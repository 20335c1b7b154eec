// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s

// Copies are launches where the memory plan does not put a value in place:
// the load of @w aliases its storage and the kernel writes %n straight into
// it (no copy); the argument stored into @x.saved and the result are
// copied (65536 f32: 262144 bytes each way). The kernel: mul, sub and relu,
// 3 * 65536 FLOPs, reads w and x, writes n and r.

// CHECK: "launches": [
// CHECK-NEXT: {"location":"a","class":"fused","backward":false,"math":"f32","flops":196608,"bytes_read":524288,"bytes_written":524288,
// CHECK-NEXT: {"location":"store_x","class":"copy","backward":false,"math":"f32","flops":0,"bytes_read":262144,"bytes_written":262144,
// CHECK-NEXT: {"location":"out","class":"copy","backward":false,"math":"f32","flops":0,"bytes_read":262144,"bytes_written":262144,
// CHECK-NEXT: ],
// Device memory: two parameters, the argument, the result and the arena
// (r; a lives only inside the kernel): 5 * 262144.
// CHECK: "device_bytes": 1310720

mpc.param @w : tensor<65536xf32> = #mpc.init<zeros>
mpc.param @x.saved : tensor<65536xf32> = #mpc.init<zeros>

func.func @train_step(%x: tensor<65536xf32>) -> tensor<65536xf32> {
  %w = mpc.load @w : tensor<65536xf32> loc("w")
  %a = mpc.mul %w, %x : (tensor<65536xf32>, tensor<65536xf32>) -> tensor<65536xf32> loc("a")
  %n = mpc.sub %w, %a : (tensor<65536xf32>, tensor<65536xf32>) -> tensor<65536xf32> loc("a")
  mpc.store %n, @w : tensor<65536xf32> loc("store_w")
  mpc.store %x, @x.saved : tensor<65536xf32> loc("store_x")
  %r = mpc.relu %a : tensor<65536xf32> loc("a")
  return %r : tensor<65536xf32> loc("out")
}
