//===- NodeImporter.h - one JSON node to one mpc op -------------*- C++ -*-===//
//
// The importer's table of ops: for each JSON op name, the kinds of its
// operands, the attributes it accepts and how its mpc op is built. Result
// types come from the shape rules the op verifiers use.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_IMPORT_JSON_NODEIMPORTER_H
#define MPC_COMPILER_IMPORT_JSON_NODEIMPORTER_H

#include "compiler/import/json/JsonReader.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/OpCoverage.h"
#include "dialects/mpc/ShapeFunctions.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>

namespace mpc {

/// A node of the graph as read from its JSON object.
struct GraphNode {
  const json *object = nullptr;
  std::string pointer;
  std::string name;
  std::string op;
  std::string output;
  llvm::SmallVector<std::string> inputs;
  /// The values of `inputs`, once the node's op checked them.
  llvm::SmallVector<mlir::Value> operands;
  mlir::Location loc;

  explicit GraphNode(mlir::Location loc) : loc(loc) {}
};

class NodeImporter {
public:
  NodeImporter(const JsonReader &reader, mlir::OpBuilder &builder)
      : reader(reader), builder(builder) {}

  /// Builds the op of `node` at the builder's insertion point. `values`
  /// holds every value the node's inputs name. Checks the op name, arity,
  /// operand kinds and attributes, derives the result type, and applies the
  /// node's precision override.
  mlir::FailureOr<mlir::Value>
  import(GraphNode &node, const llvm::StringMap<mlir::Value> &values);

  /// Which ops a graph node can be (the table's rows), and which ops the
  /// importer declares are never nodes (tests/unit/OpCoverageTest.cpp).
  static Coverage coverage(mlir::OperationName name);

private:
  struct OpSpec;
  static llvm::ArrayRef<OpSpec> opSpecs();
  /// The table row of the op `build` creates.
  template <auto build>
  static OpSpec row(llvm::StringLiteral name, llvm::StringLiteral operands,
                    llvm::ArrayRef<llvm::StringLiteral> attrs);

  // Diagnostics that name the node.
  mlir::InFlightDiagnostic nodeError(const GraphNode &node);
  mlir::InFlightDiagnostic attrError(const GraphNode &node,
                                     llvm::StringRef key);

  // Node attributes, read with their defaults.
  const json *attr(const GraphNode &node, llvm::StringRef key);
  /// attr(), reporting its absence.
  const json *requiredAttr(const GraphNode &node, llvm::StringRef key);
  std::string attrPointer(const GraphNode &node, llvm::StringRef key);
  mlir::FailureOr<bool> boolAttr(const GraphNode &node, llvm::StringRef key);
  mlir::FailureOr<double> numberAttr(const GraphNode &node, llvm::StringRef key,
                                     std::optional<double> defaultValue,
                                     bool allowInfinity);
  mlir::FailureOr<int64_t> axisAttr(const GraphNode &node, llvm::StringRef key,
                                    int64_t rank);

  // One builder per op family (see opSpecs()); each returns the op it
  // built, whose class its table row records.
  mlir::FailureOr<MatmulOp> buildMatmul(GraphNode &node);
  /// A shape rule deriving the result type of an op of two operands.
  using InferBinaryFn = mlir::FailureOr<mlir::RankedTensorType> (*)(
      mlir::RankedTensorType, mlir::RankedTensorType, EmitErrorFn);
  template <typename OpTy, InferBinaryFn infer>
  mlir::FailureOr<OpTy> buildInferredBinary(GraphNode &node);
  template <typename OpTy> mlir::FailureOr<OpTy> buildUnary(GraphNode &node);
  template <typename OpTy>
  mlir::FailureOr<OpTy> buildSoftmaxLike(GraphNode &node);
  mlir::FailureOr<LayerNormOp> buildLayerNorm(GraphNode &node);
  mlir::FailureOr<RmsNormOp> buildRmsNorm(GraphNode &node);
  template <typename OpTy> mlir::FailureOr<OpTy> buildReduce(GraphNode &node);
  mlir::FailureOr<ReshapeOp> buildReshape(GraphNode &node);
  mlir::FailureOr<TransposeOp> buildTranspose(GraphNode &node);
  mlir::FailureOr<SliceOp> buildSlice(GraphNode &node);
  mlir::FailureOr<ConcatOp> buildConcat(GraphNode &node);
  mlir::FailureOr<CausalMaskOp> buildCausalMask(GraphNode &node);
  mlir::FailureOr<MaskedFillOp> buildMaskedFill(GraphNode &node);
  mlir::FailureOr<WhereOp> buildWhere(GraphNode &node);
  mlir::FailureOr<DropoutOp> buildDropout(GraphNode &node);
  mlir::FailureOr<SoftmaxCrossEntropyOp> buildCrossEntropy(GraphNode &node);
  mlir::FailureOr<PowOp> buildPow(GraphNode &node);
  mlir::FailureOr<ConstantOp> buildConstant(GraphNode &node);
  mlir::FailureOr<CastOp> buildCast(GraphNode &node);

  const JsonReader &reader;
  mlir::OpBuilder &builder;
};

} // namespace mpc

#endif // MPC_COMPILER_IMPORT_JSON_NODEIMPORTER_H
