//===- ManifestWriter.cpp - the manifest of a compiled CUDA step ----------===//

#include "compiler/target/cuda/ManifestWriter.h"

#include "dialects/mpc/ElementTypes.h"

#include "compiler/StepDescription.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
namespace json = llvm::json;

namespace mpc {

namespace {

json::Array shapeOf(Type type) {
  json::Array shape;
  for (int64_t dim : cast<RankedTensorType>(type).getShape())
    shape.push_back(dim);
  return shape;
}

json::Object tensorSpec(std::string name, Type type) {
  return json::Object{
      {"name", std::move(name)},
      {"shape", shapeOf(type)},
      {"dtype", manifestDtype(cast<RankedTensorType>(type).getElementType())}};
}

json::Object stateEntry(ParamOp param) {
  InitAttr init = param.getInit();
  json::Value seed = nullptr;
  if (std::optional<uint64_t> value = init.getSeed())
    seed = static_cast<int64_t>(*value);
  return json::Object{
      {"name", param.getSymName()},
      {"shape", shapeOf(param.getTensorType())},
      {"dtype", manifestDtype(param.getTensorType().getElementType())},
      {"trainable", !param.getState()},
      {"init", json::Object{{"kind", stringifyInitKind(init.getKind())},
                            {"first", init.getFirstValue()},
                            {"second", init.getSecondValue()},
                            {"seed", std::move(seed)}}}};
}

/// The graph name of argument or result `index` (its mpc.name), else a
/// positional one.
std::string valueName(DictionaryAttr attrs, StringRef prefix, unsigned index) {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>(MpcDialect::kNameAttrName))
      return name.str();
  return (prefix + Twine(index)).str();
}

FailureOr<json::Object> functionEntry(func::FuncOp function) {
  auto arena =
      function->getAttrOfType<IntegerAttr>(MpcDialect::kArenaBytesAttrName);
  auto peak =
      function->getAttrOfType<IntegerAttr>(MpcDialect::kPeakLiveBytesAttrName);
  if (!arena || !peak)
    return function.emitError("function @")
           << function.getSymName()
           << " has no memory plan (run mpc-plan-memory first)";
  json::Array inputs, outputs;
  FunctionType type = function.getFunctionType();
  for (auto [index, input] : llvm::enumerate(type.getInputs()))
    inputs.push_back(tensorSpec(
        valueName(function.getArgAttrDict(index), "arg", index), input));
  for (auto [index, result] : llvm::enumerate(type.getResults()))
    outputs.push_back(tensorSpec(
        valueName(function.getResultAttrDict(index), "result", index), result));
  return json::Object{{"name", function.getSymName()},
                      {"entry", entryPointName(function.getSymName())},
                      {"arena_bytes", arena.getInt()},
                      {"peak_live_bytes", peak.getInt()},
                      {"inputs", std::move(inputs)},
                      {"outputs", std::move(outputs)}};
}

json::Value lossScalingEntry(ModuleOp module) {
  std::optional<LossScalingDescription> scaling = describeLossScaling(module);
  if (!scaling)
    return nullptr;
  auto optionalString = [](const std::optional<std::string> &value) {
    return value ? json::Value(*value) : json::Value(nullptr);
  };
  return json::Object{{"dynamic", scaling->dynamic},
                      {"scale", optionalString(scaling->scaleSymbol)},
                      {"static_scale", scaling->dynamic
                                           ? json::Value(nullptr)
                                           : json::Value(scaling->staticScale)},
                      {"floor", scaling->floor ? json::Value(*scaling->floor)
                                               : json::Value(nullptr)},
                      {"skipped", optionalString(scaling->skippedSymbol)}};
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

std::string entryPointName(StringRef name) {
  std::string entry = "mpc_fn_";
  for (char c : name)
    entry += llvm::isAlnum(c) ? c : '_';
  return entry;
}

StringRef manifestDtype(Type elementType) {
  return dtypeName(deviceDType(elementType).value_or(DType::F32));
}

FailureOr<json::Value> buildManifest(ModuleOp module) {
  json::Array state, functions;
  for (ParamOp param : manifestState(module))
    state.push_back(stateEntry(param));
  int64_t arenaBytes = 0;
  for (func::FuncOp function : manifestFunctions(module)) {
    FailureOr<json::Object> entry = functionEntry(function);
    if (failed(entry))
      return failure();
    arenaBytes = std::max(arenaBytes, *entry->getInteger("arena_bytes"));
    functions.push_back(std::move(*entry));
  }
  std::optional<StringRef> graph = module.getSymName();
  return json::Value(json::Object{{"abi", kCudaAbiVersion},
                                  {"graph", graph ? *graph : "graph"},
                                  {"arena_bytes", arenaBytes},
                                  {"state", std::move(state)},
                                  {"functions", std::move(functions)},
                                  {"label_input", findLabelInput(module)},
                                  {"loss_scaling", lossScalingEntry(module)}});
}

} // namespace mpc
