// RUN: mpc-opt %s --mpc-fuse -split-input-file -allow-unregistered-dialect | FileCheck %s
// Applied again, the pass changes nothing.
// RUN: mpc-opt %s --mpc-fuse -split-input-file -allow-unregistered-dialect > %t.once
// RUN: mpc-opt %s --mpc-fuse --mpc-fuse -split-input-file -allow-unregistered-dialect > %t.twice
// RUN: diff %t.once %t.twice

// The loss and its gradient read the bf16 logits instead of their f32
// cast, and the gradient is written in bf16 instead of being cast to it:
// no cast is left. The two then merge into one op (loss-gradient.mlir),
// which keeps those types.
// CHECK-LABEL: func.func @narrow_logits
// CHECK-SAME: (%[[X:.*]]: tensor<8x10xbf16>, %[[Y:.*]]: tensor<8xi32>, %[[DL:.*]]: tensor<f32>)
// CHECK-NOT: mpc.cast
// CHECK: %[[L:.*]], %[[G:.*]] = mpc.softmax_cross_entropy_with_grad %[[X]], %[[Y]], %[[DL]] : (tensor<8x10xbf16>, tensor<8xi32>, tensor<f32>) -> (tensor<f32>, tensor<8x10xbf16>)
// CHECK-NEXT: return %[[L]], %[[G]]
func.func @narrow_logits(%x: tensor<8x10xbf16>, %y: tensor<8xi32>, %dl: tensor<f32>) -> (tensor<f32>, tensor<8x10xbf16>) {
  %f = mpc.cast %x : tensor<8x10xbf16> to tensor<8x10xf32>
  %l = mpc.softmax_cross_entropy %f, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  %g = mpc.softmax_cross_entropy_grad %dl, %f, %y : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  %h = mpc.cast %g : tensor<8x10xf32> to tensor<8x10xbf16>
  return %l, %h : tensor<f32>, tensor<8x10xbf16>
}

// -----

// A layer norm whose f32 result only feeds a bf16 cast writes bf16; one
// whose result is read in f32 too keeps it.
// CHECK-LABEL: func.func @layer_norm
// CHECK: %[[N:.*]] = mpc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<8x16xf32>, tensor<16xf32> -> tensor<8x16xbf16>
// CHECK-NEXT: %[[K:.*]] = mpc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<8x16xf32>, tensor<16xf32>{{$}}
// CHECK-NEXT: %[[C:.*]] = mpc.fused(%[[K]])
// CHECK: "test.use"(%[[N]], %[[K]], %[[C]])
func.func @layer_norm(%x: tensor<8x16xf32>, %g: tensor<16xf32>) {
  %n = mpc.layer_norm %x, %g, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  %c = mpc.cast %n : tensor<8x16xf32> to tensor<8x16xbf16>
  %k = mpc.layer_norm %x, %g, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  %d = mpc.cast %k : tensor<8x16xf32> to tensor<8x16xbf16>
  "test.use"(%c, %k, %d) : (tensor<8x16xbf16>, tensor<8x16xf32>, tensor<8x16xbf16>) -> ()
  return
}

// -----

// f32 logits (a matmul that writes f32): the gradient is still written in
// f16 directly.
// CHECK-LABEL: func.func @f32_logits
// CHECK-NOT: mpc.cast
// CHECK: mpc.softmax_cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf16>
func.func @f32_logits(%x: tensor<8x10xf32>, %y: tensor<8xi32>, %dl: tensor<f32>) -> tensor<8x10xf16> {
  %g = mpc.softmax_cross_entropy_grad %dl, %x, %y : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  %h = mpc.cast %g : tensor<8x10xf32> to tensor<8x10xf16>
  return %h : tensor<8x10xf16>
}

// -----

// Left alone: logits whose f32 cast is read by others too (as @forward
// returns it), an f32 gradient read elsewhere too (a bias gradient's sum),
// and a cast the numerics check probes.
// CHECK-LABEL: func.func @kept
// CHECK: %[[F:.*]] = mpc.fused
// CHECK: %{{.*}}, %[[G:.*]] = mpc.softmax_cross_entropy_with_grad %[[F]], %{{.*}}, %{{.*}} : (tensor<8x10xf32>, tensor<8xi32>, tensor<f32>) -> (tensor<f32>, tensor<8x10xf32>)
// CHECK-NEXT: %[[H:.*]] = mpc.fused(%[[G]]) : (tensor<8x10xf32>) -> tensor<8x10xbf16>
// CHECK: "test.use"(%[[F]], %[[H]], %[[G]])
// CHECK: %[[G2:.*]] = mpc.softmax_cross_entropy_grad %{{.*}} -> tensor<8x10xf32>
// CHECK-NEXT: mpc.fused(%[[G2]]) {mpc.numerics_probe = 0 : i64}
func.func @kept(%x: tensor<8x10xbf16>, %y: tensor<8xi32>, %dl: tensor<f32>) {
  %f = mpc.cast %x : tensor<8x10xbf16> to tensor<8x10xf32>
  %l = mpc.softmax_cross_entropy %f, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
  %g = mpc.softmax_cross_entropy_grad %dl, %f, %y : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  %h = mpc.cast %g : tensor<8x10xf32> to tensor<8x10xbf16>
  "test.use"(%f, %h, %g) : (tensor<8x10xf32>, tensor<8x10xbf16>, tensor<8x10xf32>) -> ()
  %g2 = mpc.softmax_cross_entropy_grad %dl, %f, %y : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
  %h2 = mpc.cast %g2 {mpc.numerics_probe = 0 : i64} : tensor<8x10xf32> to tensor<8x10xbf16>
  "test.use"(%l, %h2) : (tensor<f32>, tensor<8x10xbf16>) -> ()
  return
}

// -----

// The residual stream's layer norm and its gradient read the bf16 sum
// instead of its f32 cast, and the bias gradient sums the bf16 GELU
// gradient: no widening cast (and no f32 copy) is left.
// CHECK-LABEL: func.func @narrow_inputs
// CHECK-SAME: (%[[X:.*]]: tensor<8x16xbf16>, %[[G:.*]]: tensor<16xf32>, %[[DY:.*]]: tensor<8x16xf32>, %[[D:.*]]: tensor<8x16xbf16>)
// CHECK-NOT: mpc.cast
// CHECK: mpc.layer_norm %[[X]], %[[G]], %[[G]] eps = 1.000000e-05 : tensor<8x16xbf16>, tensor<16xf32> -> tensor<8x16xf32>
// CHECK-NEXT: mpc.layer_norm_grad %[[DY]], %[[X]], %[[G]] eps = 1.000000e-05 : tensor<8x16xbf16>, tensor<16xf32> -> tensor<8x16xf32>
// CHECK-NEXT: mpc.rms_norm %[[X]], %[[G]] eps = 1.000000e-05 : tensor<8x16xbf16>, tensor<16xf32> -> tensor<8x16xf32>
// CHECK-NEXT: mpc.reduce_sum %[[D]] [0] : tensor<8x16xbf16> -> tensor<16xf32>
func.func @narrow_inputs(%x: tensor<8x16xbf16>, %g: tensor<16xf32>, %dy: tensor<8x16xf32>, %d: tensor<8x16xbf16>) {
  %f = mpc.cast %x : tensor<8x16xbf16> to tensor<8x16xf32>
  %n = mpc.layer_norm %f, %g, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  %dx, %dg, %db = mpc.layer_norm_grad %dy, %f, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  %r = mpc.rms_norm %f, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  %e = mpc.cast %d : tensor<8x16xbf16> to tensor<8x16xf32>
  %s = mpc.reduce_sum %e [0] : tensor<8x16xf32> -> tensor<16xf32>
  "test.use"(%n, %dx, %r, %s) : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<16xf32>) -> ()
  return
}

// -----

// Kept: a widening cast read elsewhere in f32 too (an add), one read as a
// layer norm's gradient (not its input), and one the numerics check probes.
// CHECK-LABEL: func.func @kept_widening
// CHECK: %[[F:.*]]:2 = mpc.fused
// CHECK: mpc.layer_norm %[[F]]#0
// CHECK: %[[E:.*]] = mpc.fused
// CHECK: mpc.layer_norm_grad %[[E]], %{{.*}}, %{{.*}} eps = 1.000000e-05 : tensor<8x16xf32>, tensor<16xf32>{{$}}
// CHECK: %[[P:.*]] = mpc.fused({{.*}}) {mpc.numerics_probe = 0 : i64}
// CHECK: mpc.reduce_sum %[[P]]
func.func @kept_widening(%x: tensor<8x16xbf16>, %g: tensor<16xf32>, %y: tensor<8x16xf32>) {
  %f = mpc.cast %x : tensor<8x16xbf16> to tensor<8x16xf32>
  %n = mpc.layer_norm %f, %g, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  %a = mpc.add %f, %f : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %e = mpc.cast %x : tensor<8x16xbf16> to tensor<8x16xf32>
  %dx, %dg, %db = mpc.layer_norm_grad %e, %y, %g eps = 1.0e-5 : tensor<8x16xf32>, tensor<16xf32>
  %p = mpc.cast %x {mpc.numerics_probe = 0 : i64} : tensor<8x16xbf16> to tensor<8x16xf32>
  %s = mpc.reduce_sum %p [0] : tensor<8x16xf32> -> tensor<16xf32>
  "test.use"(%n, %a, %dx, %s) : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<16xf32>) -> ()
  return
}
