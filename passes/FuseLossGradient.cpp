//===- FuseLossGradient.cpp - the loss and its gradient in one kernel -----===//
//
// A training step takes the cross-entropy of the logits and, from the loss
// scale or a constant seed, its gradient over the same logits: two row
// kernels that each take every row's maximum and sum of exponentials.
// mpc.softmax_cross_entropy_with_grad takes them once for both, with the
// bits of the two ops. It runs after the casts are folded, so the merged op
// reads the 16-bit logits and writes the 16-bit gradient the two ops then
// read and write; a gradient that stays f32 reads the logits' f32 cast,
// which the merged op then reads for the loss too (the same numbers).
//
//===----------------------------------------------------------------------===//

#include "passes/FuseRewrites.h"

#include "dialects/mpc/ElementTypes.h"
#include "dialects/mpc/MpcOps.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace mpc {
namespace {

/// Whether the loss's logits `loss` are the gradient's `grad`: the same
/// value, or 16-bit logits the loss reads while the gradient reads their
/// f32 cast (its f32 result keeps the cast), which holds the same numbers.
bool sameLogits(Value loss, Value grad) {
  if (loss == grad)
    return true;
  auto cast = grad.getDefiningOp<CastOp>();
  return cast && cast.getInput() == loss &&
         getElementTypeOrSelf(cast.getType()).isF32() &&
         isSixteenBitFloat(getElementTypeOrSelf(loss.getType()));
}

/// The loss `grad` differentiates: an unprobed cross-entropy of its block
/// on the same logits and labels, with the same attributes.
SoftmaxCrossEntropyOp lossOf(SoftmaxCrossEntropyGradOp grad) {
  for (Operation *user : grad.getLabels().getUsers()) {
    auto loss = dyn_cast<SoftmaxCrossEntropyOp>(user);
    if (loss && loss->getBlock() == grad->getBlock() &&
        !isNumericsProbe(loss) && loss.getLabels() == grad.getLabels() &&
        sameLogits(loss.getLogits(), grad.getLogits()) &&
        loss.getIgnoreIndexAttr() == grad.getIgnoreIndexAttr() &&
        loss.getReduction() == grad.getReduction())
      return loss;
  }
  return {};
}

/// Whether every reader of `op`'s results comes after `point` in its block.
bool readersFollow(Operation *op, Operation *point) {
  for (Operation *reader : op->getUsers()) {
    Operation *inBlock = point->getBlock()->findAncestorOpInBlock(*reader);
    if (!inBlock || !point->isBeforeInBlock(inBlock))
      return false;
  }
  return true;
}

/// Where the merged op, which reads the gradient's operands, may stand, or
/// null: at the earlier of the two when those operands are available there
/// (the loss gradient then cannot depend on the loss), else at the later
/// when nothing reads the earlier's result before it (so the loss gradient,
/// available there, does not read the loss).
Operation *mergePoint(SoftmaxCrossEntropyOp loss,
                      SoftmaxCrossEntropyGradOp grad) {
  if (grad->isBeforeInBlock(loss))
    return grad;
  if (llvm::all_of(grad->getOperands(),
                   [&](Value operand) { return dominates(operand, loss); }))
    return loss;
  return readersFollow(loss, grad) ? grad.getOperation() : nullptr;
}

} // namespace

void mergeLossGradients(Block &block, RewriterBase &rewriter) {
  SmallVector<SoftmaxCrossEntropyGradOp> grads(
      block.getOps<SoftmaxCrossEntropyGradOp>());
  for (SoftmaxCrossEntropyGradOp grad : grads) {
    if (isNumericsProbe(grad))
      continue;
    SoftmaxCrossEntropyOp loss = lossOf(grad);
    Operation *point = loss ? mergePoint(loss, grad) : nullptr;
    if (!point)
      continue;
    rewriter.setInsertionPoint(point);
    auto merged = rewriter.create<SoftmaxCrossEntropyWithGradOp>(
        rewriter.getFusedLoc({loss.getLoc(), grad.getLoc()}), loss.getType(),
        grad.getType(), grad.getLogits(), grad.getLabels(), grad.getLossGrad(),
        grad.getIgnoreIndexAttr(), grad.getReductionAttr());
    rewriter.replaceOp(loss, merged.getLoss());
    rewriter.replaceOp(grad, merged.getGrad());
  }
}

} // namespace mpc
