// RUN: mpc-opt %s --mpc-fuse -split-input-file | FileCheck %s

// The loss scaler's selects fold into skip_if; the old values are loads of
// the same symbols as the update's inputs, with no store between, so the
// loads merge.
// CHECK-LABEL: func.func @adamw
// CHECK-SAME: (%[[G:.*]]: tensor<4xf32>, %[[F:.*]]: tensor<i1>, %[[T:.*]]: tensor<f32>)
// CHECK-DAG: %[[W:.*]] = mpc.load @w
// CHECK-DAG: %[[M:.*]] = mpc.load @w.m
// CHECK-DAG: %[[V:.*]] = mpc.load @w.v
// CHECK-NOT: mpc.load
// CHECK: %[[P:.*]], %[[M2:.*]], %[[V2:.*]] = mpc.adamw_update %[[W]], %[[G]], %[[M]], %[[V]], %[[T]] lr = {{.*}} skip_if %[[F]] : tensor<4xf32>
// CHECK-NOT: mpc.select
// CHECK-NEXT: mpc.store %[[P]], @w
// CHECK-NEXT: mpc.store %[[M2]], @w.m
// CHECK-NEXT: mpc.store %[[V2]], @w.v
mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
mpc.param state @w.m : tensor<4xf32> = #mpc.init<zeros>
mpc.param state @w.v : tensor<4xf32> = #mpc.init<zeros>
func.func @adamw(%g: tensor<4xf32>, %found_inf: tensor<i1>, %t: tensor<f32>) {
  %w = mpc.load @w : tensor<4xf32>
  %m = mpc.load @w.m : tensor<4xf32>
  %v = mpc.load @w.v : tensor<4xf32>
  %m1 = mpc.load @w.m : tensor<4xf32>
  %v1 = mpc.load @w.v : tensor<4xf32>
  %p, %nm, %nv = mpc.adamw_update %w, %g, %m1, %v1, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  %0 = mpc.select %found_inf, %w, %p : tensor<4xf32>
  mpc.store %0, @w : tensor<4xf32>
  %1 = mpc.select %found_inf, %m, %nm : tensor<4xf32>
  mpc.store %1, @w.m : tensor<4xf32>
  %2 = mpc.select %found_inf, %v, %nv : tensor<4xf32>
  mpc.store %2, @w.v : tensor<4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @sgd_and_momentum
// CHECK: mpc.sgd_update %{{.*}}, %{{.*}} lr = {{.*}} weight_decay = {{.*}} skip_if %{{.*}} : tensor<4xf32>
// CHECK: mpc.momentum_update %{{.*}}, %{{.*}}, %{{.*}} lr = {{.*}} skip_if %{{.*}} : tensor<4xf32>
// CHECK-NOT: mpc.select
// CHECK: return
mpc.param @a : tensor<4xf32> = #mpc.init<zeros>
mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
mpc.param state @b.buf : tensor<4xf32> = #mpc.init<zeros>
func.func @sgd_and_momentum(%g: tensor<4xf32>, %found_inf: tensor<i1>) {
  %a = mpc.load @a : tensor<4xf32>
  %0 = mpc.sgd_update %a, %g lr = 1.000000e-01 weight_decay = 0.000000e+00 : tensor<4xf32>
  %1 = mpc.select %found_inf, %a, %0 : tensor<4xf32>
  mpc.store %1, @a : tensor<4xf32>
  %b = mpc.load @b : tensor<4xf32>
  %buf = mpc.load @b.buf : tensor<4xf32>
  %2, %3 = mpc.momentum_update %b, %g, %buf lr = 1.000000e-01 momentum = 9.000000e-01 weight_decay = 0.000000e+00 : tensor<4xf32>
  %4 = mpc.select %found_inf, %b, %2 : tensor<4xf32>
  mpc.store %4, @b : tensor<4xf32>
  %5 = mpc.select %found_inf, %buf, %3 : tensor<4xf32>
  mpc.store %5, @b.buf : tensor<4xf32>
  return
}

// -----

// Not folded: selects on different flags, a result read elsewhere too, an
// old value that is not the update's input (a load after a store), and
// swapped select arms. The selects stay (fused elementwise ops).
// CHECK-LABEL: func.func @not_folded
// CHECK-NOT: skip_if
// CHECK: return
mpc.param @a : tensor<4xf32> = #mpc.init<zeros>
mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
mpc.param state @b.buf : tensor<4xf32> = #mpc.init<zeros>
func.func @not_folded(%g: tensor<4xf32>, %f1: tensor<i1>, %f2: tensor<i1>) -> tensor<4xf32> {
  %b = mpc.load @b : tensor<4xf32>
  %buf = mpc.load @b.buf : tensor<4xf32>
  %0, %1 = mpc.momentum_update %b, %g, %buf lr = 1.000000e-01 momentum = 9.000000e-01 weight_decay = 0.000000e+00 : tensor<4xf32>
  %2 = mpc.select %f1, %b, %0 : tensor<4xf32>
  mpc.store %2, @b : tensor<4xf32>
  %3 = mpc.select %f2, %buf, %1 : tensor<4xf32>
  mpc.store %3, @b.buf : tensor<4xf32>
  %a = mpc.load @a : tensor<4xf32>
  mpc.store %g, @a : tensor<4xf32>
  %a2 = mpc.load @a : tensor<4xf32>
  %6 = mpc.sgd_update %a2, %g lr = 1.000000e-01 weight_decay = 0.000000e+00 : tensor<4xf32>
  %7 = mpc.select %f1, %a, %6 : tensor<4xf32>
  mpc.store %7, @a : tensor<4xf32>
  %8 = mpc.sgd_update %a2, %g lr = 1.000000e-01 weight_decay = 0.000000e+00 : tensor<4xf32>
  %9 = mpc.select %f1, %8, %a2 : tensor<4xf32>
  mpc.store %9, @a : tensor<4xf32>
  %10 = mpc.sgd_update %a2, %g lr = 1.000000e-01 weight_decay = 0.000000e+00 : tensor<4xf32>
  %11 = mpc.select %f1, %a2, %10 : tensor<4xf32>
  return %10 : tensor<4xf32>
}
