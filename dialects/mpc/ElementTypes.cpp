//===- ElementTypes.cpp - IR element types as runtime dtypes --------------===//

#include "dialects/mpc/ElementTypes.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace mpc {

std::optional<DType> deviceDType(Type elementType) {
  if (elementType.isF32())
    return DType::F32;
  if (elementType.isF16())
    return DType::F16;
  if (elementType.isBF16())
    return DType::BF16;
  if (elementType.isInteger(1))
    return DType::I1;
  if (isa<IntegerType>(elementType))
    return DType::I32;
  return std::nullopt;
}

bool isSixteenBitFloat(Type elementType) {
  return elementType.isF16() || elementType.isBF16();
}

} // namespace mpc
