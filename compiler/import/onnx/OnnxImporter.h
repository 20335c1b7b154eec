//===- OnnxImporter.h - ONNX model to mpc IR --------------------*- C++ -*-===//
//
// Imports an ONNX model (docs/onnx.md) into a module of the mpc dialect: the
// graph inputs become the arguments of func.func @forward, the nodes mpc
// ops, and the graph outputs its results. Initializers and shape
// arithmetic are folded into constants. This header includes no ONNX
// header, so its users build without exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H
#define MPC_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H

#include "runtime/driver/Tensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace mpc {

struct OnnxImportOptions {
  /// The size of the graph inputs' symbolic leading dims ("batch").
  std::optional<int64_t> batchSize;
  /// Graph inputs bound to values instead of becoming arguments: their
  /// values are folded like initializers (the conformance tests bind the
  /// integer operands, such as shapes and axes, this way).
  std::map<std::string, driver::HostTensor> boundInputs;
  /// The graph output that is the loss; empty: the only scalar float
  /// output, if there is one.
  std::string loss;
};

/// Whether `fileName` names an ONNX model: it ends in ".onnx".
bool isOnnxModelFile(llvm::StringRef fileName);

/// Imports the ONNX model at `path` (its external data files are read from
/// beside it). On failure returns null and fills `errors` with one line
/// each ("PATH: error: ..."): one for a model that cannot be read, one per
/// unsupported node when the model reads but does not map.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(const std::string &path, mlir::MLIRContext *context,
                const OnnxImportOptions &options,
                std::vector<std::string> &errors);

/// importOnnxModel on the serialized model `bytes`, named `path` in errors
/// and for resolving external data.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxModelBytes(
    llvm::StringRef bytes, const std::string &path, mlir::MLIRContext *context,
    const OnnxImportOptions &options, std::vector<std::string> &errors);

/// Reads a serialized ONNX TensorProto file (a conformance test's input or
/// expected output) into `tensor`: floats as F32, integers and bools as
/// I64. Fails with a one-line `error` naming the file.
bool readOnnxTensorFile(const std::string &path, driver::HostTensor &tensor,
                        std::string &error);

/// The element type of the ONNX TensorProto file at `path`, as mpc spells
/// it (f32, f16, bf16, f64, i64, i32, i1, ...), or empty when unreadable.
std::string onnxTensorFileElementType(const std::string &path);

} // namespace mpc

#endif // MPC_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H
