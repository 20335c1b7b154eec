// RUN: mpc-opt %s --mpc-multi-tensor-adamw -split-input-file | FileCheck %s

// Updates sharing step, flag and hyperparameters merge into one op at the
// last update's place, each keeping its weight decay; the earlier stores
// follow it in their order.
// CHECK-LABEL: func.func @merged
// CHECK-SAME: (%[[GW:.*]]: tensor<4x8xf32>, %[[GB:.*]]: tensor<8xf32>, %[[T:.*]]: tensor<f32>, %[[F:.*]]: tensor<i1>)
// CHECK-DAG: %[[W:.*]] = mpc.load @w :
// CHECK-DAG: %[[WM:.*]] = mpc.load @w.m
// CHECK-DAG: %[[WV:.*]] = mpc.load @w.v
// CHECK-DAG: %[[B:.*]] = mpc.load @b :
// CHECK-DAG: %[[BM:.*]] = mpc.load @b.m
// CHECK-DAG: %[[BV:.*]] = mpc.load @b.v
// CHECK-NOT: mpc.adamw_update
// The results are the new params, then the new m, then the new v.
// CHECK: %[[R:.*]]:6 = mpc.adamw_multi_update params(%[[W]], %[[B]]) grads(%[[GW]], %[[GB]]) m(%[[WM]], %[[BM]]) v(%[[WV]], %[[BV]]) step %[[T]] lr = 1.000000e-03 betas = (9.000000e-01, 0.99899999999999999) eps = 1.000000e-08 weight_decays = [1.000000e-02, 0.000000e+00] skip_if %[[F]] : tensor<4x8xf32>, tensor<8xf32>
// CHECK-NEXT: mpc.store %[[R]]#0, @w
// CHECK-NEXT: mpc.store %[[R]]#2, @w.m
// CHECK-NEXT: mpc.store %[[R]]#4, @w.v
// CHECK-NEXT: mpc.store %[[R]]#1, @b
// CHECK-NEXT: mpc.store %[[R]]#3, @b.m
// CHECK-NEXT: mpc.store %[[R]]#5, @b.v
// CHECK-NEXT: return
mpc.param @w : tensor<4x8xf32> = #mpc.init<zeros>
mpc.param state @w.m : tensor<4x8xf32> = #mpc.init<zeros>
mpc.param state @w.v : tensor<4x8xf32> = #mpc.init<zeros>
mpc.param @b : tensor<8xf32> = #mpc.init<zeros>
mpc.param state @b.m : tensor<8xf32> = #mpc.init<zeros>
mpc.param state @b.v : tensor<8xf32> = #mpc.init<zeros>
func.func @merged(%gw: tensor<4x8xf32>, %gb: tensor<8xf32>, %t: tensor<f32>, %f: tensor<i1>) {
  %w = mpc.load @w : tensor<4x8xf32>
  %b = mpc.load @b : tensor<8xf32>
  %wm = mpc.load @w.m : tensor<4x8xf32>
  %wv = mpc.load @w.v : tensor<4x8xf32>
  %w1, %wm1, %wv1 = mpc.adamw_update %w, %gw, %wm, %wv, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 skip_if %f : tensor<4x8xf32>
  mpc.store %w1, @w : tensor<4x8xf32>
  mpc.store %wm1, @w.m : tensor<4x8xf32>
  mpc.store %wv1, @w.v : tensor<4x8xf32>
  %bm = mpc.load @b.m : tensor<8xf32>
  %bv = mpc.load @b.v : tensor<8xf32>
  %b1, %bm1, %bv1 = mpc.adamw_update %b, %gb, %bm, %bv, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 0.000000e+00 skip_if %f : tensor<8xf32>
  mpc.store %b1, @b : tensor<8xf32>
  mpc.store %bm1, @b.m : tensor<8xf32>
  mpc.store %bv1, @b.v : tensor<8xf32>
  return
}

// -----

// As mpc-build-train-step lays them out: each update's moments are loaded
// just before it. Those loads precede the stores that move, so the three
// updates merge.
// CHECK-LABEL: func.func @interleaved
// CHECK-NOT: mpc.adamw_update
// CHECK: %[[R:.*]]:9 = mpc.adamw_multi_update params(%{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NEXT: mpc.store %[[R]]#0, @a
// CHECK-NEXT: mpc.store %[[R]]#3, @a.m
// CHECK-NEXT: mpc.store %[[R]]#1, @b
// CHECK-NEXT: mpc.store %[[R]]#4, @b.m
// CHECK-NEXT: mpc.store %[[R]]#2, @c
// CHECK-NEXT: mpc.store %[[R]]#5, @c.m
// CHECK-NEXT: return
mpc.param @a : tensor<4xf32> = #mpc.init<zeros>
mpc.param state @a.m : tensor<4xf32> = #mpc.init<zeros>
mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
mpc.param state @b.m : tensor<4xf32> = #mpc.init<zeros>
mpc.param @c : tensor<4xf32> = #mpc.init<zeros>
mpc.param state @c.m : tensor<4xf32> = #mpc.init<zeros>
func.func @interleaved(%g: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) {
  %a = mpc.load @a : tensor<4xf32>
  %b = mpc.load @b : tensor<4xf32>
  %c = mpc.load @c : tensor<4xf32>
  %am = mpc.load @a.m : tensor<4xf32>
  %a1, %am1, %av1 = mpc.adamw_update %a, %g, %am, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  mpc.store %a1, @a : tensor<4xf32>
  mpc.store %am1, @a.m : tensor<4xf32>
  %bm = mpc.load @b.m : tensor<4xf32>
  %b1, %bm1, %bv1 = mpc.adamw_update %b, %g, %bm, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  mpc.store %b1, @b : tensor<4xf32>
  mpc.store %bm1, @b.m : tensor<4xf32>
  %cm = mpc.load @c.m : tensor<4xf32>
  %c1, %cm1, %cv1 = mpc.adamw_update %c, %g, %cm, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  mpc.store %c1, @c : tensor<4xf32>
  mpc.store %cm1, @c.m : tensor<4xf32>
  return
}

// -----

// Parameter groups with their own learning rate become one op each; a
// group of one stays a single update.
// CHECK-LABEL: func.func @groups
// CHECK: mpc.adamw_update {{.*}} lr = 1.000000e-02
// CHECK: mpc.adamw_multi_update params({{.*}}) {{.*}} lr = 1.000000e-03 {{.*}} weight_decays = [1.000000e-02, 2.000000e-02] : tensor<4xf32>, tensor<4xf32>
// CHECK-NOT: mpc.adamw
mpc.param @a : tensor<4xf32> = #mpc.init<zeros>
mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
mpc.param @c : tensor<4xf32> = #mpc.init<zeros>
func.func @groups(%g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) {
  %a = mpc.load @a : tensor<4xf32>
  %b = mpc.load @b : tensor<4xf32>
  %c = mpc.load @c : tensor<4xf32>
  %a1, %am, %av = mpc.adamw_update %a, %g, %m, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  mpc.store %a1, @a : tensor<4xf32>
  %c1, %cm, %cv = mpc.adamw_update %c, %g, %m, %v, %t lr = 1.000000e-02 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  mpc.store %c1, @c : tensor<4xf32>
  %b1, %bm, %bv = mpc.adamw_update %b, %g, %m, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 2.000000e-02 : tensor<4xf32>
  mpc.store %b1, @b : tensor<4xf32>
  return
}

// -----

// A result read by something other than a store before the last update
// would have to move too: the updates stay apart.
// CHECK-LABEL: func.func @other_user
// CHECK-COUNT-2: mpc.adamw_update
// CHECK-NOT: mpc.adamw_multi_update
mpc.param @a : tensor<4xf32> = #mpc.init<zeros>
mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
func.func @other_user(%g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) -> tensor<4xf32> {
  %a = mpc.load @a : tensor<4xf32>
  %a1, %am, %av = mpc.adamw_update %a, %g, %m, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  %r = mpc.relu %a1 : tensor<4xf32>
  %b = mpc.load @b : tensor<4xf32>
  %b1, %bm, %bv = mpc.adamw_update %b, %g, %m, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  mpc.store %b1, @b : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// The symbol an earlier update stores is read before the last update:
// moving the store past that load would change what it reads.
// CHECK-LABEL: func.func @read_between
// CHECK-COUNT-2: mpc.adamw_update
// CHECK-NOT: mpc.adamw_multi_update
mpc.param @a : tensor<4xf32> = #mpc.init<zeros>
mpc.param @b : tensor<4xf32> = #mpc.init<zeros>
func.func @read_between(%g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) {
  %a = mpc.load @a : tensor<4xf32>
  %a1, %am, %av = mpc.adamw_update %a, %g, %m, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  mpc.store %a1, @a : tensor<4xf32>
  %again = mpc.load @a : tensor<4xf32>
  %b1, %bm, %bv = mpc.adamw_update %again, %g, %m, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  mpc.store %b1, @b : tensor<4xf32>
  return
}

// -----

// An update of another update's result needs that result first: no merge.
// CHECK-LABEL: func.func @chained
// CHECK-COUNT-2: mpc.adamw_update
// CHECK-NOT: mpc.adamw_multi_update
mpc.param @a : tensor<4xf32> = #mpc.init<zeros>
func.func @chained(%g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %t: tensor<f32>) {
  %a = mpc.load @a : tensor<4xf32>
  %a1, %am, %av = mpc.adamw_update %a, %g, %m, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  %a2, %am2, %av2 = mpc.adamw_update %a1, %g, %am, %av, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<4xf32>
  mpc.store %a2, @a : tensor<4xf32>
  return
}
