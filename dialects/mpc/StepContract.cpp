//===- StepContract.cpp - the step contract of a module -------------------===//
//
// The one place that reads what a runtime needs to know of a step out of
// the IR: the functions' signatures and plans, the bounds of their integer
// inputs, the state, the label input of @forward and the loss scaler of
// @train_step.
//
//===----------------------------------------------------------------------===//

#include "dialects/mpc/StepContract.h"

#include "dialects/mpc/ElementTypes.h"
#include "dialects/mpc/ParamValue.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace mpc {

namespace {

/// The graph name of argument or result `index` (its mpc.name), else a
/// positional one.
std::string valueName(DictionaryAttr attrs, StringRef prefix, unsigned index) {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>(MpcDialect::kNameAttrName))
      return name.str();
  return (prefix + Twine(index)).str();
}

/// Name, shape and device dtype of a tensor of type `type`. An element type
/// without a device dtype reads as f32, as the CUDA target rejects it anyway.
TensorSpec tensorSpec(std::string name, RankedTensorType type) {
  TensorSpec spec;
  spec.name = std::move(name);
  spec.shape.assign(type.getShape().begin(), type.getShape().end());
  spec.dtype = deviceDType(type.getElementType()).value_or(DType::F32);
  return spec;
}

/// The tensors of `types`, named from `attrs` (per index) or `prefix`.
LogicalResult tensorSpecs(func::FuncOp function, TypeRange types,
                          function_ref<DictionaryAttr(unsigned)> attrs,
                          StringRef prefix, std::vector<TensorSpec> &specs) {
  for (auto [index, type] : llvm::enumerate(types)) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      return function.emitError("function @")
             << function.getSymName() << ": " << prefix << " " << index
             << " is " << type << ", not a ranked tensor";
    specs.push_back(tensorSpec(valueName(attrs(index), prefix, index), tensor));
  }
  return success();
}

/// The values that the uses of the integer value `value` admit, into
/// `spec`: valueBound, the exclusive upper bound they put on its elements
/// (the rows of an embedding table it indexes, the classes of a
/// cross-entropy it labels), the smallest of them or none when nothing
/// bounds it; and ignoredValue, the ignore_index of the cross-entropies it
/// labels when they all have the same one and nothing else bounds it. Uses are
/// followed through reshapes and transposes (which keep every element).
void admittedValuesOf(Value value, TensorSpec &spec) {
  std::optional<int64_t> bound, ignored;
  // Whether a bounding use admits no ignored value, or another one.
  bool ignoresNothing = false;
  auto tighten = [&](Type type, int64_t dim) {
    auto shaped = cast<ShapedType>(type);
    if (dim < 0)
      dim += shaped.getRank();
    if (dim < 0 || dim >= shaped.getRank() || shaped.isDynamicDim(dim))
      return;
    bound = std::min(bound.value_or(shaped.getDimSize(dim)),
                     shaped.getDimSize(dim));
  };
  auto admit = [&](std::optional<int64_t> ignoreIndex) {
    if (!ignoreIndex || (ignored && *ignored != *ignoreIndex))
      ignoresNothing = true;
    else
      ignored = ignoreIndex;
  };
  // A cross-entropy (the loss, its gradient, or both in one op) bounds its
  // labels by the classes and admits its ignore_index.
  auto crossEntropyLabels = [&](auto op, Value labels) {
    if (op.getLabels() != labels)
      return;
    tighten(op.getLogits().getType(), -1);
    admit(op.getIgnoreIndex());
  };
  SmallVector<Value> worklist{value};
  while (!worklist.empty()) {
    Value current = worklist.pop_back_val();
    for (Operation *user : current.getUsers()) {
      if (auto op = dyn_cast<EmbeddingOp>(user)) {
        if (op.getIds() == current) {
          tighten(op.getTable().getType(), 0);
          admit(std::nullopt);
        }
      } else if (auto op = dyn_cast<EmbeddingGradOp>(user)) {
        if (op.getIds() == current) {
          tighten(op.getType(), 0);
          admit(std::nullopt);
        }
      } else if (auto op = dyn_cast<SoftmaxCrossEntropyOp>(user)) {
        crossEntropyLabels(op, current);
      } else if (auto op = dyn_cast<SoftmaxCrossEntropyGradOp>(user)) {
        crossEntropyLabels(op, current);
      } else if (auto op = dyn_cast<SoftmaxCrossEntropyWithGradOp>(user)) {
        crossEntropyLabels(op, current);
      } else if (isa<ReshapeOp, TransposeOp>(user)) {
        worklist.push_back(user->getResult(0));
      }
    }
  }
  spec.valueBound = bound;
  if (bound && ignored && !ignoresNothing)
    spec.ignoredValue = ignored;
}

FailureOr<FunctionSpec> functionSpec(func::FuncOp function, bool requirePlan) {
  FunctionSpec spec;
  spec.name = function.getSymName().str();
  spec.entry = entryPointName(spec.name);
  auto arena =
      function->getAttrOfType<IntegerAttr>(MpcDialect::kArenaBytesAttrName);
  auto peak =
      function->getAttrOfType<IntegerAttr>(MpcDialect::kPeakLiveBytesAttrName);
  if (arena && peak) {
    spec.arenaBytes = arena.getInt();
    spec.peakLiveBytes = peak.getInt();
  } else if (requirePlan) {
    return function.emitError("function @")
           << function.getSymName()
           << " has no memory plan (run mpc-plan-memory first)";
  }
  FunctionType type = function.getFunctionType();
  if (failed(tensorSpecs(
          function, type.getInputs(),
          [&](unsigned i) { return function.getArgAttrDict(i); }, "arg",
          spec.inputs)) ||
      failed(tensorSpecs(
          function, type.getResults(),
          [&](unsigned i) { return function.getResultAttrDict(i); }, "result",
          spec.outputs)))
    return failure();
  for (auto [input, argument] : llvm::zip(spec.inputs, function.getArguments()))
    if (isa<IntegerType>(getElementTypeOrSelf(argument.getType())))
      admittedValuesOf(argument, input);
  return spec;
}

/// The spec of state tensor number `index`; a param whose initial value
/// cannot be read is an error at its location.
FailureOr<StateSpec> stateSpec(ParamOp param, size_t index) {
  StateSpec spec;
  static_cast<TensorSpec &>(spec) =
      tensorSpec(param.getSymName().str(), param.getTensorType());
  spec.trainable = !param.getState();
  if (auto source = param.getCopyOfAttr())
    spec.copyOf = source.getValue().str();
  if (InitAttr rule = param.getInitRule()) {
    spec.init = initSpecOf(rule);
    return spec;
  }
  auto values = std::make_shared<std::vector<float>>();
  std::string problem;
  if (!readParamValue(param.getInitialValue(), *values, problem))
    return param.emitOpError(problem);
  spec.init.kind = InitSpec::Kind::Values;
  spec.init.values = std::move(values);
  spec.init.file = manifest::initValuesFile(index);
  return spec;
}

/// The argument number of @forward's class labels: the labels operand of
/// the softmax_cross_entropy whose logits are @forward's second result, when
/// that operand is an argument; -1 otherwise.
int labelInputOf(func::FuncOp forward) {
  Operation *terminator = forward.getBody().front().getTerminator();
  if (terminator->getNumOperands() < 2)
    return -1;
  Value logits = terminator->getOperand(1);
  int index = -1;
  forward.walk([&](SoftmaxCrossEntropyOp op) {
    if (op.getLogits() == logits)
      if (auto argument = dyn_cast<BlockArgument>(op.getLabels()))
        index = static_cast<int>(argument.getArgNumber());
  });
  return index;
}

/// The loss scaler of @train_step, or none when it does not scale its loss
/// (no mpc.unscale_and_check).
std::optional<LossScalingSpec> lossScalingOf(func::FuncOp trainStep) {
  UnscaleAndCheckOp unscale;
  UpdateLossScaleOp update;
  trainStep.walk([&](Operation *op) {
    if (auto found = dyn_cast<UnscaleAndCheckOp>(op))
      unscale = found;
    if (auto found = dyn_cast<UpdateLossScaleOp>(op))
      update = found;
  });
  if (!unscale)
    return std::nullopt;
  LossScalingSpec scaling;
  auto module = trainStep->getParentOfType<ModuleOp>();
  if (module.lookupSymbol<ParamOp>(MpcDialect::kLossScaleSkippedStepsSymbol))
    scaling.skipped = MpcDialect::kLossScaleSkippedStepsSymbol.str();
  if (update) {
    scaling.dynamic = true;
    scaling.floor = update.getMinScale().convertToDouble();
    if (auto load = update.getScale().getDefiningOp<LoadOp>())
      scaling.scale = load.getParam().str();
    return scaling;
  }
  // A static scale is the constant that unscale divides by (1 if it were
  // computed, which mpc-loss-scaling never does).
  scaling.staticScale = 1;
  if (auto constant = unscale.getScale().getDefiningOp<ConstantOp>())
    if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()))
      scaling.staticScale =
          (*dense.getValues<APFloat>().begin()).convertToDouble();
  return scaling;
}

/// The learning rate @train_step records (mpc-build-train-step), or none.
std::optional<LearningRateSpec> learningRateOf(func::FuncOp trainStep) {
  auto peak =
      trainStep->getAttrOfType<FloatAttr>(MpcDialect::kLearningRateAttrName);
  if (!peak)
    return std::nullopt;
  return LearningRateSpec{
      peak.getValueAsDouble(),
      toRuntimeSchedule(trainStep->getAttrOfType<LrScheduleAttr>(
          MpcDialect::kLrScheduleAttrName))};
}

} // namespace

SmallVector<ParamOp> manifestState(ModuleOp module) {
  return llvm::to_vector(module.getOps<ParamOp>());
}

SmallVector<func::FuncOp> manifestFunctions(ModuleOp module) {
  SmallVector<func::FuncOp> functions;
  for (func::FuncOp function : module.getOps<func::FuncOp>())
    if (!function.isExternal())
      functions.push_back(function);
  return functions;
}

InitSpec initSpecOf(InitAttr init) {
  InitSpec spec;
  // The runtime names its kinds as the dialect's enum does (a test checks
  // every kind), so a kind maps onto its namesake.
  if (std::optional<InitSpec::Kind> kind =
          parseInitKind(stringifyInitKind(init.getKind())))
    spec.kind = *kind;
  spec.first = init.getFirstValue();
  spec.second = init.getSecondValue();
  spec.seed = init.getSeed();
  return spec;
}

std::optional<std::vector<numerics::NumericsProbe>>
readNumericsProbes(ModuleOp module, std::string &error) {
  std::vector<numerics::NumericsProbe> probes;
  auto entries =
      module->getAttrOfType<ArrayAttr>(MpcDialect::kNumericsProbesAttrName);
  if (!entries)
    return probes;
  for (auto [index, entry] : llvm::enumerate(entries)) {
    auto dict = dyn_cast<DictionaryAttr>(entry);
    auto text = [&](StringRef key) -> std::optional<std::string> {
      if (auto value = dict ? dict.getAs<StringAttr>(key) : StringAttr())
        return value.str();
      return std::nullopt;
    };
    auto backward = dict ? dict.getAs<BoolAttr>("backward") : BoolAttr();
    auto function = text("function"), op = text("op"),
         location = text("location"), dtype = text("dtype");
    if (!function || !op || !location || !dtype || !backward) {
      error = MpcDialect::kNumericsProbesAttrName.str() + "[" +
              std::to_string(index) +
              "] must hold function, op, location, dtype and backward";
      return std::nullopt;
    }
    numerics::NumericsProbe probe{*function, *op, *location, *dtype,
                                  backward.getValue()};
    // The nodes a repair moves (older modules lack them: none).
    if (auto nodes = dict.getAs<ArrayAttr>("nodes"))
      for (Attribute node : nodes) {
        auto name = dyn_cast<StringAttr>(node);
        if (!name) {
          error = MpcDialect::kNumericsProbesAttrName.str() + "[" +
                  std::to_string(index) + "].nodes must hold node names";
          return std::nullopt;
        }
        probe.nodes.push_back(name.str());
      }
    probes.push_back(std::move(probe));
  }
  return probes;
}

FailureOr<StepContract> describeStep(ModuleOp module, bool requirePlan) {
  StepContract contract;
  contract.abi = step::kAbiVersion;
  std::optional<StringRef> graph = module.getSymName();
  contract.graph = graph ? graph->str() : "graph";
  for (ParamOp param : manifestState(module)) {
    FailureOr<StateSpec> spec = stateSpec(param, contract.state.size());
    if (failed(spec))
      return failure();
    contract.state.push_back(std::move(*spec));
  }
  for (func::FuncOp function : manifestFunctions(module)) {
    FailureOr<FunctionSpec> spec = functionSpec(function, requirePlan);
    if (failed(spec))
      return failure();
    contract.arenaBytes = std::max(contract.arenaBytes, spec->arenaBytes);
    contract.functions.push_back(std::move(*spec));
    if (function.getSymName() == MpcDialect::kForwardFuncName)
      contract.labelInput = labelInputOf(function);
    if (function.getSymName() == MpcDialect::kTrainStepFuncName) {
      contract.lossScaling = lossScalingOf(function);
      contract.learningRate = learningRateOf(function);
      if (auto count = function->getAttrOfType<IntegerAttr>(
              MpcDialect::kAccumulateAttrName))
        contract.accumulate = count.getInt();
    }
  }
  if (module->hasAttr(MpcDialect::kNumericsProbesAttrName)) {
    std::string error;
    contract.numericsProbes = readNumericsProbes(module, error);
    if (!contract.numericsProbes)
      return module.emitError(error);
  }
  return contract;
}

} // namespace mpc
