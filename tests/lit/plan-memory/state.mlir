// RUN: mpc-opt %s --mpc-plan-memory | FileCheck %s
// RUN: mpc-opt %s --mpc-plan-memory --mpc-plan-memory | FileCheck %s

// Parameter and state storage: loads alias it unless a later store would
// overwrite it while the loaded value is still read; a stored value is
// computed straight into the storage when nothing reads the old contents
// after its producer.

mpc.param @w : tensor<16xf32> = #mpc.init<zeros>
mpc.param state @w.m : tensor<16xf32> = #mpc.init<zeros>
mpc.param state @w.v : tensor<16xf32> = #mpc.init<zeros>
mpc.param state @step : tensor<f32> = #mpc.init<zeros>
mpc.param state @scale : tensor<f32> = #mpc.init<constant, value = 1.0>
mpc.param state @good : tensor<f32> = #mpc.init<zeros>
mpc.param state @hyst : tensor<f32> = #mpc.init<constant, value = 1.0>

// An optimizer step after mpc-fuse: AdamW reads param, m and v element by
// element and writes them back in place; the loss scaler's update too.
// CHECK-LABEL: func.func @adamw_in_place
func.func @adamw_in_place(%g: tensor<16xf32>, %found_inf: tensor<i1>) {
  // CHECK: mpc.load @step {mpc.buffers = [#mpc.buffer<state, 0, @step>]}
  %step = mpc.load @step : tensor<f32>
  // CHECK: mpc.load @w {mpc.buffers = [#mpc.buffer<state, 0, @w>]}
  %w = mpc.load @w : tensor<16xf32>
  // CHECK: mpc.load @w.m {mpc.buffers = [#mpc.buffer<state, 0, @w.m>]}
  %m = mpc.load @w.m : tensor<16xf32>
  // CHECK: mpc.load @w.v {mpc.buffers = [#mpc.buffer<state, 0, @w.v>]}
  %v = mpc.load @w.v : tensor<16xf32>
  // CHECK: mpc.constant {{.*}} {mpc.buffers = [#mpc.buffer<arena, 0>]}
  %one = mpc.constant dense<1.0> : tensor<f32>
  // The new step count is read by AdamW after it is stored: it lives in
  // @step, and AdamW reads it there.
  // CHECK: mpc.fused(%{{.*}}) {mpc.buffers = [#mpc.buffer<state, 0, @step>]}
  // CHECK-NOT: mpc.buffers
  // CHECK: mpc.yield
  %t = mpc.fused (%step, %one, %found_inf) : (tensor<f32>, tensor<f32>, tensor<i1>) -> tensor<f32> {
  ^bb0(%s: tensor<f32>, %o: tensor<f32>, %f: tensor<i1>):
    %n = mpc.add %s, %o : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %k = mpc.select %f, %s, %n : tensor<f32>
    mpc.yield %k : tensor<f32>
  }
  mpc.store %t, @step : tensor<f32>
  // CHECK: mpc.adamw_update {{.*}} {mpc.buffers = [#mpc.buffer<state, 0, @w>, #mpc.buffer<state, 0, @w.m>, #mpc.buffer<state, 0, @w.v>]}
  %nw, %nm, %nv = mpc.adamw_update %w, %g, %m, %v, %t lr = 1.0e-03 betas = (9.0e-01, 9.99e-01) eps = 1.0e-08 weight_decay = 0.0 skip_if %found_inf : tensor<16xf32>
  mpc.store %nw, @w : tensor<16xf32>
  mpc.store %nm, @w.m : tensor<16xf32>
  mpc.store %nv, @w.v : tensor<16xf32>
  %scale = mpc.load @scale : tensor<f32>
  %good = mpc.load @good : tensor<f32>
  %hyst = mpc.load @hyst : tensor<f32>
  // CHECK: mpc.update_loss_scale {{.*}} {mpc.buffers = [#mpc.buffer<state, 0, @scale>, #mpc.buffer<state, 0, @good>, #mpc.buffer<state, 0, @hyst>]}
  %ns, %ng, %nh = mpc.update_loss_scale %scale, %good, %hyst, %found_inf growth = 2.0 every 2000 backoff = 5.0e-01 hysteresis = 1 range = [1.0, 6.5536e+04]
  mpc.store %ns, @scale : tensor<f32>
  mpc.store %ng, @good : tensor<f32>
  mpc.store %nh, @hyst : tensor<f32>
  // CHECK: return
  return
}

// The old weights are read after the new ones are stored: the load is a
// private copy in the arena, and the update then goes in place.
// CHECK-LABEL: func.func @copied_load
func.func @copied_load(%x: tensor<16xf32>) -> tensor<16xf32> {
  // CHECK: mpc.load @w {mpc.buffers = [#mpc.buffer<arena, 0>]}
  %w = mpc.load @w : tensor<16xf32>
  // CHECK: mpc.sub %{{.*}} {mpc.buffers = [#mpc.buffer<state, 0, @w>]}
  %n = mpc.sub %w, %x : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  mpc.store %n, @w : tensor<16xf32>
  // CHECK: mpc.mul %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 256>]}
  %y = mpc.mul %w, %x : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// The old weights are read after the new ones are computed but before the
// store: the load aliases @w, and the new value waits in the arena (the
// store copies it).
// CHECK-LABEL: func.func @read_after_update
func.func @read_after_update(%x: tensor<16xf32>) -> tensor<16xf32> {
  // CHECK: mpc.load @w {mpc.buffers = [#mpc.buffer<state, 0, @w>]}
  %w = mpc.load @w : tensor<16xf32>
  // CHECK: mpc.sub %{{.*}} {mpc.buffers = [#mpc.buffer<arena, {{[0-9]+}}>]}
  %n = mpc.sub %w, %x : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %y = mpc.mul %w, %x : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  mpc.store %n, @w : tensor<16xf32>
  return %y : tensor<16xf32>
}

// A matmul reads all of its operand for each output element, so it may not
// overwrite the weights it reads.
// CHECK-LABEL: func.func @not_per_element
func.func @not_per_element(%x: tensor<4x4xf32>) {
  // CHECK: mpc.load @m {mpc.buffers = [#mpc.buffer<state, 0, @m>]}
  %w = mpc.load @m : tensor<4x4xf32>
  // CHECK: mpc.matmul %{{.*}} {mpc.buffers = [#mpc.buffer<arena, 0>]}
  %n = mpc.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  mpc.store %n, @m : tensor<4x4xf32>
  // One that does not read them may.
  // CHECK: mpc.matmul %{{.*}} {mpc.buffers = [#mpc.buffer<state, 0, @m>]}
  %p = mpc.matmul %x, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  mpc.store %p, @m : tensor<4x4xf32>
  return
}
mpc.param @m : tensor<4x4xf32> = #mpc.init<zeros>

// A value stored after another store to the same symbol cannot be written
// there before it; nor can a value read after a later store overwrites it.
// CHECK-LABEL: func.func @intervening_store
func.func @intervening_store(%x: tensor<16xf32>) -> tensor<16xf32> {
  // CHECK: mpc.relu %{{.*}} {mpc.buffers = [#mpc.buffer<arena, {{[0-9]+}}>]}
  %a = mpc.relu %x : tensor<16xf32>
  // CHECK: mpc.exp %{{.*}} {mpc.buffers = [#mpc.buffer<arena, {{[0-9]+}}>]}
  %b = mpc.exp %x : tensor<16xf32>
  mpc.store %b, @w : tensor<16xf32>
  mpc.store %a, @w : tensor<16xf32>
  %c = mpc.tanh %b : tensor<16xf32>
  return %c : tensor<16xf32>
}
