//===- FuseClassifier.cpp - the loss reads the 16-bit logits --------------===//
//
// Autocast computes the cross-entropy in f32 (a deny op), so 16-bit logits
// are cast to f32 for the loss, and the f32 gradient of the logits is cast
// back for the classifier's backward matmuls: with GPT's vocabulary, the
// largest tensors of the step, written and read twice over. The loss
// kernels read and write any float type and compute in f32, so they take
// the 16-bit logits and give the 16-bit gradient directly; every value
// keeps its bits (an f16/bf16 value widens to f32 exactly, and the f32
// gradient was rounded once by the cast, as now by the op).
//
//===----------------------------------------------------------------------===//

#include "passes/FuseRewrites.h"

#include "dialects/mpc/ElementTypes.h"
#include "dialects/mpc/MpcOps.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace mpc {
namespace {

/// The 16-bit tensor `value` widens to f32, when it is such a cast read
/// only by the loss and its gradient (a cast that stays for another reader,
/// such as the logits @forward returns, is left whole).
Value widenedFrom(Value value) {
  auto cast = value.getDefiningOp<CastOp>();
  if (!cast || isNumericsProbe(cast) ||
      !getElementTypeOrSelf(cast.getType()).isF32() ||
      !isSixteenBitFloat(getElementTypeOrSelf(cast.getInput().getType())))
    return nullptr;
  for (Operation *user : cast->getUsers())
    if (!isa<SoftmaxCrossEntropyOp, SoftmaxCrossEntropyGradOp>(user))
      return nullptr;
  return cast.getInput();
}

void eraseIfDead(Operation *op, PatternRewriter &rewriter) {
  if (op && op->use_empty())
    rewriter.eraseOp(op);
}

/// softmax_cross_entropy(cast(x16) to f32) -> softmax_cross_entropy(x16),
/// still an f32 loss.
struct LossReadsNarrowLogits : OpRewritePattern<SoftmaxCrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SoftmaxCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Value narrow = widenedFrom(op.getLogits());
    if (!narrow || isNumericsProbe(op))
      return failure();
    Operation *cast = op.getLogits().getDefiningOp();
    rewriter.modifyOpInPlace(op, [&] { op.getLogitsMutable().assign(narrow); });
    eraseIfDead(cast, rewriter);
    return success();
  }
};

/// cast(softmax_cross_entropy_grad(dl, logits, y)) to 16 bits ->
/// softmax_cross_entropy_grad(dl, logits, y) of 16 bits, reading x16 for
/// logits that widen it.
struct GradWritesNarrowGradient : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CastOp narrowing,
                                PatternRewriter &rewriter) const override {
    auto grad = narrowing.getInput().getDefiningOp<SoftmaxCrossEntropyGradOp>();
    if (!grad || !grad->hasOneUse() || isNumericsProbe(grad) ||
        isNumericsProbe(narrowing) ||
        !isSixteenBitFloat(getElementTypeOrSelf(narrowing.getType())))
      return failure();
    Value narrow = widenedFrom(grad.getLogits());
    Operation *cast = narrow ? grad.getLogits().getDefiningOp() : nullptr;
    rewriter.modifyOpInPlace(grad, [&] {
      if (narrow)
        grad.getLogitsMutable().assign(narrow);
      grad.getResult().setType(narrowing.getType());
    });
    rewriter.replaceOp(narrowing, grad.getResult());
    eraseIfDead(cast, rewriter);
    return success();
  }
};

} // namespace

void populateClassifierPatterns(RewritePatternSet &patterns) {
  patterns.add<LossReadsNarrowLogits, GradWritesNarrowGradient>(
      patterns.getContext());
}

} // namespace mpc
