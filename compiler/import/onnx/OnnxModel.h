//===- OnnxModel.h - reading and preparing an ONNX model --------*- C++ -*-===//
//
// The steps before mapping: parse the protobuf, load external data, check
// the opset domains, convert to the opset the node table is written for,
// bind the symbolic dims of the inputs and run ONNX shape inference.
// Private to the ONNX front end.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_IMPORT_ONNX_ONNXMODEL_H
#define MPC_COMPILER_IMPORT_ONNX_ONNXMODEL_H

#include "compiler/import/onnx/OnnxImporter.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace mpc::onnx_import {

/// The opset of the default domain the node table maps.
constexpr int64_t kTargetOpset = 17;

/// Parses `bytes` into `model` and prepares it; `path` names the model in
/// errors, and its directory holds the external data files. Fails with one
/// line in `error` (without the "PATH: error: " prefix).
bool prepareModel(llvm::StringRef bytes, const std::string &path,
                  const OnnxImportOptions &options, onnx::ModelProto &model,
                  std::string &error);

} // namespace mpc::onnx_import

#endif // MPC_COMPILER_IMPORT_ONNX_ONNXMODEL_H
