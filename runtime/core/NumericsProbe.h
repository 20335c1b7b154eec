//===- NumericsProbe.h - an op that --check-numerics measures ---*- C++ -*-===//
//
// How the compiler names one op that mpc-check-numerics probed: the module
// lists them (mpc.numerics_probes), the step contract and the manifest carry
// them, and the numerics report speaks of them.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_NUMERICSPROBE_H
#define MPC_RUNTIME_CORE_NUMERICSPROBE_H

#include <string>
#include <vector>

namespace mpc::numerics {

/// One instrumented op, as the compiler named it.
struct NumericsProbe {
  /// The function holding it (train_step, forward).
  std::string function;
  /// The op without its dialect (`exp`) and its node and place in the graph
  /// (`logits_exp (exp.json:12:5)`).
  std::string op, location;
  /// Element type of its output: f16, bf16 or f32.
  std::string dtype;
  /// After the loss: a gradient or optimizer op.
  bool backward = false;
  /// The graph nodes whose move to f32 takes the op's output out of its
  /// 16-bit type (the op's node; for a cast, its consumers' nodes).
  std::vector<std::string> nodes;

  bool operator==(const NumericsProbe &other) const {
    return function == other.function && op == other.op &&
           location == other.location && dtype == other.dtype &&
           backward == other.backward && nodes == other.nodes;
  }
};

} // namespace mpc::numerics

#endif // MPC_RUNTIME_CORE_NUMERICSPROBE_H
