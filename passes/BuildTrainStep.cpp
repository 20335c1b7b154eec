//===- BuildTrainStep.cpp - forward + backward + optimizer update ---------===//
//
// Turns an imported forward graph into a training step. The forward
// function is cloned into @train_step, differentiated there, and followed
// by the optimizer update of every trainable parameter; the original
// forward function stays as the evaluation function.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/mpc/MpcOps.h"
#include "passes/Autodiff.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSwitch.h"

namespace mpc {
#define GEN_PASS_DEF_BUILDTRAINSTEP
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;
using namespace mpc;

namespace {

enum class Optimizer { Sgd, Momentum, AdamW };

/// The update rule and its hyperparameters, resolved from the pass options,
/// the module's mpc.training attribute and the defaults, in that order.
struct OptimizerSettings {
  Optimizer kind;
  double learningRate, beta1, beta2, epsilon, weightDecay, momentum, clipNorm;
};

/// Finds the function whose result carries mpc.loss, and that result.
std::optional<std::pair<func::FuncOp, unsigned>> findLoss(ModuleOp module) {
  for (auto function : module.getOps<func::FuncOp>())
    for (unsigned i = 0, e = function.getNumResults(); i < e; ++i)
      if (function.getResultAttr(i, MpcDialect::kLossAttrName))
        return std::make_pair(function, i);
  return std::nullopt;
}

/// Emits a load of a param at the builder's position.
Value load(OpBuilder &b, Location loc, ParamOp param) {
  return b.create<LoadOp>(loc, param.getType(),
                          FlatSymbolRefAttr::get(param.getSymNameAttr()));
}

struct BuildTrainStepPass
    : public mpc::impl::BuildTrainStepBase<BuildTrainStepPass> {
  using BuildTrainStepBase::BuildTrainStepBase;

  void runOnOperation() override;

private:
  FailureOr<OptimizerSettings> resolveSettings(ModuleOp module);
  ParamOp addState(SymbolTable &symbols, ParamOp after, StringRef name,
                   RankedTensorType type);
  void emitUpdate(OpBuilder &b, SymbolTable &symbols, const OptimizerSettings &,
                  ParamOp param, Value value, Value grad, Value step);
};

FailureOr<OptimizerSettings>
BuildTrainStepPass::resolveSettings(ModuleOp module) {
  auto training =
      module->getAttrOfType<DictionaryAttr>(MpcDialect::kTrainingAttrName);
  auto fromGraph = [&](StringRef key) -> std::optional<double> {
    if (!training)
      return std::nullopt;
    if (auto value = training.getAs<FloatAttr>(key))
      return value.getValueAsDouble();
    return std::nullopt;
  };
  std::string name = optimizer;
  if (!optimizer.hasValue() && training)
    if (auto value = training.getAs<StringAttr>("optimizer"))
      name = value.str();
  auto kind = llvm::StringSwitch<std::optional<Optimizer>>(name)
                  .Case("sgd", Optimizer::Sgd)
                  .Case("momentum", Optimizer::Momentum)
                  .Case("adamw", Optimizer::AdamW)
                  .Default(std::nullopt);
  if (!kind)
    return module.emitError("unknown optimizer '")
           << name << "'; expected sgd, momentum or adamw";

  OptimizerSettings settings{*kind,  learningRate, beta1,    beta2,
                             epsilon, weightDecay, momentum, clipNorm};
  if (!learningRate.hasValue())
    settings.learningRate = fromGraph("learning_rate").value_or(learningRate);
  if (!weightDecay.hasValue())
    settings.weightDecay = fromGraph("weight_decay").value_or(
        *kind == Optimizer::AdamW ? 0.01 : 0.0);
  if (settings.clipNorm < 0)
    return module.emitError("clip-norm must be >= 0, got ")
           << settings.clipNorm;
  return settings;
}

ParamOp BuildTrainStepPass::addState(SymbolTable &symbols, ParamOp after,
                                     StringRef name, RankedTensorType type) {
  OpBuilder b(after->getContext());
  b.setInsertionPointAfter(after);
  auto state = b.create<ParamOp>(
      after.getLoc(), b.getStringAttr(name), TypeAttr::get(type),
      InitAttr::getDefault(b.getContext(), InitKind::zeros),
      /*state=*/b.getUnitAttr());
  // Renames on a clash with an existing symbol.
  symbols.insert(state, Block::iterator(state));
  return state;
}

void BuildTrainStepPass::emitUpdate(OpBuilder &b, SymbolTable &symbols,
                                    const OptimizerSettings &s, ParamOp param,
                                    Value value, Value grad, Value step) {
  Location loc = param.getLoc();
  RankedTensorType type = param.getTensorType();
  auto store = [&](Value newValue, ParamOp target) {
    b.create<StoreOp>(loc, newValue,
                      FlatSymbolRefAttr::get(target.getSymNameAttr()));
  };
  auto f64 = [&](double v) { return b.getF64FloatAttr(v); };
  switch (s.kind) {
  case Optimizer::Sgd:
    store(b.create<SgdUpdateOp>(loc, value, grad, f64(s.learningRate),
                                f64(s.weightDecay)),
          param);
    return;
  case Optimizer::Momentum: {
    ParamOp buffer =
        addState(symbols, param, (param.getSymName() + ".momentum").str(), type);
    auto update = b.create<MomentumUpdateOp>(
        loc, type, type, value, grad, load(b, loc, buffer), f64(s.learningRate),
        f64(s.momentum), f64(s.weightDecay));
    store(update.getNewParam(), param);
    store(update.getNewBuffer(), buffer);
    return;
  }
  case Optimizer::AdamW: {
    ParamOp m = addState(symbols, param, (param.getSymName() + ".m").str(), type);
    ParamOp v = addState(symbols, m, (param.getSymName() + ".v").str(), type);
    Value mValue = load(b, loc, m);
    Value vValue = load(b, loc, v);
    auto update = b.create<AdamWUpdateOp>(
        loc, type, type, type, value, grad, mValue, vValue, step, f64(s.learningRate), f64(s.beta1), f64(s.beta2), f64(s.epsilon),
        f64(s.weightDecay));
    store(update.getNewParam(), param);
    store(update.getNewM(), m);
    store(update.getNewV(), v);
    return;
  }
  }
}

void BuildTrainStepPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto found = findLoss(module);
  if (!found) {
    module.emitError("no function has a result marked mpc.loss");
    return signalPassFailure();
  }
  auto [forward, lossIndex] = *found;
  SymbolTable symbols(module);
  if (symbols.lookup("train_step")) {
    module.emitError("the module already has a @train_step");
    return signalPassFailure();
  }
  FailureOr<OptimizerSettings> settings = resolveSettings(module);
  if (failed(settings))
    return signalPassFailure();

  SmallVector<ParamOp> params;
  for (auto param : module.getOps<ParamOp>()) {
    if (param.getState())
      continue;
    if (!param.getTensorType().getElementType().isF32()) {
      param.emitOpError("is ")
          << param.getTensorType().getElementType()
          << "; a trainable parameter must be f32 (its master weight), and "
             "lower precision comes from mpc-autocast";
      return signalPassFailure();
    }
    params.push_back(param);
  }

  // The training step starts as a copy of the forward function.
  auto trainStep = cast<func::FuncOp>(forward->clone());
  trainStep.setName("train_step");
  symbols.insert(trainStep, std::next(Block::iterator(forward)));

  // The loads of each trainable parameter in the step.
  llvm::MapVector<StringAttr, SmallVector<Value>> loads;
  for (ParamOp param : params)
    loads[param.getSymNameAttr()];
  trainStep.walk([&](LoadOp op) {
    auto it = loads.find(op.getParamAttr().getAttr());
    if (it != loads.end())
      it->second.push_back(op.getResult());
  });
  SmallVector<Value> wrt;
  for (auto &entry : loads)
    wrt.append(entry.second);

  Operation *terminator = trainStep.getBody().front().getTerminator();
  Value loss = terminator->getOperand(lossIndex);
  OpBuilder b(terminator);
  Location loc = forward.getLoc();
  auto lossType = cast<RankedTensorType>(loss.getType());
  Value seed = b.create<ConstantOp>(
      loc, DenseElementsAttr::get(
               lossType, b.getFloatAttr(lossType.getElementType(), 1.0)));
  FailureOr<SmallVector<Value>> grads = buildGradients(b, loss, seed, wrt);
  if (failed(grads))
    return signalPassFailure();

  // One gradient per parameter: the sum over its loads. A parameter the
  // loss does not depend on is left alone, as PyTorch skips a None grad.
  SmallVector<ParamOp> updated;
  SmallVector<Value> values, paramGrads;
  unsigned next = 0;
  for (ParamOp param : params) {
    Value total;
    for (size_t i = 0, e = loads[param.getSymNameAttr()].size(); i < e; ++i) {
      Value grad = (*grads)[next++];
      if (grad)
        total = total ? b.create<AddOp>(loc, total.getType(), total, grad)
                      : grad;
    }
    if (!total)
      continue;
    updated.push_back(param);
    values.push_back(loads[param.getSymNameAttr()].front());
    paramGrads.push_back(total);
  }

  if (settings->clipNorm > 0 && !paramGrads.empty()) {
    SmallVector<Type> types;
    for (Value grad : paramGrads)
      types.push_back(grad.getType());
    auto clip = b.create<ClipByGlobalNormOp>(
        loc, types, RankedTensorType::get({}, b.getF32Type()), paramGrads,
        b.getF64FloatAttr(settings->clipNorm));
    llvm::copy(clip.getClipped(), paramGrads.begin());
  }

  // The step count, shared by every update (AdamW's bias correction).
  auto scalarType = RankedTensorType::get({}, b.getF32Type());
  ParamOp stepParam;
  {
    OpBuilder moduleBuilder = OpBuilder::atBlockBegin(module.getBody());
    stepParam = moduleBuilder.create<ParamOp>(
        loc, moduleBuilder.getStringAttr("step"), TypeAttr::get(scalarType),
        InitAttr::getDefault(b.getContext(), InitKind::zeros),
        moduleBuilder.getUnitAttr());
    symbols.insert(stepParam, Block::iterator(stepParam));
  }
  Value one = b.create<ConstantOp>(
      loc, DenseElementsAttr::get(scalarType, b.getF32FloatAttr(1.0f)));
  Value step = b.create<AddOp>(loc, scalarType, load(b, loc, stepParam), one);
  b.create<StoreOp>(loc, step,
                    FlatSymbolRefAttr::get(stepParam.getSymNameAttr()));

  for (auto [param, value, grad] : llvm::zip(updated, values, paramGrads))
    emitUpdate(b, symbols, *settings, param, value, grad, step);

  // Evaluation: dropout is the identity.
  IRRewriter rewriter(&getContext());
  forward.walk([&](DropoutOp op) {
    rewriter.replaceOp(op, op.getInput());
  });
}

} // namespace
