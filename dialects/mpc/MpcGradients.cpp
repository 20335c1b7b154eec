//===- MpcGradients.cpp - GradientOpInterface of the forward ops ----------===//
//
// Each differentiable op builds the gradients of its operands from the
// gradient of its result. A gradient has the type of the value it belongs
// to; where an operand was broadcast, its gradient is summed back to the
// operand's shape.
//
//===----------------------------------------------------------------------===//

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mpc;

namespace {

/// A rank-0 constant of `elementType` holding `value`; broadcasts against any
/// tensor in the binary ops.
Value scalar(OpBuilder &b, Location loc, Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  return b.create<ConstantOp>(
      loc, DenseElementsAttr::get(type, b.getFloatAttr(elementType, value)));
}

/// `value` converted to `elementType` (unchanged when it already has it).
Value castTo(OpBuilder &b, Location loc, Value value, Type elementType) {
  RankedTensorType type = tensorType(value);
  if (type.getElementType() == elementType)
    return value;
  return b.create<CastOp>(loc, type.clone(elementType), value);
}

/// Sums a gradient of a broadcast result back to the shape of the operand
/// that was broadcast: the leading dims the operand lacked and the dims where
/// it had size 1.
Value sumToShape(OpBuilder &b, Location loc, Value grad,
                 RankedTensorType target) {
  RankedTensorType gradType = tensorType(grad);
  grad = castTo(b, loc, grad, target.getElementType());
  if (gradType.getShape() == target.getShape())
    return grad;
  ArrayRef<int64_t> shape = gradType.getShape();
  int64_t extra = gradType.getRank() - target.getRank();
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < gradType.getRank(); ++i)
    if (i < extra || (target.getDimSize(i - extra) == 1 && shape[i] != 1))
      axes.push_back(i);
  if (!axes.empty()) {
    auto reduced = inferReduceType(tensorType(grad), axes, /*keepDims=*/false,
                                   [] { return InFlightDiagnostic(); });
    grad = b.create<ReduceSumOp>(loc, *reduced, grad, axes,
                                 /*keepdims=*/false);
  }
  if (tensorType(grad).getShape() != target.getShape())
    grad = b.create<ReshapeOp>(loc, target, grad);
  return grad;
}

/// Broadcasts `grad` (of a reduction's result) back to `target`, the
/// reduction's input type; `axes` are the reduced dims.
Value broadcastBack(OpBuilder &b, Location loc, Value grad,
                    ArrayRef<int64_t> axes, RankedTensorType target) {
  SmallVector<int64_t> keptShape(target.getShape());
  for (int64_t axis : axes)
    keptShape[axis] = 1;
  auto keptType = target.clone(keptShape);
  if (tensorType(grad).getShape() != ArrayRef<int64_t>(keptShape))
    grad = b.create<ReshapeOp>(loc, keptType, grad);
  return b.create<BroadcastOp>(loc, target, grad);
}

/// The matmul `lhs · rhs` with transpose flags, typed by the shape rule.
Value matmul(OpBuilder &b, Location loc, Value lhs, Value rhs, bool transposeA,
             bool transposeB) {
  auto type = inferMatmulType(tensorType(lhs), tensorType(rhs), transposeA,
                              transposeB, [] { return InFlightDiagnostic(); });
  return b.create<MatmulOp>(loc, *type, lhs, rhs, transposeA, transposeB);
}

/// `value` [..., r, c] seen as one matrix [(...) r, c]: the rows of every
/// matrix of a batch, one after the other.
Value flattenRows(OpBuilder &b, Location loc, Value value) {
  RankedTensorType type = tensorType(value);
  int64_t cols = type.getShape().back();
  return b.create<ReshapeOp>(
      loc, type.clone({type.getNumElements() / cols, cols}), value);
}

} // namespace

//===----------------------------------------------------------------------===//
// Casts and contraction
//===----------------------------------------------------------------------===//

LogicalResult CastOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                     SmallVectorImpl<Value> &operandGrads) {
  Type inputElement = tensorType(getInput()).getElementType();
  if (!isa<FloatType>(inputElement) ||
      !isa<FloatType>(getType().getElementType())) {
    operandGrads.push_back(nullptr);
    return success();
  }
  operandGrads.push_back(castTo(b, getLoc(), grads[0], inputElement));
  return success();
}

LogicalResult MatmulOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                       SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  Value a = getLhs(), bm = getRhs();
  bool ta = getTransposeA(), tb = getTransposeB();
  // The operands share one element type; a widened result's gradient is
  // narrowed to it first.
  Value dc = castTo(b, loc, grads[0], tensorType(a).getElementType());
  // C = op(A)·op(B): d op(A) = dC·op(B)ᵀ and d op(B) = op(A)ᵀ·dC, written
  // with transpose flags instead of explicit transposes.
  Value da = ta ? matmul(b, loc, bm, dc, tb, true)
                : matmul(b, loc, dc, bm, false, !tb);
  Value db;
  RankedTensorType aType = tensorType(a), bType = tensorType(bm);
  if (!ta && bType.getRank() == 2 && aType.getRank() > 2 &&
      aType.getShape().back() != 0 && tensorType(dc).getShape().back() != 0) {
    // A matrix shared by every matrix of a batched lhs (a weight applied to
    // every sequence): its gradient sums over the batch, which is one GEMM
    // whose inner dimension runs over the rows of all matrices, rather
    // than a product per matrix and a reduction of the partial products.
    Value rows = flattenRows(b, loc, a), rowGrads = flattenRows(b, loc, dc);
    db = tb ? matmul(b, loc, rowGrads, rows, true, false)
            : matmul(b, loc, rows, rowGrads, true, false);
  } else {
    db = tb ? matmul(b, loc, dc, a, true, ta)
            : matmul(b, loc, a, dc, !ta, false);
  }
  operandGrads.push_back(sumToShape(b, loc, da, tensorType(a)));
  operandGrads.push_back(sumToShape(b, loc, db, tensorType(bm)));
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult AddOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      sumToShape(b, getLoc(), grads[0], tensorType(getLhs())));
  operandGrads.push_back(
      sumToShape(b, getLoc(), grads[0], tensorType(getRhs())));
  return success();
}

LogicalResult SubOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                    SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  Value negated =
      b.create<MulOp>(loc, getType(), grads[0],
                      scalar(b, loc, getType().getElementType(), -1.0));
  operandGrads.push_back(sumToShape(b, loc, grads[0], tensorType(getLhs())));
  operandGrads.push_back(sumToShape(b, loc, negated, tensorType(getRhs())));
  return success();
}

LogicalResult MulOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                    SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  Value dlhs = b.create<MulOp>(loc, getType(), grads[0], getRhs());
  Value drhs = b.create<MulOp>(loc, getType(), grads[0], getLhs());
  operandGrads.push_back(sumToShape(b, loc, dlhs, tensorType(getLhs())));
  operandGrads.push_back(sumToShape(b, loc, drhs, tensorType(getRhs())));
  return success();
}

LogicalResult DivOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                    SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  // y = a / b: da = dy / b, db = -dy · y / b.
  Value dlhs = b.create<DivOp>(loc, getType(), grads[0], getRhs());
  Value scaled = b.create<MulOp>(loc, getType(), dlhs, getResult());
  Value drhs = b.create<MulOp>(
      loc, getType(), scaled, scalar(b, loc, getType().getElementType(), -1.0));
  operandGrads.push_back(sumToShape(b, loc, dlhs, tensorType(getLhs())));
  operandGrads.push_back(sumToShape(b, loc, drhs, tensorType(getRhs())));
  return success();
}

LogicalResult ReluOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                     SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      b.create<ReluGradOp>(getLoc(), getType(), grads[0], getInput()));
  return success();
}

LogicalResult GeluOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                     SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      b.create<GeluGradOp>(getLoc(), getType(), grads[0], getInput()));
  return success();
}

LogicalResult TanhOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                     SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      b.create<TanhGradOp>(getLoc(), getType(), grads[0], getResult()));
  return success();
}

LogicalResult SigmoidOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                        SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      b.create<SigmoidGradOp>(getLoc(), getType(), grads[0], getResult()));
  return success();
}

LogicalResult SiluOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                     SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      b.create<SiluGradOp>(getLoc(), getType(), grads[0], getInput()));
  return success();
}

LogicalResult NegOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(b.create<NegOp>(getLoc(), getType(), grads[0]));
  return success();
}

LogicalResult PowOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                    SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  Type elementType = getType().getElementType();
  double exponent = getExponent().convertToDouble();
  // y = x^e: dx = dy · (e · x^(e-1)); zero for e = 0, where x^(-1) would
  // make 0 · inf = NaN at x = 0 (PyTorch's pow backward does the same).
  Value factor = scalar(b, loc, elementType, 0.0);
  if (exponent != 0.0) {
    Value lowered = b.create<PowOp>(loc, getType(), getInput(),
                                    b.getF64FloatAttr(exponent - 1.0));
    factor = b.create<MulOp>(loc, getType(), lowered,
                             scalar(b, loc, elementType, exponent));
  }
  operandGrads.push_back(
      b.create<MulOp>(loc, getType(), grads[0], factor).getResult());
  return success();
}

LogicalResult ExpOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      b.create<MulOp>(getLoc(), getType(), grads[0], getResult()));
  return success();
}

LogicalResult LogOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      b.create<DivOp>(getLoc(), getType(), grads[0], getInput()));
  return success();
}

LogicalResult SqrtOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                     SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  // d sqrt(x) = dy / (2 y).
  Value twice =
      b.create<MulOp>(loc, getType(), getResult(),
                      scalar(b, loc, getType().getElementType(), 2.0));
  operandGrads.push_back(b.create<DivOp>(loc, getType(), grads[0], twice));
  return success();
}

LogicalResult RsqrtOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                      SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  // y = x^(-1/2): dx = -dy · y³ / 2.
  Value y = getResult();
  Value cube =
      b.create<MulOp>(loc, getType(), b.create<MulOp>(loc, getType(), y, y), y);
  Value factor = b.create<MulOp>(
      loc, getType(), cube, scalar(b, loc, getType().getElementType(), -0.5));
  operandGrads.push_back(b.create<MulOp>(loc, getType(), grads[0], factor));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalizations and reductions
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                        SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(b.create<SoftmaxGradOp>(getLoc(), getType(), grads[0],
                                                 getResult(), getAxis()));
  return success();
}

LogicalResult
LogSoftmaxOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                             SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(b.create<LogSoftmaxGradOp>(
      getLoc(), getType(), grads[0], getResult(), getAxis()));
  return success();
}

LogicalResult
LayerNormOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                            SmallVectorImpl<Value> &operandGrads) {
  Type gammaType = getGamma().getType();
  auto grad =
      b.create<LayerNormGradOp>(getLoc(), getType(), gammaType, gammaType,
                                grads[0], getInput(), getGamma(), getEpsilon());
  operandGrads.append(
      {grad.getInputGrad(), grad.getGammaGrad(), grad.getBetaGrad()});
  return success();
}

LogicalResult RmsNormOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                        SmallVectorImpl<Value> &operandGrads) {
  auto grad =
      b.create<RmsNormGradOp>(getLoc(), getType(), getWeight().getType(),
                              grads[0], getInput(), getWeight(), getEpsilon());
  operandGrads.append({grad.getInputGrad(), grad.getWeightGrad()});
  return success();
}

LogicalResult
ReduceSumOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                            SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      broadcastBack(b, getLoc(), grads[0], getAxes(), tensorType(getInput())));
  return success();
}

LogicalResult
ReduceMeanOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                             SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  RankedTensorType inputType = tensorType(getInput());
  int64_t count = 1;
  for (int64_t axis : getAxes())
    count *= inputType.getDimSize(axis);
  Value spread = broadcastBack(b, loc, grads[0], getAxes(), inputType);
  operandGrads.push_back(b.create<MulOp>(
      loc, inputType, spread,
      scalar(b, loc, inputType.getElementType(), 1.0 / double(count))));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                        SmallVectorImpl<Value> &operandGrads) {
  if (!isa<FloatType>(getType().getElementType())) {
    operandGrads.push_back(nullptr);
    return success();
  }
  operandGrads.push_back(
      b.create<ReshapeOp>(getLoc(), getInput().getType(), grads[0]));
  return success();
}

LogicalResult
TransposeOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                            SmallVectorImpl<Value> &operandGrads) {
  if (!isa<FloatType>(getType().getElementType())) {
    operandGrads.push_back(nullptr);
    return success();
  }
  ArrayRef<int64_t> permutation = getPermutation();
  SmallVector<int64_t> inverse(permutation.size());
  for (auto [index, dim] : llvm::enumerate(permutation))
    inverse[dim] = index;
  operandGrads.push_back(
      b.create<TransposeOp>(getLoc(), getInput().getType(), grads[0], inverse));
  return success();
}

LogicalResult SliceOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                      SmallVectorImpl<Value> &operandGrads) {
  if (!isa<FloatType>(getType().getElementType())) {
    operandGrads.push_back(nullptr);
    return success();
  }
  operandGrads.push_back(b.create<SliceGradOp>(
      getLoc(), getInput().getType(), grads[0], getAxesAttr(), getStartsAttr(),
      getEndsAttr(), getStepsAttr()));
  return success();
}

LogicalResult ConcatOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                       SmallVectorImpl<Value> &operandGrads) {
  // Each input's gradient is the part of the result's gradient it filled.
  bool isFloat = isa<FloatType>(getType().getElementType());
  int64_t axis = getAxis(), offset = 0;
  for (Value input : getInputs()) {
    RankedTensorType type = tensorType(input);
    int64_t size = type.getDimSize(axis);
    operandGrads.push_back(
        isFloat ? b.create<SliceOp>(getLoc(), type, grads[0],
                                    b.getDenseI64ArrayAttr({axis}),
                                    b.getDenseI64ArrayAttr({offset}),
                                    b.getDenseI64ArrayAttr({offset + size}),
                                    b.getDenseI64ArrayAttr({1}))
                      .getResult()
                : Value());
    offset += size;
  }
  return success();
}

LogicalResult
EmbeddingOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                            SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(nullptr);
  operandGrads.push_back(b.create<EmbeddingGradOp>(
      getLoc(), getTable().getType(), grads[0], getIds()));
  return success();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

LogicalResult
CausalAttentionOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                  SmallVectorImpl<Value> &operandGrads) {
  // The log-sum-exp is a statistic for the backward, not an output a loss
  // is taken of.
  if (grads[1])
    return emitOpError("has no gradient through its log_sum_exp result");
  // The gradient reads and writes the forward's layout, so no transpose
  // appears around it either.
  Type type = getResult().getType();
  auto grad = b.create<CausalAttentionGradOp>(
      getLoc(), type, type, type, grads[0], getQuery(), getKey(), getValue(),
      getLogSumExp(), getScaleAttr(), getSequenceMajorAttr());
  operandGrads.append(
      {grad.getQueryGrad(), grad.getKeyGrad(), grad.getValueGrad()});
  return success();
}

LogicalResult
CausalAttentionQkvOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                     SmallVectorImpl<Value> &operandGrads) {
  if (grads[1])
    return emitOpError("has no gradient through its log_sum_exp result");
  // dq, dk and dv packed as q, k and v are: one gradient of the projection.
  operandGrads.push_back(b.create<CausalAttentionQkvGradOp>(
      getLoc(), getQkv().getType(), grads[0], getQkv(), getLogSumExp(),
      getScaleAttr()));
  return success();
}

//===----------------------------------------------------------------------===//
// Masks and dropout
//===----------------------------------------------------------------------===//

LogicalResult
CausalMaskOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                             SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(b.create<CausalMaskOp>(getLoc(), getType(), grads[0],
                                                b.getF64FloatAttr(0.0)));
  return success();
}

LogicalResult
MaskedFillOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                             SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(b.create<MaskedFillOp>(
      getLoc(), getType(), grads[0], getMask(), b.getF64FloatAttr(0.0)));
  operandGrads.push_back(nullptr);
  return success();
}

LogicalResult WhereOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                      SmallVectorImpl<Value> &operandGrads) {
  // Each branch gets the result's gradient where it was chosen and zero
  // elsewhere, summed back over the dims it was broadcast along; the
  // condition has none.
  Location loc = getLoc();
  RankedTensorType gradType = tensorType(grads[0]);
  Value zero = scalar(b, loc, gradType.getElementType(), 0.0);
  Value onTrue =
      b.create<WhereOp>(loc, gradType, getCondition(), grads[0], zero);
  Value onFalse =
      b.create<WhereOp>(loc, gradType, getCondition(), zero, grads[0]);
  operandGrads.push_back(nullptr);
  operandGrads.push_back(sumToShape(b, loc, onTrue, tensorType(getOnTrue())));
  operandGrads.push_back(sumToShape(b, loc, onFalse, tensorType(getOnFalse())));
  return success();
}

LogicalResult DropoutOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                        SmallVectorImpl<Value> &operandGrads) {
  // The mask is a function of the seed, the step and the element index, so
  // the same dropout applied to the gradient drops the same elements.
  operandGrads.push_back(b.create<DropoutOp>(getLoc(), getType(), grads[0],
                                             getRateAttr(), getSeedAttr()));
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult
SoftmaxCrossEntropyOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                      SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(b.create<SoftmaxCrossEntropyGradOp>(
      getLoc(), getLogits().getType(), grads[0], getLogits(), getLabels(),
      getIgnoreIndexAttr(), getReductionAttr()));
  operandGrads.push_back(nullptr);
  return success();
}

LogicalResult MseLossOp::buildGradients(OpBuilder &b, ArrayRef<Value> grads,
                                        SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  RankedTensorType type = tensorType(getPrediction());
  // d mean((p - t)²) = 2 (p - t) / n.
  Value diff = b.create<SubOp>(loc, type, getPrediction(), getTarget());
  Value factor = b.create<MulOp>(loc, getType(), grads[0],
                                 scalar(b, loc, type.getElementType(),
                                        2.0 / double(type.getNumElements())));
  Value dprediction = b.create<MulOp>(loc, type, diff, factor);
  Value dtarget = b.create<MulOp>(loc, type, dprediction,
                                  scalar(b, loc, type.getElementType(), -1.0));
  operandGrads.append({dprediction, dtarget});
  return success();
}
