//===- OnnxNode.h - one ONNX node as the mappings see it --------*- C++ -*-===//
//
// A node's inputs (mpc values, or literals the importer knows), its
// attributes, and where its ops are built. The folder (OnnxFolder.cpp) and
// the node table (OnnxNodeTable.cpp) both work on it. Private to the ONNX
// front end.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_IMPORT_ONNX_ONNXNODE_H
#define MPC_COMPILER_IMPORT_ONNX_ONNXNODE_H

#include "compiler/import/onnx/OnnxLiteral.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace onnx {
class AttributeProto;
class NodeProto;
} // namespace onnx

namespace mpc::onnx_import {

/// One input of a node: absent (an empty name), a literal, or a value.
struct NodeInput {
  const Literal *literal = nullptr;
  mlir::Value value;
  bool present() const { return literal || value; }
};

class NodeContext {
public:
  NodeContext(const onnx::NodeProto &node, llvm::ArrayRef<NodeInput> inputs,
              mlir::OpBuilder &builder, mlir::Location loc)
      : node(node), inputs(inputs), builder(builder), loc(loc) {}

  const onnx::NodeProto &node;
  llvm::ArrayRef<NodeInput> inputs;
  mlir::OpBuilder &builder;
  mlir::Location loc;

  llvm::StringRef opType() const;
  size_t numInputs() const { return inputs.size(); }
  bool hasInput(size_t index) const {
    return index < inputs.size() && inputs[index].present();
  }
  /// The known value of input `index`, or null.
  const Literal *literal(size_t index) const {
    return index < inputs.size() ? inputs[index].literal : nullptr;
  }
  /// Input `index` as an mpc value: a literal becomes an mpc.constant.
  mlir::Value value(size_t index);
  /// The type of input `index` (which must be present).
  mlir::RankedTensorType type(size_t index) const;

  size_t numOutputs() const;
  /// Whether output `index` exists and is named (a consumer may use it).
  bool usesOutput(size_t index) const;

  const onnx::AttributeProto *attribute(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t defaultValue) const;
  double floatAttr(llvm::StringRef name, double defaultValue) const;
  std::string stringAttr(llvm::StringRef name,
                         llvm::StringRef defaultValue) const;
  std::optional<std::vector<int64_t>> intsAttr(llvm::StringRef name) const;

  /// Reports why the node does not map, at its location; returns failure.
  mlir::LogicalResult unsupported(const llvm::Twine &reason);

  /// The outputs the mapping produced, by position.
  llvm::SmallVector<mlir::Value> results;
  void setResult(size_t index, mlir::Value value) {
    if (results.size() <= index)
      results.resize(index + 1);
    results[index] = value;
  }
};

/// Computes the outputs of `node` when its inputs are literals (shape
/// arithmetic, constants). Returns false, changing nothing, when it cannot.
bool foldNode(NodeContext &node, std::vector<Literal> &outputs);

/// Builds the mpc ops of a node into `node.results`.
using NodeMapping = mlir::LogicalResult (*)(NodeContext &node);

/// The mapping of ONNX op `opType`, or null when mpc has none.
NodeMapping lookupNodeMapping(llvm::StringRef opType);

/// Every ONNX op type the node table maps, sorted.
std::vector<std::string> mappedOpTypes();

/// Every ONNX op type the folder computes, sorted.
std::vector<std::string> foldedOpTypes();

/// Normalizes `axis` into [0, rank); fails when it is out of range.
bool normalizeAxis(int64_t &axis, int64_t rank);

} // namespace mpc::onnx_import

#endif // MPC_COMPILER_IMPORT_ONNX_ONNXNODE_H
