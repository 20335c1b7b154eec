//===- AccumulateGradients.cpp - N micro-batches per optimizer step -------===//
//
// Turns each call of @train_step into one micro-batch of an optimizer step
// that spans N calls. The gradients are summed in f32 state across the
// calls; only the last call hands their mean on to the (single) unscale and
// overflow check, the clip and the optimizer, and only its stores take
// effect, through the same selects that skip an overflowed step. Everything
// stays on the device: no host decision, so a captured CUDA graph replays
// every micro-batch alike.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/mpc/MpcOps.h"
#include "passes/GradientUses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"

namespace mpc {
#define GEN_PASS_DEF_ACCUMULATEGRADIENTS
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;
using namespace mpc;

namespace {

/// The step counts micro-batches in an f32 scalar, exact up to 2^24.
constexpr int64_t kMaxAccumulate = int64_t(1) << 24;

/// The uses where the gradients are first read: the loss scaler's unscale
/// (so that it unscales and checks the sums once), else the clip or the
/// optimizer updates.
SmallVector<OpOperand *> firstGradientUses(Block &body) {
  for (Operation &op : body) {
    auto unscale = dyn_cast<UnscaleAndCheckOp>(op);
    if (!unscale)
      continue;
    SmallVector<OpOperand *> uses;
    for (OpOperand &grad : unscale.getGradsMutable())
      uses.push_back(&grad);
    return uses;
  }
  return gradientUses(body);
}

/// The parameter whose update reads the gradient at `use`, following it
/// through the unscale and the clip (whose i-th result passes on the i-th
/// gradient); null when none does.
StringAttr updatedParam(OpOperand &use) {
  Operation *owner = use.getOwner();
  if (isa<UnscaleAndCheckOp, ClipByGlobalNormOp>(owner)) {
    for (OpOperand &next : owner->getResult(use.getOperandNumber()).getUses())
      if (StringAttr name = updatedParam(next))
        return name;
    return {};
  }
  Value param;
  if (auto sgd = dyn_cast<SgdUpdateOp>(owner))
    param = &use == &sgd.getGradMutable() ? sgd.getParam() : Value();
  else if (auto momentum = dyn_cast<MomentumUpdateOp>(owner))
    param = &use == &momentum.getGradMutable() ? momentum.getParam() : Value();
  else if (auto adamw = dyn_cast<AdamWUpdateOp>(owner))
    param = &use == &adamw.getGradMutable() ? adamw.getParam() : Value();
  auto load = param ? param.getDefiningOp<LoadOp>() : nullptr;
  return load ? load.getParamAttr().getAttr() : StringAttr();
}

struct AccumulateGradientsPass
    : public mpc::impl::AccumulateGradientsBase<AccumulateGradientsPass> {
  using AccumulateGradientsBase::AccumulateGradientsBase;

  void runOnOperation() override;

private:
  FailureOr<int64_t> resolveCount(ModuleOp module);
  LogicalResult addAccumulation(ModuleOp module, func::FuncOp step,
                                int64_t count);
};

FailureOr<int64_t> AccumulateGradientsPass::resolveCount(ModuleOp module) {
  int64_t count = accumulate;
  if (!accumulate.hasValue())
    if (auto training = module->getAttrOfType<DictionaryAttr>(
            MpcDialect::kTrainingAttrName))
      if (auto value = training.getAs<IntegerAttr>("accumulate"))
        count = value.getInt();
  if (count < 1)
    return module.emitError("accumulate must be at least 1, got ") << count;
  if (count > kMaxAccumulate)
    return module.emitError("accumulate must be at most ")
           << kMaxAccumulate << " (the phase is counted in f32), got " << count;
  return count;
}

LogicalResult AccumulateGradientsPass::addAccumulation(ModuleOp module,
                                                       func::FuncOp step,
                                                       int64_t count) {
  MLIRContext *context = module.getContext();
  if (!step.getBody().hasOneBlock())
    return step.emitError("gradient accumulation needs a @")
           << MpcDialect::kTrainStepFuncName << " of one block";
  Block &body = step.getBody().front();
  SmallVector<OpOperand *> uses = firstGradientUses(body);
  if (uses.empty())
    return step.emitError("gradient accumulation found no gradient (no "
                          "optimizer update)");
  // The stores of the step as it was: the ones the last micro-batch alone
  // makes.
  SmallVector<StoreOp> stores(body.getOps<StoreOp>());

  Location loc =
      NameLoc::get(StringAttr::get(context, "accumulate"), step.getLoc());
  auto scalarType = RankedTensorType::get({}, Float32Type::get(context));
  auto splat = [&](OpBuilder &b, RankedTensorType type, float value) -> Value {
    return b.create<ConstantOp>(
        loc, DenseElementsAttr::get(type, b.getF32FloatAttr(value)));
  };
  auto symbol = [](ParamOp param) {
    return FlatSymbolRefAttr::get(param.getSymNameAttr());
  };
  auto addState = [&](OpBuilder &b, StringRef name, RankedTensorType type) {
    auto state = b.create<ParamOp>(
        loc, b.getStringAttr(name), TypeAttr::get(type),
        InitAttr::getDefault(context, InitKind::zeros), b.getUnitAttr());
    // Renames on a clash with an existing symbol.
    SymbolTable(module).insert(state, Block::iterator(state));
    return state;
  };

  // The phase: the micro-batch this call is, 0 to N-1. `not_last` is set
  // on every call but the last of an optimizer step, which resets it to 0.
  OpBuilder moduleBuilder = OpBuilder::atBlockBegin(module.getBody());
  ParamOp phaseParam =
      addState(moduleBuilder, MpcDialect::kAccumulatePhaseSymbol, scalarType);
  OpBuilder start = OpBuilder::atBlockBegin(&body);
  Value phase = start.create<LoadOp>(loc, scalarType, symbol(phaseParam));
  Value next = start.create<AddOp>(loc, scalarType, phase,
                                   splat(start, scalarType, 1.0f));
  Value n = splat(start, scalarType, static_cast<float>(count));
  Value left = start.create<SubOp>(loc, scalarType, n, next);
  Value notLast = start.create<CastOp>(
      loc, RankedTensorType::get({}, start.getI1Type()), left);
  Value nextPhase = start.create<SelectOp>(loc, notLast, next,
                                           splat(start, scalarType, 0.0f));
  start.create<StoreOp>(loc, nextPhase, symbol(phaseParam));

  // Every store the step had takes effect on the last micro-batch only. A
  // store the loss scaler keeps on overflow (select %found_inf, %old, %new)
  // gets the one flag `not_last or found_inf`, so a backend still sees one
  // skip per update; any other store gets a select of its own.
  llvm::DenseMap<Value, Value> skipFlags;
  auto skipFlag = [&](Value foundInf) {
    Value &flag = skipFlags[foundInf];
    if (!flag) {
      OpBuilder b(context);
      b.setInsertionPointAfterValue(foundInf);
      flag = b.create<SelectOp>(loc, notLast, notLast, foundInf);
    }
    return flag;
  };
  IRRewriter rewriter(context);
  for (StoreOp store : stores) {
    auto keep = store.getValue().getDefiningOp<SelectOp>();
    auto old = keep ? keep.getOnTrue().getDefiningOp<LoadOp>() : LoadOp();
    if (keep && keep->hasOneUse() && old &&
        old.getParamAttr() == store.getParamAttr()) {
      Value flag = skipFlag(keep.getCondition());
      rewriter.modifyOpInPlace(
          keep, [&] { keep.getConditionMutable().assign(flag); });
      continue;
    }
    Value kept = start.create<LoadOp>(loc, store.getValue().getType(),
                                      store.getParamAttr());
    rewriter.setInsertionPoint(store);
    Value selected =
        rewriter.create<SelectOp>(loc, notLast, kept, store.getValue());
    rewriter.modifyOpInPlace(store,
                             [&] { store.getValueMutable().assign(selected); });
  }

  // Each gradient is added to its f32 sum, which the last micro-batch
  // resets; the mean over the N micro-batches goes on where the gradient
  // went, as the loss of the large batch is the mean of theirs.
  llvm::MapVector<Value, Value> means;
  for (OpOperand *use : uses) {
    Value grad = use->get();
    // f32: the unscale, the clip and the updates take f32 gradients only.
    auto type = cast<RankedTensorType>(grad.getType());
    Value &mean = means[grad];
    if (!mean) {
      StringAttr param = updatedParam(*use);
      std::string name = (param ? param.getValue() : StringRef("grad")).str() +
                         MpcDialect::kGradAccumSuffix.str();
      OpBuilder stateBuilder(context);
      if (Operation *owner =
              param ? SymbolTable::lookupSymbolIn(module, param) : nullptr)
        stateBuilder.setInsertionPointAfter(owner);
      else
        stateBuilder.setInsertionPoint(step);
      ParamOp sumParam = addState(stateBuilder, name, type);
      OpBuilder b(use->getOwner());
      Value sum = b.create<AddOp>(
          loc, type, b.create<LoadOp>(loc, type, symbol(sumParam)), grad);
      mean = b.create<DivOp>(loc, type, sum, n);
      Value kept = b.create<SelectOp>(loc, notLast, sum, splat(b, type, 0.0f));
      b.create<StoreOp>(loc, kept, symbol(sumParam));
    }
    use->set(mean);
  }

  step->setAttr(MpcDialect::kAccumulateAttrName,
                IntegerAttr::get(IntegerType::get(context, 64), count));
  return success();
}

void AccumulateGradientsPass::runOnOperation() {
  ModuleOp module = getOperation();
  FailureOr<int64_t> count = resolveCount(module);
  if (failed(count))
    return signalPassFailure();
  if (*count == 1)
    return;
  auto step = module.lookupSymbol<func::FuncOp>(MpcDialect::kTrainStepFuncName);
  if (!step) {
    module.emitError("gradient accumulation needs a @")
        << MpcDialect::kTrainStepFuncName << "; run mpc-build-train-step first";
    return signalPassFailure();
  }
  // A second application would sum the sums.
  if (step->hasAttr(MpcDialect::kAccumulateAttrName) ||
      SymbolTable::lookupSymbolIn(module, MpcDialect::kAccumulatePhaseSymbol)) {
    module.emitError("the module already has @")
        << MpcDialect::kAccumulatePhaseSymbol
        << "; gradient accumulation was applied already";
    return signalPassFailure();
  }
  if (failed(addAccumulation(module, step, *count)))
    return signalPassFailure();
}

} // namespace
