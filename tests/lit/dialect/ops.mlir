// RUN: mpc-opt %s | mpc-opt | FileCheck %s
// Round trip: print -> parse -> print is stable for every op.

// CHECK-LABEL: mpc.param @w : tensor<4x8xf32> = #mpc.init<normal, mean = 0.000000e+00, std = 2.000000e-02, seed = 7>
mpc.param @w : tensor<4x8xf32> = #mpc.init<normal, std = 2.000000e-02, seed = 7>

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<2x3x4xbf16>, %b: tensor<5x4xbf16>) -> tensor<2x3x5xf32> {
  // CHECK: mpc.matmul %{{.*}}, %{{.*}} {transpose_b} : (tensor<2x3x4xbf16>, tensor<5x4xbf16>) -> tensor<2x3x5xf32>
  %0 = mpc.matmul %a, %b {transpose_b} : (tensor<2x3x4xbf16>, tensor<5x4xbf16>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}
