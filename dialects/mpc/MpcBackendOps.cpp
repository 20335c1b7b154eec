//===- MpcBackendOps.cpp - verifiers of the ops mpc-fuse creates ---------===//

#include "dialects/mpc/ElementTypes.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

using namespace mlir;
using namespace mpc;

//===----------------------------------------------------------------------===//
// FusedOp
//===----------------------------------------------------------------------===//

ArrayRef<int64_t> FusedOp::getIterationShape() {
  return tensorType(getResults().front()).getShape();
}

LogicalResult FusedOp::verify() {
  if (getResults().empty())
    return emitOpError("must have at least one result");
  ArrayRef<int64_t> shape = getIterationShape();
  for (Value result : getResults())
    if (tensorType(result).getShape() != shape)
      return emitOpError("every result must have the iteration shape ")
             << formatShape(shape) << ", got "
             << formatShape(tensorType(result).getShape());
  for (auto [index, input] : llvm::enumerate(getInputs()))
    if (failed(verifyBroadcastsTo(tensorType(input).getShape(), shape,
                                  "input #" + std::to_string(index),
                                  "the iteration shape",
                                  [&] { return emitOpError(); })))
      return failure();
  return success();
}

LogicalResult FusedOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getArgumentTypes() != getInputs().getTypes())
    return emitOpError("body arguments must have the types of the inputs");
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("body must end in mpc.yield");
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("mpc.yield types must match the result types");
  for (Operation &op : body.without_terminator()) {
    if (op.hasTrait<OpTrait::Elementwise>())
      continue;
    if (auto constant = dyn_cast<ConstantOp>(op))
      if (tensorType(constant.getResult()).getRank() == 0)
        continue;
    return op.emitOpError("cannot be part of an mpc.fused body: only "
                          "elementwise ops and scalar constants can");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// FusedMatmulOp
//===----------------------------------------------------------------------===//

bool FusedMatmulOp::hasBiasEpilogue() {
  Epilogue kind = getEpilogue();
  return kind == Epilogue::bias || kind == Epilogue::relu_bias ||
         kind == Epilogue::gelu_bias;
}

LogicalResult FusedMatmulOp::verify() {
  RankedTensorType result = tensorType(getResult());
  if (failed(verifyMatmulResult(tensorType(getLhs()), tensorType(getRhs()),
                                getTransposeA(), getTransposeB(), result,
                                [&] { return emitOpError(); })))
    return failure();
  Epilogue kind = getEpilogue();
  if (hasBiasEpilogue() != bool(getBias()))
    return emitOpError("epilogue ")
           << stringifyEpilogue(kind)
           << (getBias() ? " takes no bias" : " needs a bias operand");
  if (Value bias = getBias()) {
    ArrayRef<int64_t> shape = tensorType(bias).getShape();
    if (shape.size() != 1 || shape[0] != result.getShape().back())
      return emitOpError("bias must be 1-D of the result's last dimension ")
             << result.getShape().back() << ", got " << formatShape(shape);
  }
  if ((kind == Epilogue::dgelu) != bool(getAux()))
    return emitOpError("epilogue ")
           << stringifyEpilogue(kind)
           << (getAux() ? " takes no aux operand"
                        : " needs the forward pre-activation as aux");
  if (Value aux = getAux())
    if (tensorType(aux).getShape() != result.getShape())
      return emitOpError("aux must have the result's shape ")
             << formatShape(result.getShape());
  if (Value pre = getPreActivation()) {
    bool activates = kind == Epilogue::relu || kind == Epilogue::relu_bias ||
                     kind == Epilogue::gelu || kind == Epilogue::gelu_bias;
    if (!activates)
      return emitOpError("epilogue ")
             << stringifyEpilogue(kind) << " has no pre-activation result";
    if (tensorType(pre).getShape() != result.getShape())
      return emitOpError("pre_activation must have the result's shape ")
             << formatShape(result.getShape());
  }
  return success();
}

//===----------------------------------------------------------------------===//
// AddLayerNormOp
//===----------------------------------------------------------------------===//

LogicalResult AddLayerNormOp::verify() {
  return verifyLayerNorm(getEpsilon().convertToDouble(), tensorType(getSum()),
                         tensorType(getGamma()),
                         tensorType(getResult()).getElementType(),
                         [&] { return emitOpError(); });
}

//===----------------------------------------------------------------------===//
// SoftmaxCrossEntropyWithGradOp
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxCrossEntropyWithGradOp::verify() {
  RankedTensorType logits = tensorType(getLogits());
  if (failed(verifyCrossEntropyGrad(getIgnoreIndex(), logits,
                                    tensorType(getLabels()),
                                    tensorType(getLossGrad()).getElementType(),
                                    tensorType(getGrad()).getElementType(),
                                    [&] { return emitOpError(); })))
    return failure();
  // The loss's type as mpc.softmax_cross_entropy's, fused or not.
  Type lossType = tensorType(getLoss()).getElementType();
  Type logitsType = logits.getElementType();
  if (lossType != logitsType &&
      !(lossType.isF32() && isSixteenBitFloat(logitsType)))
    return emitOpError("loss element type ")
           << lossType << " must be the logits' (" << logitsType
           << "), or f32 with 16-bit logits";
  return success();
}

OpOperand *SoftmaxCrossEntropyWithGradOp::overwritableOperand(OpResult result) {
  return result == getGrad() ? &getLogitsMutable() : nullptr;
}
