// RUN: mpc-opt %s --mpc-fuse -split-input-file -allow-unregistered-dialect | FileCheck %s
// Applied again, the pass changes nothing.
// RUN: mpc-opt %s --mpc-fuse -split-input-file -allow-unregistered-dialect > %t.once
// RUN: mpc-opt %s --mpc-fuse --mpc-fuse -split-input-file -allow-unregistered-dialect > %t.twice
// RUN: diff %t.once %t.twice

// A residual add read by a layer norm (through the f32 cast autocast puts
// before it, which the layer norm reads in place of) becomes one
// add_layer_norm; its sum replaces the add for the later readers (the next
// residual add, the layer norm's gradient).
// CHECK-LABEL: func.func @residual
// CHECK-SAME: (%[[A:.*]]: tensor<8x16xbf16>, %[[B:.*]]: tensor<8x16xbf16>, %[[G:.*]]: tensor<16xf32>, %[[DY:.*]]: tensor<8x16xf32>)
// CHECK-NOT: mpc.cast
// CHECK: %[[S:.*]], %[[Y:.*]] = mpc.add_layer_norm %[[A]] + %[[B]], %[[G]], %[[G]] eps = 1.000000e-05 : tensor<8x16xbf16>, tensor<16xf32> -> tensor<8x16xbf16>
// CHECK: mpc.layer_norm_grad %[[DY]], %[[S]], %[[G]]
// CHECK: "test.use"(%[[Y]], %[[S]]
func.func @residual(%a: tensor<8x16xbf16>, %b: tensor<8x16xbf16>, %g: tensor<16xf32>, %dy: tensor<8x16xf32>) {
  %s = mpc.add %a, %b : (tensor<8x16xbf16>, tensor<8x16xbf16>) -> tensor<8x16xbf16>
  %f = mpc.cast %s : tensor<8x16xbf16> to tensor<8x16xf32>
  %n = mpc.layer_norm %f, %g, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  %y = mpc.cast %n : tensor<8x16xf32> to tensor<8x16xbf16>
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %f, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  "test.use"(%y, %s, %dx) : (tensor<8x16xbf16>, tensor<8x16xbf16>, tensor<8x16xf32>) -> ()
  return
}

// -----

// In f32 no cast lies between them.
// CHECK-LABEL: func.func @residual_f32
// CHECK: mpc.add_layer_norm %{{.*}} + %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<8x16xf32>, tensor<16xf32> -> tensor<8x16xf32>
// CHECK-NOT: mpc.add
func.func @residual_f32(%a: tensor<8x16xf32>, %b: tensor<8x16xf32>, %g: tensor<16xf32>) -> tensor<8x16xf32> {
  %s = mpc.add %a, %b : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %n = mpc.layer_norm %s, %g, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  return %n : tensor<8x16xf32>
}

// -----

// Left alone: a broadcast add (a position table), an add read before the
// layer norm, and a probed add.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: add_layer_norm
// CHECK: return
func.func @kept(%a: tensor<8x16xf32>, %p: tensor<16xf32>, %g: tensor<16xf32>) {
  %s = mpc.add %a, %p : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %n = mpc.layer_norm %s, %g, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  %t = mpc.add %a, %a : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  "test.use"(%t) : (tensor<8x16xf32>) -> ()
  %m = mpc.layer_norm %t, %g, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  %u = mpc.add %a, %a {mpc.numerics_probe = 0 : i64} : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %k = mpc.layer_norm %u, %g, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  "test.use"(%n, %m, %k) : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) -> ()
  return
}
