//===- ManifestWriter.cpp - the manifest of a compiled CUDA step ----------===//

#include "compiler/target/cuda/ManifestWriter.h"

using namespace mlir;
namespace json = llvm::json;

namespace mpc {

namespace {

namespace key = manifest;

json::Value orNull(const std::optional<std::string> &value) {
  return value ? json::Value(*value) : json::Value(nullptr);
}

json::Value orNull(std::optional<double> value) {
  return value ? json::Value(*value) : json::Value(nullptr);
}

json::Array shapeOf(const TensorSpec &spec) {
  json::Array shape;
  for (int64_t dim : spec.shape)
    shape.push_back(dim);
  return shape;
}

json::Object tensorEntry(const TensorSpec &spec) {
  json::Object entry{{key::kName, spec.name},
                     {key::kShape, shapeOf(spec)},
                     {key::kDType, dtypeName(spec.dtype)}};
  if (spec.valueBound)
    entry[key::kValueBound] = *spec.valueBound;
  if (spec.ignoredValue)
    entry[key::kIgnoredValue] = *spec.ignoredValue;
  return entry;
}

json::Array tensorEntries(const std::vector<TensorSpec> &specs) {
  json::Array entries;
  for (const TensorSpec &spec : specs)
    entries.push_back(tensorEntry(spec));
  return entries;
}

json::Object stateEntry(const StateSpec &spec) {
  json::Object entry = tensorEntry(spec);
  json::Value seed = nullptr;
  if (spec.init.seed)
    seed = static_cast<int64_t>(*spec.init.seed);
  entry[key::kTrainable] = spec.trainable;
  json::Object init{{key::kKind, initKindName(spec.init.kind)},
                    {key::kFirst, spec.init.first},
                    {key::kSecond, spec.init.second},
                    {key::kSeed, std::move(seed)}};
  if (spec.init.kind == InitSpec::Kind::Values)
    init[key::kFile] = spec.init.file;
  entry[key::kInit] = std::move(init);
  if (spec.copyOf)
    entry[key::kCopyOf] = *spec.copyOf;
  return entry;
}

json::Object functionEntry(const FunctionSpec &spec) {
  return json::Object{{key::kName, spec.name},
                      {key::kEntry, spec.entry},
                      {key::kArenaBytes, spec.arenaBytes},
                      {key::kPeakLiveBytes, spec.peakLiveBytes},
                      {key::kInputs, tensorEntries(spec.inputs)},
                      {key::kOutputs, tensorEntries(spec.outputs)}};
}

json::Value lossScalingEntry(const std::optional<LossScalingSpec> &scaling) {
  if (!scaling)
    return nullptr;
  return json::Object{{key::kDynamic, scaling->dynamic},
                      {key::kScale, orNull(scaling->scale)},
                      {key::kStaticScale, orNull(scaling->staticScale)},
                      {key::kFloor, orNull(scaling->floor)},
                      {key::kSkipped, orNull(scaling->skipped)}};
}

json::Value learningRateEntry(const std::optional<LearningRateSpec> &rate) {
  if (!rate)
    return nullptr;
  const mpc_lr_schedule &schedule = rate->schedule;
  return json::Object{{key::kPeak, rate->peak},
                      {key::kKind, schedule.kind},
                      {key::kWarmupSteps, schedule.warmup_steps},
                      {key::kDecaySteps, schedule.decay_steps},
                      {key::kMinRatio, schedule.min_ratio},
                      {key::kStepSize, schedule.step_size},
                      {key::kGamma, schedule.gamma}};
}

json::Object probeEntry(const numerics::NumericsProbe &probe) {
  json::Array nodes;
  for (const std::string &node : probe.nodes)
    nodes.push_back(node);
  return json::Object{
      {key::kFunction, probe.function}, {key::kOp, probe.op},
      {key::kLocation, probe.location}, {key::kDType, probe.dtype},
      {key::kBackward, probe.backward}, {key::kNodes, std::move(nodes)}};
}

} // namespace

json::Value toJson(const StepContract &contract) {
  json::Array state, functions;
  for (const StateSpec &spec : contract.state)
    state.push_back(stateEntry(spec));
  for (const FunctionSpec &spec : contract.functions)
    functions.push_back(functionEntry(spec));
  json::Object manifest{
      {key::kAbi, contract.abi},
      {key::kGraph, contract.graph},
      {key::kArenaBytes, contract.arenaBytes},
      {key::kState, std::move(state)},
      {key::kFunctions, std::move(functions)},
      {key::kLabelInput, contract.labelInput},
      {key::kLossScaling, lossScalingEntry(contract.lossScaling)},
      {key::kLearningRate, learningRateEntry(contract.learningRate)}};
  if (contract.accumulate > 1)
    manifest[key::kAccumulate] = contract.accumulate;
  if (contract.numericsProbes) {
    json::Array probes;
    for (const numerics::NumericsProbe &probe : *contract.numericsProbes)
      probes.push_back(probeEntry(probe));
    manifest[key::kNumericsProbes] = std::move(probes);
  }
  return manifest;
}

FailureOr<json::Value> buildManifest(ModuleOp module) {
  FailureOr<StepContract> contract = describeStep(module, /*requirePlan=*/true);
  if (failed(contract))
    return failure();
  return toJson(*contract);
}

} // namespace mpc
