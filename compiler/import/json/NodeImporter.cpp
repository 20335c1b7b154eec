//===- NodeImporter.cpp - one JSON node to one mpc op ---------------------===//

#include "compiler/import/json/NodeImporter.h"

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"
#include "runtime/core/ScalarMath.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

using namespace mlir;

namespace mpc {

namespace {

std::string formatDouble(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << value;
  return text;
}

/// What kind of tensor an operand of an op must be.
enum class OperandKind { Float, Index, Mask, Any };

OperandKind operandKind(char letter) {
  switch (letter) {
  case 'f':
    return OperandKind::Float;
  case 'i':
    return OperandKind::Index;
  case 'm':
    return OperandKind::Mask;
  default:
    return OperandKind::Any;
  }
}

const char *describe(OperandKind kind) {
  switch (kind) {
  case OperandKind::Float:
    return "a float (f32, f16, bf16)";
  case OperandKind::Index:
    return "an integer (i32, i64)";
  case OperandKind::Mask:
    return "a bool";
  case OperandKind::Any:
    return "any";
  }
  return "";
}

bool matches(OperandKind kind, Type elementType) {
  switch (kind) {
  case OperandKind::Float:
    return elementType.isF32() || elementType.isF16() || elementType.isBF16();
  case OperandKind::Index:
    return elementType.isSignlessInteger(32) ||
           elementType.isSignlessInteger(64);
  case OperandKind::Mask:
    return elementType.isSignlessInteger(1);
  case OperandKind::Any:
    return true;
  }
  return false;
}

} // namespace

/// The importer's view of one op: its operands (a letter each: f float,
/// i integer, m bool mask, a any; a trailing '+' repeats the last one for
/// one or more inputs), the attrs it accepts, the op class its builder
/// creates and the builder.
struct NodeImporter::OpSpec {
  llvm::StringLiteral name;
  llvm::StringLiteral operands;
  llvm::ArrayRef<llvm::StringLiteral> attrs;
  TypeID op;
  FailureOr<Value> (*build)(NodeImporter &, GraphNode &);
};

namespace {
/// The op class a builder returns.
template <typename Builder> struct BuiltOp;
template <typename OpTy>
struct BuiltOp<FailureOr<OpTy> (NodeImporter::*)(GraphNode &)> {
  using type = OpTy;
};
} // namespace

template <auto build>
NodeImporter::OpSpec
NodeImporter::row(llvm::StringLiteral name, llvm::StringLiteral operands,
                  llvm::ArrayRef<llvm::StringLiteral> attrs) {
  using OpTy = typename BuiltOp<decltype(build)>::type;
  return {name, operands, attrs, TypeID::get<OpTy>(),
          [](NodeImporter &importer, GraphNode &node) -> FailureOr<Value> {
            FailureOr<OpTy> op = (importer.*build)(node);
            if (failed(op))
              return failure();
            return (*op)->getResult(0);
          }};
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

InFlightDiagnostic NodeImporter::nodeError(const GraphNode &node) {
  return reader.error(node.pointer)
         << node.op << " node '" << node.name << "': ";
}

InFlightDiagnostic NodeImporter::attrError(const GraphNode &node,
                                           llvm::StringRef key) {
  return reader.error(attrPointer(node, key))
         << node.op << " node '" << node.name << "': ";
}

//===----------------------------------------------------------------------===//
// GraphNode attributes
//===----------------------------------------------------------------------===//

const json *NodeImporter::attr(const GraphNode &node, llvm::StringRef key) {
  const json *attrs = jsonMember(*node.object, "attrs");
  return attrs ? jsonMember(*attrs, key) : nullptr;
}

const json *NodeImporter::requiredAttr(const GraphNode &node,
                                       llvm::StringRef key) {
  const json *value = attr(node, key);
  if (!value)
    nodeError(node) << "attribute '" << key << "' is required";
  return value;
}

std::string NodeImporter::attrPointer(const GraphNode &node,
                                      llvm::StringRef key) {
  return node.pointer + "/attrs/" + escapePointerToken(key);
}

FailureOr<bool> NodeImporter::boolAttr(const GraphNode &node,
                                       llvm::StringRef key) {
  const json *value = attr(node, key);
  return value ? reader.readBool(*value, attrPointer(node, key)) : false;
}

FailureOr<double> NodeImporter::numberAttr(const GraphNode &node,
                                           llvm::StringRef key,
                                           std::optional<double> defaultValue,
                                           bool allowInfinity) {
  const json *value = defaultValue ? attr(node, key) : requiredAttr(node, key);
  if (value)
    return reader.readNumber(*value, attrPointer(node, key), allowInfinity);
  if (!defaultValue)
    return failure();
  return *defaultValue;
}

FailureOr<int64_t> NodeImporter::axisAttr(const GraphNode &node,
                                          llvm::StringRef key, int64_t rank) {
  const json *value = attr(node, key);
  int64_t axis = -1;
  if (value) {
    auto read = reader.readInt(*value, attrPointer(node, key),
                               std::numeric_limits<int64_t>::min());
    if (failed(read))
      return failure();
    axis = *read;
  }
  if (axis < -rank || axis >= rank) {
    // Without the attribute there is no attrs/axis to point at.
    (value ? attrError(node, key) : nodeError(node))
        << (value ? "" : "default ") << "axis " << axis
        << " is out of range for rank " << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// GraphNode builders
//===----------------------------------------------------------------------===//

FailureOr<MatmulOp> NodeImporter::buildMatmul(GraphNode &node) {
  auto transposeA = boolAttr(node, "transpose_a");
  if (failed(transposeA))
    return failure();
  auto transposeB = boolAttr(node, "transpose_b");
  if (failed(transposeB))
    return failure();
  auto type = inferMatmulType(tensorType(node.operands[0]),
                              tensorType(node.operands[1]), *transposeA,
                              *transposeB, [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder.create<MatmulOp>(node.loc, *type, node.operands[0],
                                  node.operands[1], *transposeA, *transposeB);
}

template <typename OpTy, NodeImporter::InferBinaryFn infer>
FailureOr<OpTy> NodeImporter::buildInferredBinary(GraphNode &node) {
  Value lhs = node.operands[0], rhs = node.operands[1];
  auto type =
      infer(tensorType(lhs), tensorType(rhs), [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder.create<OpTy>(node.loc, *type, lhs, rhs);
}

template <typename OpTy>
FailureOr<OpTy> NodeImporter::buildUnary(GraphNode &node) {
  Value input = node.operands[0];
  return builder.create<OpTy>(node.loc, input.getType(), input);
}

template <typename OpTy>
FailureOr<OpTy> NodeImporter::buildSoftmaxLike(GraphNode &node) {
  Value input = node.operands[0];
  auto axis = axisAttr(node, "axis", tensorType(input).getRank());
  if (failed(axis))
    return failure();
  return builder.create<OpTy>(node.loc, input.getType(), input,
                              builder.getI64IntegerAttr(*axis));
}

FailureOr<LayerNormOp> NodeImporter::buildLayerNorm(GraphNode &node) {
  auto epsilon = numberAttr(node, "eps", 1e-5, false);
  if (failed(epsilon))
    return failure();
  if (failed(verifyEpsilon(*epsilon, [&] { return attrError(node, "eps"); })))
    return failure();
  Value input = node.operands[0], gamma = node.operands[1],
        beta = node.operands[2];
  if (tensorType(gamma).getElementType() !=
          tensorType(input).getElementType() ||
      gamma.getType() != beta.getType()) {
    nodeError(node) << "gamma " << gamma.getType() << " and beta "
                    << beta.getType() << " must match each other and the "
                    << "element type of input " << input.getType();
    return failure();
  }
  if (failed(verifyLayerNormOperands(tensorType(input), tensorType(gamma),
                                     [&] { return nodeError(node); })))
    return failure();
  return builder.create<LayerNormOp>(node.loc, input.getType(), input, gamma,
                                     beta, builder.getF64FloatAttr(*epsilon));
}

FailureOr<RmsNormOp> NodeImporter::buildRmsNorm(GraphNode &node) {
  auto epsilon = numberAttr(node, "eps", 1e-6, false);
  if (failed(epsilon))
    return failure();
  if (failed(verifyEpsilon(*epsilon, [&] { return attrError(node, "eps"); })))
    return failure();
  Value input = node.operands[0], weight = node.operands[1];
  if (tensorType(weight).getElementType() !=
      tensorType(input).getElementType()) {
    nodeError(node) << "weight " << weight.getType()
                    << " must have the element type of input "
                    << input.getType();
    return failure();
  }
  if (failed(verifyRmsNormOperands(tensorType(input), tensorType(weight),
                                   [&] { return nodeError(node); })))
    return failure();
  return builder.create<RmsNormOp>(node.loc, input.getType(), input, weight,
                                   builder.getF64FloatAttr(*epsilon));
}

template <typename OpTy>
FailureOr<OpTy> NodeImporter::buildReduce(GraphNode &node) {
  Value input = node.operands[0];
  int64_t rank = tensorType(input).getRank();
  llvm::SmallVector<int64_t> axes;
  if (const json *value = attr(node, "axes")) {
    auto list = reader.readIntList(*value, attrPointer(node, "axes"));
    if (failed(list))
      return failure();
    for (int64_t axis : *list) {
      if (axis < -rank || axis >= rank) {
        attrError(node, "axes")
            << "axis " << axis << " is out of range for rank " << rank;
        return failure();
      }
      axes.push_back(axis < 0 ? axis + rank : axis);
    }
    llvm::sort(axes);
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) {
      attrError(node, "axes")
          << "axes " << formatShape(*list) << " name a dim twice";
      return failure();
    }
  } else {
    for (int64_t axis = 0; axis < rank; ++axis)
      axes.push_back(axis);
  }
  auto keepDims = boolAttr(node, "keepdims");
  if (failed(keepDims))
    return failure();
  auto type = inferReduceType(tensorType(input), axes, *keepDims,
                              [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder.create<OpTy>(node.loc, *type, input,
                              builder.getDenseI64ArrayAttr(axes),
                              *keepDims ? builder.getUnitAttr() : UnitAttr());
}

FailureOr<ReshapeOp> NodeImporter::buildReshape(GraphNode &node) {
  Value input = node.operands[0];
  const json *value = requiredAttr(node, "shape");
  if (!value)
    return failure();
  std::string pointer = attrPointer(node, "shape");
  if (!value->is_array()) {
    reader.error(pointer) << "a shape must be an array of dims, got "
                          << jsonKindName(*value);
    return failure();
  }
  llvm::SmallVector<int64_t> shape;
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (size_t i = 0; i < value->size(); ++i) {
    const json &dim = (*value)[i];
    std::string dimPointer = pointer + "/" + std::to_string(i);
    if (dim.is_number_integer() && dim.get<int64_t>() == -1 &&
        !dim.is_number_unsigned()) {
      if (inferred) {
        reader.error(dimPointer) << "only one dim of a reshape may be -1";
        return failure();
      }
      inferred = i;
      shape.push_back(1);
      continue;
    }
    auto size = reader.readDim(dim, dimPointer);
    if (failed(size))
      return failure();
    shape.push_back(*size);
    if (failed(reader.checkSize(shape, pointer)))
      return failure();
    known *= *size;
  }
  int64_t elements = tensorType(input).getNumElements();
  if (inferred) {
    if (elements % known != 0) {
      attrError(node, "shape") << "cannot infer the -1 dim: " << elements
                               << " elements are not a multiple of " << known;
      return failure();
    }
    shape[*inferred] = elements / known;
  }
  auto type = RankedTensorType::get(shape, tensorType(input).getElementType());
  if (failed(verifyReshape(tensorType(input), type,
                           [&] { return nodeError(node); })))
    return failure();
  return builder.create<ReshapeOp>(node.loc, type, input);
}

FailureOr<TransposeOp> NodeImporter::buildTranspose(GraphNode &node) {
  Value input = node.operands[0];
  llvm::SmallVector<int64_t> permutation;
  if (const json *value = attr(node, "perm")) {
    auto list = reader.readIntList(*value, attrPointer(node, "perm"));
    if (failed(list))
      return failure();
    permutation = *list;
  } else {
    for (int64_t dim = tensorType(input).getRank() - 1; dim >= 0; --dim)
      permutation.push_back(dim);
  }
  auto type = inferTransposeType(tensorType(input), permutation,
                                 [&] { return attrError(node, "perm"); });
  if (failed(type))
    return failure();
  return builder.create<TransposeOp>(node.loc, *type, input,
                                     builder.getDenseI64ArrayAttr(permutation));
}

FailureOr<SliceOp> NodeImporter::buildSlice(GraphNode &node) {
  Value input = node.operands[0];
  int64_t rank = tensorType(input).getRank();
  auto list = [&](llvm::StringRef key) -> FailureOr<SmallVector<int64_t>> {
    const json *value = attr(node, key);
    if (!value)
      return SmallVector<int64_t>();
    return reader.readIntList(*value, attrPointer(node, key));
  };
  if (!requiredAttr(node, "starts") || !requiredAttr(node, "ends"))
    return failure();
  auto starts = list("starts"), ends = list("ends"), axes = list("axes"),
       steps = list("steps");
  if (failed(starts) || failed(ends) || failed(axes) || failed(steps))
    return failure();
  // As ONNX: the axes default to the first ones, and may count from the
  // end; the steps default to 1.
  if (!attr(node, "axes"))
    for (int64_t axis = 0; axis < static_cast<int64_t>(starts->size()); ++axis)
      axes->push_back(axis);
  for (int64_t &axis : *axes)
    if (axis < 0 && axis >= -rank)
      axis += rank;
  if (!attr(node, "steps"))
    steps->assign(starts->size(), 1);
  auto type = inferSliceType(tensorType(input), *axes, *starts, *ends, *steps,
                             [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder.create<SliceOp>(node.loc, *type, input, *axes, *starts, *ends,
                                 *steps);
}

FailureOr<ConcatOp> NodeImporter::buildConcat(GraphNode &node) {
  if (!requiredAttr(node, "axis"))
    return failure();
  auto axis = axisAttr(node, "axis", tensorType(node.operands[0]).getRank());
  if (failed(axis))
    return failure();
  auto type = inferConcatType(ValueRange(node.operands).getTypes(), *axis,
                              [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder.create<ConcatOp>(node.loc, *type, node.operands, *axis);
}

FailureOr<CausalMaskOp> NodeImporter::buildCausalMask(GraphNode &node) {
  Value input = node.operands[0];
  auto fill =
      numberAttr(node, "value", -std::numeric_limits<double>::infinity(), true);
  if (failed(fill) || failed(verifyCausalMask(tensorType(input),
                                              [&] { return nodeError(node); })))
    return failure();
  return builder.create<CausalMaskOp>(node.loc, input.getType(), input,
                                      builder.getF64FloatAttr(*fill));
}

FailureOr<MaskedFillOp> NodeImporter::buildMaskedFill(GraphNode &node) {
  Value input = node.operands[0], mask = node.operands[1];
  auto fill = numberAttr(node, "value", std::nullopt, true);
  if (failed(fill) ||
      failed(verifyMaskedFill(tensorType(input), tensorType(mask),
                              [&] { return nodeError(node); })))
    return failure();
  return builder.create<MaskedFillOp>(node.loc, input.getType(), input, mask,
                                      builder.getF64FloatAttr(*fill));
}

FailureOr<WhereOp> NodeImporter::buildWhere(GraphNode &node) {
  Value condition = node.operands[0], onTrue = node.operands[1],
        onFalse = node.operands[2];
  auto type =
      inferWhereType(tensorType(condition), tensorType(onTrue),
                     tensorType(onFalse), [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder.create<WhereOp>(node.loc, *type, condition, onTrue, onFalse);
}

FailureOr<DropoutOp> NodeImporter::buildDropout(GraphNode &node) {
  Value input = node.operands[0];
  auto rate = numberAttr(node, "rate", std::nullopt, false);
  if (failed(rate))
    return failure();
  if (failed(verifyDropoutRate(*rate, [&] { return attrError(node, "rate"); })))
    return failure();
  int64_t seed = 0;
  if (const json *value = attr(node, "seed")) {
    auto read = reader.readInt(*value, attrPointer(node, "seed"), 0);
    if (failed(read))
      return failure();
    seed = *read;
  }
  return builder.create<DropoutOp>(node.loc, input.getType(), input,
                                   builder.getF64FloatAttr(*rate),
                                   builder.getI64IntegerAttr(seed));
}

FailureOr<SoftmaxCrossEntropyOp>
NodeImporter::buildCrossEntropy(GraphNode &node) {
  Value logits = node.operands[0], labels = node.operands[1];
  auto type = inferCrossEntropyType(tensorType(logits), tensorType(labels),
                                    [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  IntegerAttr ignoreIndex;
  if (const json *value = attr(node, "ignore_index")) {
    auto read = reader.readInt(*value, attrPointer(node, "ignore_index"),
                               std::numeric_limits<int64_t>::min());
    if (failed(read) || failed(verifyIgnoreIndex(*read, [&] {
          return attrError(node, "ignore_index");
        })))
      return failure();
    ignoreIndex = builder.getI64IntegerAttr(*read);
  }
  LossReduction reduction = LossReduction::mean;
  if (const json *value = attr(node, "reduction")) {
    static constexpr llvm::StringLiteral reductions[] = {"mean", "sum"};
    auto read = reader.readChoice(*value, attrPointer(node, "reduction"),
                                  "reduction", reductions);
    if (failed(read))
      return failure();
    reduction = *symbolizeLossReduction(*read);
  }
  return builder.create<SoftmaxCrossEntropyOp>(node.loc, *type, logits, labels,
                                               ignoreIndex, reduction);
}

FailureOr<PowOp> NodeImporter::buildPow(GraphNode &node) {
  Value input = node.operands[0];
  auto exponent = numberAttr(node, "exponent", std::nullopt, false);
  if (failed(exponent))
    return failure();
  if (failed(verifyExponent(*exponent,
                            [&] { return attrError(node, "exponent"); })))
    return failure();
  return builder.create<PowOp>(node.loc, input.getType(), input,
                               builder.getF64FloatAttr(*exponent));
}

FailureOr<CastOp> NodeImporter::buildCast(GraphNode &node) {
  Value input = node.operands[0];
  const json *value = requiredAttr(node, "dtype");
  if (!value)
    return failure();
  auto elementType =
      reader.readDType(*value, attrPointer(node, "dtype"), false);
  if (failed(elementType))
    return failure();
  auto type = RankedTensorType::get(tensorType(input).getShape(), *elementType);
  return builder.create<CastOp>(node.loc, type, input);
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// Flattens a nested JSON array of numbers into `leaves`, recording its
/// shape; fails (with a message in `problem`, and `pointer`, the pointer of
/// `value`, extended to the offending array or number) when it is ragged.
bool flattenNested(const json &value, std::string &pointer, size_t depth,
                   llvm::SmallVectorImpl<int64_t> &shape,
                   std::vector<const json *> &leaves, std::string &problem) {
  if (!value.is_array()) {
    if (depth != shape.size()) {
      problem = "nested arrays have different depths";
      return false;
    }
    leaves.push_back(&value);
    return true;
  }
  if (depth == shape.size()) {
    if (!leaves.empty()) {
      problem = "nested arrays have different depths";
      return false;
    }
    shape.push_back(static_cast<int64_t>(value.size()));
  } else if (depth > shape.size() ||
             shape[depth] != static_cast<int64_t>(value.size())) {
    problem = "nested arrays have different lengths";
    return false;
  }
  if (value.empty()) {
    problem = "empty arrays are not allowed";
    return false;
  }
  size_t length = pointer.size();
  for (size_t i = 0; i < value.size(); ++i) {
    pointer += "/" + std::to_string(i);
    if (!flattenNested(value[i], pointer, depth + 1, shape, leaves, problem))
      return false;
    pointer.resize(length);
  }
  return true;
}

FailureOr<ConstantOp> NodeImporter::buildConstant(GraphNode &node) {
  Type elementType = builder.getF32Type();
  if (const json *dtype = attr(node, "dtype")) {
    auto read = reader.readDType(*dtype, attrPointer(node, "dtype"), false);
    if (failed(read))
      return failure();
    elementType = *read;
  }
  const json *value = requiredAttr(node, "value");
  if (!value)
    return failure();
  std::string pointer = attrPointer(node, "value");
  llvm::SmallVector<int64_t> shape;
  std::vector<const json *> leaves;
  if (value->is_array()) {
    std::string problem, problemPointer = pointer;
    if (!flattenNested(*value, problemPointer, 0, shape, leaves, problem)) {
      reader.error(problemPointer) << problem;
      return failure();
    }
    if (attr(node, "shape")) {
      attrError(node, "shape") << "'shape' is only for a single number value";
      return failure();
    }
  } else {
    leaves.push_back(value);
    if (const json *shapeValue = attr(node, "shape")) {
      auto read = reader.readShape(*shapeValue, attrPointer(node, "shape"));
      if (failed(read))
        return failure();
      shape = *read;
    }
  }
  auto type = RankedTensorType::get(shape, elementType);
  // The pointer of leaf `index`: its position in a nested value.
  auto leafPointer = [&](size_t index) {
    if (!value->is_array())
      return pointer;
    std::string suffix;
    for (int64_t dim : llvm::reverse(shape)) {
      suffix = "/" + std::to_string(index % dim) + suffix;
      index /= dim;
    }
    return pointer + suffix;
  };

  if (auto floatType = llvm::dyn_cast<FloatType>(elementType)) {
    llvm::SmallVector<llvm::APFloat> numbers;
    for (auto [index, leaf] : llvm::enumerate(leaves)) {
      // A pointer is built only for a leaf at fault.
      auto number = leaf->is_number()
                        ? FailureOr<double>(leaf->get<double>())
                        : reader.readNumber(*leaf, leafPointer(index), true);
      if (failed(number))
        return failure();
      llvm::APFloat converted(*number);
      bool losesInfo;
      converted.convert(floatType.getFloatSemantics(),
                        llvm::APFloat::rmNearestTiesToEven, &losesInfo);
      if (converted.isInfinity() && std::isfinite(*number)) {
        reader.error(leafPointer(index)) << "value " << formatDouble(*number)
                                         << " overflows " << elementType;
        return failure();
      }
      numbers.push_back(converted);
    }
    if (numbers.size() == 1)
      return builder.create<ConstantOp>(
          node.loc, DenseElementsAttr::get(type, numbers.front()));
    return builder.create<ConstantOp>(node.loc,
                                      DenseElementsAttr::get(type, numbers));
  }

  unsigned width = elementType.getIntOrFloatBitWidth();
  llvm::SmallVector<llvm::APInt> numbers;
  for (auto [index, leaf] : llvm::enumerate(leaves)) {
    if (width == 1 && leaf->is_boolean()) {
      numbers.push_back(llvm::APInt(1, leaf->get<bool>() ? 1 : 0));
      continue;
    }
    // A pointer is built only for a leaf at fault.
    bool fitsInt64 = leaf->is_number_integer() &&
                     !(leaf->is_number_unsigned() &&
                       leaf->get<uint64_t>() >
                           uint64_t(std::numeric_limits<int64_t>::max()));
    auto number = fitsInt64
                      ? FailureOr<int64_t>(leaf->get<int64_t>())
                      : reader.readInt(*leaf, leafPointer(index),
                                       std::numeric_limits<int64_t>::min());
    if (failed(number))
      return failure();
    bool fits =
        width == 64 || (width == 1 && (*number == 0 || *number == 1)) ||
        (width == 32 && *number >= std::numeric_limits<int32_t>::min() &&
         *number <= std::numeric_limits<int32_t>::max());
    if (!fits) {
      reader.error(leafPointer(index))
          << "value " << *number << " does not fit " << elementType;
      return failure();
    }
    numbers.push_back(llvm::APInt(width, static_cast<uint64_t>(*number),
                                  /*isSigned=*/width > 1));
  }
  if (numbers.size() == 1)
    return builder.create<ConstantOp>(
        node.loc, DenseElementsAttr::get(type, numbers.front()));
  return builder.create<ConstantOp>(node.loc,
                                    DenseElementsAttr::get(type, numbers));
}

//===----------------------------------------------------------------------===//
// The op table
//===----------------------------------------------------------------------===//

llvm::ArrayRef<NodeImporter::OpSpec> NodeImporter::opSpecs() {
  static constexpr llvm::StringLiteral matmul[] = {"transpose_a",
                                                   "transpose_b"};
  static constexpr llvm::StringLiteral axis[] = {"axis"};
  static constexpr llvm::StringLiteral eps[] = {"eps"};
  static constexpr llvm::StringLiteral reduce[] = {"axes", "keepdims"};
  static constexpr llvm::StringLiteral shape[] = {"shape"};
  static constexpr llvm::StringLiteral perm[] = {"perm"};
  static constexpr llvm::StringLiteral slice[] = {"starts", "ends", "axes",
                                                  "steps"};
  static constexpr llvm::StringLiteral value[] = {"value"};
  static constexpr llvm::StringLiteral dropout[] = {"rate", "seed"};
  static constexpr llvm::StringLiteral crossEntropy[] = {"ignore_index",
                                                         "reduction"};
  static constexpr llvm::StringLiteral constant[] = {"value", "shape", "dtype"};
  static constexpr llvm::StringLiteral dtype[] = {"dtype"};
  static constexpr llvm::StringLiteral exponent[] = {"exponent"};
  llvm::ArrayRef<llvm::StringLiteral> noAttrs;
  // The elementwise ops: one row per row of runtime/core/ScalarMath.h's lists
  // (their gradient ops are built by autodiff, not imported).
#define MPC_IMPORT_BINARY(Name, mnemonic, function, cuda, accuracy)            \
  row<&NodeImporter::buildInferredBinary<Name##Op, inferBroadcastBinaryType>>( \
      #mnemonic, "ff", noAttrs),
#define MPC_IMPORT_UNARY(Name, mnemonic, function, cuda, accuracy)             \
  row<&NodeImporter::buildUnary<Name##Op>>(#mnemonic, "f", noAttrs),
  static const OpSpec specs[] = {
      row<&NodeImporter::buildMatmul>("matmul", "ff", matmul),
      // clang-format off
      MPC_BINARY_OPS(MPC_IMPORT_BINARY)
      MPC_UNARY_OPS(MPC_IMPORT_UNARY)
      // clang-format on
      row<&NodeImporter::buildPow>("pow", "f", exponent),
      row<&NodeImporter::buildSoftmaxLike<SoftmaxOp>>("softmax", "f", axis),
      row<&NodeImporter::buildSoftmaxLike<LogSoftmaxOp>>("log_softmax", "f",
                                                         axis),
      row<&NodeImporter::buildLayerNorm>("layer_norm", "fff", eps),
      row<&NodeImporter::buildRmsNorm>("rms_norm", "ff", eps),
      row<&NodeImporter::buildReduce<ReduceSumOp>>("reduce_sum", "f", reduce),
      row<&NodeImporter::buildReduce<ReduceMeanOp>>("reduce_mean", "f", reduce),
      row<&NodeImporter::buildReshape>("reshape", "a", shape),
      row<&NodeImporter::buildTranspose>("transpose", "a", perm),
      row<&NodeImporter::buildSlice>("slice", "a", slice),
      row<&NodeImporter::buildConcat>("concat", "a+", axis),
      row<&NodeImporter::buildInferredBinary<EmbeddingOp, inferEmbeddingType>>(
          "embedding", "if", noAttrs),
      row<&NodeImporter::buildCausalMask>("causal_mask", "f", value),
      row<&NodeImporter::buildMaskedFill>("masked_fill", "fm", value),
      row<&NodeImporter::buildWhere>("where", "mff", noAttrs),
      row<&NodeImporter::buildDropout>("dropout", "f", dropout),
      row<&NodeImporter::buildCrossEntropy>("softmax_cross_entropy", "fi",
                                            crossEntropy),
      row<&NodeImporter::buildInferredBinary<MseLossOp, inferMseLossType>>(
          "mse_loss", "ff", noAttrs),
      row<&NodeImporter::buildConstant>("constant", "", constant),
      row<&NodeImporter::buildCast>("cast", "a", dtype),
  };
#undef MPC_IMPORT_BINARY
#undef MPC_IMPORT_UNARY
  return specs;
}

namespace {
/// The ops that are never graph nodes, and why.
constexpr Rejection kNotNodes[] = {
    {"parameters are declared in the graph's params section",
     OpSet<ParamOp, LoadOp>::contains},
    {"state updates are built by mpc-build-train-step and mpc-loss-scaling",
     OpSet<StoreOp>::contains},
    {"gradient ops are built by autodiff in mpc-build-train-step",
     GradientOps::contains},
    {"optimizer ops are built by mpc-build-train-step from the graph's "
     "training block (and merged by mpc-multi-tensor-adamw)",
     OptimizerOps::contains},
    {"loss-scaling ops are built by mpc-loss-scaling",
     LossScalingOps::contains},
    {"created by mpc-fuse", BackendOps::contains},
    {"built by mpc-fuse-attention from the matmul, scale, causal_mask, "
     "softmax, matmul chain (a node has one output; the op has two)",
     OpSet<CausalAttentionOp, CausalAttentionQkvOp>::contains},
};
} // namespace

Coverage NodeImporter::coverage(OperationName name) {
  bool handled = llvm::any_of(opSpecs(), [&](const OpSpec &spec) {
    return spec.op == name.getTypeID();
  });
  return {handled, rejectionOf(name, kNotNodes)};
}

//===----------------------------------------------------------------------===//
// One node
//===----------------------------------------------------------------------===//

FailureOr<Value> NodeImporter::import(GraphNode &node,
                                      const llvm::StringMap<Value> &values) {
  llvm::ArrayRef<OpSpec> specs = opSpecs();
  const OpSpec *spec = llvm::find_if(specs, [&](const OpSpec &candidate) {
    return candidate.name == node.op;
  });
  if (spec == specs.end()) {
    if (auto known = RegisteredOperationName::lookup(
            (MpcDialect::getDialectNamespace() + "." + node.op).str(),
            builder.getContext()))
      if (std::optional<StringRef> reason = coverage(*known).rejection) {
        reader.error(node.pointer + "/op")
            << "op '" << node.op << "' is not a graph node: " << *reason;
        return failure();
      }
    llvm::SmallVector<llvm::StringRef> names;
    for (const OpSpec &candidate : specs)
      names.push_back(candidate.name);
    InFlightDiagnostic diagnostic = reader.error(node.pointer + "/op")
                                    << "unknown op '" << node.op << "'";
    if (auto nearest = nearestName(node.op, names))
      diagnostic << " (did you mean '" << *nearest << "'?)";
    else
      diagnostic << "; known ops: " << llvm::join(names, ", ");
    return failure();
  }
  // A trailing '+' repeats the letter before it for one or more inputs.
  llvm::StringRef letters = spec->operands;
  bool variadic = letters.consume_back("+");
  if (variadic ? node.inputs.size() < letters.size()
               : node.inputs.size() != letters.size()) {
    reader.error(node.pointer + "/inputs")
        << node.op << " node '" << node.name << "' takes "
        << (variadic ? "at least " : "") << letters.size() << " input"
        << (letters.size() == 1 ? "" : "s") << ", got " << node.inputs.size();
    return failure();
  }
  for (auto [position, input] : llvm::enumerate(node.inputs)) {
    Value value = values.lookup(input);
    OperandKind kind =
        operandKind(letters[std::min(position, letters.size() - 1)]);
    Type elementType = tensorType(value).getElementType();
    if (!matches(kind, elementType)) {
      reader.error(node.pointer + "/inputs/" + std::to_string(position))
          << node.op << " node '" << node.name << "': input '" << input
          << "' must be " << describe(kind) << " tensor, got "
          << value.getType();
      return failure();
    }
    node.operands.push_back(value);
  }
  if (const json *attrs = jsonMember(*node.object, "attrs"))
    if (failed(reader.checkKeys(*attrs, node.pointer + "/attrs", spec->attrs,
                                ("attrs of " + node.op).c_str())))
      return failure();

  FailureOr<Value> result = spec->build(*this, node);
  if (failed(result))
    return failure();
  // Inferred shapes can outgrow the operands' (broadcasting, embedding), so
  // results are held to the size limit too: no element count may overflow.
  if (failed(reader.checkSize(tensorType(*result).getShape(),
                              node.pointer + "/outputs/0")))
    return failure();
  if (const json *precision = jsonMember(*node.object, "precision")) {
    auto type = reader.readDType(*precision, node.pointer + "/precision", true);
    if (failed(type))
      return failure();
    result->getDefiningOp()->setAttr(MpcDialect::kPrecisionAttrName,
                                     TypeAttr::get(*type));
  }
  return *result;
}

} // namespace mpc
