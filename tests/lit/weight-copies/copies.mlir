// RUN: mpc-opt %s --mpc-weight-copies -split-input-file -allow-unregistered-dialect | FileCheck %s

// A weight cast to bf16 before use gets a copy declared after it; the cast
// (plain, or alone in an mpc.fused) becomes a load of the copy, in the step
// and in the forward; the update reads the copy and writes its new value,
// stored after the update's own stores. The f32 bias has no cast: no copy.
// CHECK: mpc.param @w : tensor<4x8xf32>
// CHECK-NEXT: mpc.param state @w.bf16 : tensor<4x8xbf16> = #mpc.init<zeros> copy_of @w
// CHECK-NOT: copy_of @b
// CHECK-LABEL: func.func @forward
// CHECK-NOT: mpc.cast
// CHECK: %[[FC:.*]] = mpc.load @w.bf16 : tensor<4x8xbf16>
// CHECK-NEXT: return %[[FC]]
// CHECK-LABEL: func.func @train_step
// CHECK: %[[W:.*]] = mpc.load @w : tensor<4x8xf32>
// CHECK-NOT: mpc.fused
// CHECK: %[[C:.*]] = mpc.load @w.bf16 : tensor<4x8xbf16>
// CHECK-NEXT: "test.use"(%[[C]])
// CHECK: %[[OLD:.*]] = mpc.load @w.bf16 : tensor<4x8xbf16>
// CHECK-NEXT: %[[R:.*]]:7 = mpc.adamw_multi_update params(%[[W]], %{{.*}}) grads(%{{.*}}, %{{.*}}) m(%{{.*}}, %{{.*}}) v(%{{.*}}, %{{.*}}) copies(%[[OLD]] : tensor<4x8xbf16>) of [0] step
// CHECK-SAME: skip_if
// CHECK-NEXT: mpc.store %[[R]]#0, @w
// CHECK-NEXT: mpc.store %[[R]]#1, @b
// CHECK-NEXT: mpc.store %[[R]]#6, @w.bf16 : tensor<4x8xbf16>
// CHECK-NEXT: return
mpc.param @w : tensor<4x8xf32> = #mpc.init<zeros>
mpc.param state @w.m : tensor<4x8xf32> = #mpc.init<zeros>
mpc.param state @w.v : tensor<4x8xf32> = #mpc.init<zeros>
mpc.param @b : tensor<8xf32> = #mpc.init<zeros>
mpc.param state @b.m : tensor<8xf32> = #mpc.init<zeros>
mpc.param state @b.v : tensor<8xf32> = #mpc.init<zeros>
func.func @forward() -> tensor<4x8xbf16> {
  %w = mpc.load @w : tensor<4x8xf32>
  %c = mpc.cast %w : tensor<4x8xf32> to tensor<4x8xbf16>
  return %c : tensor<4x8xbf16>
}
func.func @train_step(%gw: tensor<4x8xf32>, %gb: tensor<8xf32>, %t: tensor<f32>, %f: tensor<i1>) {
  %w = mpc.load @w : tensor<4x8xf32>
  %c = mpc.fused(%w) : (tensor<4x8xf32>) -> tensor<4x8xbf16> {
  ^bb0(%x: tensor<4x8xf32>):
    %y = mpc.cast %x : tensor<4x8xf32> to tensor<4x8xbf16>
    mpc.yield %y : tensor<4x8xbf16>
  }
  "test.use"(%c) : (tensor<4x8xbf16>) -> ()
  %b = mpc.load @b : tensor<8xf32>
  %wm = mpc.load @w.m : tensor<4x8xf32>
  %wv = mpc.load @w.v : tensor<4x8xf32>
  %bm = mpc.load @b.m : tensor<8xf32>
  %bv = mpc.load @b.v : tensor<8xf32>
  %r:6 = mpc.adamw_multi_update params(%w, %b) grads(%gw, %gb) m(%wm, %bm) v(%wv, %bv) step %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decays = [1.000000e-02, 0.000000e+00] skip_if %f : tensor<4x8xf32>, tensor<8xf32>
  mpc.store %r#0, @w : tensor<4x8xf32>
  mpc.store %r#1, @b : tensor<8xf32>
  return
}

// -----

// No copy where the cast's value would differ from the copy or a probe
// would be lost: a cast after the update (it reads the new weights), a cast
// fused with other work, a probed cast, and a param stored by someone else.
// CHECK-NOT: copy_of
// CHECK-LABEL: func.func @train_step
// CHECK-COUNT-3: mpc.cast
// CHECK: mpc.adamw_multi_update
// CHECK-NOT: copies(
// CHECK: mpc.cast
mpc.param @a : tensor<4xf32> = #mpc.init<zeros>
mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
mpc.param @c : tensor<4xf32> = #mpc.init<zeros>
mpc.param @d : tensor<4xf32> = #mpc.init<zeros>
func.func @overwrite(%x: tensor<4xf32>) {
  mpc.store %x, @d : tensor<4xf32>
  return
}
func.func @train_step(%g: tensor<4xf32>, %t: tensor<f32>) {
  %a = mpc.load @a : tensor<4xf32>
  %b = mpc.load @b : tensor<4xf32>
  %c = mpc.load @c : tensor<4xf32>
  %d = mpc.load @d : tensor<4xf32>
  %bc = mpc.fused(%b) : (tensor<4xf32>) -> tensor<4xf16> {
  ^bb0(%x: tensor<4xf32>):
    %y = mpc.cast %x : tensor<4xf32> to tensor<4xf16>
    %z = mpc.neg %y : tensor<4xf16>
    mpc.yield %z : tensor<4xf16>
  }
  %cc = mpc.cast %c {mpc.numerics_probe = 0 : i64} : tensor<4xf32> to tensor<4xf16>
  %dc = mpc.cast %d : tensor<4xf32> to tensor<4xf16>
  "test.use"(%bc, %cc, %dc) : (tensor<4xf16>, tensor<4xf16>, tensor<4xf16>) -> ()
  %r:12 = mpc.adamw_multi_update params(%a, %b, %c, %d) grads(%g, %g, %g, %g) m(%g, %g, %g, %g) v(%g, %g, %g, %g) step %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decays = [0.0, 0.0, 0.0, 0.0] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  mpc.store %r#0, @a : tensor<4xf32>
  mpc.store %r#1, @b : tensor<4xf32>
  mpc.store %r#2, @c : tensor<4xf32>
  mpc.store %r#3, @d : tensor<4xf32>
  %ac = mpc.cast %a : tensor<4xf32> to tensor<4xf16>
  "test.use"(%ac) : (tensor<4xf16>) -> ()
  return
}

// -----

// A name taken already: the copy is renamed.
// CHECK: mpc.param @w : tensor<4xf32>
// CHECK-NEXT: mpc.param state @w.f16_0 : tensor<4xf16> = #mpc.init<zeros> copy_of @w
// CHECK: mpc.load @w.f16_0
mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
mpc.param @w.f16 : tensor<4xf32> = #mpc.init<zeros>
func.func @train_step(%g: tensor<4xf32>, %t: tensor<f32>) {
  %w = mpc.load @w : tensor<4xf32>
  %v = mpc.load @w.f16 : tensor<4xf32>
  %c = mpc.cast %w : tensor<4xf32> to tensor<4xf16>
  "test.use"(%c) : (tensor<4xf16>) -> ()
  %r:6 = mpc.adamw_multi_update params(%w, %v) grads(%g, %g) m(%g, %g) v(%g, %g) step %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decays = [0.0, 0.0] : tensor<4xf32>, tensor<4xf32>
  mpc.store %r#0, @w : tensor<4xf32>
  mpc.store %r#1, @w.f16 : tensor<4xf32>
  return
}
