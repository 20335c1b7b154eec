//===- OnnxImporter.cpp - ONNX model to mpc IR ----------------------------===//
//
// Walks the prepared graph (OnnxModel.cpp) in its order, which ONNX makes
// topological: each node is first offered to the folder, which computes it
// when its inputs are literals, then to the node table. A node that does
// not map is reported and the walk goes on, so that one run lists every
// unsupported node; nodes that only depend on it are skipped silently.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/OnnxImporter.h"

#include "compiler/import/onnx/OnnxLiteral.h"
#include "compiler/import/onnx/OnnxModel.h"
#include "compiler/import/onnx/OnnxNode.h"
#include "compiler/import/onnx/OnnxParams.h"
#include "compiler/import/onnx/OnnxRewrites.h"
#include "dialects/mpc/ForwardFunction.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"
#include "runtime/core/OneLineText.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <onnx/onnx_pb.h>

#include <exception>
#include <map>

using namespace mlir;

namespace mpc {

bool isOnnxModelFile(llvm::StringRef fileName) {
  return fileName.ends_with_insensitive(".onnx");
}

namespace onnx_import {
namespace {

/// What the importer knows of an ONNX value.
struct Entry {
  Value value;
  std::optional<Literal> literal;
  /// Produced by a node that did not map.
  bool poisoned = false;
};

class GraphImport {
public:
  GraphImport(const onnx::ModelProto &model, const std::string &path,
              MLIRContext *context, const OnnxImportOptions &options,
              std::vector<std::string> &errors)
      : model(model), graph(model.graph()), path(path), context(context),
        builder(context), options(options), errors(errors) {}

  OwningOpRef<ModuleOp> run();

private:
  void error(const std::string &message) {
    errors.push_back(path + ": error: " + message);
  }
  /// "node 'name' (OpType, #index)": how errors name a node.
  std::string describeNode(const onnx::NodeProto &node, size_t index) const;
  Location nodeLocation(const onnx::NodeProto &node, size_t index);
  /// describeNode's words for a location nodeLocation made, with ": ".
  static std::string describeLocation(Location loc);
  bool importInitializers();
  /// Reads the model's kParametersMetadataKey list, when it has one.
  bool readDeclaredParameters();
  /// Whether `node` must be imported as ops rather than folded, so that a
  /// weight it reads stays the initializer and can become a param.
  bool readsWeight(const onnx::NodeProto &node,
                   llvm::ArrayRef<NodeInput> inputs) const;
  bool importInputs(Block &body);
  void importNode(const onnx::NodeProto &node, size_t index);
  /// Checks the mapped results against what ONNX shape inference derived.
  bool checkInferredTypes(const onnx::NodeProto &node,
                          llvm::ArrayRef<Value> results, std::string &problem);
  bool importOutputs(func::FuncOp forward);

  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  std::string path;
  MLIRContext *context;
  OpBuilder builder;
  const OnnxImportOptions &options;
  std::vector<std::string> &errors;

  llvm::StringMap<Entry> values;
  /// Static shapes and element types ONNX shape inference gave.
  llvm::StringMap<const onnx::TypeProto *> inferred;
  llvm::SmallVector<std::string> inputNames;
  /// Whether @forward's first result is the loss.
  bool hasLoss = false;
  /// The initializers the model declares trainable; none when it does not
  /// say, and the rule of OnnxParams.h decides alone.
  std::optional<llvm::StringSet<>> declaredParameters;
};

std::string GraphImport::describeNode(const onnx::NodeProto &node,
                                      size_t index) const {
  std::string name =
      node.name().empty() ? "#" + std::to_string(index) : node.name();
  return "node '" + name + "' (" + node.op_type() + ", #" +
         std::to_string(index) + ")";
}

Location GraphImport::nodeLocation(const onnx::NodeProto &node, size_t index) {
  // loc("name"("OpType"("model.onnx":INDEX:0))): the node, its op type, and
  // its position in the graph's node list.
  std::string name = node.name().empty()
                         ? (node.output_size() ? node.output(0) : "")
                         : node.name();
  Location file =
      FileLineColLoc::get(context, path, static_cast<unsigned>(index), 0);
  return NameLoc::get(
      StringAttr::get(context, name),
      NameLoc::get(StringAttr::get(context, node.op_type()), file));
}

std::string GraphImport::describeLocation(Location loc) {
  // nodeLocation's shape: loc("name"("OpType"(file:index:0))).
  auto name = dyn_cast<NameLoc>(loc);
  auto opType = name ? dyn_cast<NameLoc>(name.getChildLoc()) : NameLoc();
  auto file = opType ? dyn_cast<FileLineColLoc>(opType.getChildLoc())
                     : FileLineColLoc();
  if (!file)
    return "";
  return "node '" + name.getName().str() + "' (" + opType.getName().str() +
         ", #" + std::to_string(file.getLine()) + "): ";
}

bool GraphImport::importInitializers() {
  for (const onnx::TensorProto &tensor : graph.initializer()) {
    Entry entry;
    entry.literal.emplace();
    std::string problem;
    if (!literalFromTensor(tensor, *entry.literal, problem)) {
      error("initializer '" + tensor.name() + "': " + problem);
      return false;
    }
    if (entry.literal->isFloat())
      entry.literal->initializer = tensor.name();
    values[tensor.name()] = std::move(entry);
  }
  // Bound inputs take the element type the graph declares for them.
  std::map<std::string, int> declared;
  for (const onnx::ValueInfoProto &input : graph.input())
    declared[input.name()] = input.type().tensor_type().elem_type();
  for (const auto &[name, tensor] : options.boundInputs) {
    auto it = declared.find(name);
    if (it == declared.end()) {
      error("bound input '" + name + "' is not a graph input");
      return false;
    }
    Entry entry;
    entry.literal.emplace();
    Literal &literal = *entry.literal;
    std::string problem;
    if (!elementKindOf(it->second, literal.kind, problem)) {
      error("input '" + name + "': " + problem);
      return false;
    }
    literal.shape = tensor.shape;
    bool isFloat = tensor.dtype == DType::F32;
    for (int64_t i = 0, e = tensor.numElements(); i < e; ++i) {
      double value =
          isFloat ? tensor.f32[i] : static_cast<double>(tensor.i64[i]);
      if (literal.isFloat())
        literal.floats.push_back(value);
      else if (literal.kind == ElementKind::I1)
        literal.ints.push_back(value != 0);
      else
        literal.ints.push_back(isFloat ? static_cast<int64_t>(value)
                                       : tensor.i64[i]);
    }
    values[name] = std::move(entry);
  }
  return true;
}

bool GraphImport::readDeclaredParameters() {
  for (const onnx::StringStringEntryProto &entry : model.metadata_props()) {
    if (entry.key() != kParametersMetadataKey)
      continue;
    std::string where = "metadata '" + kParametersMetadataKey.str() + "'";
    llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(entry.value());
    if (!parsed) {
      llvm::consumeError(parsed.takeError());
      error(where + " is not JSON (a list of initializer names)");
      return false;
    }
    const llvm::json::Array *names = parsed->getAsArray();
    if (!names) {
      error(where + " is not a list of initializer names");
      return false;
    }
    declaredParameters.emplace();
    for (const llvm::json::Value &name : *names) {
      std::optional<llvm::StringRef> text = name.getAsString();
      if (!text) {
        error(where + " holds a value that is not a name");
        return false;
      }
      auto it = values.find(*text);
      if (it == values.end() || !it->second.literal ||
          it->second.literal->initializer.empty()) {
        error(where + " names '" + text->str() +
              "', which is not an initializer of the graph");
        return false;
      }
      declaredParameters->insert(*text);
    }
  }
  return true;
}

bool GraphImport::readsWeight(const onnx::NodeProto &node,
                              llvm::ArrayRef<NodeInput> inputs) const {
  auto readsInitializer = [&](auto isWeight) {
    return llvm::any_of(inputs, [&](const NodeInput &input) {
      return input.literal && !input.literal->initializer.empty() &&
             isWeight(input.literal->initializer);
    });
  };
  // A declared weight is never folded: only its shape may be read.
  if (declaredParameters)
    return !readsOnlyShape(node.op_type()) &&
           readsInitializer([&](const std::string &name) {
             return declaredParameters->contains(name);
           });
  // Otherwise data movement on an initializer keeps it, so that a weight
  // read through a Transpose is still trained.
  return passesInitializerThrough(node.op_type()) &&
         readsInitializer([](const std::string &) { return true; });
}

bool GraphImport::importInputs(Block &body) {
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (values.count(input.name()))
      continue; // An initializer listed as an input (IR version < 4).
    const onnx::TypeProto &type = input.type();
    if (!type.has_tensor_type()) {
      error("input '" + input.name() + "' is not a tensor");
      return false;
    }
    ElementKind kind;
    std::string problem;
    if (!elementKindOf(type.tensor_type().elem_type(), kind, problem) ||
        kind == ElementKind::F64) {
      error("input '" + input.name() + "': " +
            (problem.empty() ? "element type f64 is not supported (mpc has "
                               "f32, f16, bf16, i64, i32, bool)"
                             : problem));
      return false;
    }
    llvm::SmallVector<int64_t> shape;
    for (const auto &dim : type.tensor_type().shape().dim())
      shape.push_back(dim.dim_value());
    if (!isPositiveBoundedShape(shape)) {
      error("input '" + input.name() + "' has shape " + formatShape(shape) +
            ", which mpc cannot hold");
      return false;
    }
    auto tensorType =
        RankedTensorType::get(shape, elementTypeOf(kind, context));
    Value argument = body.addArgument(
        tensorType, NameLoc::get(StringAttr::get(context, input.name()),
                                 FileLineColLoc::get(context, path, 0, 0)));
    values[input.name()].value = argument;
    inputNames.push_back(input.name());
  }
  return true;
}

bool GraphImport::checkInferredTypes(const onnx::NodeProto &node,
                                     llvm::ArrayRef<Value> results,
                                     std::string &problem) {
  for (auto [index, result] : llvm::enumerate(results)) {
    if (!result || static_cast<int>(index) >= node.output_size())
      continue;
    const onnx::TypeProto *type = inferred.lookup(node.output(index));
    if (!type || !type->tensor_type().has_shape())
      continue;
    llvm::SmallVector<int64_t> shape;
    for (const auto &dim : type->tensor_type().shape().dim()) {
      if (!dim.has_dim_value())
        return true; // Not static: nothing to compare.
      shape.push_back(dim.dim_value());
    }
    auto actual = tensorType(result);
    if (actual.getShape() != llvm::ArrayRef<int64_t>(shape)) {
      problem = "mpc derives shape " + formatShape(actual.getShape()) +
                " for output '" + node.output(index) + "', ONNX " +
                formatShape(shape);
      return false;
    }
  }
  return true;
}

void GraphImport::importNode(const onnx::NodeProto &node, size_t index) {
  auto poison = [&] {
    for (const std::string &output : node.output())
      if (!output.empty())
        values[output].poisoned = true;
  };
  // The node's inputs; a missing name is a broken model.
  std::vector<NodeInput> inputs;
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      inputs.emplace_back();
      continue;
    }
    auto it = values.find(name);
    if (it == values.end()) {
      error(describeNode(node, index) + ": input '" + name +
            "' is not defined before the node");
      return poison();
    }
    if (it->second.poisoned)
      return poison();
    inputs.push_back(NodeInput{
        it->second.literal ? &*it->second.literal : nullptr, it->second.value});
  }

  Location loc = nodeLocation(node, index);
  NodeContext nodeContext(node, inputs, builder, loc);
  std::vector<Literal> folded;
  if (!readsWeight(node, inputs) && foldNode(nodeContext, folded)) {
    for (auto [position, literal] : llvm::enumerate(folded))
      if (position < static_cast<size_t>(node.output_size()) &&
          !node.output(position).empty()) {
        Entry entry;
        entry.literal = std::move(literal);
        entry.literal->initializer.clear(); // Computed, not the initializer.
        values[node.output(position)] = std::move(entry);
      }
    return;
  }

  if (inputs.size() > 0 && inputs[0].literal &&
      inputs[0].literal->numElements() == 0) {
    error(describeNode(node, index) + ": input '" + node.input(0) +
          "' is empty (mpc has no empty tensors)");
    return poison();
  }
  NodeMapping mapping = lookupNodeMapping(node.op_type());
  if (!mapping) {
    error(describeNode(node, index) + ": op " + node.op_type() +
          " has no mpc mapping");
    return poison();
  }
  // The mapping's diagnostics become this node's line.
  std::string problem;
  {
    ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
      if (problem.empty())
        problem = diag.str();
      return success();
    });
    if (failed(mapping(nodeContext)) && problem.empty())
      problem = "cannot be mapped";
  }
  if (problem.empty() && nodeContext.results.empty())
    problem = "produced no result";
  if (problem.empty())
    checkInferredTypes(node, nodeContext.results, problem);
  if (!problem.empty()) {
    error(describeNode(node, index) + ": " + problem);
    return poison();
  }
  for (auto [position, result] : llvm::enumerate(nodeContext.results))
    if (result && position < static_cast<size_t>(node.output_size()) &&
        !node.output(position).empty())
      values[node.output(position)].value = result;
}

bool GraphImport::importOutputs(func::FuncOp forward) {
  llvm::SmallVector<Value> results;
  llvm::SmallVector<std::string> names;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = values.find(output.name());
    if (it == values.end()) {
      error("graph output '" + output.name() + "' is not defined");
      return false;
    }
    Entry &entry = it->second;
    if (entry.poisoned)
      continue;
    Value value = entry.value;
    if (!value)
      value = builder.create<ConstantOp>(
          NameLoc::get(StringAttr::get(context, output.name()),
                       FileLineColLoc::get(context, path, 0, 0)),
          denseAttrOf(*entry.literal, context));
    results.push_back(value);
    names.push_back(output.name());
  }
  if (!errors.empty())
    return false;

  // The loss: the named output, or the only scalar float one.
  auto isScalarFloat = [](Value value) {
    auto type = tensorType(value);
    return type.getRank() == 0 && isa<FloatType>(type.getElementType());
  };
  std::optional<size_t> loss;
  if (!options.loss.empty()) {
    auto it = llvm::find(names, options.loss);
    if (it == names.end()) {
      error("the loss '" + options.loss + "' is not a graph output");
      return false;
    }
    loss = it - names.begin();
    if (!isScalarFloat(results[*loss])) {
      std::string type;
      llvm::raw_string_ostream(type) << results[*loss].getType();
      error("the loss '" + options.loss + "' must be a scalar float, got " +
            type);
      return false;
    }
  } else {
    for (size_t i = 0; i < results.size(); ++i)
      if (isScalarFloat(results[i])) {
        if (loss) {
          loss.reset();
          break; // Two candidates: the user names one with --loss.
        }
        loss = i;
      }
  }
  hasLoss = loss.has_value();
  if (loss && *loss != 0) {
    std::swap(results[0], results[*loss]);
    std::swap(names[0], names[*loss]);
  }

  finishForwardFunction(forward, FileLineColLoc::get(context, path, 0, 0),
                        results, inputNames, names, loss.has_value());
  return true;
}

OwningOpRef<ModuleOp> GraphImport::run() {
  context->loadDialect<MpcDialect, func::FuncDialect>();
  for (const onnx::ValueInfoProto &info : graph.value_info())
    inferred[info.name()] = &info.type();
  for (const onnx::ValueInfoProto &info : graph.output())
    inferred[info.name()] = &info.type();

  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  auto forward = func::FuncOp::create(fileLoc, MpcDialect::kForwardFuncName,
                                      builder.getFunctionType({}, {}));
  module->push_back(forward);
  Block *body = new Block();
  forward.getBody().push_back(body);
  builder.setInsertionPointToEnd(body);
  if (!importInitializers() || !readDeclaredParameters() ||
      !importInputs(*body))
    return nullptr;
  for (auto [index, node] : llvm::enumerate(graph.node()))
    importNode(node, index);
  if (!errors.empty() || !importOutputs(forward))
    return nullptr;
  promoteInitializersToParams(*module, forward, hasLoss,
                              declaredParameters ? &*declaredParameters
                                                 : nullptr);

  // Whatever fails here is a defect of a mapping: it is reported, at the
  // node, like an unsupported one.
  ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      error(describeLocation(diag.getLocation()) + diag.str());
    return success();
  });
  RewritePatternSet patterns(context);
  populateOnnxImportPatterns(patterns);
  if (failed(applyPatternsAndFoldGreedily(forward, std::move(patterns))) ||
      failed(verify(*module))) {
    if (errors.empty())
      error("the imported module does not verify");
    return nullptr;
  }
  return module;
}

} // namespace
} // namespace onnx_import

namespace {

OwningOpRef<ModuleOp> importPrepared(llvm::StringRef bytes,
                                     const std::string &path,
                                     MLIRContext *context,
                                     const OnnxImportOptions &options,
                                     std::vector<std::string> &errors) {
  onnx::ModelProto model;
  std::string error;
  if (!onnx_import::prepareModel(bytes, path, options, model, error)) {
    errors.push_back(path + ": error: " + error);
    return nullptr;
  }
  try {
    return onnx_import::GraphImport(model, path, context, options, errors)
        .run();
  } catch (const std::exception &exception) {
    // Only libonnx throws; the mapping code does not call it.
    errors.push_back(path + ": error: " + exception.what());
    return nullptr;
  }
}

} // namespace

OwningOpRef<ModuleOp> importOnnxModelBytes(llvm::StringRef bytes,
                                           const std::string &path,
                                           MLIRContext *context,
                                           const OnnxImportOptions &options,
                                           std::vector<std::string> &errors) {
  OwningOpRef<ModuleOp> module =
      importPrepared(bytes, path, context, options, errors);
  // Names in a model are text from outside: each error stays one line.
  for (std::string &line : errors)
    line = oneLine(line);
  return module;
}

OwningOpRef<ModuleOp> importOnnxModel(const std::string &path,
                                      MLIRContext *context,
                                      const OnnxImportOptions &options,
                                      std::vector<std::string> &errors) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    errors.push_back(path +
                     ": error: cannot open: " + buffer.getError().message());
    return nullptr;
  }
  return importOnnxModelBytes((*buffer)->getBuffer(), path, context, options,
                              errors);
}

bool readOnnxTensorFile(const std::string &path, driver::HostTensor &tensor,
                        std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = path + ": cannot open: " + buffer.getError().message();
    return false;
  }
  onnx::TensorProto proto;
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    error = path + ": not a valid ONNX tensor (the protobuf does not parse)";
    return false;
  }
  onnx_import::Literal literal;
  std::string problem;
  if (!onnx_import::literalFromTensor(proto, literal, problem)) {
    error = path + ": " + problem;
    return false;
  }
  tensor = driver::HostTensor();
  tensor.name = proto.name();
  tensor.shape = literal.shape;
  if (literal.isFloat()) {
    tensor.dtype = DType::F32;
    tensor.f32.assign(literal.floats.begin(), literal.floats.end());
  } else {
    tensor.dtype = DType::I64;
    tensor.i64 = literal.ints;
  }
  return true;
}

std::string onnxTensorFileElementType(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  onnx::TensorProto proto;
  if (!buffer || (*buffer)->getBufferSize() > static_cast<size_t>(INT32_MAX) ||
      !proto.ParseFromArray((*buffer)->getBufferStart(),
                            static_cast<int>((*buffer)->getBufferSize())))
    return "";
  onnx_import::ElementKind kind;
  std::string problem;
  if (!onnx_import::elementKindOf(proto.data_type(), kind, problem))
    return onnx::TensorProto_DataType_IsValid(proto.data_type())
               ? onnx::TensorProto_DataType_Name(
                     static_cast<onnx::TensorProto_DataType>(proto.data_type()))
               : "";
  return onnx_import::elementKindName(kind);
}

} // namespace mpc
