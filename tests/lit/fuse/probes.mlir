// mpc-fuse fuses no op that mpc-check-numerics probes: a probed
// elementwise op is an mpc.fused of its own carrying its probe index, and a
// probed matmul, bias add or activation takes no part in an epilogue. The
// ops around a probe still fuse with each other.
// RUN: mpc-opt %s --mpc-fuse -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[A:.*]] = mpc.fused(%{{.*}}, %{{.*}}) : {{.*}} {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: mpc.add
// CHECK-NEXT: mpc.mul
// CHECK-NEXT: mpc.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[E:.*]] = mpc.fused(%[[A]]) {mpc.numerics_probe = 3 : i64} : {{.*}} {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: mpc.exp %{{.*}} : tensor<8x16xf16>
// CHECK-NEXT: mpc.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[R:.*]] = mpc.fused(%[[E]]) : {{.*}} {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: mpc.relu
// CHECK-NEXT: mpc.cast
// CHECK-NEXT: mpc.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]]
func.func @chain(%a: tensor<8x16xf16>, %b: tensor<8x16xf16>) -> tensor<8x16xf32> {
  %0 = mpc.add %a, %b : (tensor<8x16xf16>, tensor<8x16xf16>) -> tensor<8x16xf16>
  %1 = mpc.mul %0, %b : (tensor<8x16xf16>, tensor<8x16xf16>) -> tensor<8x16xf16>
  %2 = mpc.exp %1 {mpc.numerics_probe = 3 : i64} : tensor<8x16xf16>
  %3 = mpc.relu %2 : tensor<8x16xf16>
  %4 = mpc.cast %3 : tensor<8x16xf16> to tensor<8x16xf32>
  return %4 : tensor<8x16xf32>
}

// -----

// CHECK-LABEL: func.func @probed_matmul
// CHECK-NOT: fused_matmul
// CHECK: mpc.matmul %{{.*}}, %{{.*}} {mpc.numerics_probe = 0 : i64}
// CHECK: mpc.fused
// CHECK: mpc.add
func.func @probed_matmul(%x: tensor<8x4xf16>, %w: tensor<4x16xf16>, %b: tensor<16xf16>) -> tensor<8x16xf16> {
  %0 = mpc.matmul %x, %w {mpc.numerics_probe = 0 : i64} : (tensor<8x4xf16>, tensor<4x16xf16>) -> tensor<8x16xf16>
  %1 = mpc.add %0, %b : (tensor<8x16xf16>, tensor<16xf16>) -> tensor<8x16xf16>
  return %1 : tensor<8x16xf16>
}

// -----

// CHECK-LABEL: func.func @probed_bias
// CHECK-NOT: fused_matmul
// CHECK: mpc.matmul
// CHECK: mpc.fused(%{{.*}}, %{{.*}}) {mpc.numerics_probe = 1 : i64}
// CHECK: mpc.add
func.func @probed_bias(%x: tensor<8x4xf16>, %w: tensor<4x16xf16>, %b: tensor<16xf16>) -> tensor<8x16xf16> {
  %0 = mpc.matmul %x, %w : (tensor<8x4xf16>, tensor<4x16xf16>) -> tensor<8x16xf16>
  %1 = mpc.add %0, %b {mpc.numerics_probe = 1 : i64} : (tensor<8x16xf16>, tensor<16xf16>) -> tensor<8x16xf16>
  return %1 : tensor<8x16xf16>
}

// -----

// CHECK-LABEL: func.func @probed_relu
// CHECK: mpc.fused_matmul %{{.*}}, %{{.*}} bias %{{.*}} epilogue = bias :
// CHECK: mpc.fused(%{{.*}}) {mpc.numerics_probe = 2 : i64}
// CHECK: mpc.relu
func.func @probed_relu(%x: tensor<8x4xf16>, %w: tensor<4x16xf16>, %b: tensor<16xf16>) -> tensor<8x16xf16> {
  %0 = mpc.matmul %x, %w : (tensor<8x4xf16>, tensor<4x16xf16>) -> tensor<8x16xf16>
  %1 = mpc.add %0, %b : (tensor<8x16xf16>, tensor<16xf16>) -> tensor<8x16xf16>
  %2 = mpc.relu %1 {mpc.numerics_probe = 2 : i64} : tensor<8x16xf16>
  return %2 : tensor<8x16xf16>
}
