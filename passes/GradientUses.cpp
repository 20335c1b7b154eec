//===- GradientUses.cpp - where a training step reads its gradients -------===//
//
// Loss scaling unscales the gradients where they are first read, and
// gradient accumulation sums them there; both find that place here.
//
//===----------------------------------------------------------------------===//

#include "passes/GradientUses.h"

#include "dialects/mpc/MpcOps.h"

using namespace mlir;

namespace mpc {

SmallVector<OpOperand *> gradientUses(Block &body) {
  SmallVector<OpOperand *> uses;
  auto addOptimizerGrad = [&](OpOperand &grad) {
    if (!grad.get().getDefiningOp<ClipByGlobalNormOp>())
      uses.push_back(&grad);
  };
  for (Operation &op : body) {
    if (auto clip = dyn_cast<ClipByGlobalNormOp>(op))
      for (OpOperand &grad : clip.getGradsMutable())
        uses.push_back(&grad);
    else if (auto sgd = dyn_cast<SgdUpdateOp>(op))
      addOptimizerGrad(sgd.getGradMutable());
    else if (auto momentum = dyn_cast<MomentumUpdateOp>(op))
      addOptimizerGrad(momentum.getGradMutable());
    else if (auto adamw = dyn_cast<AdamWUpdateOp>(op))
      addOptimizerGrad(adamw.getGradMutable());
  }
  return uses;
}

} // namespace mpc
