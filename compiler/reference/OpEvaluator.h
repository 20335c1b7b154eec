//===- OpEvaluator.h - evaluates one mpc op on host tensors -----*- C++ -*-===//

#ifndef MPC_COMPILER_REFERENCE_OPEVALUATOR_H
#define MPC_COMPILER_REFERENCE_OPEVALUATOR_H

#include "dialects/mpc/OpCoverage.h"
#include "runtime/driver/Tensor.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>

namespace mpc::cpu {

/// What an op may read or change besides its operands.
struct EvalContext {
  /// The module's params by symbol name (loads read them, stores write).
  llvm::StringMap<driver::HostTensor *> params;
  /// The run's seed and the step: with each dropout's own seed, they select
  /// its mask.
  uint64_t runSeed = 0;
  uint64_t step = 0;
};

/// Whether the executor can evaluate `op`.
bool isSupported(mlir::Operation *op);

/// Which ops the executor evaluates, and which it declares it never does
/// (tests/unit/OpCoverageTest.cpp).
Coverage executorCoverage(mlir::OperationName name);

/// Evaluates `op` on `operands` into `results`, which arrive sized and typed
/// from the op's result types; float results are then rounded to their
/// element type. Fails, with a one-line message naming the op's location,
/// on a run-time error such as an id out of range.
bool evaluate(mlir::Operation *op,
              llvm::ArrayRef<const driver::HostTensor *> operands,
              llvm::MutableArrayRef<driver::HostTensor> results,
              EvalContext &context, std::string &error);

/// evaluate() in two halves, for a caller that looks at the results
/// before they are rounded (--check-numerics): the op in f32, then the
/// rounding of its float results to their element types.
bool evaluateUnrounded(mlir::Operation *op,
                       llvm::ArrayRef<const driver::HostTensor *> operands,
                       llvm::MutableArrayRef<driver::HostTensor> results,
                       EvalContext &context, std::string &error);
void roundResults(mlir::Operation *op,
                  llvm::MutableArrayRef<driver::HostTensor> results);

/// The name, shape and dtype of a host tensor of `type` (a ranked tensor),
/// with no storage: what a spec is, allocating nothing.
driver::HostTensor describe(mlir::Type type);

/// The bytes a host tensor of `type` holds (f32 for floats, int64 for
/// integers), or none when that does not fit in 64 bits.
std::optional<uint64_t> hostBytes(mlir::Type type);

/// A zeroed host tensor of `type` (a ranked tensor) with its storage sized.
driver::HostTensor allocate(mlir::Type type);

/// `file:line:col: node 'name'` for an op imported from a graph, else the
/// printed location.
std::string describeLocation(mlir::Location loc);

} // namespace mpc::cpu

#endif // MPC_COMPILER_REFERENCE_OPEVALUATOR_H
