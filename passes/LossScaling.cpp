//===- LossScaling.cpp - loss scaling of a training step ------------------===//
//
// Seeds backward with the loss scale instead of 1, so small f16 gradients
// do not flush to zero; unscales every gradient once, before clipping and
// the optimizer, while checking it for inf and NaN; and keeps every stored
// symbol (parameters, optimizer state, the step count) unchanged on a step
// that overflowed. Dynamic scaling also updates the scale (PyTorch's
// GradScaler with DeepSpeed's hysteresis).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"
#include "passes/GradientUses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSwitch.h"

#include <cfloat>
#include <cmath>

namespace mpc {
#define GEN_PASS_DEF_LOSSSCALING
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;
using namespace mpc;

namespace {

enum class Mode { Auto, None, Static, Dynamic };

/// The state symbols the pass adds. Dynamic scaling uses all four, static
/// scaling only the skipped-step counter.
constexpr StringLiteral kScale = MpcDialect::kLossScaleSymbol;
constexpr StringLiteral kGoodSteps = MpcDialect::kLossScaleGoodStepsSymbol;
constexpr StringLiteral kHysteresisLeft =
    MpcDialect::kLossScaleHysteresisLeftSymbol;
constexpr StringLiteral kSkippedSteps =
    MpcDialect::kLossScaleSkippedStepsSymbol;

/// Whether any value of `function` (an op result or a block argument) has
/// f16 elements: such a step needs loss scaling, f32 and bf16 do not.
bool computesInF16(func::FuncOp function) {
  auto isF16 = [](Value value) {
    return getElementTypeOrSelf(value.getType()).isF16();
  };
  WalkResult found = function.walk([&](Block *block) {
    if (llvm::any_of(block->getArguments(), isF16))
      return WalkResult::interrupt();
    for (Operation &op : *block)
      if (llvm::any_of(op.getResults(), isF16))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return found.wasInterrupted();
}

struct LossScalingPass : public mpc::impl::LossScalingBase<LossScalingPass> {
  using LossScalingBase::LossScalingBase;

  void runOnOperation() override;

private:
  LogicalResult verifyOptions(ModuleOp module, Mode mode);
  FailureOr<ConstantOp> findSeed(ModuleOp module);
  ParamOp addState(OpBuilder &moduleBuilder, Location loc, StringRef name,
                   InitAttr init);
  LogicalResult scale(ModuleOp module, ConstantOp seed, Mode mode);
};

LogicalResult LossScalingPass::verifyOptions(ModuleOp module, Mode mode) {
  auto emit = [&] { return module.emitError(); };
  if (failed(verifyHyperparameter("init-scale", initScale, kPositive, emit)))
    return failure();
  // The scale is an f32 value.
  if (!std::isfinite(static_cast<float>(initScale)))
    return module.emitError("init-scale ")
           << initScale << " overflows f32 (largest " << FLT_MAX << ")";
  if (mode == Mode::Static)
    return success();
  if (failed(verifyHyperparameter("growth-factor", growthFactor, kAboveOne,
                                  emit)) ||
      failed(verifyHyperparameter("backoff-factor", backoffFactor,
                                  kOpenUnitInterval, emit)) ||
      failed(verifyHyperparameter("min-scale", minScale, kPositive, emit)) ||
      failed(verifyHyperparameter("max-scale", maxScale, kPositive, emit)))
    return failure();
  if (growthInterval < 1)
    return module.emitError("growth-interval must be at least 1, got ")
           << static_cast<int64_t>(growthInterval);
  if (hysteresis < 1)
    return module.emitError("hysteresis must be at least 1, got ")
           << static_cast<int64_t>(hysteresis);
  if (minScale > maxScale)
    return module.emitError("min-scale ")
           << minScale << " exceeds max-scale " << maxScale;
  if (initScale < minScale || initScale > maxScale)
    return module.emitError("init-scale ")
           << initScale << " is outside [min-scale, max-scale] = [" << minScale
           << ", " << maxScale << "]";
  return success();
}

FailureOr<ConstantOp> LossScalingPass::findSeed(ModuleOp module) {
  SmallVector<ConstantOp> seeds;
  module.walk([&](ConstantOp op) {
    if (op->hasAttr(MpcDialect::kLossSeedAttrName))
      seeds.push_back(op);
  });
  if (seeds.empty())
    return module.emitError("no constant is marked ")
           << MpcDialect::kLossSeedAttrName
           << " (the seed of backward); run mpc-build-train-step first";
  if (seeds.size() > 1) {
    InFlightDiagnostic diag = module.emitError()
                              << seeds.size() << " constants are marked "
                              << MpcDialect::kLossSeedAttrName
                              << "; loss scaling needs exactly one";
    for (ConstantOp seed : seeds)
      diag.attachNote(seed.getLoc()) << "marked here";
    return diag;
  }
  auto function = seeds.front()->getParentOfType<func::FuncOp>();
  if (!function || seeds.front()->getBlock() != &function.getBody().front() ||
      !function.getBody().hasOneBlock())
    return seeds.front().emitError("the loss seed must lie in the only block "
                                   "of a function (the training step)");
  return seeds.front();
}

ParamOp LossScalingPass::addState(OpBuilder &moduleBuilder, Location loc,
                                  StringRef name, InitAttr init) {
  auto scalarType = RankedTensorType::get({}, moduleBuilder.getF32Type());
  return moduleBuilder.create<ParamOp>(loc, moduleBuilder.getStringAttr(name),
                                       TypeAttr::get(scalarType), init,
                                       /*state=*/moduleBuilder.getUnitAttr());
}

LogicalResult LossScalingPass::scale(ModuleOp module, ConstantOp seed,
                                     Mode mode) {
  auto function = seed->getParentOfType<func::FuncOp>();
  Block &body = function.getBody().front();
  Operation *terminator = body.getTerminator();
  MLIRContext *context = module.getContext();
  Location loc = NameLoc::get(StringAttr::get(context, kScale), seed.getLoc());
  auto scalarType = RankedTensorType::get({}, Float32Type::get(context));
  auto seedType = cast<RankedTensorType>(seed.getType());

  // The gradients, each unscaled once, and the first point where all exist.
  SmallVector<OpOperand *> uses = gradientUses(body);
  if (uses.empty())
    return function.emitError(
        "loss scaling found no gradient to unscale (no "
        "mpc.clip_by_global_norm and no optimizer update)");
  llvm::SetVector<Value> grads;
  for (OpOperand *use : uses)
    grads.insert(use->get());
  Operation *lastDefinition = nullptr;
  for (Value grad : grads)
    if (Operation *def = grad.getDefiningOp())
      if (!lastDefinition || lastDefinition->isBeforeInBlock(def))
        lastDefinition = def;
  for (OpOperand *use : uses)
    if (lastDefinition && use->getOwner()->isBeforeInBlock(lastDefinition))
      return use->getOwner()->emitOpError(
          "reads a gradient before all gradients are computed; loss scaling "
          "unscales them together, after the last one");

  // A store before the check moves to the end of the step, where it can be
  // skipped. Nothing reads a symbol after storing it, so this keeps the
  // step's meaning; a later load would not, and is an error.
  SmallVector<StoreOp> stores(body.getOps<StoreOp>());
  SmallVector<StoreOp> early;
  for (StoreOp store : stores) {
    if (!lastDefinition || !store->isBeforeInBlock(lastDefinition))
      continue;
    for (Operation *op = store->getNextNode(); op != terminator;
         op = op->getNextNode())
      if (auto later = dyn_cast<LoadOp>(op);
          later && later.getParamAttr() == store.getParamAttr())
        return later.emitOpError("reads ")
               << store.getParamAttr()
               << " after it is stored, before the overflow check; loss "
                  "scaling cannot delay that store";
    early.push_back(store);
  }

  if (mode == Mode::Static) {
    // A scale the seed's type cannot hold would seed backward with inf.
    APFloat inSeedType(initScale);
    bool lost = false;
    inSeedType.convert(
        cast<FloatType>(seedType.getElementType()).getFloatSemantics(),
        APFloat::rmNearestTiesToEven, &lost);
    if (inSeedType.isInfinity())
      return seed.emitError("init-scale ")
             << initScale << " overflows the loss seed's type "
             << seedType.getElementType();
  }

  // State symbols, first in the module as the step count is.
  OpBuilder moduleBuilder = OpBuilder::atBlockBegin(module.getBody());
  auto init = [&](InitKind kind, double value) {
    return InitAttr::get(context, kind, APFloat(value), APFloat(0.0),
                         std::nullopt);
  };
  ParamOp scaleParam, goodSteps, hysteresisLeft;
  if (mode == Mode::Dynamic) {
    scaleParam = addState(moduleBuilder, loc, kScale,
                          init(InitKind::constant, initScale));
    goodSteps = addState(moduleBuilder, loc, kGoodSteps,
                         InitAttr::getDefault(context, InitKind::zeros));
    hysteresisLeft =
        addState(moduleBuilder, loc, kHysteresisLeft,
                 init(InitKind::constant, static_cast<double>(hysteresis)));
  }
  ParamOp skippedSteps =
      addState(moduleBuilder, loc, kSkippedSteps,
               InitAttr::getDefault(context, InitKind::zeros));

  auto symbol = [](ParamOp param) {
    return FlatSymbolRefAttr::get(param.getSymNameAttr());
  };
  auto load = [&](OpBuilder &b, ParamOp param) -> Value {
    return b.create<LoadOp>(loc, param.getType(), symbol(param));
  };

  // The seed becomes the scale, in the seed's own type.
  OpBuilder b(seed);
  Value scaleValue =
      mode == Mode::Dynamic
          ? load(b, scaleParam)
          : b.create<ConstantOp>(
                 loc, DenseElementsAttr::get(
                          scalarType,
                          b.getF32FloatAttr(static_cast<float>(initScale))))
                .getResult();
  Value seedValue = scaleValue;
  if (seedType != scalarType)
    seedValue = b.create<CastOp>(loc, seedType, scaleValue);
  seed.replaceAllUsesWith(seedValue);
  seed.erase();

  // One unscale over all gradients, right after the last one.
  if (lastDefinition)
    b.setInsertionPointAfter(lastDefinition);
  else
    b.setInsertionPointToStart(&body);
  SmallVector<Type> gradTypes;
  for (Value grad : grads)
    gradTypes.push_back(grad.getType());
  auto unscale = b.create<UnscaleAndCheckOp>(
      loc, gradTypes, RankedTensorType::get({}, b.getI1Type()),
      grads.getArrayRef(), scaleValue);
  llvm::DenseMap<Value, Value> unscaled;
  for (auto [grad, result] : llvm::zip(grads, unscale.getUnscaled()))
    unscaled[grad] = result;
  for (OpOperand *use : uses)
    use->set(unscaled.lookup(use->get()));
  Value foundInf = unscale.getFoundInf();

  for (StoreOp store : early)
    store->moveBefore(terminator);

  // Every store keeps the symbol's value from the step's start when the
  // step overflowed.
  OpBuilder start = OpBuilder::atBlockBegin(&body);
  for (StoreOp store : stores) {
    // The load reads the symbol for the whole step: it takes the symbol's
    // location, which CSE keeps when it merges the step's other loads.
    Operation *param =
        SymbolTable::lookupNearestSymbolFrom(store, store.getParamAttr());
    Value old =
        start.create<LoadOp>(param ? param->getLoc() : loc,
                             store.getValue().getType(), store.getParamAttr());
    OpBuilder atStore(store);
    Value kept = atStore.create<SelectOp>(loc, foundInf, old, store.getValue());
    store.getValueMutable().assign(kept);
  }

  // The scaler's own state is updated whether or not the step overflowed.
  b.setInsertionPointAfter(unscale);
  if (mode == Mode::Dynamic) {
    Value good = load(b, goodSteps);
    Value left = load(b, hysteresisLeft);
    auto update = b.create<UpdateLossScaleOp>(
        loc, scaleValue, good, left, foundInf, b.getF64FloatAttr(growthFactor),
        b.getI64IntegerAttr(growthInterval), b.getF64FloatAttr(backoffFactor),
        b.getI64IntegerAttr(hysteresis), b.getF64FloatAttr(minScale),
        b.getF64FloatAttr(maxScale));
    b.create<StoreOp>(loc, update.getNewScale(), symbol(scaleParam));
    b.create<StoreOp>(loc, update.getNewGoodSteps(), symbol(goodSteps));
    b.create<StoreOp>(loc, update.getNewHysteresisLeft(),
                      symbol(hysteresisLeft));
  }
  Value skipped = load(b, skippedSteps);
  Value count = b.create<AddOp>(loc, scalarType, skipped,
                                b.create<CastOp>(loc, scalarType, foundInf));
  b.create<StoreOp>(loc, count, symbol(skippedSteps));
  return success();
}

void LossScalingPass::runOnOperation() {
  ModuleOp module = getOperation();
  std::optional<Mode> parsed = llvm::StringSwitch<std::optional<Mode>>(mode)
                                   .Case("auto", Mode::Auto)
                                   .Case("none", Mode::None)
                                   .Case("static", Mode::Static)
                                   .Case("dynamic", Mode::Dynamic)
                                   .Default(std::nullopt);
  if (!parsed) {
    module.emitError("unknown loss-scaling mode '")
        << mode << "'; expected auto, none, static or dynamic";
    return signalPassFailure();
  }
  if (*parsed == Mode::None)
    return;

  // A second application would scale the already scaled seed.
  for (StringRef name : {kScale, kGoodSteps, kHysteresisLeft, kSkippedSteps})
    if (SymbolTable::lookupSymbolIn(module, name)) {
      module.emitError("the module already has @")
          << name << "; loss scaling was applied already";
      return signalPassFailure();
    }

  FailureOr<ConstantOp> seed = findSeed(module);
  if (failed(seed))
    return signalPassFailure();
  Mode resolved = *parsed;
  if (resolved == Mode::Auto)
    resolved = computesInF16((*seed)->getParentOfType<func::FuncOp>())
                   ? Mode::Dynamic
                   : Mode::None;
  if (resolved == Mode::None)
    return;
  if (failed(verifyOptions(module, resolved)) ||
      failed(scale(module, *seed, resolved)))
    return signalPassFailure();
}

} // namespace
