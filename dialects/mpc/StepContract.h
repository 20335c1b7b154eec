//===- StepContract.h - the step contract of a module -----------*- C++ -*-===//
//
// Fills the MLIR-free step contract (runtime/core/StepContract.h) from a
// training-step module, once: the CPU reference executor reads it, and the
// CUDA target writes it as the manifest.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_DIALECTS_MPC_STEPCONTRACT_H
#define MPC_DIALECTS_MPC_STEPCONTRACT_H

#include "dialects/mpc/MpcOps.h"
#include "runtime/core/StepContract.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"

namespace mpc {

/// The parameters and state of `module` in the order of the contract's
/// `state` (and of mpc_step_args::state): module order.
llvm::SmallVector<ParamOp> manifestState(mlir::ModuleOp module);

/// The functions of the step: every function with a body, in module order.
llvm::SmallVector<mlir::func::FuncOp> manifestFunctions(mlir::ModuleOp module);

/// The runtime's form of an initializer attribute.
InitSpec initSpecOf(InitAttr init);

/// The probes mpc-check-numerics recorded in `module` (its
/// mpc.numerics_probes), in probe order; empty when it did not run. Fails
/// with a one-line `error` on a malformed entry.
std::optional<std::vector<numerics::NumericsProbe>>
readNumericsProbes(mlir::ModuleOp module, std::string &error);

/// The contract of `module`, found in one pass over its functions. With
/// `requirePlan`, a function that mpc-plan-memory has not planned is an
/// error at its location; without, an unplanned function has arena sizes 0.
/// A function argument or result that is not a ranked tensor is an error.
mlir::FailureOr<StepContract> describeStep(mlir::ModuleOp module,
                                           bool requirePlan);

} // namespace mpc

#endif // MPC_DIALECTS_MPC_STEPCONTRACT_H
