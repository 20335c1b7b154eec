//===- MultiTensorAdamW.cpp - one multi-tensor AdamW update ---------------===//
//
// mpc-multi-tensor-adamw: the AdamW updates of a block that share their
// step, flag and hyperparameters (weight decay aside) become one
// mpc.adamw_multi_update. The pattern fires on the last update of such a
// group, so each group is rewritten once, at the place where all its
// operands exist.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/mpc/MpcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mpc {
#define GEN_PASS_DEF_MULTITENSORADAMW
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;
using namespace mpc;

namespace {

/// Whether `a` and `b` may share one multi-tensor launch: everything but the
/// tensors and the weight decay is the same.
bool shareSettings(AdamWUpdateOp a, AdamWUpdateOp b) {
  return a->getBlock() == b->getBlock() && a.getStep() == b.getStep() &&
         a.getSkipIf() == b.getSkipIf() &&
         a.getLearningRate() == b.getLearningRate() &&
         a.getBeta1() == b.getBeta1() && a.getBeta2() == b.getBeta2() &&
         a.getEpsilon() == b.getEpsilon() &&
         a.getScheduleAttr() == b.getScheduleAttr();
}

/// The stores after `update` and before `last` that read its results, in
/// block order; failure when another op reads them there (it would have to
/// move too).
FailureOr<SmallVector<StoreOp>> storesBefore(AdamWUpdateOp update,
                                             Operation *last) {
  SmallVector<StoreOp> stores;
  for (Operation *user : update->getUsers()) {
    if (!user->isBeforeInBlock(last))
      continue;
    auto store = dyn_cast<StoreOp>(user);
    if (!store)
      return failure();
    stores.push_back(store);
  }
  llvm::sort(stores,
             [](StoreOp a, StoreOp b) { return a->isBeforeInBlock(b); });
  return stores;
}

/// The first load or store of `store`'s symbol after it and before `last`:
/// moving the store past it would change what it reads or keeps.
Operation *accessBefore(StoreOp store, Operation *last) {
  for (Operation *op = store->getNextNode(); op != last;
       op = op->getNextNode()) {
    auto load = dyn_cast<LoadOp>(op);
    if (load && load.getParam() == store.getParam())
      return op;
    auto other = dyn_cast<StoreOp>(op);
    if (other && other.getParam() == store.getParam())
      return op;
  }
  return nullptr;
}

struct MergeAdamWUpdates : public OpRewritePattern<AdamWUpdateOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AdamWUpdateOp last,
                                PatternRewriter &rewriter) const override {
    // The group: this update and the earlier ones sharing its settings; it
    // fires only on the last of them.
    SmallVector<AdamWUpdateOp> group;
    for (Operation &op : *last->getBlock()) {
      auto update = dyn_cast<AdamWUpdateOp>(op);
      if (!update || !shareSettings(update, last))
        continue;
      if (last->isBeforeInBlock(update))
        return rewriter.notifyMatchFailure(last, "not the group's last");
      group.push_back(update);
    }
    if (group.size() < 2)
      return rewriter.notifyMatchFailure(last, "a lone update");
    // One update of the group reading another's result cannot share its
    // launch.
    for (AdamWUpdateOp update : group)
      for (Value operand : update->getOperands())
        if (auto producer = operand.getDefiningOp<AdamWUpdateOp>();
            producer && llvm::is_contained(group, producer))
          return rewriter.notifyMatchFailure(update, "reads another update");
    // The earlier updates' stores move after the merged op: their symbols
    // must not be read or written by anything else on the way.
    SmallVector<StoreOp> moved;
    for (AdamWUpdateOp update : group) {
      FailureOr<SmallVector<StoreOp>> stores = storesBefore(update, last);
      if (failed(stores))
        return rewriter.notifyMatchFailure(update, "results used before the "
                                                   "group's last update");
      moved.append(stores->begin(), stores->end());
    }
    for (StoreOp store : moved)
      if (Operation *access = accessBefore(store, last))
        return rewriter.notifyMatchFailure(
            access, "accesses a moved store's symbol before the merged op");

    SmallVector<Value> params, grads, m, v;
    SmallVector<double> decays;
    SmallVector<Location> locations;
    for (AdamWUpdateOp update : group) {
      params.push_back(update.getParam());
      grads.push_back(update.getGrad());
      m.push_back(update.getM());
      v.push_back(update.getV());
      decays.push_back(update.getWeightDecay().convertToDouble());
      locations.push_back(update.getLoc());
    }
    rewriter.setInsertionPointAfter(last);
    auto merged = rewriter.create<AdamWMultiUpdateOp>(
        rewriter.getFusedLoc(locations),
        AdamWMultiUpdateOp::resultTypes(ValueRange(params).getTypes(), {}),
        params, grads, m, v, /*copies=*/ValueRange(), last.getStep(),
        last.getLearningRateAttr(), last.getBeta1Attr(), last.getBeta2Attr(),
        last.getEpsilonAttr(), rewriter.getDenseF64ArrayAttr(decays),
        /*copy_params=*/nullptr, last.getScheduleAttr(), last.getSkipIf());
    Operation *after = merged;
    for (StoreOp store : moved) {
      rewriter.moveOpAfter(store, after);
      after = store;
    }
    for (auto [index, update] : llvm::enumerate(group))
      rewriter.replaceOp(update,
                         {merged.getNewParams()[index], merged.getNewM()[index],
                          merged.getNewV()[index]});
    return success();
  }
};

struct MultiTensorAdamWPass
    : public mpc::impl::MultiTensorAdamWBase<MultiTensorAdamWPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MergeAdamWUpdates>(&getContext());
    FrozenRewritePatternSet frozen(std::move(patterns));
    SmallVector<Operation *> updates;
    getOperation().walk([&](AdamWUpdateOp op) { updates.push_back(op); });
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    // Only the updates are visited and nothing else is folded, so every
    // other op keeps its place and its bits.
    (void)applyOpPatternsAndFold(updates, frozen, config);
  }
};

} // namespace
