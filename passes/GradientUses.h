//===- GradientUses.h - where a training step reads its gradients -*- C++
//-*-===//

#ifndef MPC_PASSES_GRADIENTUSES_H
#define MPC_PASSES_GRADIENTUSES_H

#include "mlir/IR/Block.h"
#include "llvm/ADT/SmallVector.h"

namespace mpc {

/// The uses that read the gradients of a training step's body: the
/// operands of a clip (which then passes clipped gradients on), else the
/// optimizer updates' grad operands.
llvm::SmallVector<mlir::OpOperand *> gradientUses(mlir::Block &body);

} // namespace mpc

#endif // MPC_PASSES_GRADIENTUSES_H
