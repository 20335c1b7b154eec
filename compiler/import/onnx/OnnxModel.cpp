//===- OnnxModel.cpp - reading and preparing an ONNX model ----------------===//
//
// libonnx reports problems by throwing; every call into it is wrapped here,
// so nothing escapes this library but a one-line error.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/OnnxModel.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

#include <exception>
#include <set>

namespace mpc::onnx_import {

namespace {

/// The default ONNX domain, under either of its names.
bool isDefaultDomain(const std::string &domain) {
  return domain.empty() || domain == "ai.onnx";
}

/// The first line of a library message, for a one-line error.
std::string firstLine(const std::string &text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "(no message)" : line;
}

/// Reads the external data of `tensor` into its raw_data: the file
/// `location` beside the model, from `offset`, `length` bytes (the rest of
/// the file without one).
bool loadExternalData(onnx::TensorProto &tensor, llvm::StringRef directory,
                      std::string &error) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &entry : tensor.external_data()) {
    auto number = [&](uint64_t &value) {
      if (llvm::StringRef(entry.value()).getAsInteger(10, value)) {
        error = "tensor '" + tensor.name() + "': external data " + entry.key() +
                " '" + entry.value() + "' is not a number";
        return false;
      }
      return true;
    };
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset") {
      if (!number(offset))
        return false;
    } else if (entry.key() == "length") {
      uint64_t value;
      if (!number(value))
        return false;
      length = value;
    }
  }
  if (location.empty() || llvm::sys::path::is_absolute(location) ||
      llvm::StringRef(location).contains("..")) {
    error = "tensor '" + tensor.name() + "': external data location '" +
            location + "' must be a file name relative to the model";
    return false;
  }
  llvm::SmallString<256> file(directory);
  llvm::sys::path::append(file, location);
  auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = "tensor '" + tensor.name() + "': cannot read external data " +
            file.str().str() + ": " + buffer.getError().message();
    return false;
  }
  uint64_t size = (*buffer)->getBufferSize();
  if (offset > size || (length && *length > size - offset)) {
    error = "tensor '" + tensor.name() + "': external data " +
            file.str().str() + " is " + std::to_string(size) +
            " bytes, shorter than offset " + std::to_string(offset) +
            (length ? " + length " + std::to_string(*length) : "");
    return false;
  }
  tensor.set_raw_data((*buffer)->getBufferStart() + offset,
                      length ? *length : size - offset);
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto_DataLocation_DEFAULT);
  return true;
}

bool loadAllExternalData(onnx::GraphProto &graph, llvm::StringRef directory,
                         std::string &error) {
  for (onnx::TensorProto &tensor : *graph.mutable_initializer())
    if (tensor.data_location() == onnx::TensorProto_DataLocation_EXTERNAL &&
        !loadExternalData(tensor, directory, error))
      return false;
  for (onnx::NodeProto &node : *graph.mutable_node())
    for (onnx::AttributeProto &attribute : *node.mutable_attribute())
      if (attribute.has_t() &&
          attribute.t().data_location() ==
              onnx::TensorProto_DataLocation_EXTERNAL &&
          !loadExternalData(*attribute.mutable_t(), directory, error))
        return false;
  return true;
}

/// The default domain's opset; fails on a domain other than the default.
bool checkOpsets(const onnx::ModelProto &model, int64_t &opset,
                 std::string &error) {
  opset = -1;
  for (const onnx::OperatorSetIdProto &import : model.opset_import()) {
    if (!isDefaultDomain(import.domain())) {
      error = "opset domain '" + import.domain() +
              "' is not supported: mpc imports the default ONNX domain only";
      return false;
    }
    opset = import.version();
  }
  if (opset < 1) {
    error = "the model imports no opset of the default ONNX domain";
    return false;
  }
  for (const onnx::NodeProto &node : model.graph().node())
    if (!isDefaultDomain(node.domain())) {
      error = "node '" + node.name() + "' (" + node.op_type() +
              ") is in domain '" + node.domain() +
              "': mpc imports the default ONNX domain only";
      return false;
    }
  return true;
}

/// Replaces the symbolic dims of the graph inputs: a leading one by the
/// batch size; any other cannot be bound.
bool bindSymbolicDims(onnx::GraphProto &graph, const OnnxImportOptions &options,
                      std::string &error) {
  std::set<std::string> initializers;
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializers.insert(tensor.name());
  for (onnx::ValueInfoProto &input : *graph.mutable_input()) {
    if (initializers.count(input.name()) ||
        options.boundInputs.count(input.name()) ||
        !input.type().has_tensor_type())
      continue;
    auto *tensorType = input.mutable_type()->mutable_tensor_type();
    if (!tensorType->has_shape()) {
      error = "input '" + input.name() +
              "' has no shape: mpc needs the rank of every input";
      return false;
    }
    auto *shape = tensorType->mutable_shape();
    for (int position = 0; position < shape->dim_size(); ++position) {
      auto *dim = shape->mutable_dim(position);
      if (dim->has_dim_value() && dim->dim_value() > 0)
        continue;
      std::string symbol = dim->has_dim_param()
                               ? "'" + dim->dim_param() + "'"
                               : (dim->has_dim_value() ? "0" : "unknown");
      if (dim->has_dim_value()) {
        error = "input '" + input.name() + "' dim " + std::to_string(position) +
                " is 0: mpc has no empty tensors";
        return false;
      }
      if (position != 0) {
        error = "input '" + input.name() + "' dim " + std::to_string(position) +
                " (" + symbol +
                ") cannot be bound: only a leading dim is bound, by the batch "
                "size; export the model with a static size for it";
        return false;
      }
      if (!options.batchSize) {
        error = "input '" + input.name() + "' dim 0 (" + symbol +
                ") is symbolic: give the batch size (--batch-size N)";
        return false;
      }
      dim->clear_dim_param();
      dim->set_dim_value(*options.batchSize);
    }
  }
  return true;
}

/// Every value a node or the graph's outputs use is defined before: by a
/// graph input, an initializer or an earlier node (ONNX lists nodes in
/// topological order). libonnx's converter dereferences what it finds
/// undefined.
bool checkWiring(const onnx::GraphProto &graph, std::string &error) {
  std::set<std::string> defined;
  for (const onnx::ValueInfoProto &input : graph.input())
    defined.insert(input.name());
  for (const onnx::TensorProto &tensor : graph.initializer())
    defined.insert(tensor.name());
  for (int index = 0; index < graph.node_size(); ++index) {
    const onnx::NodeProto &node = graph.node(index);
    for (const std::string &input : node.input())
      if (!input.empty() && !defined.count(input)) {
        error = "node '" + node.name() + "' (" + node.op_type() + ", #" +
                std::to_string(index) + "): input '" + input +
                "' is not defined before the node";
        return false;
      }
    for (const std::string &output : node.output())
      defined.insert(output);
  }
  for (const onnx::ValueInfoProto &output : graph.output())
    if (!defined.count(output.name())) {
      error = "graph output '" + output.name() + "' is not defined";
      return false;
    }
  return true;
}

} // namespace

bool prepareModel(llvm::StringRef bytes, const std::string &path,
                  const OnnxImportOptions &options, onnx::ModelProto &model,
                  std::string &error) {
  // protobuf messages are at most 2 GB; larger models keep their weights in
  // external data files.
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    error = "not a valid ONNX model (the protobuf does not parse)";
    return false;
  }
  if (!model.has_graph()) {
    error = "the model has no graph";
    return false;
  }
  int64_t opset;
  if (!checkOpsets(model, opset, error))
    return false;
  if (!loadAllExternalData(*model.mutable_graph(),
                           llvm::sys::path::parent_path(path), error))
    return false;
  // libonnx's converter and shape inference assume a well-formed graph
  // (every value defined before use, known ops, ...): the wiring and ONNX's
  // checker establish that first.
  if (!checkWiring(model.graph(), error))
    return false;
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &exception) {
    error = "not a valid ONNX model: " + firstLine(exception.what());
    return false;
  }
  try {
    if (opset != kTargetOpset) {
      model = onnx::version_conversion::ConvertVersion(
          model, static_cast<int>(kTargetOpset));
    }
  } catch (const std::exception &exception) {
    error = "cannot convert the model from opset " + std::to_string(opset) +
            " to " + std::to_string(kTargetOpset) + ": " +
            firstLine(exception.what());
    return false;
  }
  if (!bindSymbolicDims(*model.mutable_graph(), options, error))
    return false;
  try {
    onnx::ShapeInferenceOptions inference(/*check_type=*/false,
                                          /*strict_mode=*/0,
                                          /*data_prop=*/true);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), inference);
  } catch (const std::exception &exception) {
    error = "ONNX shape inference failed: " + firstLine(exception.what());
    return false;
  }
  return true;
}

} // namespace mpc::onnx_import
