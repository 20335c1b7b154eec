//===- OnnxNodeTable.cpp - ONNX ops to mpc ops
//-----------------------------===//
//
// One mapping per ONNX op type (opset 17, after version conversion). A
// mapping builds mpc ops whose result types come from the shape rules the
// op verifiers use (dialects/mpc/ShapeFunctions.h), or reports, at the
// node's location, why this node does not map. Several ONNX ops become a
// few mpc ops: Gemm is a matmul and an add, Unsqueeze/Squeeze/Flatten are
// reshapes, Pow by a constant exponent is a product, a root or a pow, Where
// with a constant branch is a masked_fill (any other Where is an mpc.where).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/OnnxNode.h"

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <numeric>

using namespace mlir;

namespace mpc::onnx_import {

namespace {

bool isFloatTensor(RankedTensorType type) {
  Type element = type.getElementType();
  return element.isF32() || element.isF16() || element.isBF16();
}

/// Fails unless input `index` is a present float tensor.
LogicalResult requireFloat(NodeContext &node, size_t index) {
  if (!node.hasInput(index))
    return node.unsupported("input " + llvm::Twine(index) + " is required");
  if (isFloatTensor(node.type(index)))
    return success();
  std::string type;
  llvm::raw_string_ostream(type) << node.type(index);
  return node.unsupported("input " + llvm::Twine(index) + " is " + type +
                          "; mpc computes this op on f32, f16 and bf16 "
                          "tensors only");
}

/// Fails unless inputs [0, count) are present float tensors.
LogicalResult requireFloats(NodeContext &node, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (failed(requireFloat(node, i)))
      return failure();
  return success();
}

/// Fails when output `index` or later is used: mpc computes the first
/// `index` outputs only.
LogicalResult onlyOutputs(NodeContext &node, size_t count) {
  for (size_t i = count; i < node.numOutputs(); ++i)
    if (node.usesOutput(i))
      return node.unsupported("output " + llvm::Twine(i) + " is not supported");
  return success();
}

/// The error reporter of the shape rules, for `node`. It returns the lambda
/// itself: an EmitErrorFn (a function_ref) must not outlive the call it is
/// passed to.
auto errorsAt(NodeContext &node) {
  return [&node] { return emitError(node.loc); };
}

Value reshapeTo(NodeContext &node, Value input, llvm::ArrayRef<int64_t> shape) {
  auto type = tensorType(input);
  if (type.getShape() == shape)
    return input;
  return node.builder.create<ReshapeOp>(
      node.loc, RankedTensorType::get(shape, type.getElementType()), input);
}

/// A scalar constant of the element type of `like`.
Value scalar(NodeContext &node, double value, Type elementType) {
  auto type = RankedTensorType::get({}, elementType);
  llvm::APFloat number(value);
  bool losesInfo;
  number.convert(cast<FloatType>(elementType).getFloatSemantics(),
                 llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return node.builder.create<ConstantOp>(node.loc,
                                         DenseElementsAttr::get(type, number));
}

template <typename OpTy>
FailureOr<Value> broadcastBinary(NodeContext &node, Value lhs, Value rhs) {
  auto type = inferBroadcastBinaryType(tensorType(lhs), tensorType(rhs),
                                       errorsAt(node));
  if (failed(type))
    return failure();
  return node.builder.create<OpTy>(node.loc, *type, lhs, rhs).getResult();
}

template <typename OpTy> LogicalResult mapBinary(NodeContext &node) {
  if (failed(requireFloats(node, 2)))
    return failure();
  auto result = broadcastBinary<OpTy>(node, node.value(0), node.value(1));
  if (failed(result))
    return failure();
  node.setResult(0, *result);
  return success();
}

template <typename OpTy> LogicalResult mapUnary(NodeContext &node) {
  if (failed(requireFloats(node, 1)))
    return failure();
  Value input = node.value(0);
  node.setResult(0,
                 node.builder.create<OpTy>(node.loc, input.getType(), input));
  return success();
}

LogicalResult mapIdentity(NodeContext &node) {
  if (!node.hasInput(0))
    return node.unsupported("input 0 is required");
  node.setResult(0, node.value(0));
  return success();
}

LogicalResult mapReciprocal(NodeContext &node) {
  if (failed(requireFloats(node, 1)))
    return failure();
  Value input = node.value(0);
  Value one = scalar(node, 1.0, tensorType(input).getElementType());
  node.setResult(
      0, node.builder.create<DivOp>(node.loc, input.getType(), one, input));
  return success();
}

/// A matmul with numpy's rules for 1-D operands: a 1-D lhs is a row, a 1-D
/// rhs a column, and the added dim is dropped from the result.
FailureOr<Value> matmul(NodeContext &node, Value lhs, Value rhs,
                        bool transposeA, bool transposeB) {
  auto lhsType = tensorType(lhs), rhsType = tensorType(rhs);
  bool rowVector = lhsType.getRank() == 1,
       columnVector = rhsType.getRank() == 1;
  if (lhsType.getRank() == 0 || rhsType.getRank() == 0)
    return node.unsupported("matmul of a scalar");
  if (rowVector)
    lhs = reshapeTo(node, lhs, {1, lhsType.getDimSize(0)});
  if (columnVector)
    rhs = reshapeTo(node, rhs, {rhsType.getDimSize(0), 1});
  auto type = inferMatmulType(tensorType(lhs), tensorType(rhs), transposeA,
                              transposeB, errorsAt(node));
  if (failed(type))
    return failure();
  Value result = node.builder.create<MatmulOp>(node.loc, *type, lhs, rhs,
                                               transposeA, transposeB);
  llvm::SmallVector<int64_t> shape(type->getShape());
  if (columnVector)
    shape.erase(shape.end() - 1);
  if (rowVector)
    shape.erase(shape.end() - 1 - (columnVector ? 0 : 1));
  return reshapeTo(node, result, shape);
}

LogicalResult mapMatMul(NodeContext &node) {
  if (failed(requireFloats(node, 2)))
    return failure();
  auto result = matmul(node, node.value(0), node.value(1), false, false);
  if (failed(result))
    return failure();
  node.setResult(0, *result);
  return success();
}

/// Gemm: alpha * op(A) op(B) + beta * C, as matmul, mul and add.
LogicalResult mapGemm(NodeContext &node) {
  if (failed(requireFloats(node, 2)) ||
      (node.hasInput(2) && failed(requireFloats(node, 3))))
    return failure();
  if (node.type(0).getRank() != 2 || node.type(1).getRank() != 2)
    return node.unsupported("Gemm takes rank-2 A and B");
  auto result =
      matmul(node, node.value(0), node.value(1), node.intAttr("transA", 0) != 0,
             node.intAttr("transB", 0) != 0);
  if (failed(result))
    return failure();
  Type elementType = tensorType(*result).getElementType();
  double alpha = node.floatAttr("alpha", 1.0),
         beta = node.floatAttr("beta", 1.0);
  if (alpha != 1.0) {
    result =
        broadcastBinary<MulOp>(node, *result, scalar(node, alpha, elementType));
    if (failed(result))
      return failure();
  }
  if (node.hasInput(2) && beta != 0.0) {
    Value bias = node.value(2);
    if (beta != 1.0) {
      auto scaled =
          broadcastBinary<MulOp>(node, bias, scalar(node, beta, elementType));
      if (failed(scaled))
        return failure();
      bias = *scaled;
    }
    result = broadcastBinary<AddOp>(node, *result, bias);
    if (failed(result))
      return failure();
  }
  node.setResult(0, *result);
  return success();
}

template <typename OpTy> LogicalResult mapSoftmaxLike(NodeContext &node) {
  if (failed(requireFloats(node, 1)))
    return failure();
  Value input = node.value(0);
  int64_t axis = node.intAttr("axis", -1);
  if (!normalizeAxis(axis, tensorType(input).getRank()))
    return node.unsupported("axis " + llvm::Twine(axis) + " is out of range");
  node.setResult(
      0, node.builder.create<OpTy>(node.loc, input.getType(), input,
                                   node.builder.getI64IntegerAttr(axis)));
  return success();
}

/// LayerNormalization's optional Mean and InvStdDev outputs, from
/// reductions over the normalized dims (kept as 1s).
LogicalResult mapLayerNormStatistics(NodeContext &node, Value input,
                                     int64_t axis, double epsilon) {
  auto type = tensorType(input);
  llvm::SmallVector<int64_t> axes;
  for (int64_t d = axis; d < type.getRank(); ++d)
    axes.push_back(d);
  auto reducedType = inferReduceType(type, axes, true, errorsAt(node));
  if (failed(reducedType))
    return failure();
  OpBuilder &b = node.builder;
  Value mean =
      b.create<ReduceMeanOp>(node.loc, *reducedType, input, axes, true);
  auto centered = broadcastBinary<SubOp>(node, input, mean);
  if (failed(centered))
    return failure();
  Value squares = b.create<MulOp>(node.loc, type, *centered, *centered);
  Value variance =
      b.create<ReduceMeanOp>(node.loc, *reducedType, squares, axes, true);
  auto shifted = broadcastBinary<AddOp>(
      node, variance, scalar(node, epsilon, type.getElementType()));
  if (failed(shifted))
    return failure();
  node.setResult(1, mean);
  node.setResult(2, b.create<RsqrtOp>(node.loc, *reducedType, *shifted));
  return success();
}

LogicalResult mapLayerNorm(NodeContext &node) {
  if (failed(requireFloats(node, 2)) ||
      (node.hasInput(2) && failed(requireFloats(node, 3))))
    return failure();
  Value input = node.value(0), scale = node.value(1);
  auto inputType = tensorType(input);
  int64_t rank = inputType.getRank();
  int64_t axis = node.intAttr("axis", -1);
  if (!normalizeAxis(axis, rank))
    return node.unsupported("axis " + llvm::Twine(axis) + " is out of range");
  // mpc's gamma and beta have exactly the normalized dims' shape.
  llvm::ArrayRef<int64_t> normalized = inputType.getShape().drop_front(axis);
  auto affineType =
      RankedTensorType::get(normalized, inputType.getElementType());
  auto expand = [&](Value value) -> FailureOr<Value> {
    auto type = tensorType(value);
    if (type == affineType)
      return value;
    if (failed(verifyBroadcastsTo(type.getShape(), normalized, "scale/bias",
                                  "the normalized dims", errorsAt(node))))
      return failure();
    // A broadcast scale or bias: add it to zeros of the normalized shape.
    Value zeros = node.builder.create<ConstantOp>(
        node.loc,
        DenseElementsAttr::get(
            affineType, node.builder.getZeroAttr(inputType.getElementType())));
    return broadcastBinary<AddOp>(node, zeros, value);
  };
  auto gamma = expand(scale);
  if (failed(gamma))
    return failure();
  Value beta;
  if (node.hasInput(2)) {
    auto expanded = expand(node.value(2));
    if (failed(expanded))
      return failure();
    beta = *expanded;
  } else {
    beta = node.builder.create<ConstantOp>(
        node.loc,
        DenseElementsAttr::get(
            affineType, node.builder.getZeroAttr(inputType.getElementType())));
  }
  double epsilon = node.floatAttr("epsilon", 1e-5);
  if (failed(verifyEpsilon(epsilon, errorsAt(node))))
    return failure();
  node.setResult(0, node.builder.create<LayerNormOp>(
                        node.loc, inputType, input, *gamma, beta,
                        node.builder.getF64FloatAttr(epsilon)));
  if (node.usesOutput(1) || node.usesOutput(2))
    return mapLayerNormStatistics(node, input, axis, epsilon);
  return success();
}

/// ReduceSum (axes as input 1) and ReduceMean (axes as an attribute).
template <typename OpTy> LogicalResult mapReduce(NodeContext &node) {
  if (failed(requireFloats(node, 1)))
    return failure();
  Value input = node.value(0);
  int64_t rank = tensorType(input).getRank();
  std::vector<int64_t> given;
  bool axesGiven = false;
  if (std::is_same_v<OpTy, ReduceSumOp> && node.hasInput(1)) {
    const Literal *axes = node.literal(1);
    if (!axes || axes->isFloat())
      return node.unsupported("the axes must be a constant");
    given = axes->ints;
    axesGiven = true;
  } else if (auto axes = node.intsAttr("axes")) {
    given = *axes;
    axesGiven = true;
  }
  bool keepDims = node.intAttr("keepdims", 1) != 0;
  if (given.empty() && axesGiven &&
      node.intAttr("noop_with_empty_axes", 0) != 0) {
    node.setResult(0, input);
    return success();
  }
  llvm::SmallVector<int64_t> axes;
  for (int64_t axis : given) {
    if (!normalizeAxis(axis, rank))
      return node.unsupported("axis " + llvm::Twine(axis) + " is out of range");
    axes.push_back(axis);
  }
  if (given.empty())
    for (int64_t axis = 0; axis < rank; ++axis)
      axes.push_back(axis);
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  auto type =
      inferReduceType(tensorType(input), axes, keepDims, errorsAt(node));
  if (failed(type))
    return failure();
  node.setResult(
      0, node.builder.create<OpTy>(node.loc, *type, input, axes, keepDims));
  return success();
}

/// Reshape, Flatten, Squeeze and Unsqueeze: the output shape ONNX shape
/// rules give (the folder's rules, applied to the input's shape).
LogicalResult mapReshapeLike(NodeContext &node) {
  if (!node.hasInput(0))
    return node.unsupported("input 0 is required");
  // Fold the node on a literal of the input's shape standing in for its
  // data: the folder's shape rules, written once.
  Literal standIn;
  auto type = node.type(0);
  standIn.shape = type.getShape().vec();
  standIn.kind = ElementKind::I64;
  if (standIn.numElements() > kMaxFoldedElements)
    return node.unsupported("the input is too large to reshape at import");
  standIn.ints.assign(standIn.numElements(), 0);
  llvm::SmallVector<NodeInput> inputs(node.inputs.begin(), node.inputs.end());
  inputs[0] = NodeInput{&standIn, Value()};
  for (size_t i = 1; i < inputs.size(); ++i)
    if (inputs[i].present() && !inputs[i].literal)
      return node.unsupported("input " + llvm::Twine(i) +
                              " (the shape or axes) must be a constant");
  NodeContext shapeOnly(node.node, inputs, node.builder, node.loc);
  std::vector<Literal> outputs;
  if (!foldNode(shapeOnly, outputs))
    return node.unsupported("the shape or axes do not fit the input shape " +
                            formatShape(type.getShape()));
  node.setResult(0, reshapeTo(node, node.value(0), outputs.front().shape));
  return success();
}

LogicalResult mapTranspose(NodeContext &node) {
  if (!node.hasInput(0))
    return node.unsupported("input 0 is required");
  Value input = node.value(0);
  int64_t rank = tensorType(input).getRank();
  llvm::SmallVector<int64_t> perm(rank);
  std::iota(perm.rbegin(), perm.rend(), 0);
  if (auto given = node.intsAttr("perm"))
    perm.assign(given->begin(), given->end());
  auto type = inferTransposeType(tensorType(input), perm, errorsAt(node));
  if (failed(type))
    return failure();
  node.setResult(
      0, node.builder.create<TransposeOp>(node.loc, *type, input, perm));
  return success();
}

/// The constant integer list input `index` holds (rank <= 1), or none.
std::optional<std::vector<int64_t>> constantInts(NodeContext &node,
                                                 size_t index) {
  const Literal *literal = node.literal(index);
  if (!literal || literal->isFloat() || literal->shape.size() > 1)
    return std::nullopt;
  return literal->ints;
}

/// A slice of `input` along one axis: `size` elements from `start`.
FailureOr<Value> sliceAlong(NodeContext &node, Value input, int64_t axis,
                            int64_t start, int64_t size) {
  int64_t end = start + size;
  auto type = inferSliceType(tensorType(input), {axis}, {start}, {end}, {1},
                             errorsAt(node));
  if (failed(type))
    return failure();
  return node.builder
      .create<SliceOp>(node.loc, *type, input, llvm::ArrayRef<int64_t>{axis},
                       llvm::ArrayRef<int64_t>{start},
                       llvm::ArrayRef<int64_t>{end}, llvm::ArrayRef<int64_t>{1})
      .getResult();
}

/// Slice with constant starts, ends, axes and steps.
LogicalResult mapSlice(NodeContext &node) {
  if (!node.hasInput(0))
    return node.unsupported("input 0 is required");
  auto starts = constantInts(node, 1), ends = constantInts(node, 2);
  if (!starts || !ends)
    return node.unsupported("the starts and ends must be constants");
  Value input = node.value(0);
  int64_t rank = tensorType(input).getRank();
  std::vector<int64_t> axes(starts->size()), steps(starts->size(), 1);
  std::iota(axes.begin(), axes.end(), 0);
  if (node.hasInput(3)) {
    auto given = constantInts(node, 3);
    if (!given)
      return node.unsupported("the axes must be a constant");
    axes = *given;
  }
  if (node.hasInput(4)) {
    auto given = constantInts(node, 4);
    if (!given)
      return node.unsupported("the steps must be a constant");
    steps = *given;
  }
  for (int64_t &axis : axes)
    if (!normalizeAxis(axis, rank))
      return node.unsupported("axis " + llvm::Twine(axis) + " is out of range");
  auto type = inferSliceType(tensorType(input), axes, *starts, *ends, steps,
                             errorsAt(node));
  if (failed(type))
    return failure();
  node.setResult(0, node.builder.create<SliceOp>(node.loc, *type, input, axes,
                                                 *starts, *ends, steps));
  return success();
}

/// Split into one slice per output: sizes from the `split` input (or the
/// attribute of older opsets), else equal parts (the last one smaller when
/// num_outputs does not divide the dim, as opset 18 allows).
LogicalResult mapSplit(NodeContext &node) {
  if (!node.hasInput(0))
    return node.unsupported("input 0 is required");
  Value input = node.value(0);
  auto type = tensorType(input);
  int64_t axis = node.intAttr("axis", 0);
  if (!normalizeAxis(axis, type.getRank()))
    return node.unsupported("axis " + llvm::Twine(axis) + " is out of range");
  int64_t dim = type.getDimSize(axis);
  std::vector<int64_t> sizes;
  if (node.hasInput(1)) {
    auto given = constantInts(node, 1);
    if (!given)
      return node.unsupported("the split sizes must be a constant");
    sizes = *given;
  } else if (auto given = node.intsAttr("split")) {
    sizes = *given;
  } else {
    int64_t parts =
        node.intAttr("num_outputs", static_cast<int64_t>(node.numOutputs()));
    if (parts < 1)
      return node.unsupported("the number of outputs must be positive");
    int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t start = 0; start < dim; start += chunk)
      sizes.push_back(std::min(chunk, dim - start));
  }
  if (sizes.size() != node.numOutputs())
    return node.unsupported("the split has " + llvm::Twine(sizes.size()) +
                            " parts for " + llvm::Twine(node.numOutputs()) +
                            " outputs");
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 1)
      return node.unsupported("a split part of " + llvm::Twine(size) +
                              " elements: mpc has no empty tensors");
    total += size;
  }
  if (total != dim)
    return node.unsupported("the split parts sum to " + llvm::Twine(total) +
                            ", axis " + llvm::Twine(axis) + " has " +
                            llvm::Twine(dim));
  int64_t start = 0;
  for (auto [index, size] : llvm::enumerate(sizes)) {
    if (node.usesOutput(index)) {
      auto part = sliceAlong(node, input, axis, start, size);
      if (failed(part))
        return failure();
      node.setResult(index, *part);
    }
    start += size;
  }
  return success();
}

/// Concat of tensors that are not all constants (the folder joins those).
LogicalResult mapConcat(NodeContext &node) {
  if (node.numInputs() == 0)
    return node.unsupported("Concat needs at least one input");
  llvm::SmallVector<Value> inputs;
  for (size_t i = 0; i < node.numInputs(); ++i) {
    if (!node.hasInput(i))
      return node.unsupported("input " + llvm::Twine(i) + " is required");
    inputs.push_back(node.value(i));
  }
  int64_t axis = node.intAttr("axis", 0);
  if (!normalizeAxis(axis, tensorType(inputs.front()).getRank()))
    return node.unsupported("axis " + llvm::Twine(axis) + " is out of range");
  auto type =
      inferConcatType(ValueRange(inputs).getTypes(), axis, errorsAt(node));
  if (failed(type))
    return failure();
  node.setResult(0,
                 node.builder.create<ConcatOp>(node.loc, *type, inputs, axis));
  return success();
}

/// Gather of float data by integer indices: an embedding lookup in the
/// data seen as a table of rows along `axis`, with transposes when the axis
/// is not the first.
LogicalResult mapGather(NodeContext &node) {
  if (failed(requireFloats(node, 1)))
    return failure();
  if (!node.hasInput(1) || isFloatTensor(node.type(1)) ||
      node.type(1).getElementType().isInteger(1))
    return node.unsupported("the indices must be integers");
  Value data = node.value(0), ids = node.value(1);
  auto dataType = tensorType(data);
  int64_t rank = dataType.getRank();
  int64_t axis = node.intAttr("axis", 0);
  if (!normalizeAxis(axis, rank))
    return node.unsupported("axis " + llvm::Twine(axis) + " is out of range");
  // Constant indices may count from the end, as ONNX allows.
  if (const Literal *given = node.literal(1)) {
    Literal normalized = *given;
    int64_t rows = dataType.getDimSize(axis);
    for (int64_t &id : normalized.ints)
      if (id < 0 && id >= -rows)
        id += rows;
    ids = node.builder.create<ConstantOp>(
        node.loc, denseAttrOf(normalized, node.builder.getContext()));
  }
  OpBuilder &b = node.builder;
  // Rows along `axis`, the other dims (in order) flattened into columns.
  llvm::SmallVector<int64_t> toFront = {axis}, otherDims;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis) {
      toFront.push_back(d);
      otherDims.push_back(dataType.getDimSize(d));
    }
  if (axis != 0) {
    auto type = inferTransposeType(dataType, toFront, errorsAt(node));
    if (failed(type))
      return failure();
    data = b.create<TransposeOp>(node.loc, *type, data, toFront);
  }
  int64_t columns = 1;
  for (int64_t dim : otherDims)
    columns *= dim;
  Value table = reshapeTo(node, data, {dataType.getDimSize(axis), columns});
  auto type =
      inferEmbeddingType(tensorType(ids), tensorType(table), errorsAt(node));
  if (failed(type))
    return failure();
  Value rows = b.create<EmbeddingOp>(node.loc, *type, ids, table);
  // ids.shape + the other dims, then the dims before the axis moved first.
  llvm::SmallVector<int64_t> shape(tensorType(ids).getShape());
  int64_t idsRank = static_cast<int64_t>(shape.size());
  shape.append(otherDims.begin(), otherDims.end());
  Value result = reshapeTo(node, rows, shape);
  if (axis != 0) {
    llvm::SmallVector<int64_t> perm;
    for (int64_t d = 0; d < axis; ++d)
      perm.push_back(idsRank + d);
    for (int64_t d = 0; d < idsRank; ++d)
      perm.push_back(d);
    for (int64_t d = idsRank + axis; d < static_cast<int64_t>(shape.size());
         ++d)
      perm.push_back(d);
    auto back = inferTransposeType(tensorType(result), perm, errorsAt(node));
    if (failed(back))
      return failure();
    result = b.create<TransposeOp>(node.loc, *back, result, perm);
  }
  node.setResult(0, result);
  return success();
}

LogicalResult mapCast(NodeContext &node) {
  if (!node.hasInput(0))
    return node.unsupported("input 0 is required");
  ElementKind kind;
  std::string problem;
  if (!elementKindOf(static_cast<int>(node.intAttr("to", 0)), kind, problem))
    return node.unsupported(problem);
  Type to = elementTypeOf(kind, node.builder.getContext());
  auto type = node.type(0);
  if (type.getElementType() == to) {
    node.setResult(0, node.value(0));
    return success();
  }
  if (!isFloatTensor(type) || !isa<FloatType>(to) || kind == ElementKind::F64)
    return node.unsupported("mpc casts between f32, f16 and bf16 only");
  node.setResult(0, node.builder.create<CastOp>(
                        node.loc, RankedTensorType::get(type.getShape(), to),
                        node.value(0)));
  return success();
}

/// Dropout: the identity unless training_mode is a constant true.
LogicalResult mapDropout(NodeContext &node) {
  if (failed(requireFloats(node, 1)) || failed(onlyOutputs(node, 1)))
    return failure();
  bool training = false;
  if (node.hasInput(2)) {
    const Literal *mode = node.literal(2);
    if (!mode || mode->isFloat() || mode->numElements() != 1)
      return node.unsupported("training_mode must be a constant");
    training = mode->ints[0] != 0;
  }
  if (!training) {
    node.setResult(0, node.value(0));
    return success();
  }
  double rate = 0.5;
  if (node.hasInput(1)) {
    const Literal *ratio = node.literal(1);
    if (!ratio || !ratio->isFloat() || ratio->numElements() != 1)
      return node.unsupported("the ratio must be a constant");
    rate = ratio->floats[0];
  }
  if (failed(verifyDropoutRate(rate, errorsAt(node))))
    return failure();
  Value input = node.value(0);
  node.setResult(0,
                 node.builder.create<DropoutOp>(
                     node.loc, input.getType(), input,
                     node.builder.getF64FloatAttr(rate),
                     node.builder.getI64IntegerAttr(node.intAttr("seed", 0))));
  return success();
}

/// Where with one constant splat branch: a masked_fill of the other.
/// Returns null when the node has no such branch.
Value whereAsMaskedFill(NodeContext &node) {
  const Literal *onTrue = node.literal(1), *onFalse = node.literal(2);
  const Literal *condition = node.literal(0);
  size_t filled;
  if (onTrue && onTrue->isFloat() && onTrue->isSplat())
    filled = 2;
  else if (onFalse && onFalse->isFloat() && onFalse->isSplat() && condition)
    filled = 1;
  else
    return Value();
  const Literal *fill = filled == 2 ? onTrue : onFalse;
  Value input = node.value(filled);
  // A NaN fill, or a condition or fill that would grow the other branch, is
  // left to the general where.
  auto quiet = [] { return InFlightDiagnostic(); };
  ArrayRef<int64_t> shape = tensorType(input).getShape();
  if (std::isnan(fill->floats[0]) ||
      failed(verifyBroadcastsTo(node.type(0).getShape(), shape, "mask", "input",
                                quiet)) ||
      failed(verifyBroadcastsTo(node.type(3 - filled).getShape(), shape,
                                "the fill", "the other branch", quiet)))
    return Value();
  Value mask = node.value(0);
  if (filled == 1) {
    // fill where the condition is false: invert the constant condition.
    Literal inverted = *condition;
    for (int64_t &value : inverted.ints)
      value = !value;
    mask = node.builder.create<ConstantOp>(
        node.loc, denseAttrOf(inverted, node.builder.getContext()));
  }
  return node.builder.create<MaskedFillOp>(
      node.loc, input.getType(), input, mask,
      node.builder.getF64FloatAttr(fill->floats[0]));
}

/// Where: a masked_fill when one branch is a constant splat, else mpc.where.
LogicalResult mapWhere(NodeContext &node) {
  if (!node.hasInput(0) || !node.hasInput(1) || !node.hasInput(2) ||
      !node.type(0).getElementType().isInteger(1))
    return node.unsupported("Where takes a bool condition and two branches");
  if (failed(requireFloat(node, 1)) || failed(requireFloat(node, 2)))
    return failure();
  if (Value fill = whereAsMaskedFill(node)) {
    node.setResult(0, fill);
    return success();
  }
  Value condition = node.value(0), onTrue = node.value(1),
        onFalse = node.value(2);
  auto type = inferWhereType(tensorType(condition), tensorType(onTrue),
                             tensorType(onFalse), errorsAt(node));
  if (failed(type))
    return failure();
  node.setResult(0, node.builder.create<WhereOp>(node.loc, *type, condition,
                                                 onTrue, onFalse));
  return success();
}

/// Pow by a constant exponent: a product or a root for 1, 2, 3, 0.5, -0.5
/// and -1 (exact, and no libm call), mpc.pow for the others.
LogicalResult mapPow(NodeContext &node) {
  if (failed(requireFloats(node, 1)))
    return failure();
  const Literal *exponent = node.literal(1);
  if (!exponent || !exponent->isSplat())
    return node.unsupported("the exponent must be a constant scalar");
  // The result has the base's shape only if the exponent does not grow it.
  if (failed(verifyBroadcastsTo(exponent->shape, node.type(0).getShape(),
                                "the exponent", "the base", errorsAt(node))))
    return failure();
  double power = exponent->valueAt(0);
  Value x = node.value(0);
  Type type = x.getType();
  Value result;
  if (power == 1.0)
    result = x;
  else if (power == 2.0)
    result = node.builder.create<MulOp>(node.loc, type, x, x);
  else if (power == 3.0)
    result = node.builder.create<MulOp>(
        node.loc, type, node.builder.create<MulOp>(node.loc, type, x, x), x);
  else if (power == 0.5)
    result = node.builder.create<SqrtOp>(node.loc, type, x);
  else if (power == -0.5)
    result = node.builder.create<RsqrtOp>(node.loc, type, x);
  else if (power == -1.0)
    result = node.builder.create<DivOp>(
        node.loc, type, scalar(node, 1.0, tensorType(x).getElementType()), x);
  else if (succeeded(verifyExponent(power, errorsAt(node))))
    result = node.builder.create<PowOp>(node.loc, type, x,
                                        node.builder.getF64FloatAttr(power));
  else
    return failure();
  node.setResult(0, result);
  return success();
}

/// Sum and Mean of any number of inputs.
LogicalResult mapVariadic(NodeContext &node) {
  if (failed(requireFloats(node, node.numInputs())))
    return failure();
  Value total = node.value(0);
  for (size_t i = 1; i < node.numInputs(); ++i) {
    auto sum = broadcastBinary<AddOp>(node, total, node.value(i));
    if (failed(sum))
      return failure();
    total = *sum;
  }
  if (node.opType() == "Mean" && node.numInputs() > 1) {
    auto mean = broadcastBinary<DivOp>(
        node, total,
        scalar(node, static_cast<double>(node.numInputs()),
               tensorType(total).getElementType()));
    if (failed(mean))
      return failure();
    total = *mean;
  }
  node.setResult(0, total);
  return success();
}

/// SoftmaxCrossEntropyLoss: classes on dim 1 of the scores, moved last for
/// mpc's softmax_cross_entropy; mean or sum reduction and ignore_index are
/// the op's own.
LogicalResult mapCrossEntropy(NodeContext &node) {
  if (failed(requireFloats(node, 1)) || failed(onlyOutputs(node, 2)))
    return failure();
  if (node.hasInput(2))
    return node.unsupported("class weights are not supported");
  // PyTorch exports every cross-entropy with ignore_index (-100 unless set):
  // the rows with that label are skipped, whatever its value.
  IntegerAttr ignoreIndex;
  if (node.attribute("ignore_index")) {
    int64_t ignored = node.intAttr("ignore_index", 0);
    if (failed(verifyIgnoreIndex(ignored, errorsAt(node))))
      return failure();
    ignoreIndex = node.builder.getI64IntegerAttr(ignored);
  }
  std::string reduction = node.stringAttr("reduction", "mean");
  if (reduction != "mean" && reduction != "sum")
    return node.unsupported("reduction '" + reduction +
                            "' (mpc computes mean and sum)");
  if (!node.hasInput(1) || isFloatTensor(node.type(1)) ||
      node.type(1).getElementType().isInteger(1))
    return node.unsupported("the labels must be integers");
  Value scores = node.value(0), labels = node.value(1);
  int64_t rank = tensorType(scores).getRank();
  if (rank < 2)
    return node.unsupported("the scores must have rank >= 2");
  if (rank > 2) {
    llvm::SmallVector<int64_t> perm = {0};
    for (int64_t d = 2; d < rank; ++d)
      perm.push_back(d);
    perm.push_back(1);
    auto type = inferTransposeType(tensorType(scores), perm, errorsAt(node));
    if (failed(type))
      return failure();
    scores = node.builder.create<TransposeOp>(node.loc, *type, scores, perm);
  }
  auto type = inferCrossEntropyType(tensorType(scores), tensorType(labels),
                                    errorsAt(node));
  if (failed(type))
    return failure();
  Value loss = node.builder.create<SoftmaxCrossEntropyOp>(
      node.loc, *type, scores, labels, ignoreIndex,
      *symbolizeLossReduction(reduction));
  node.setResult(0, loss);
  if (node.usesOutput(1)) // log_prob: the log-softmax over the classes.
    node.setResult(1, node.builder.create<LogSoftmaxOp>(
                          node.loc, node.type(0), node.value(0),
                          node.builder.getI64IntegerAttr(1)));
  return success();
}

/// Expand by a constant shape: an add of zeros of the expanded shape.
LogicalResult mapExpand(NodeContext &node) {
  if (failed(requireFloats(node, 1)))
    return failure();
  const Literal *shape = node.literal(1);
  if (!shape || shape->isFloat() || shape->shape.size() != 1)
    return node.unsupported("the shape must be a constant list");
  auto inputType = node.type(0);
  auto target =
      broadcastShapes(inputType.getShape(), shape->ints, errorsAt(node));
  if (failed(target))
    return failure();
  auto zerosType = RankedTensorType::get(*target, inputType.getElementType());
  if (!isPositiveBoundedShape(*target))
    return node.unsupported("the expanded shape " + formatShape(*target) +
                            " is empty or too large");
  Value zeros = node.builder.create<ConstantOp>(
      node.loc,
      DenseElementsAttr::get(
          zerosType, node.builder.getZeroAttr(inputType.getElementType())));
  auto result = broadcastBinary<AddOp>(node, node.value(0), zeros);
  if (failed(result))
    return failure();
  node.setResult(0, *result);
  return success();
}

/// Trilu keeping the lower triangle with the diagonal: a causal_mask that
/// fills with zeros.
LogicalResult mapTrilu(NodeContext &node) {
  if (failed(requireFloats(node, 1)))
    return failure();
  int64_t k = 0;
  if (node.hasInput(1)) {
    const Literal *given = node.literal(1);
    if (!given || given->isFloat() || given->numElements() != 1)
      return node.unsupported("k must be a constant");
    k = given->ints[0];
  }
  if (node.intAttr("upper", 1) != 0 || k != 0)
    return node.unsupported("mpc keeps the lower triangle with the diagonal "
                            "only (upper = 0, k = 0)");
  Value input = node.value(0);
  if (failed(verifyCausalMask(tensorType(input), errorsAt(node))))
    return failure();
  node.setResult(
      0, node.builder.create<CausalMaskOp>(node.loc, input.getType(), input,
                                           node.builder.getF64FloatAttr(0.0)));
  return success();
}

const llvm::StringMap<NodeMapping> &nodeTable() {
  static const llvm::StringMap<NodeMapping> table = {
      {"Add", mapBinary<AddOp>},
      {"Sub", mapBinary<SubOp>},
      {"Mul", mapBinary<MulOp>},
      {"Div", mapBinary<DivOp>},
      {"Relu", mapUnary<ReluOp>},
      {"Tanh", mapUnary<TanhOp>},
      {"Sigmoid", mapUnary<SigmoidOp>},
      {"Exp", mapUnary<ExpOp>},
      {"Log", mapUnary<LogOp>},
      {"Sqrt", mapUnary<SqrtOp>},
      {"Neg", mapUnary<NegOp>},
      {"Reciprocal", mapReciprocal},
      {"Pow", mapPow},
      {"Sum", mapVariadic},
      {"Mean", mapVariadic},
      {"Identity", mapIdentity},
      {"MatMul", mapMatMul},
      {"Gemm", mapGemm},
      {"Softmax", mapSoftmaxLike<SoftmaxOp>},
      {"LogSoftmax", mapSoftmaxLike<LogSoftmaxOp>},
      {"LayerNormalization", mapLayerNorm},
      {"ReduceSum", mapReduce<ReduceSumOp>},
      {"ReduceMean", mapReduce<ReduceMeanOp>},
      {"Reshape", mapReshapeLike},
      {"Flatten", mapReshapeLike},
      {"Squeeze", mapReshapeLike},
      {"Unsqueeze", mapReshapeLike},
      {"Transpose", mapTranspose},
      {"Concat", mapConcat},
      {"Slice", mapSlice},
      {"Split", mapSplit},
      {"Gather", mapGather},
      {"Cast", mapCast},
      {"Dropout", mapDropout},
      {"Where", mapWhere},
      {"SoftmaxCrossEntropyLoss", mapCrossEntropy},
      {"Expand", mapExpand},
      {"Trilu", mapTrilu},
  };
  return table;
}

} // namespace

NodeMapping lookupNodeMapping(llvm::StringRef opType) {
  return nodeTable().lookup(opType);
}

std::vector<std::string> mappedOpTypes() {
  std::vector<std::string> types;
  for (const auto &entry : nodeTable())
    types.push_back(entry.getKey().str());
  llvm::sort(types);
  return types;
}

} // namespace mpc::onnx_import
