//===- OnnxParams.h - initializers that become trainable params -*- C++ -*-===//
//
// A float initializer that reaches the loss through operands that have a
// gradient is a weight: it becomes an mpc.param holding its pretrained
// value, which training updates. Every other initializer (integer and bool
// tensors, masks, tables that only feed operands without a gradient, any
// tensor when the graph has no loss) stays an mpc.constant. Private to the
// ONNX front end.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_IMPORT_ONNX_ONNXPARAMS_H
#define MPC_COMPILER_IMPORT_ONNX_ONNXPARAMS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"

namespace mpc::onnx_import {

/// The attribute naming the initializer an mpc.constant was made from,
/// while the module is being imported.
constexpr llvm::StringLiteral kInitializerAttrName = "onnx.initializer";

/// The model metadata key whose value, a JSON list of initializer names,
/// says which initializers are trainable parameters (scripts/export-onnx.py
/// writes it from the PyTorch module's parameters, as ONNX itself does not
/// tell a parameter from a buffer).
constexpr llvm::StringLiteral kParametersMetadataKey = "mpc.parameters";

/// Whether an ONNX node of `opType` reads only its inputs' shapes (Shape,
/// Size), so that folding it on a weight leaves the weight trainable.
bool readsOnlyShape(llvm::StringRef opType);

/// Whether an ONNX node of `opType` only moves its input's elements
/// (Transpose, Reshape, ...): on a float initializer it is imported as an
/// op, not folded, so that the weight it reads stays the initializer and
/// can become a param.
bool passesInitializerThrough(llvm::StringRef opType);

/// Replaces, in `forward` (whose first result is the loss when `hasLoss`),
/// the constants of every float initializer that reaches the loss through
/// differentiable operands with loads of an mpc.param of the same name
/// holding its value (f32, cast back to the initializer's type when that is
/// narrower); an initializer holding inf or NaN stays a constant. With
/// `declared` (the model's kParametersMetadataKey list), only the reached
/// initializers it names become params. Then drops kInitializerAttrName
/// from every constant.
void promoteInitializersToParams(mlir::ModuleOp module,
                                 mlir::func::FuncOp forward, bool hasLoss,
                                 const llvm::StringSet<> *declared);

} // namespace mpc::onnx_import

#endif // MPC_COMPILER_IMPORT_ONNX_ONNXPARAMS_H
