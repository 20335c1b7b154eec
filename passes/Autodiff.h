//===- Autodiff.h - reverse-mode differentiation of a block -----*- C++ -*-===//

#ifndef MPC_PASSES_AUTODIFF_H
#define MPC_PASSES_AUTODIFF_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

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

} // namespace mpc

#endif // MPC_PASSES_AUTODIFF_H
