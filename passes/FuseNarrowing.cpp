//===- FuseNarrowing.cpp - casts to and from 16 bits into the ops ---------===//
//
// Autocast runs the deny ops (layer norm, the cross-entropy, the bias
// gradients' sums) in f32, so a 16-bit step casts their f32 results down
// for the next GEMM, and widens 16-bit values for them: the logits for the
// loss, the residual stream for its layer norms, the GELU's gradient for
// the bias gradient. Those ops compute in f32 whatever their types, so they
// can read the 16-bit values and write the 16-bit result themselves: every
// value keeps its bits (an f16/bf16 value widens to f32 exactly, and the
// f32 result was rounded once by the cast, as now by the op).
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
    if (!user->hasTrait<OpTrait::F32LossOfAnyFloat>())
      return nullptr;
  return cast.getInput();
}

/// The loss (or its gradient, once that writes 16 bits) on the f32 cast
/// of 16-bit logits reads the logits themselves.
template <typename LossOp>
struct LossReadsNarrowLogits : OpRewritePattern<LossOp> {
  using OpRewritePattern<LossOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(LossOp op,
                                PatternRewriter &rewriter) const override {
    Value narrow = widenedFrom(op.getLogits());
    if (!narrow || isNumericsProbe(op))
      return failure();
    if constexpr (std::is_same_v<LossOp, SoftmaxCrossEntropyGradOp>)
      if (!isSixteenBitFloat(getElementTypeOrSelf(op.getType())))
        return failure(); // its result keeps the logits' f32 type
    Operation *cast = op.getLogits().getDefiningOp();
    rewriter.modifyOpInPlace(op, [&] { op.getLogitsMutable().assign(narrow); });
    if (cast->use_empty())
      rewriter.eraseOp(cast);
    return success();
  }
};

/// cast(op) to f16/bf16 -> op with that result type, for an op that rounds
/// its result once (OpTrait::NarrowableResult) and has no other reader.
struct NarrowingCastIntoProducer : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CastOp narrowing,
                                PatternRewriter &rewriter) const override {
    Operation *producer = narrowing.getInput().getDefiningOp();
    if (!producer || !producer->hasTrait<OpTrait::NarrowableResult>() ||
        producer->getNumResults() != 1 || !producer->hasOneUse() ||
        isNumericsProbe(producer) || isNumericsProbe(narrowing) ||
        !isSixteenBitFloat(getElementTypeOrSelf(narrowing.getType())))
      return failure();
    rewriter.modifyOpInPlace(
        producer, [&] { producer->getResult(0).setType(narrowing.getType()); });
    rewriter.replaceOp(narrowing, producer->getResult(0));
    return success();
  }
};

/// An op that computes in f32 (NarrowInputOpInterface) on the f32 cast of
/// a 16-bit tensor reads the tensor itself, when every reader of the cast
/// can: the residual stream's layer norm and its gradient, the bias
/// gradients' sums. The cast's f32 copy is then neither written nor kept.
struct WideningCastIntoReaders : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CastOp widening,
                                PatternRewriter &rewriter) const override {
    Value narrow = widening.getInput();
    if (isNumericsProbe(widening) || widening->use_empty() ||
        !getElementTypeOrSelf(widening.getType()).isF32() ||
        !isSixteenBitFloat(getElementTypeOrSelf(narrow.getType())))
      return failure();
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : widening->getUses()) {
      auto reader = dyn_cast<NarrowInputOpInterface>(use.getOwner());
      if (!reader || isNumericsProbe(reader) ||
          &reader.getNarrowableInput() != &use)
        return failure();
      uses.push_back(&use);
    }
    for (OpOperand *use : uses)
      rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(narrow); });
    rewriter.eraseOp(widening);
    return success();
  }
};

} // namespace

void populateNarrowingPatterns(RewritePatternSet &patterns) {
  patterns.add<LossReadsNarrowLogits<SoftmaxCrossEntropyOp>,
               LossReadsNarrowLogits<SoftmaxCrossEntropyGradOp>,
               NarrowingCastIntoProducer, WideningCastIntoReaders>(
      patterns.getContext());
}

} // namespace mpc
