//===- Autodiff.h - reverse-mode differentiation of a block -----*- C++ -*-===//

#ifndef MPC_PASSES_AUTODIFF_H
#define MPC_PASSES_AUTODIFF_H

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/OpCoverage.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mpc {

/// Builds the gradient of the scalar `loss` with respect to each value of
/// `wrt`, seeding backward with `seed` (the gradient of the loss itself, of
/// the loss's type). All values live in one block; the gradient ops are
/// inserted at the builder's insertion point, which must follow every op
/// the loss depends on. Only ops on a path from `wrt` to the loss are
/// differentiated, each through its GradientOpInterface; gradients of a
/// value used more than once are summed. A `wrt` value that does not reach
/// the loss gets a null gradient. Fails, with an error at the op, when an op
/// on such a path has no gradient.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
buildGradients(mlir::OpBuilder &builder, mlir::Value loss, mlir::Value seed,
               llvm::ArrayRef<mlir::Value> wrt);

/// The function whose result `lossIndex` carries mpc.loss.
struct LossFunction {
  mlir::func::FuncOp function;
  unsigned lossIndex;
};

/// Finds the module's loss function (the imported forward graph).
std::optional<LossFunction> findLossFunction(mlir::ModuleOp module);

/// The module's trainable params (those without `state`), in module order.
llvm::SmallVector<ParamOp> trainableParams(mlir::ModuleOp module);

/// Builds, before the terminator of `loss.function`, the gradient of its
/// loss with respect to each of `params`: the sum over the function's loads
/// of that param (null for a param the loss does not depend on). Backward is
/// seeded with a constant 1.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
buildParamGradients(LossFunction loss, llvm::ArrayRef<ParamOp> params);

/// Adds `@name` beside the loss function: the same arguments, returning the
/// loss and then d loss / d param for every trainable param in module order
/// (zeros where the loss does not depend on it). What `jax.value_and_grad`
/// gives; tests check it against finite differences.
mlir::FailureOr<mlir::func::FuncOp> buildGradientFunction(mlir::ModuleOp module,
                                                          llvm::StringRef name);

/// Which ops autodiff differentiates (those with a GradientOpInterface),
/// and which it declares never are (tests/unit/OpCoverageTest.cpp).
Coverage autodiffCoverage(mlir::OperationName name);

} // namespace mpc

#endif // MPC_PASSES_AUTODIFF_H
