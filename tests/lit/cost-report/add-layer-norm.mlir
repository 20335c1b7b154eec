// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s

// A bf16 residual add and the layer norm of its f32 cast, fused into one
// add_layer_norm launch over 4 rows of 16 (32-byte rows, cached, so the
// statistics reread the sum from cache), worked out by hand: 9 FLOPs per
// element, 576; reads a and b (128 bytes each), gamma and beta (64 each),
// 384; writes the bf16 sum (128) and the f32 result (256), 384. Unfused it
// was two launches: an add kernel and a layer norm reading the f32 sum.

// CHECK: {"location":"add, norm","class":"add_layer_norm","backward":false,"math":"f32","flops":576,"bytes_read":384,"bytes_written":384,
// CHECK-NOT: "class":"fused"

func.func @residual(%a: tensor<4x16xbf16>, %b: tensor<4x16xbf16>, %g: tensor<16xf32>) -> (tensor<4x16xbf16>, tensor<4x16xf32>) {
  %s = mpc.add %a, %b : (tensor<4x16xbf16>, tensor<4x16xbf16>) -> tensor<4x16xbf16> loc("add")
  %f = mpc.cast %s : tensor<4x16xbf16> to tensor<4x16xf32> loc("cast")
  %y = mpc.layer_norm %f, %g, %g eps = 1.000000e-05 : tensor<4x16xf32>, tensor<16xf32> loc("norm")
  return %s, %y : tensor<4x16xbf16>, tensor<4x16xf32> loc("out")
}
