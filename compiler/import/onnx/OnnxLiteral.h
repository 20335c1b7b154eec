//===- OnnxLiteral.h - tensors whose values the importer knows --*- C++ -*-===//
//
// A Literal is a tensor value known at import time: an initializer, a
// Constant node, a bound input, or what the folder computed from them.
// Integers and bools are held as int64, floats as float (f16 and bf16
// values are exact in f32; f64 values are rounded to f32 only where an mpc
// constant is built). Private to the ONNX front end.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_IMPORT_ONNX_ONNXLITERAL_H
#define MPC_COMPILER_IMPORT_ONNX_ONNXLITERAL_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cstdint>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace mpc::onnx_import {

/// The element types a literal can hold.
enum class ElementKind { F32, F16, BF16, F64, I64, I32, I1 };

/// Largest literal the folder computes, in elements: shape arithmetic is
/// small, and a bigger result stays an op.
constexpr int64_t kMaxFoldedElements = int64_t(1) << 20;

struct Literal {
  std::vector<int64_t> shape;
  ElementKind kind = ElementKind::I64;
  /// The values, row-major, in `ints` for integer and bool kinds and in
  /// `floats` for float kinds.
  std::vector<int64_t> ints;
  std::vector<double> floats;
  /// The name of the float initializer this literal is, unchanged; empty
  /// for anything else. Its constants carry the name (kInitializerAttrName)
  /// until the importer decides which initializers are weights.
  std::string initializer;

  bool isFloat() const {
    return kind == ElementKind::F32 || kind == ElementKind::F16 ||
           kind == ElementKind::BF16 || kind == ElementKind::F64;
  }
  int64_t numElements() const;
  /// Whether every element has one value: a scalar or a splat.
  bool isSplat() const;
  /// The value of element `index` as a double.
  double valueAt(size_t index) const {
    return isFloat() ? floats[index] : static_cast<double>(ints[index]);
  }
};

/// The name of `kind` as mpc spells element types (f32, i64, ...).
const char *elementKindName(ElementKind kind);

/// The ONNX data type (TensorProto::DataType) as an element kind; fails
/// with the type's ONNX name in `problem`.
bool elementKindOf(int dataType, ElementKind &kind, std::string &problem);

/// The MLIR element type of `kind`.
mlir::Type elementTypeOf(ElementKind kind, mlir::MLIRContext *context);

/// Reads `tensor` (raw or typed data; external data must be loaded into
/// raw_data first). Fails with a one-line `problem`.
bool literalFromTensor(const onnx::TensorProto &tensor, Literal &literal,
                       std::string &problem);

/// The constant of `literal` (f64 values become f32).
mlir::DenseElementsAttr denseAttrOf(const Literal &literal,
                                    mlir::MLIRContext *context);

} // namespace mpc::onnx_import

#endif // MPC_COMPILER_IMPORT_ONNX_ONNXLITERAL_H
