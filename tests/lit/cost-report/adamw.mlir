// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s --check-prefix=SINGLE
// RUN: mpc-opt %s --mpc-fuse --mpc-multi-tensor-adamw --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s --check-prefix=MULTI

// AdamW on w (1024 f32) and b (256 f32), updated in place (no copies).
// One launch per parameter: each reads param, grad, m, v (4 x 4096 bytes
// for w, 4 x 1024 for b) and the step (4 bytes), writes param, m, v
// (3 x 4096, 3 x 1024), 14 FLOPs per element.
// SINGLE: "launches": [
// SINGLE-NEXT: {"location":"uw","class":"adamw_update","backward":false,"math":"f32","flops":14336,"bytes_read":16388,"bytes_written":12288,
// SINGLE-NEXT: {"location":"ub","class":"adamw_update","backward":false,"math":"f32","flops":3584,"bytes_read":4100,"bytes_written":3072,
// SINGLE-NEXT: ],
// SINGLE: "summary": {"launches":2,

// Merged: one launch moving the same tensors, reading the step once:
// 16384 + 4096 + 4 bytes read, 12288 + 3072 written, 14 x 1280 FLOPs.
// MULTI: "launches": [
// MULTI-NEXT: {"location":"uw, ub","class":"adamw_multi_update","backward":false,"math":"f32","flops":17920,"bytes_read":20484,"bytes_written":15360,
// MULTI-NEXT: ],
// MULTI: "summary": {"launches":1,

mpc.param state @step : tensor<f32> = #mpc.init<zeros>
mpc.param @w : tensor<1024xf32> = #mpc.init<zeros>
mpc.param state @w.m : tensor<1024xf32> = #mpc.init<zeros>
mpc.param state @w.v : tensor<1024xf32> = #mpc.init<zeros>
mpc.param @b : tensor<256xf32> = #mpc.init<zeros>
mpc.param state @b.m : tensor<256xf32> = #mpc.init<zeros>
mpc.param state @b.v : tensor<256xf32> = #mpc.init<zeros>

func.func @train_step(%gw: tensor<1024xf32>, %gb: tensor<256xf32>) {
  %t = mpc.load @step : tensor<f32> loc("t")
  %w = mpc.load @w : tensor<1024xf32> loc("w")
  %wm = mpc.load @w.m : tensor<1024xf32> loc("w")
  %wv = mpc.load @w.v : tensor<1024xf32> loc("w")
  %w1, %wm1, %wv1 = mpc.adamw_update %w, %gw, %wm, %wv, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<1024xf32> loc("uw")
  mpc.store %w1, @w : tensor<1024xf32> loc("uw")
  mpc.store %wm1, @w.m : tensor<1024xf32> loc("uw")
  mpc.store %wv1, @w.v : tensor<1024xf32> loc("uw")
  %b = mpc.load @b : tensor<256xf32> loc("b")
  %bm = mpc.load @b.m : tensor<256xf32> loc("b")
  %bv = mpc.load @b.v : tensor<256xf32> loc("b")
  %b1, %bm1, %bv1 = mpc.adamw_update %b, %gb, %bm, %bv, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 0.000000e+00 : tensor<256xf32> loc("ub")
  mpc.store %b1, @b : tensor<256xf32> loc("ub")
  mpc.store %bm1, @b.m : tensor<256xf32> loc("ub")
  mpc.store %bv1, @b.v : tensor<256xf32> loc("ub")
  return loc("r")
}
