//===- FuseResidualNorm.cpp - residual adds into their layer norms --------===//
//
// A transformer block adds each sublayer's output to the residual stream
// and layer-normalizes the sum for the next sublayer: one kernel writes the
// sum and another reads it straight back. mpc.add_layer_norm does both in
// one pass over the two addends, writing the sum (which the next residual
// add and the layer norm's gradient still read) and the normalized rows,
// with the bits of the two ops.
//
//===----------------------------------------------------------------------===//

#include "passes/FuseRewrites.h"

#include "dialects/mpc/MpcOps.h"

using namespace mlir;

namespace mpc {
namespace {

/// layer_norm(add(a, b)) with a, b and the sum of one type (no broadcast)
/// -> add_layer_norm(a, b), whose sum replaces the add everywhere. The
/// merged op stands where the layer norm stood, so the add's other readers
/// must all come after it.
struct ResidualAddIntoLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LayerNormOp norm,
                                PatternRewriter &rewriter) const override {
    auto add = norm.getInput().getDefiningOp<AddOp>();
    if (!add || isNumericsProbe(add) || isNumericsProbe(norm) ||
        add->getBlock() != norm->getBlock() ||
        add.getLhs().getType() != add.getType() ||
        add.getRhs().getType() != add.getType())
      return failure();
    for (Operation *reader : add->getUsers())
      if (reader != norm && !norm->isBeforeInBlock(reader))
        return failure();
    auto merged = rewriter.create<AddLayerNormOp>(
        rewriter.getFusedLoc({add.getLoc(), norm.getLoc()}), add.getType(),
        norm.getType(), add.getLhs(), add.getRhs(), norm.getGamma(),
        norm.getBeta(), norm.getEpsilonAttr());
    rewriter.replaceOp(norm, merged.getResult());
    rewriter.replaceOp(add, merged.getSum());
    return success();
  }
};

} // namespace

void populateResidualNormPatterns(RewritePatternSet &patterns) {
  patterns.add<ResidualAddIntoLayerNorm>(patterns.getContext());
}

} // namespace mpc
