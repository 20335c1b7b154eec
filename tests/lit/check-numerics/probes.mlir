// mpc-check-numerics numbers the ops a run measures and names them as the
// precision report does.
// RUN: mpc-opt %s --mpc-check-numerics | FileCheck %s --check-prefix=LOW
// RUN: mpc-opt %s --mpc-check-numerics=all-ops=true | FileCheck %s --check-prefix=ALL
// RUN: mpc-opt %s | FileCheck %s --check-prefix=OFF
// Run again, the pass numbers the probes afresh: none is left behind.
// RUN: mpc-opt %s --mpc-check-numerics=all-ops=true --mpc-check-numerics | FileCheck %s --check-prefix=LOW

// Off, nothing is added: a step without the pass carries no probe.
// OFF-NOT: mpc.numerics_probe

// The module lists the probes in program order, forward then backward,
// each with the nodes a precision repair moves to f32 for it: the op's own,
// or for a cast the nodes of its consumers (the exp e wants the f16 x16).
//      LOW: module attributes {mpc.numerics_probes = [
// LOW-SAME: {backward = false, dtype = "f16", function = "train_step", location = "x16 (g.json:3:5)", nodes = ["e"], op = "cast"}
// LOW-SAME: {backward = false, dtype = "f16", function = "train_step", location = "e (g.json:4:5)", nodes = ["e"], op = "exp"}
// LOW-SAME: {backward = true, dtype = "bf16", function = "train_step", location = "g (g.json:6:5)", nodes = ["g"], op = "mul"}]}

// All ops: the f32 ones too, but never loads or constants.
//      ALL: module attributes {mpc.numerics_probes = [
// ALL-SAME: location = "x16 (g.json:3:5)"
// ALL-SAME: location = "e (g.json:4:5)"
// ALL-SAME: dtype = "f32", function = "train_step", location = "s (g.json:5:5)", nodes = ["s"], op = "reduce_sum"
// ALL-SAME: location = "g (g.json:6:5)", nodes = ["g"], op = "mul"}]}

module {
  mpc.param @w : tensor<4xf32> = #mpc.init<zeros>

  // LOW-LABEL: func.func @train_step
  func.func @train_step(%x: tensor<4xf32>) -> (tensor<f32> {mpc.loss}) {
    // LOW: mpc.load @w
    // LOW-NOT: mpc.numerics_probe
    // LOW: mpc.constant
    // LOW-NOT: mpc.numerics_probe
    %w = mpc.load @w : tensor<4xf32>
    %c = mpc.constant dense<2.0> : tensor<bf16>
    // LOW: mpc.cast %{{.*}} {mpc.numerics_probe = 0 : i64}
    %xh = mpc.cast %x : tensor<4xf32> to tensor<4xf16> loc(#x16)
    // LOW: mpc.exp %{{.*}} {mpc.numerics_probe = 1 : i64}
    %e = mpc.exp %xh : tensor<4xf16> loc(#e)
    // LOW: mpc.reduce_sum
    // LOW-NOT: mpc.numerics_probe
    // LOW-SAME: -> tensor<f32>
    %s = mpc.reduce_sum %w [0] : tensor<4xf32> -> tensor<f32> loc(#s)
    // LOW: mpc.mul %{{.*}} {mpc.numerics_probe = 2 : i64}
    %g = mpc.mul %c, %c : (tensor<bf16>, tensor<bf16>) -> tensor<bf16> loc(#g)
    return %s : tensor<f32>
  }

  // The evaluation function repeats the step's forward: not probed.
  // LOW-LABEL: func.func @forward
  // LOW-NOT: mpc.numerics_probe
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf16> {
    %xh = mpc.cast %x : tensor<4xf32> to tensor<4xf16>
    return %xh : tensor<4xf16>
  }
}

#x16 = loc("x16"("g.json":3:5))
#e = loc("e"("g.json":4:5))
#s = loc("s"("g.json":5:5))
#g = loc("g"("g.json":6:5))
