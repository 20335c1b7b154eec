//===- FuseSkipIf.cpp - optimizer updates that skip overflowed steps ------===//
//
// Loss scaling keeps every parameter and optimizer state on an overflowed
// step with `mpc.select %found_inf, %old, %new` after the update. Folded
// into the update's `skip_if` operand, the update can write in place and a
// backend can skip it; the results stay bit for bit the same.
//
//===----------------------------------------------------------------------===//

#include "passes/FuseRewrites.h"

#include "dialects/mpc/MpcOps.h"

#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace mpc {

void mergeEquivalentLoads(Block &block, RewriterBase &rewriter) {
  // The first load of each symbol since its last store.
  llvm::StringMap<LoadOp> current;
  for (Operation &op : llvm::make_early_inc_range(block)) {
    if (auto store = dyn_cast<StoreOp>(op)) {
      current.erase(store.getParam());
      continue;
    }
    auto load = dyn_cast<LoadOp>(op);
    if (!load)
      continue;
    auto [it, inserted] = current.try_emplace(load.getParam(), load);
    if (inserted || it->second.getType() != load.getType())
      continue;
    rewriter.replaceOp(load, it->second.getResult());
  }
}

namespace {

/// The inputs an update returns unchanged under `skip_if`, in the order of
/// its results.
SmallVector<Value> keptInputs(SgdUpdateOp op) { return {op.getParam()}; }
SmallVector<Value> keptInputs(MomentumUpdateOp op) {
  return {op.getParam(), op.getBuffer()};
}
SmallVector<Value> keptInputs(AdamWUpdateOp op) {
  return {op.getParam(), op.getM(), op.getV()};
}

template <typename UpdateOp>
struct FoldSkipSelects : public OpRewritePattern<UpdateOp> {
  using OpRewritePattern<UpdateOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(UpdateOp update,
                                PatternRewriter &rewriter) const override {
    if (update.getSkipIf())
      return rewriter.notifyMatchFailure(update, "already has skip_if");
    // A probed update is measured before the selects keep the old values.
    if (isNumericsProbe(update))
      return rewriter.notifyMatchFailure(update, "probed by check-numerics");
    Value flag;
    SmallVector<SelectOp> selects;
    for (auto [result, kept] :
         llvm::zip_equal(update->getResults(), keptInputs(update))) {
      if (!result.hasOneUse())
        return rewriter.notifyMatchFailure(update, "a result has other uses");
      auto select = dyn_cast<SelectOp>(*result.user_begin());
      if (!select || isNumericsProbe(select) || select.getOnFalse() != result ||
          select.getOnTrue() != kept || (flag && select.getCondition() != flag))
        return rewriter.notifyMatchFailure(
            update, "a result is not kept by a select on the common flag");
      flag = select.getCondition();
      selects.push_back(select);
    }
    if (!dominates(flag, update))
      return rewriter.notifyMatchFailure(update, "the flag comes later");
    rewriter.modifyOpInPlace(update,
                             [&] { update.getSkipIfMutable().assign(flag); });
    for (auto [select, result] : llvm::zip(selects, update->getResults()))
      rewriter.replaceOp(select, result);
    return success();
  }
};

} // namespace

void populateSkipIfPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldSkipSelects<SgdUpdateOp>, FoldSkipSelects<MomentumUpdateOp>,
               FoldSkipSelects<AdamWUpdateOp>>(patterns.getContext());
}

} // namespace mpc
