//===- OnnxLiteral.cpp - tensors whose values the importer knows ----------===//

#include "compiler/import/onnx/OnnxLiteral.h"

#include "runtime/core/ScalarMath.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallVector.h"

#include <onnx/onnx_pb.h>

#include <cstring>

using namespace mlir;

namespace mpc::onnx_import {

int64_t Literal::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

bool Literal::isSplat() const {
  size_t count = isFloat() ? floats.size() : ints.size();
  for (size_t i = 1; i < count; ++i)
    if (isFloat() ? floats[i] != floats[0] : ints[i] != ints[0])
      return false;
  return count > 0;
}

const char *elementKindName(ElementKind kind) {
  switch (kind) {
  case ElementKind::F32:
    return "f32";
  case ElementKind::F16:
    return "f16";
  case ElementKind::BF16:
    return "bf16";
  case ElementKind::F64:
    return "f64";
  case ElementKind::I64:
    return "i64";
  case ElementKind::I32:
    return "i32";
  case ElementKind::I1:
    return "i1";
  }
  return "";
}

bool elementKindOf(int dataType, ElementKind &kind, std::string &problem) {
  switch (dataType) {
  case onnx::TensorProto_DataType_FLOAT:
    kind = ElementKind::F32;
    return true;
  case onnx::TensorProto_DataType_FLOAT16:
    kind = ElementKind::F16;
    return true;
  case onnx::TensorProto_DataType_BFLOAT16:
    kind = ElementKind::BF16;
    return true;
  case onnx::TensorProto_DataType_DOUBLE:
    kind = ElementKind::F64;
    return true;
  case onnx::TensorProto_DataType_INT64:
    kind = ElementKind::I64;
    return true;
  case onnx::TensorProto_DataType_INT32:
    kind = ElementKind::I32;
    return true;
  case onnx::TensorProto_DataType_BOOL:
    kind = ElementKind::I1;
    return true;
  default:
    break;
  }
  if (onnx::TensorProto_DataType_IsValid(dataType))
    problem = "element type " +
              onnx::TensorProto_DataType_Name(
                  static_cast<onnx::TensorProto_DataType>(dataType)) +
              " is not supported (mpc has f32, f16, bf16, i64, i32, bool)";
  else
    problem = "unknown element type " + std::to_string(dataType);
  return false;
}

Type elementTypeOf(ElementKind kind, MLIRContext *context) {
  Builder builder(context);
  switch (kind) {
  case ElementKind::F32:
  case ElementKind::F64:
    return builder.getF32Type();
  case ElementKind::F16:
    return builder.getF16Type();
  case ElementKind::BF16:
    return builder.getBF16Type();
  case ElementKind::I64:
    return builder.getI64Type();
  case ElementKind::I32:
    return builder.getI32Type();
  case ElementKind::I1:
    return builder.getI1Type();
  }
  return Type();
}

namespace {

/// The bytes each element of `kind` takes in raw_data.
size_t rawElementSize(ElementKind kind) {
  switch (kind) {
  case ElementKind::F16:
  case ElementKind::BF16:
    return 2;
  case ElementKind::F32:
  case ElementKind::I32:
    return 4;
  case ElementKind::F64:
  case ElementKind::I64:
    return 8;
  case ElementKind::I1:
    return 1;
  }
  return 1;
}

/// The value of one element of `kind` from its little-endian bytes.
void decodeElement(ElementKind kind, const char *bytes, Literal &literal) {
  switch (kind) {
  case ElementKind::F32: {
    float value;
    std::memcpy(&value, bytes, 4);
    literal.floats.push_back(value);
    return;
  }
  case ElementKind::F16: {
    uint16_t bits;
    std::memcpy(&bits, bytes, 2);
    literal.floats.push_back(math::halfBitsToFloat(bits));
    return;
  }
  case ElementKind::BF16: {
    uint16_t bits;
    std::memcpy(&bits, bytes, 2);
    literal.floats.push_back(math::floatOf(uint32_t(bits) << 16));
    return;
  }
  case ElementKind::F64: {
    double value;
    std::memcpy(&value, bytes, 8);
    literal.floats.push_back(value);
    return;
  }
  case ElementKind::I64: {
    int64_t value;
    std::memcpy(&value, bytes, 8);
    literal.ints.push_back(value);
    return;
  }
  case ElementKind::I32: {
    int32_t value;
    std::memcpy(&value, bytes, 4);
    literal.ints.push_back(value);
    return;
  }
  case ElementKind::I1:
    literal.ints.push_back(bytes[0] != 0);
    return;
  }
}

} // namespace

bool literalFromTensor(const onnx::TensorProto &tensor, Literal &literal,
                       std::string &problem) {
  if (!elementKindOf(tensor.data_type(), literal.kind, problem))
    return false;
  literal.shape.clear();
  literal.ints.clear();
  literal.floats.clear();
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0 || (dim > 0 && count > (int64_t(1) << 40) / dim)) {
      problem = "tensor '" + tensor.name() + "' has a bad shape";
      return false;
    }
    literal.shape.push_back(dim);
    count *= dim;
  }
  if (tensor.data_location() == onnx::TensorProto_DataLocation_EXTERNAL &&
      !tensor.has_raw_data()) {
    problem =
        "tensor '" + tensor.name() + "': its external data was not loaded";
    return false;
  }
  ElementKind kind = literal.kind;
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    size_t size = rawElementSize(kind);
    if (raw.size() != static_cast<size_t>(count) * size) {
      problem = "tensor '" + tensor.name() + "' holds " +
                std::to_string(raw.size()) +
                " bytes of data, its shape needs " +
                std::to_string(static_cast<size_t>(count) * size);
      return false;
    }
    for (int64_t i = 0; i < count; ++i)
      decodeElement(kind, raw.data() + i * size, literal);
    return true;
  }
  // Typed fields: see onnx.proto for which field holds which type.
  auto sizeMismatch = [&](int64_t held) {
    problem = "tensor '" + tensor.name() + "' holds " + std::to_string(held) +
              " values, its shape needs " + std::to_string(count);
    return false;
  };
  switch (kind) {
  case ElementKind::F32:
    if (tensor.float_data_size() != count)
      return sizeMismatch(tensor.float_data_size());
    literal.floats.assign(tensor.float_data().begin(),
                          tensor.float_data().end());
    return true;
  case ElementKind::F64:
    if (tensor.double_data_size() != count)
      return sizeMismatch(tensor.double_data_size());
    literal.floats.assign(tensor.double_data().begin(),
                          tensor.double_data().end());
    return true;
  case ElementKind::I64:
    if (tensor.int64_data_size() != count)
      return sizeMismatch(tensor.int64_data_size());
    literal.ints.assign(tensor.int64_data().begin(), tensor.int64_data().end());
    return true;
  case ElementKind::I32:
  case ElementKind::I1:
    if (tensor.int32_data_size() != count)
      return sizeMismatch(tensor.int32_data_size());
    for (int32_t value : tensor.int32_data())
      literal.ints.push_back(kind == ElementKind::I1 ? value != 0 : value);
    return true;
  case ElementKind::F16:
  case ElementKind::BF16:
    if (tensor.int32_data_size() != count)
      return sizeMismatch(tensor.int32_data_size());
    for (int32_t bits : tensor.int32_data()) {
      uint16_t half = static_cast<uint16_t>(bits);
      literal.floats.push_back(kind == ElementKind::F16
                                   ? math::halfBitsToFloat(half)
                                   : math::floatOf(uint32_t(half) << 16));
    }
    return true;
  }
  return false;
}

DenseElementsAttr denseAttrOf(const Literal &literal, MLIRContext *context) {
  Type elementType = elementTypeOf(literal.kind, context);
  auto type = RankedTensorType::get(literal.shape, elementType);
  if (literal.isFloat()) {
    const llvm::fltSemantics &semantics =
        llvm::cast<FloatType>(elementType).getFloatSemantics();
    llvm::SmallVector<llvm::APFloat> values;
    values.reserve(literal.floats.size());
    for (double value : literal.floats) {
      llvm::APFloat converted(value);
      bool losesInfo;
      converted.convert(semantics, llvm::APFloat::rmNearestTiesToEven,
                        &losesInfo);
      values.push_back(converted);
    }
    return DenseElementsAttr::get(type, values);
  }
  unsigned width = elementType.getIntOrFloatBitWidth();
  llvm::SmallVector<llvm::APInt> values;
  values.reserve(literal.ints.size());
  for (int64_t value : literal.ints)
    values.push_back(
        llvm::APInt(width, static_cast<uint64_t>(value), width > 1));
  return DenseElementsAttr::get(type, values);
}

} // namespace mpc::onnx_import
