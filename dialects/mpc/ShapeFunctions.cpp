//===- ShapeFunctions.cpp - shape rules of mpc ops ------------------------===//

#include "dialects/mpc/ShapeFunctions.h"

#include "dialects/mpc/ElementTypes.h"
#include "runtime/core/Slicing.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <limits>

using namespace mlir;

namespace mpc {

bool isPositiveBoundedShape(llvm::ArrayRef<int64_t> shape) {
  int64_t elements = 1;
  for (int64_t dim : shape) {
    if (dim < 1 || dim > std::numeric_limits<int64_t>::max() / elements)
      return false;
    elements *= dim;
  }
  return true;
}

LogicalResult verifyEpsilon(double epsilon, EmitErrorFn emitError) {
  if (!(std::isfinite(epsilon) && epsilon > 0))
    return emitError() << "epsilon must be finite and positive, got "
                       << epsilon;
  return success();
}

LogicalResult verifyDropoutRate(double rate, EmitErrorFn emitError) {
  if (!(rate >= 0.0 && rate < 1.0))
    return emitError() << "rate must be in [0, 1), got " << rate;
  return success();
}

LogicalResult verifyExponent(double exponent, EmitErrorFn emitError) {
  if (!(std::abs(exponent) <= std::numeric_limits<float>::max()))
    return emitError() << "exponent must be finite and within the range of "
                          "f32, got "
                       << exponent;
  return success();
}

LogicalResult verifyFillValue(double value, EmitErrorFn emitError) {
  if (std::isnan(value))
    return emitError() << "fill value must not be NaN";
  return success();
}

LogicalResult verifyIgnoreIndex(int64_t ignoreIndex, EmitErrorFn emitError) {
  if (ignoreIndex < std::numeric_limits<int32_t>::min() ||
      ignoreIndex > std::numeric_limits<int32_t>::max())
    return emitError() << "ignore_index " << ignoreIndex
                       << " does not fit in 32 bits (labels are i32 on the "
                          "device)";
  return success();
}

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs,
                EmitErrorFn emitError) {
  size_t rank = std::max(lhs.size(), rhs.size());
  llvm::SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the trailing dim; a missing dim counts as 1.
    int64_t a = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t b = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (a != b && a != 1 && b != 1)
      return emitError() << "cannot broadcast shapes " << formatShape(lhs)
                         << " and " << formatShape(rhs);
    result[i] = a == 1 ? b : a;
  }
  return result;
}

FailureOr<RankedTensorType> inferBroadcastBinaryType(RankedTensorType lhs,
                                                     RankedTensorType rhs,
                                                     EmitErrorFn emitError) {
  if (lhs.getElementType() != rhs.getElementType())
    return emitError() << "operands have different element types "
                       << lhs.getElementType() << " and "
                       << rhs.getElementType();
  auto shape = broadcastShapes(lhs.getShape(), rhs.getShape(), emitError);
  if (failed(shape))
    return failure();
  return RankedTensorType::get(*shape, lhs.getElementType());
}

FailureOr<RankedTensorType> inferMatmulType(RankedTensorType lhs,
                                            RankedTensorType rhs,
                                            bool transposeA, bool transposeB,
                                            EmitErrorFn emitError) {
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitError() << "operands need rank >= 2, got "
                       << formatShape(lhs.getShape()) << " and "
                       << formatShape(rhs.getShape());
  if (lhs.getElementType() != rhs.getElementType())
    return emitError() << "operands have different element types "
                       << lhs.getElementType() << " and "
                       << rhs.getElementType();
  llvm::ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape();
  int64_t m = transposeA ? a[a.size() - 1] : a[a.size() - 2];
  int64_t k = transposeA ? a[a.size() - 2] : a[a.size() - 1];
  int64_t k2 = transposeB ? b[b.size() - 1] : b[b.size() - 2];
  int64_t n = transposeB ? b[b.size() - 2] : b[b.size() - 1];
  if (k != k2)
    return emitError() << "contraction dims differ: " << formatShape(a)
                       << (transposeA ? " (transposed)" : "") << " has " << k
                       << ", " << formatShape(b)
                       << (transposeB ? " (transposed)" : "") << " has " << k2;
  auto batch = broadcastShapes(a.drop_back(2), b.drop_back(2), emitError);
  if (failed(batch))
    return failure();
  llvm::SmallVector<int64_t> shape = *batch;
  shape.append({m, n});
  return RankedTensorType::get(shape, lhs.getElementType());
}

LogicalResult verifyAxis(int64_t axis, int64_t rank, EmitErrorFn emitError) {
  if (axis < 0 || axis >= rank)
    return emitError() << "axis " << axis << " is out of range for rank "
                       << rank;
  return success();
}

LogicalResult verifyLayerNormOperands(RankedTensorType input,
                                      RankedTensorType gamma,
                                      EmitErrorFn emitError) {
  llvm::ArrayRef<int64_t> x = input.getShape(), g = gamma.getShape();
  if (g.empty() || g.size() > x.size() || x.take_back(g.size()) != g)
    return emitError() << "scale shape " << formatShape(g)
                       << " is not a non-empty trailing part of input shape "
                       << formatShape(x);
  return success();
}

LogicalResult verifyNarrowableInput(Type input, Type wide,
                                    EmitErrorFn emitError) {
  if (input == wide || (wide.isF32() && isSixteenBitFloat(input)))
    return success();
  return emitError() << "input element type " << input << " must be " << wide
                     << (wide.isF32() ? ", f16 or bf16" : "");
}

LogicalResult verifyLayerNorm(double epsilon, RankedTensorType input,
                              RankedTensorType gamma, Type resultElement,
                              EmitErrorFn emitError) {
  Type paramElement = gamma.getElementType();
  if (failed(verifyEpsilon(epsilon, emitError)) ||
      failed(verifyNarrowableInput(input.getElementType(), paramElement,
                                   emitError)))
    return failure();
  if (resultElement != paramElement && !isSixteenBitFloat(resultElement))
    return emitError() << "result element type " << resultElement
                       << " must be the params' (" << paramElement
                       << "), or f16 or bf16";
  return verifyLayerNormOperands(input, gamma, emitError);
}

LogicalResult verifyRmsNormOperands(RankedTensorType input,
                                    RankedTensorType weight,
                                    EmitErrorFn emitError) {
  llvm::ArrayRef<int64_t> x = input.getShape(), w = weight.getShape();
  if (x.empty() || w.size() != 1 || w[0] != x.back())
    return emitError() << "weight shape " << formatShape(w)
                       << " is not the last dim of input shape "
                       << formatShape(x);
  return success();
}

FailureOr<RankedTensorType> inferReduceType(RankedTensorType input,
                                            llvm::ArrayRef<int64_t> axes,
                                            bool keepDims,
                                            EmitErrorFn emitError) {
  for (auto [index, axis] : llvm::enumerate(axes)) {
    if (failed(verifyAxis(axis, input.getRank(), emitError)))
      return failure();
    if (index > 0 && axes[index - 1] >= axis)
      return emitError() << "reduction axes " << formatShape(axes)
                         << " must be sorted and distinct";
  }
  llvm::SmallVector<int64_t> shape;
  for (auto [dim, size] : llvm::enumerate(input.getShape())) {
    bool reduced = llvm::is_contained(axes, static_cast<int64_t>(dim));
    if (!reduced)
      shape.push_back(size);
    else if (keepDims)
      shape.push_back(1);
  }
  return RankedTensorType::get(shape, input.getElementType());
}

std::optional<ReductionSplit> splitReduction(ArrayRef<int64_t> shape,
                                             ArrayRef<int64_t> axes) {
  ReductionSplit split;
  // 0: before the reduced dims, 1: among them, 2: after them.
  int stage = 0;
  for (int64_t d = 0, rank = shape.size(); d < rank; ++d) {
    if (shape[d] == 1)
      continue;
    bool reduced = llvm::is_contained(axes, d);
    if (reduced && stage == 2)
      return std::nullopt;
    if (reduced)
      stage = 1;
    else if (stage == 1)
      stage = 2;
    (stage == 0   ? split.outer
     : stage == 1 ? split.axis
                  : split.inner) *= shape[d];
  }
  return split;
}

LogicalResult verifyReshape(RankedTensorType input, RankedTensorType result,
                            EmitErrorFn emitError) {
  if (input.getNumElements() != result.getNumElements())
    return emitError() << "reshape from " << formatShape(input.getShape())
                       << " (" << input.getNumElements() << " elements) to "
                       << formatShape(result.getShape()) << " ("
                       << result.getNumElements() << " elements)";
  return success();
}

FailureOr<RankedTensorType>
inferTransposeType(RankedTensorType input, llvm::ArrayRef<int64_t> permutation,
                   EmitErrorFn emitError) {
  int64_t rank = input.getRank();
  llvm::SmallVector<bool> seen(rank, false);
  bool valid = static_cast<int64_t>(permutation.size()) == rank;
  for (int64_t dim : permutation) {
    if (!valid || dim < 0 || dim >= rank || seen[dim]) {
      valid = false;
      break;
    }
    seen[dim] = true;
  }
  if (!valid)
    return emitError() << "permutation " << formatShape(permutation)
                       << " is not a permutation of the dims of "
                       << formatShape(input.getShape());
  llvm::SmallVector<int64_t> shape;
  for (int64_t dim : permutation)
    shape.push_back(input.getDimSize(dim));
  return RankedTensorType::get(shape, input.getElementType());
}

FailureOr<RankedTensorType>
inferSliceType(RankedTensorType input, llvm::ArrayRef<int64_t> axes,
               llvm::ArrayRef<int64_t> starts, llvm::ArrayRef<int64_t> ends,
               llvm::ArrayRef<int64_t> steps, EmitErrorFn emitError) {
  if (starts.size() != axes.size() || ends.size() != axes.size() ||
      steps.size() != axes.size())
    return emitError() << "axes, starts, ends and steps must have one entry "
                          "per sliced axis, got "
                       << axes.size() << ", " << starts.size() << ", "
                       << ends.size() << " and " << steps.size();
  int64_t rank = input.getRank();
  llvm::SmallVector<int64_t> shape(input.getShape());
  llvm::SmallVector<bool> seen(rank, false);
  for (auto [axis, start, end, step] : llvm::zip(axes, starts, ends, steps)) {
    if (axis < 0 || axis >= rank)
      return emitError() << "axis " << axis << " is out of range for "
                         << formatShape(input.getShape());
    if (seen[axis])
      return emitError() << "axis " << axis << " is sliced twice";
    seen[axis] = true;
    if (step == 0 || step == std::numeric_limits<int64_t>::min())
      return emitError() << "step " << step << " of axis " << axis
                         << " must be nonzero and greater than INT64_MIN";
    slicing::AxisRange range =
        slicing::clampAxisRange(input.getDimSize(axis), start, end, step);
    if (range.size == 0)
      return emitError() << "slice [" << start << ", " << end << ") step "
                         << step << " of axis " << axis << " of "
                         << formatShape(input.getShape())
                         << " is empty; mpc has no empty tensors";
    shape[axis] = range.size;
  }
  return RankedTensorType::get(shape, input.getElementType());
}

void sliceStartsAndSteps(llvm::ArrayRef<int64_t> inputShape,
                         llvm::ArrayRef<int64_t> axes,
                         llvm::ArrayRef<int64_t> starts,
                         llvm::ArrayRef<int64_t> ends,
                         llvm::ArrayRef<int64_t> steps,
                         llvm::SmallVectorImpl<int64_t> &firsts,
                         llvm::SmallVectorImpl<int64_t> &strides) {
  firsts.assign(inputShape.size(), 0);
  strides.assign(inputShape.size(), 1);
  for (auto [axis, start, end, step] : llvm::zip(axes, starts, ends, steps)) {
    slicing::AxisRange range =
        slicing::clampAxisRange(inputShape[axis], start, end, step);
    firsts[axis] = range.start;
    strides[axis] = range.step;
  }
}

FailureOr<RankedTensorType> inferConcatType(TypeRange inputs, int64_t axis,
                                            EmitErrorFn emitError) {
  if (inputs.empty())
    return emitError() << "needs at least one input";
  auto first = cast<RankedTensorType>(inputs.front());
  int64_t rank = first.getRank();
  if (axis < 0 || axis >= rank)
    return emitError() << "axis " << axis << " is out of range for "
                       << formatShape(first.getShape());
  llvm::SmallVector<int64_t> shape(first.getShape());
  for (auto [index, type] : llvm::enumerate(inputs.drop_front())) {
    auto input = cast<RankedTensorType>(type);
    if (input.getElementType() != first.getElementType())
      return emitError() << "input " << index + 1 << " has element type "
                         << input.getElementType() << ", input 0 has "
                         << first.getElementType();
    bool fits = input.getRank() == rank;
    for (int64_t d = 0; fits && d < rank; ++d)
      fits = d == axis || input.getDimSize(d) == first.getDimSize(d);
    if (!fits)
      return emitError() << "input " << index + 1 << " of shape "
                         << formatShape(input.getShape())
                         << " does not fit input 0 of shape "
                         << formatShape(first.getShape()) << " outside axis "
                         << axis;
    if (input.getDimSize(axis) >
        std::numeric_limits<int64_t>::max() - shape[axis])
      return emitError() << "the concatenated axis " << axis
                         << " overflows int64";
    shape[axis] += input.getDimSize(axis);
  }
  return RankedTensorType::get(shape, first.getElementType());
}

FailureOr<RankedTensorType> inferEmbeddingType(RankedTensorType ids,
                                               RankedTensorType table,
                                               EmitErrorFn emitError) {
  if (table.getRank() != 2)
    return emitError() << "table must have rank 2, got "
                       << formatShape(table.getShape());
  llvm::SmallVector<int64_t> shape(ids.getShape());
  shape.push_back(table.getDimSize(1));
  return RankedTensorType::get(shape, table.getElementType());
}

LogicalResult verifyBroadcastsTo(llvm::ArrayRef<int64_t> from,
                                 llvm::ArrayRef<int64_t> to,
                                 llvm::StringRef fromName,
                                 llvm::StringRef toName,
                                 EmitErrorFn emitError) {
  auto shape = broadcastShapes(to, from, emitError);
  if (failed(shape))
    return failure();
  if (llvm::ArrayRef<int64_t>(*shape) != to)
    return emitError() << fromName << " shape " << formatShape(from)
                       << " does not broadcast to " << toName << " shape "
                       << formatShape(to);
  return success();
}

LogicalResult verifyMaskedFill(RankedTensorType input, RankedTensorType mask,
                               EmitErrorFn emitError) {
  return verifyBroadcastsTo(mask.getShape(), input.getShape(), "mask", "input",
                            emitError);
}

FailureOr<RankedTensorType> inferWhereType(RankedTensorType condition,
                                           RankedTensorType onTrue,
                                           RankedTensorType onFalse,
                                           EmitErrorFn emitError) {
  if (onTrue.getElementType() != onFalse.getElementType())
    return emitError() << "branches have different element types "
                       << onTrue.getElementType() << " and "
                       << onFalse.getElementType();
  auto branches =
      broadcastShapes(onTrue.getShape(), onFalse.getShape(), emitError);
  if (failed(branches))
    return failure();
  auto shape = broadcastShapes(condition.getShape(), *branches, emitError);
  if (failed(shape))
    return failure();
  return RankedTensorType::get(*shape, onTrue.getElementType());
}

LogicalResult verifyEmbeddingGrad(RankedTensorType resultGrad,
                                  RankedTensorType ids, RankedTensorType table,
                                  EmitErrorFn emitError) {
  auto expected = inferEmbeddingType(ids, table, emitError);
  if (failed(expected))
    return failure();
  if (expected->getShape() != resultGrad.getShape())
    return emitError() << "result_grad shape "
                       << formatShape(resultGrad.getShape())
                       << " is not ids shape + [table columns] = "
                       << formatShape(expected->getShape());
  return success();
}

LogicalResult verifyCausalMask(RankedTensorType input, EmitErrorFn emitError) {
  if (input.getRank() < 2)
    return emitError() << "input needs rank >= 2, got "
                       << formatShape(input.getShape());
  return success();
}

LogicalResult verifyAttentionStats(RankedTensorType query, bool sequenceMajor,
                                   double scale, RankedTensorType logSumExp,
                                   EmitErrorFn emitError) {
  ArrayRef<int64_t> shape = query.getShape();
  if (!sequenceMajor && shape.size() < 2)
    return emitError() << "query needs rank >= 2 ([..., T, d]), got "
                       << formatShape(shape);
  if (sequenceMajor && shape.size() < 3)
    return emitError()
           << "sequence-major query needs rank >= 3 ([..., T, H, d]), got "
           << formatShape(shape);
  if (!std::isfinite(scale) || scale == 0)
    return emitError() << "scale must be finite and nonzero, got " << scale;
  if (!sequenceMajor) {
    if (logSumExp.getShape() != shape.drop_back())
      return emitError() << "log_sum_exp shape "
                         << formatShape(logSumExp.getShape())
                         << " must be query shape " << formatShape(shape)
                         << " without its last dim";
    return success();
  }
  // [..., T, H, d] -> [..., H, T].
  SmallVector<int64_t> expected(shape.drop_back(3));
  expected.append({shape[shape.size() - 2], shape[shape.size() - 3]});
  if (logSumExp.getShape() != ArrayRef<int64_t>(expected))
    return emitError() << "log_sum_exp shape "
                       << formatShape(logSumExp.getShape()) << " must be "
                       << formatShape(expected)
                       << " ([..., H, T]) for the sequence-major query shape "
                       << formatShape(shape);
  return success();
}

attention::Layout attentionLayout(RankedTensorType query, bool sequenceMajor) {
  // Products of the leading dims, not divisions: a dim may be 0.
  auto product = [](ArrayRef<int64_t> dims) {
    int64_t count = 1;
    for (int64_t size : dims)
      count *= size;
    return count;
  };
  ArrayRef<int64_t> shape = query.getShape();
  int64_t rank = shape.size(), dim = shape.back();
  if (!sequenceMajor)
    return attention::headMajorLayout(1, product(shape.drop_back(2)),
                                      shape[rank - 2], dim);
  return attention::sequenceMajorLayout(product(shape.drop_back(3)),
                                        shape[rank - 2], shape[rank - 3], dim);
}

LogicalResult verifyPackedAttention(RankedTensorType qkv,
                                    RankedTensorType result, double scale,
                                    RankedTensorType logSumExp,
                                    EmitErrorFn emitError) {
  ArrayRef<int64_t> shape = qkv.getShape();
  int64_t rank = shape.size();
  if (rank < 4 || shape[rank - 3] != 3)
    return emitError() << "qkv shape " << formatShape(shape)
                       << " must be [..., T, 3, H, d]";
  SmallVector<int64_t> expected(shape);
  expected.erase(expected.end() - 3);
  if (result.getShape() != ArrayRef<int64_t>(expected) ||
      result.getElementType() != qkv.getElementType())
    return emitError() << "result type " << result << " must be "
                       << RankedTensorType::get(expected, qkv.getElementType())
                       << ", the qkv type without its 3";
  return verifyAttentionStats(result, /*sequenceMajor=*/true, scale, logSumExp,
                              emitError);
}

attention::Layout packedAttentionLayout(RankedTensorType qkv) {
  ArrayRef<int64_t> shape = qkv.getShape();
  int64_t rank = shape.size();
  int64_t batch = 1;
  for (int64_t size : shape.drop_back(4))
    batch *= size;
  return attention::packedQkvLayout(batch, shape[rank - 2], shape[rank - 4],
                                    shape[rank - 1]);
}

FailureOr<RankedTensorType> inferCrossEntropyType(RankedTensorType logits,
                                                  RankedTensorType labels,
                                                  EmitErrorFn emitError) {
  if (logits.getRank() < 1 ||
      logits.getShape().drop_back() != labels.getShape())
    return emitError() << "labels shape " << formatShape(labels.getShape())
                       << " must be logits shape "
                       << formatShape(logits.getShape())
                       << " without its last dim";
  return RankedTensorType::get({}, logits.getElementType());
}

FailureOr<RankedTensorType> inferMseLossType(RankedTensorType prediction,
                                             RankedTensorType target,
                                             EmitErrorFn emitError) {
  if (prediction != target)
    return emitError() << "prediction " << formatShape(prediction.getShape())
                       << " " << prediction.getElementType() << " and target "
                       << formatShape(target.getShape()) << " "
                       << target.getElementType() << " differ";
  return RankedTensorType::get({}, prediction.getElementType());
}

const HyperparameterRange kPositive{0, false, HUGE_VAL};
const HyperparameterRange kNonNegative{0, true, HUGE_VAL};
const HyperparameterRange kUnitInterval{0, true, 1};
const HyperparameterRange kOpenUnitInterval{0, false, 1};
const HyperparameterRange kAboveOne{1, false, HUGE_VAL};

LogicalResult verifyHyperparameter(llvm::StringRef name, double value,
                                   HyperparameterRange range,
                                   EmitErrorFn emitError) {
  bool aboveLow = range.lowInclusive ? value >= range.low : value > range.low;
  if (std::isfinite(value) && aboveLow && value < range.high)
    return success();
  InFlightDiagnostic diag = emitError();
  diag << name << " must be in " << (range.lowInclusive ? "[" : "(")
       << range.low << ", ";
  if (std::isinf(range.high))
    diag << "inf)";
  else
    diag << range.high << ")";
  return diag << ", got " << value;
}

mlir::LogicalResult verifyMatmulResult(mlir::RankedTensorType lhs,
                                       mlir::RankedTensorType rhs,
                                       bool transposeA, bool transposeB,
                                       mlir::RankedTensorType result,
                                       EmitErrorFn emitError) {
  auto derived = inferMatmulType(lhs, rhs, transposeA, transposeB, emitError);
  if (failed(derived))
    return mlir::failure();
  if (derived->getShape() != result.getShape())
    return emitError() << "result shape " << formatShape(result.getShape())
                       << " does not match the "
                       << "expected " << formatShape(derived->getShape());
  // The result may be wider than the operands (f32 output of bf16 inputs),
  // never narrower nor of another format of the same width.
  mlir::Type operandElement = derived->getElementType();
  mlir::Type resultElement = result.getElementType();
  if (resultElement != operandElement &&
      resultElement.getIntOrFloatBitWidth() <=
          operandElement.getIntOrFloatBitWidth())
    return emitError() << "result element type " << resultElement
                       << " is neither the operands' " << operandElement
                       << " nor wider";
  return mlir::success();
}

LogicalResult verifyCrossEntropyGrad(std::optional<int64_t> ignoreIndex,
                                     RankedTensorType logits,
                                     RankedTensorType labels,
                                     Type lossGradElement, Type resultElement,
                                     EmitErrorFn emitError) {
  if (ignoreIndex && failed(verifyIgnoreIndex(*ignoreIndex, emitError)))
    return failure();
  Type logitsElement = logits.getElementType();
  if (lossGradElement != logitsElement &&
      !(lossGradElement.isF32() && isSixteenBitFloat(logitsElement)))
    return emitError() << "loss_grad element type " << lossGradElement
                       << " must be the logits' (" << logitsElement
                       << "), or f32 with 16-bit logits";
  if (resultElement != logitsElement && !isSixteenBitFloat(resultElement))
    return emitError() << "result element type " << resultElement
                       << " must be the logits' (" << logitsElement
                       << "), or f16 or bf16";
  return failure(failed(inferCrossEntropyType(logits, labels, emitError)));
}

} // namespace mpc
