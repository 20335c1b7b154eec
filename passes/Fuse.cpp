//===- Fuse.cpp - groups the training step into kernels -------------------===//
//
// mpc-fuse, in three steps over every block of every function: the loss
// scaler's selects become `skip_if` operands, casts to and from 16 bits
// fold into the ops around them, residual adds merge into the layer norms
// that read them and matmuls take their bias and activation as epilogues,
// the loss merges with its gradient, and the remaining elementwise ops are
// grouped into mpc.fused regions. Applied again, it changes nothing:
// updates with `skip_if`, folded casts, mpc.add_layer_norm,
// mpc.softmax_cross_entropy_with_grad, mpc.fused_matmul and mpc.fused
// match none of the steps.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/FuseRewrites.h"

#include "dialects/mpc/MpcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mpc {
#define GEN_PASS_DEF_FUSE
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;
using namespace mpc;

namespace {

struct FusePass : public mpc::impl::FuseBase<FusePass> {
  using FuseBase::FuseBase;

  void runOnOperation() override;

private:
  /// Applies `patterns` to the ops of `block` only, without folding other
  /// ops (so no constant is moved and every other bit stays).
  void applyToBlock(Block &block, const FrozenRewritePatternSet &patterns);
};

void FusePass::applyToBlock(Block &block,
                            const FrozenRewritePatternSet &patterns) {
  SmallVector<Operation *> roots;
  for (Operation &op : block)
    if (isa<MatmulOp, SgdUpdateOp, MomentumUpdateOp, AdamWUpdateOp,
            SoftmaxCrossEntropyOp, SoftmaxCrossEntropyGradOp, CastOp,
            LayerNormOp>(op))
      roots.push_back(&op);
  GreedyRewriteConfig config;
  config.strictMode = GreedyRewriteStrictness::ExistingOps;
  // Every match is final (nothing a rewrite creates matches again), so the
  // driver's convergence result says nothing more.
  (void)applyOpPatternsAndFold(roots, patterns, config);
}

void FusePass::runOnOperation() {
  MLIRContext *context = &getContext();
  RewritePatternSet patternList(context);
  populateSkipIfPatterns(patternList);
  populateNarrowingPatterns(patternList);
  populateResidualNormPatterns(patternList);
  if (epilogues)
    populateEpiloguePatterns(patternList);
  FrozenRewritePatternSet patterns(std::move(patternList));

  IRRewriter rewriter(context);
  for (auto function : getOperation().getOps<func::FuncOp>())
    for (Block &block : function.getBody()) {
      mergeEquivalentLoads(block, rewriter);
      applyToBlock(block, patterns);
      mergeLossGradients(block, rewriter);
      if (failed(fuseElementwise(block, rewriter)))
        return signalPassFailure();
    }
}

} // namespace
