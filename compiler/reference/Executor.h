//===- Executor.h - the CPU reference executor ------------------*- C++ -*-===//
//
// Interprets an mpc module op by op on the CPU: the golden model of every
// numerical behaviour. Float values are held as f32 and rounded to their
// element type (f16, bf16: nearest even) at every op output; matmuls and
// reductions accumulate in f32.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_REFERENCE_EXECUTOR_H
#define MPC_COMPILER_REFERENCE_EXECUTOR_H

#include "runtime/core/NumericsCheck.h"
#include "runtime/driver/Tensor.h"
#include "runtime/train/NumericsReport.h"
#include "runtime/train/StateCopies.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace mpc::cpu {

struct CompiledFunction;

/// Runs the functions of one mpc module. Holds the module's parameters and
/// optimizer state (its `mpc.param` symbols) between calls.
class Executor {
public:
  /// Prepares every function of `module` for execution and allocates its
  /// params. Fails, with a one-line message, on an op the executor does not
  /// know (naming the op) or params larger than memory.
  static std::unique_ptr<Executor> create(mlir::ModuleOp module,
                                          std::string &error);
  ~Executor();

  /// Fills every parameter from its initializer. A param without its own
  /// seed draws from a stream of (`seed`, its name), so the values do not
  /// depend on which other params exist. `seed` is also the run's seed,
  /// which every dropout mask depends on (0 until this is called).
  void initializeParams(uint64_t seed);

  /// The names and shapes of the arguments of `function` (dtype F32 for
  /// float element types, I64 for integers), without data.
  std::vector<driver::HostTensor>
  argumentSpecs(const std::string &function) const;
  /// The same for the results.
  std::vector<driver::HostTensor>
  resultSpecs(const std::string &function) const;
  bool hasFunction(const std::string &function) const;
  /// The most bytes that the values of `function` (its arguments and the
  /// results of its ops, each freed after its last use) hold at once, or
  /// none when that does not fit in 64 bits: what a call allocates besides
  /// the params and the ops' scratch.
  std::optional<uint64_t> peakLiveBytes(const std::string &function) const;

  /// Calls `function`. `step` and the run's seed select the dropout masks.
  /// On failure (an id or label out of range) `error` names the op and what
  /// is wrong.
  bool run(const std::string &function,
           const std::vector<driver::HostTensor> &arguments, uint64_t step,
           std::vector<driver::HostTensor> &results, std::string &error);

  /// Every param and state symbol, in module order, named by its symbol.
  const std::vector<driver::HostTensor> &params() const { return params_; }
  /// Whether the param at `index` of params() is optimizer state.
  bool isState(size_t index) const { return isState_[index]; }
  /// Replaces the params; `values` must match params() in names, shapes and
  /// dtypes (checked by the caller, e.g. against a checkpoint).
  void setParams(std::vector<driver::HostTensor> values);

  /// The ops mpc-check-numerics probed (none when it did not run), and the
  /// statistics of their outputs in the last call of run(), by probe.
  const std::vector<train::NumericsProbe> &numericsProbes() const {
    return numericsProbes_;
  }
  const std::vector<numerics::NumericsCounts> &numericsCounts() const {
    return numericsCounts_;
  }

private:
  Executor() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<driver::HostTensor> params_;
  std::vector<bool> isState_;
  /// The params that are 16-bit copies of others (copy_of): always their
  /// source rounded.
  std::vector<train::StateCopy> copies_;
  uint64_t runSeed_ = 0;
  std::vector<train::NumericsProbe> numericsProbes_;
  std::vector<numerics::NumericsCounts> numericsCounts_;
};

} // namespace mpc::cpu

#endif // MPC_COMPILER_REFERENCE_EXECUTOR_H
