//===- ParamValue.cpp - the initial value an mpc.param holds --------------===//

#include "dialects/mpc/ParamValue.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

namespace mpc {

bool checkParamValue(ElementsAttr value, std::string &problem) {
  auto type = cast<ShapedType>(value.getType());
  if (!isa<FloatType>(type.getElementType())) {
    problem = "an initial value needs a float element type";
    return false;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    if (!type.getElementType().isF32()) {
      problem = "a dense_resource initial value must be f32";
      return false;
    }
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    size_t bytes = static_cast<size_t>(type.getNumElements()) * sizeof(float);
    if (blob && blob->getData().size() != bytes) {
      problem = "initial value '" + resource.getRawHandle().getKey().str() +
                "' holds " + std::to_string(blob->getData().size()) +
                " bytes, not " + std::to_string(bytes);
      return false;
    }
    return true;
  }
  if (!isa<DenseFPElementsAttr>(value)) {
    problem = "an initial value must be a dense or dense_resource literal";
    return false;
  }
  return true;
}

bool readParamValue(ElementsAttr value, std::vector<float> &values,
                    std::string &problem) {
  if (!checkParamValue(value, problem))
    return false;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob) {
      problem = "initial value '" + resource.getRawHandle().getKey().str() +
                "' has no data (it was elided when the module was printed)";
      return false;
    }
    ArrayRef<char> bytes = blob->getData();
    values.resize(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return true;
  }
  auto dense = cast<DenseFPElementsAttr>(value);
  values.clear();
  values.reserve(static_cast<size_t>(dense.getNumElements()));
  for (const APFloat &element : dense.getValues<APFloat>()) {
    APFloat single = element;
    bool lost = false;
    single.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
    values.push_back(single.convertToFloat());
  }
  return true;
}

ElementsAttr buildParamValue(RankedTensorType type, llvm::StringRef name,
                             llvm::ArrayRef<float> values) {
  return DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
}

} // namespace mpc
