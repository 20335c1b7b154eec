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
#include "dialects/mpc/ShapeFunctions.h"
#include "passes/Autodiff.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/GlobPattern.h"

#include <tuple>

#include <limits>

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
  /// None for a constant rate without warmup.
  LrScheduleAttr schedule;
};

/// A `param_groups` entry of the graph's training block: the parameters
/// whose names match `pattern` (a glob) take its weight decay and scale
/// their learning rate.
struct ParamGroup {
  std::string match;
  llvm::GlobPattern pattern;
  std::optional<double> weightDecay, lrScale;
  bool used = false;
};

/// Whether weight decay is off for `param` by default: a vector (biases,
/// norm gains and shifts) or an embedding table, as minGPT, nanoGPT and
/// llm.c exempt them. Decided by use, not by name.
bool isDecayExempt(ParamOp param, func::FuncOp forward) {
  if (param.getTensorType().getRank() <= 1)
    return true;
  bool table = false;
  forward.walk([&](LoadOp load) {
    if (load.getParamAttr().getAttr() != param.getSymNameAttr())
      return;
    for (Operation *user : load->getUsers())
      if (auto embedding = dyn_cast<EmbeddingOp>(user))
        table |= embedding.getTable() == load.getResult();
  });
  return table;
}

/// Emits a load of a param at the builder's position.
Value load(OpBuilder &b, Location loc, ParamOp param) {
  return b.create<LoadOp>(loc, param.getType(),
                          FlatSymbolRefAttr::get(param.getSymNameAttr()));
}

/// Replaces `grads` by their clipped values: one op sees them all. Returns
/// their global norm before clipping.
Value clipGradients(OpBuilder &b, Location loc, SmallVectorImpl<Value> &grads,
                    double maxNorm) {
  SmallVector<Type> types;
  for (Value grad : grads)
    types.push_back(grad.getType());
  auto clip = b.create<ClipByGlobalNormOp>(
      loc, types, RankedTensorType::get({}, b.getF32Type()), grads,
      b.getF64FloatAttr(maxNorm));
  llvm::copy(clip.getClipped(), grads.begin());
  return clip.getNorm();
}

/// Adds the state symbol holding the last step's gradient norm (after the
/// step count, so that it is not first) and, at the builder, the store of
/// `norm` into it.
void storeGradNorm(ModuleOp module, SymbolTable &symbols, OpBuilder &b,
                   Location loc, Value norm) {
  OpBuilder moduleBuilder = OpBuilder::atBlockBegin(module.getBody());
  auto state = moduleBuilder.create<ParamOp>(
      loc, moduleBuilder.getStringAttr(MpcDialect::kGradNormSymbol),
      TypeAttr::get(norm.getType()),
      InitAttr::getDefault(b.getContext(), InitKind::zeros),
      moduleBuilder.getUnitAttr());
  // Renames on a clash with an existing symbol.
  symbols.insert(state, Block::iterator(state));
  b.create<StoreOp>(loc, norm, FlatSymbolRefAttr::get(state.getSymNameAttr()));
}

/// Adds the step-count state symbol (first in the module) and, at the
/// builder, its increment; returns the count after this step, which every
/// update shares (AdamW's bias correction).
Value incrementStepCount(ModuleOp module, SymbolTable &symbols, OpBuilder &b,
                         Location loc) {
  auto scalarType = RankedTensorType::get({}, b.getF32Type());
  OpBuilder moduleBuilder = OpBuilder::atBlockBegin(module.getBody());
  auto counter = moduleBuilder.create<ParamOp>(
      loc, moduleBuilder.getStringAttr(MpcDialect::kStepCountSymbol),
      TypeAttr::get(scalarType),
      InitAttr::getDefault(b.getContext(), InitKind::zeros),
      moduleBuilder.getUnitAttr());
  // Renames on a clash with an existing symbol.
  symbols.insert(counter, Block::iterator(counter));
  Value one = b.create<ConstantOp>(
      loc, DenseElementsAttr::get(scalarType, b.getF32FloatAttr(1.0f)));
  Value step = b.create<AddOp>(loc, scalarType, load(b, loc, counter), one);
  b.create<StoreOp>(loc, step,
                    FlatSymbolRefAttr::get(counter.getSymNameAttr()));
  return step;
}

struct BuildTrainStepPass
    : public mpc::impl::BuildTrainStepBase<BuildTrainStepPass> {
  using BuildTrainStepBase::BuildTrainStepBase;

  void runOnOperation() override;

private:
  FailureOr<OptimizerSettings> resolveSettings(ModuleOp module);
  FailureOr<LrScheduleAttr> resolveSchedule(ModuleOp module,
                                            DictionaryAttr training);
  FailureOr<SmallVector<ParamGroup>> resolveGroups(ModuleOp module);
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

  FailureOr<LrScheduleAttr> schedule = resolveSchedule(module, training);
  if (failed(schedule))
    return failure();
  OptimizerSettings settings{*kind,    learningRate, beta1,
                             beta2,    epsilon,      weightDecay,
                             momentum, clipNorm,     *schedule};
  if (!learningRate.hasValue())
    settings.learningRate = fromGraph("learning_rate").value_or(learningRate);
  if (!weightDecay.hasValue())
    settings.weightDecay =
        fromGraph("weight_decay")
            .value_or(*kind == Optimizer::AdamW ? 0.01 : 0.0);
  // Checked here, against the options' names, rather than later by the
  // optimizer ops' verifiers.
  auto emit = [&] { return module.emitError(); };
  bool adamw = *kind == Optimizer::AdamW;
  if (failed(verifyHyperparameter("learning-rate", settings.learningRate,
                                  kPositive, emit)) ||
      failed(verifyHyperparameter("weight-decay", settings.weightDecay,
                                  kNonNegative, emit)) ||
      (*kind == Optimizer::Momentum &&
       failed(verifyHyperparameter("momentum", settings.momentum, kUnitInterval,
                                   emit))) ||
      (adamw && (failed(verifyHyperparameter("beta1", settings.beta1,
                                             kUnitInterval, emit)) ||
                 failed(verifyHyperparameter("beta2", settings.beta2,
                                             kUnitInterval, emit)) ||
                 failed(verifyHyperparameter("epsilon", settings.epsilon,
                                             kPositive, emit)))))
    return failure();
  // 0 turns clipping off.
  if (settings.clipNorm != 0 &&
      failed(verifyHyperparameter("clip-norm", settings.clipNorm, kPositive,
                                  emit)))
    return failure();
  return settings;
}

FailureOr<LrScheduleAttr>
BuildTrainStepPass::resolveSchedule(ModuleOp module, DictionaryAttr training) {
  auto fromGraph = [&](StringRef key) -> Attribute {
    return training ? training.get(key) : Attribute();
  };
  auto intOf = [&](const Option<int64_t> &option, StringRef key,
                   int64_t fallback) {
    if (option.hasValue())
      return static_cast<int64_t>(option);
    if (auto value = dyn_cast_or_null<IntegerAttr>(fromGraph(key)))
      return value.getInt();
    return fallback;
  };
  auto doubleOf = [&](const Option<double> &option, StringRef key,
                      double fallback) {
    if (option.hasValue())
      return static_cast<double>(option);
    if (auto value = dyn_cast_or_null<FloatAttr>(fromGraph(key)))
      return value.getValueAsDouble();
    return fallback;
  };
  std::string name = lrSchedule;
  if (!lrSchedule.hasValue())
    if (auto value = dyn_cast_or_null<StringAttr>(fromGraph("lr_schedule")))
      name = value.str();
  std::optional<LrScheduleKind> kind = symbolizeLrScheduleKind(name);
  if (!kind)
    return module.emitError("unknown lr-schedule '")
           << name << "'; expected constant, cosine, linear or step";
  bool decays =
      *kind == LrScheduleKind::cosine || *kind == LrScheduleKind::linear;
  bool steps = *kind == LrScheduleKind::step;
  // An option the kind does not read is an error; the graph's settings of
  // another kind (overridden by lr-schedule) are ignored.
  constexpr StringLiteral kDecayKinds = "cosine and linear";
  for (auto [given, option, applies, kinds] :
       {std::tuple(decaySteps.hasValue(), "decay-steps", decays, kDecayKinds),
        std::tuple(minLrRatio.hasValue(), "min-lr-ratio", decays, kDecayKinds),
        std::tuple(lrStepSize.hasValue(), "lr-step-size", steps,
                   StringLiteral("step")),
        std::tuple(lrGamma.hasValue(), "lr-gamma", steps,
                   StringLiteral("step"))})
    if (given && !applies)
      return module.emitError(option) << " does not apply to lr-schedule "
                                      << name << " (only to " << kinds << ")";
  int64_t warmup = intOf(warmupSteps, "warmup_steps", 0);
  int64_t decay = 0, stepSize = 0;
  double minRatio = 0, gamma = 1;
  if (decays) {
    // A decay runs over the graph's training run unless told otherwise.
    decay = intOf(decaySteps, "decay_steps", intOf(decaySteps, "steps", 0));
    if (decay == 0)
      return module.emitError("lr-schedule ")
             << name
             << " needs decay-steps (or the graph's training.steps): the step "
                "its decay ends at";
    minRatio = doubleOf(minLrRatio, "min_lr_ratio", 0.0);
  }
  if (steps) {
    stepSize = intOf(lrStepSize, "lr_step_size", 0);
    if (stepSize == 0)
      return module.emitError("lr-schedule step needs lr-step-size");
    gamma = doubleOf(lrGamma, "lr_gamma", 1.0);
  }
  auto schedule = LrScheduleAttr::getChecked(
      [&] { return module.emitError(); }, module.getContext(), *kind, warmup,
      decay, APFloat(minRatio), stepSize, APFloat(gamma));
  if (!schedule)
    return failure();
  // A constant rate needs no schedule, nor the step count in SGD.
  if (*kind == LrScheduleKind::constant && warmup == 0)
    return LrScheduleAttr();
  return schedule;
}

FailureOr<SmallVector<ParamGroup>>
BuildTrainStepPass::resolveGroups(ModuleOp module) {
  SmallVector<ParamGroup> groups;
  auto training =
      module->getAttrOfType<DictionaryAttr>(MpcDialect::kTrainingAttrName);
  Attribute value = training ? training.get("param_groups") : Attribute();
  if (!value)
    return groups;
  auto entries = dyn_cast<ArrayAttr>(value);
  if (!entries)
    return module.emitError("training.param_groups must be an array");
  for (auto [index, entry] : llvm::enumerate(entries)) {
    auto dictionary = dyn_cast<DictionaryAttr>(entry);
    auto match = dictionary ? dictionary.getAs<StringAttr>("match") : nullptr;
    if (!match)
      return module.emitError("training.param_groups[")
             << index << "] needs a string 'match'";
    llvm::Expected<llvm::GlobPattern> pattern =
        llvm::GlobPattern::create(match.getValue());
    if (!pattern)
      return module.emitError("training.param_groups[")
             << index << "]: bad pattern '" << match.getValue()
             << "': " << llvm::toString(pattern.takeError());
    ParamGroup group{match.str(), std::move(*pattern), std::nullopt,
                     std::nullopt};
    if (auto decay = dictionary.getAs<FloatAttr>("weight_decay"))
      group.weightDecay = decay.getValueAsDouble();
    if (auto scale = dictionary.getAs<FloatAttr>("lr_scale"))
      group.lrScale = scale.getValueAsDouble();
    groups.push_back(std::move(group));
  }
  return groups;
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
  // SGD and momentum read the step count only for a schedule.
  Value scheduleStep = s.schedule ? step : Value();
  switch (s.kind) {
  case Optimizer::Sgd:
    store(b.create<SgdUpdateOp>(loc, value, grad, scheduleStep,
                                f64(s.learningRate), f64(s.weightDecay),
                                s.schedule, /*skip_if=*/Value()),
          param);
    return;
  case Optimizer::Momentum: {
    ParamOp buffer = addState(
        symbols, param,
        (param.getSymName() + MpcDialect::kMomentumSuffix).str(), type);
    auto update = b.create<MomentumUpdateOp>(
        loc, type, type, value, grad, load(b, loc, buffer), scheduleStep,
        f64(s.learningRate), f64(s.momentum), f64(s.weightDecay), s.schedule,
        /*skip_if=*/Value());
    store(update.getNewParam(), param);
    store(update.getNewBuffer(), buffer);
    return;
  }
  case Optimizer::AdamW: {
    ParamOp m =
        addState(symbols, param,
                 (param.getSymName() + MpcDialect::kAdamMSuffix).str(), type);
    ParamOp v =
        addState(symbols, m,
                 (param.getSymName() + MpcDialect::kAdamVSuffix).str(), type);
    Value mValue = load(b, loc, m);
    Value vValue = load(b, loc, v);
    auto update = b.create<AdamWUpdateOp>(
        loc, type, type, type, value, grad, mValue, vValue, step,
        f64(s.learningRate), f64(s.beta1), f64(s.beta2), f64(s.epsilon),
        f64(s.weightDecay), s.schedule, /*skip_if=*/Value());
    store(update.getNewParam(), param);
    store(update.getNewM(), m);
    store(update.getNewV(), v);
    return;
  }
  }
}

/// Drops every result of `function` but its loss; what computed only the
/// dropped results is left to canonicalization to remove.
void keepOnlyLoss(func::FuncOp function, unsigned lossIndex) {
  llvm::BitVector others(function.getNumResults(), true);
  others.reset(lossIndex);
  if (others.none())
    return;
  Operation *terminator = function.getBody().front().getTerminator();
  terminator->eraseOperands(others);
  function.eraseResults(others);
}

void BuildTrainStepPass::runOnOperation() {
  ModuleOp module = getOperation();
  std::optional<LossFunction> loss = findLossFunction(module);
  if (!loss) {
    module.emitError("no function has a result marked mpc.loss");
    return signalPassFailure();
  }
  func::FuncOp forward = loss->function;
  SymbolTable symbols(module);
  if (symbols.lookup(MpcDialect::kTrainStepFuncName)) {
    module.emitError("the module already has a @")
        << MpcDialect::kTrainStepFuncName;
    return signalPassFailure();
  }
  FailureOr<OptimizerSettings> settings = resolveSettings(module);
  if (failed(settings))
    return signalPassFailure();
  FailureOr<SmallVector<ParamGroup>> groups = resolveGroups(module);
  if (failed(groups))
    return signalPassFailure();

  SmallVector<ParamOp> params = trainableParams(module);
  for (ParamOp param : params) {
    if (!param.getTensorType().getElementType().isF32()) {
      param.emitOpError("is ")
          << param.getTensorType().getElementType()
          << "; a trainable parameter must be f32 (its master weight), and "
             "lower precision comes from mpc-autocast";
      return signalPassFailure();
    }
  }

  // The training step starts as a copy of the forward function.
  auto trainStep = cast<func::FuncOp>(forward->clone());
  trainStep.setName(MpcDialect::kTrainStepFuncName);
  trainStep->setAttr(
      MpcDialect::kLearningRateAttrName,
      FloatAttr::get(Float64Type::get(&getContext()), settings->learningRate));
  if (settings->schedule)
    trainStep->setAttr(MpcDialect::kLrScheduleAttrName, settings->schedule);
  symbols.insert(trainStep, std::next(Block::iterator(forward)));
  FailureOr<SmallVector<Value>> grads =
      buildParamGradients(LossFunction{trainStep, loss->lossIndex}, params);
  if (failed(grads))
    return signalPassFailure();

  // A parameter the loss does not depend on is left alone, as PyTorch skips
  // a None grad. The update reads the parameter's first load.
  llvm::DenseMap<StringAttr, Value> firstLoad;
  trainStep.walk([&](LoadOp op) {
    firstLoad.try_emplace(op.getParamAttr().getAttr(), op.getResult());
  });
  SmallVector<ParamOp> updated;
  SmallVector<Value> values, paramGrads;
  for (auto [param, grad] : llvm::zip(params, *grads)) {
    if (!grad)
      continue;
    updated.push_back(param);
    values.push_back(firstLoad.lookup(param.getSymNameAttr()));
    paramGrads.push_back(grad);
  }

  OpBuilder b(trainStep.getBody().front().getTerminator());
  Location loc = forward.getLoc();
  if ((settings->clipNorm > 0 || recordGradNorm) && !paramGrads.empty()) {
    // Recording alone clips to the largest f32: the factor is exactly 1 for
    // every finite norm, so the gradients stay as they are, bit for bit.
    double maxNorm = settings->clipNorm > 0
                         ? settings->clipNorm
                         : double(std::numeric_limits<float>::max());
    Location clipLoc = NameLoc::get(b.getStringAttr("clip"), loc);
    Value norm = clipGradients(b, clipLoc, paramGrads, maxNorm);
    storeGradNorm(module, symbols, b, clipLoc, norm);
  }
  Value step = incrementStepCount(
      module, symbols, b,
      NameLoc::get(b.getStringAttr(MpcDialect::kStepCountSymbol), loc));
  for (auto [param, value, grad] : llvm::zip(updated, values, paramGrads)) {
    // The parameter's group: the first whose pattern matches its name.
    OptimizerSettings own = *settings;
    if (isDecayExempt(param, forward))
      own.weightDecay = 0;
    for (ParamGroup &group : *groups) {
      if (!group.pattern.match(param.getSymName()))
        continue;
      group.used = true;
      own.weightDecay = group.weightDecay.value_or(own.weightDecay);
      own.learningRate *= group.lrScale.value_or(1.0);
      break;
    }
    emitUpdate(b, symbols, own, param, value, grad, step);
  }
  // A pattern that names no parameter is most likely a typo.
  for (auto [index, group] : llvm::enumerate(*groups))
    if (!group.used) {
      module.emitError("training.param_groups[")
          << index << "]: '" << group.match
          << "' matches no trained parameter (or only ones an earlier group "
             "took)";
      return signalPassFailure();
    }
  if (!keepOutputs)
    keepOnlyLoss(trainStep, loss->lossIndex);

  // Evaluation: dropout is the identity.
  IRRewriter rewriter(&getContext());
  forward.walk([&](DropoutOp op) { rewriter.replaceOp(op, op.getInput()); });
}

} // namespace
