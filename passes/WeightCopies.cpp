//===- WeightCopies.cpp - 16-bit weight copies written by the optimizer ---===//
//
// mpc-weight-copies: a parameter whose step casts it to f16 or bf16 before
// use gets a 16-bit copy kept as state (mpc.param ... copy_of), which the
// multi-tensor AdamW update writes beside the f32 master. The casts become
// loads of the copy, so the step launches no kernel to make its
// low-precision weights: the optimizer, which reads and writes the master
// anyway, rounds it once more.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/mpc/ElementTypes.h"
#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/MpcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

namespace mpc {
#define GEN_PASS_DEF_WEIGHTCOPIES
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;
using namespace mpc;

namespace {

bool isProbed(Operation *op) {
  return op->hasAttr(MpcDialect::kNumericsProbeAttrName);
}

/// The 16-bit type `op` casts its only input to, when `op` is nothing but
/// that cast: an mpc.cast, or an mpc.fused around one (after mpc-fuse).
/// Null otherwise, and for a cast the numerics check probes (its probe
/// would be lost).
RankedTensorType loneCastType(Operation *op) {
  if (isProbed(op))
    return nullptr;
  Operation *cast = op;
  if (auto fused = dyn_cast<FusedOp>(op)) {
    Block &body = fused.getBody().front();
    if (fused.getInputs().size() != 1 || fused.getNumResults() != 1 ||
        body.getOperations().size() != 2)
      return nullptr;
    cast = &body.front();
    if (isProbed(cast) || cast->getOperand(0) != body.getArgument(0) ||
        body.getTerminator()->getOperand(0) != cast->getResult(0))
      return nullptr;
  }
  if (!isa<CastOp>(cast))
    return nullptr;
  auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  return isSixteenBitFloat(type.getElementType()) ? type : nullptr;
}

/// The store of `value` to `symbol`, or null.
StoreOp storeTo(Value value, StringRef symbol) {
  for (Operation *user : value.getUsers())
    if (auto store = dyn_cast<StoreOp>(user);
        store && store.getParam() == symbol)
      return store;
  return nullptr;
}

/// A parameter `update` writes in place (loaded from and stored to one
/// symbol) and the casts of it that its copy replaces.
struct CopyCandidate {
  int64_t index;
  ParamOp param;
  RankedTensorType type;
  SmallVector<Operation *> casts;
};

struct WeightCopiesPass : public mpc::impl::WeightCopiesBase<WeightCopiesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<AdamWMultiUpdateOp> updates;
    module.walk([&](AdamWMultiUpdateOp op) {
      if (op.getCopies().empty())
        updates.push_back(op);
    });
    for (AdamWMultiUpdateOp update : updates) {
      SmallVector<CopyCandidate> candidates = findCandidates(update, symbols);
      if (!candidates.empty())
        addCopies(update, candidates, symbols);
    }
  }

  /// The parameters of `update` cast to one 16-bit type before use: in
  /// its own block only before it (later reads would need the new copy),
  /// anywhere in the other functions.
  SmallVector<CopyCandidate> findCandidates(AdamWMultiUpdateOp update,
                                            SymbolTable &symbols) {
    SmallVector<CopyCandidate> candidates;
    for (auto [index, value] : llvm::enumerate(update.getParams())) {
      auto load = value.getDefiningOp<LoadOp>();
      if (!load || !storeTo(update.getNewParams()[index], load.getParam()))
        continue;
      auto param = symbols.lookup<ParamOp>(load.getParam());
      if (!param || param.getState() || storesOf(load.getParam()) != 1)
        continue;
      CopyCandidate candidate{static_cast<int64_t>(index), param, nullptr, {}};
      getOperation().walk([&](LoadOp other) {
        if (other.getParam() != load.getParam())
          return;
        for (Operation *user : other->getUsers()) {
          RankedTensorType type = loneCastType(user);
          if (!type || (candidate.type && type != candidate.type))
            continue;
          if (user->getBlock() == update->getBlock() &&
              !user->isBeforeInBlock(update))
            continue;
          candidate.type = type;
          candidate.casts.push_back(user);
        }
      });
      if (!candidate.casts.empty())
        candidates.push_back(std::move(candidate));
    }
    return candidates;
  }

  void addCopies(AdamWMultiUpdateOp update, ArrayRef<CopyCandidate> candidates,
                 SymbolTable &symbols) {
    IRRewriter rewriter(update.getContext());
    SmallVector<Value> copies;
    SmallVector<int64_t> sources;
    SmallVector<FlatSymbolRefAttr> copySymbols;
    for (const CopyCandidate &candidate : candidates) {
      FlatSymbolRefAttr symbol = declareCopy(candidate, symbols, rewriter);
      for (Operation *cast : candidate.casts) {
        rewriter.setInsertionPoint(cast);
        rewriter.replaceOp(cast, rewriter.create<LoadOp>(
                                     cast->getLoc(), candidate.type, symbol));
      }
      rewriter.setInsertionPoint(update);
      copies.push_back(
          rewriter.create<LoadOp>(update.getLoc(), candidate.type, symbol));
      sources.push_back(candidate.index);
      copySymbols.push_back(symbol);
    }

    rewriter.setInsertionPoint(update);
    auto merged = rewriter.create<AdamWMultiUpdateOp>(
        update.getLoc(),
        AdamWMultiUpdateOp::resultTypes(update.getParams().getTypes(),
                                        ValueRange(copies).getTypes()),
        update.getParams(), update.getGrads(), update.getM(), update.getV(),
        copies, update.getStep(), update.getLearningRateAttr(),
        update.getBeta1Attr(), update.getBeta2Attr(), update.getEpsilonAttr(),
        update.getWeightDecaysAttr(), rewriter.getDenseI64ArrayAttr(sources),
        update.getScheduleAttr(), update.getSkipIf());
    // The new copies are stored after the update's last store, with the
    // state it writes.
    Operation *last = merged;
    for (Operation *user : update->getUsers())
      if (isa<StoreOp>(user) && last->isBeforeInBlock(user))
        last = user;
    rewriter.replaceOp(update, merged.getResults().drop_back(copies.size()));
    rewriter.setInsertionPointAfter(last);
    for (auto [value, symbol] : llvm::zip(merged.getNewCopies(), copySymbols))
      rewriter.create<StoreOp>(merged.getLoc(), value, symbol);
  }

  /// How many stores of `symbol` the module has: a copy stays its
  /// source's rounding only when the update is the one writer.
  int storesOf(StringRef symbol) {
    int count = 0;
    getOperation().walk(
        [&](StoreOp store) { count += store.getParam() == symbol; });
    return count;
  }

  /// `mpc.param state @<name>.<type> ... copy_of @<name>` after the
  /// parameter (renamed if that name is taken).
  FlatSymbolRefAttr declareCopy(const CopyCandidate &candidate,
                                SymbolTable &symbols, IRRewriter &rewriter) {
    ParamOp param = candidate.param;
    std::string suffix;
    llvm::raw_string_ostream(suffix) << candidate.type.getElementType();
    rewriter.setInsertionPointAfter(param);
    auto copy = rewriter.create<ParamOp>(
        param.getLoc(),
        rewriter.getStringAttr(param.getSymName() + "." + suffix),
        TypeAttr::get(candidate.type),
        InitAttr::getDefault(rewriter.getContext(), InitKind::zeros),
        rewriter.getUnitAttr(), FlatSymbolRefAttr::get(param.getSymNameAttr()));
    symbols.insert(copy, Block::iterator(copy));
    return FlatSymbolRefAttr::get(copy.getSymNameAttr());
  }
};

} // namespace
