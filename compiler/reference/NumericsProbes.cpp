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

} // namespace mpc::cpu
