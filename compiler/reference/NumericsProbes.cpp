//===- NumericsProbes.cpp - --check-numerics on the CPU executor ----------===//

#include "compiler/reference/NumericsProbes.h"

#include "dialects/mpc/ElementTypes.h"
#include "dialects/mpc/MpcDialect.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using mpc::driver::HostTensor;

namespace mpc::cpu {

std::optional<unsigned> numericsProbeOf(Operation *op) {
  if (auto index =
          op->getAttrOfType<IntegerAttr>(MpcDialect::kNumericsProbeAttrName))
    return static_cast<unsigned>(index.getInt());
  return std::nullopt;
}

numerics::NumericsCounts roundAndMeasure(Operation *op,
                                         ArrayRef<const HostTensor *> operands,
                                         MutableArrayRef<HostTensor> results) {
  numerics::NumericsCounts counts;
  for (auto [value, result] : llvm::zip(op->getResults(), results)) {
    Type element = cast<RankedTensorType>(value.getType()).getElementType();
    if (!isa<FloatType>(element))
      continue;
    auto dtype =
        static_cast<mpc_dtype>(deviceDType(element).value_or(DType::F32));
    for (float &value : result.f32) {
      float stored = numerics::storedValue(dtype, value);
      counts.add(numerics::classifyValue(dtype, value, stored), stored);
      value = stored;
    }
  }
  // The inputs are read only when there is something to attribute.
  if (counts.nonFinite == 0)
    return counts;
  bool inputsFinite = llvm::all_of(operands, [](const HostTensor *operand) {
    return operand->dtype != HostTensor::DType::F32 ||
           llvm::all_of(operand->f32, math::isFinite);
  });
  if (inputsFinite)
    counts.produced = counts.nonFinite;
  return counts;
}

std::optional<std::vector<train::NumericsProbe>>
readNumericsProbes(ModuleOp module, std::string &error) {
  std::vector<train::NumericsProbe> probes;
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
    train::NumericsProbe probe{*function, *op, *location, *dtype,
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

} // namespace mpc::cpu
