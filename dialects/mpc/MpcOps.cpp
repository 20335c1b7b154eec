//===- MpcOps.cpp - mpc operations ----------------------------------------===//
//
// Verifiers are thin: each calls the op's rule in ShapeFunctions.cpp and, for
// ops whose result type is derived, compares it with the declared one.
//
//===----------------------------------------------------------------------===//

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mpc;

namespace {
/// Checks that `actual` is the type the op's shape rule derived.
LogicalResult verifyDerivedType(Operation *op,
                                FailureOr<RankedTensorType> derived,
                                Type actual) {
  if (failed(derived))
    return failure();
  if (*derived != actual)
    return op->emitOpError("result type ")
           << actual << " does not match the expected " << *derived;
  return success();
}

RankedTensorType tensorType(Value value) {
  return llvm::cast<RankedTensorType>(value.getType());
}
} // namespace

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  InitKind kind = getInit().getKind();
  bool xavier =
      kind == InitKind::xavier_uniform || kind == InitKind::xavier_normal;
  if (xavier && getTensorType().getRank() < 2)
    return emitOpError("xavier initializer needs rank >= 2, got ") << getType();
  bool randomOrFloat = kind != InitKind::zeros;
  if (randomOrFloat && !llvm::isa<FloatType>(getTensorType().getElementType()))
    return emitOpError("initializer '")
           << stringifyInitKind(kind) << "' needs a float element type, got "
           << getType();
  return success();
}

/// Resolves `symbol` to an mpc.param whose type is `type`.
static LogicalResult verifyParamUse(Operation *op, FlatSymbolRefAttr symbol,
                                    Type type,
                                    SymbolTableCollection &symbolTable) {
  auto param = symbolTable.lookupNearestSymbolFrom<ParamOp>(op, symbol);
  if (!param)
    return op->emitOpError("'")
           << symbol.getValue() << "' does not name an mpc.param";
  if (param.getType() != type)
    return op->emitOpError("type ")
           << type << " differs from the type " << param.getType()
           << " of param " << symbol;
  return success();
}

LogicalResult LoadOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyParamUse(*this, getParamAttr(), getType(), symbolTable);
}

void LoadOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getResult(), getParam());
}

LogicalResult StoreOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyParamUse(*this, getParamAttr(), getValue().getType(),
                        symbolTable);
}

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

ParseResult ConstantOp::parse(OpAsmParser &parser, OperationState &result) {
  ElementsAttr value;
  if (parser.parseAttribute(value, "value", result.attributes) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  result.addTypes(value.getType());
  return success();
}

void ConstantOp::print(OpAsmPrinter &printer) {
  printer << " ";
  printer.printAttribute(getValue());
  printer.printOptionalAttrDict((*this)->getAttrs(), {"value"});
}

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError("value type ")
           << getValue().getType() << " differs from result type " << getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Contraction and elementwise
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  auto derived = inferMatmulType(tensorType(getLhs()), tensorType(getRhs()),
                                 getTransposeA(), getTransposeB(),
                                 [&] { return emitOpError(); });
  if (failed(derived))
    return failure();
  if (derived->getShape() != getType().getShape())
    return emitOpError("result shape ")
           << formatShape(getType().getShape()) << " does not match the "
           << "expected " << formatShape(derived->getShape());
  // The result may be wider than the operands (f32 output of bf16 inputs),
  // never narrower nor of another format of the same width.
  Type operandElement = derived->getElementType();
  Type resultElement = getType().getElementType();
  if (resultElement != operandElement &&
      resultElement.getIntOrFloatBitWidth() <=
          operandElement.getIntOrFloatBitWidth())
    return emitOpError("result element type ")
           << resultElement << " is neither the operands' " << operandElement
           << " nor wider";
  return success();
}

template <typename BinaryOp>
static LogicalResult verifyBroadcastBinary(BinaryOp op) {
  return verifyDerivedType(
      op,
      inferBroadcastBinaryType(tensorType(op.getLhs()), tensorType(op.getRhs()),
                               [&] { return op.emitOpError(); }),
      op.getType());
}

LogicalResult AddOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastBinary(*this); }

//===----------------------------------------------------------------------===//
// Normalizations and reductions
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(getAxis(), getType().getRank(),
                    [&] { return emitOpError(); });
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(getAxis(), getType().getRank(),
                    [&] { return emitOpError(); });
}

LogicalResult LayerNormOp::verify() {
  if (!(getEpsilon().convertToDouble() > 0))
    return emitOpError("epsilon must be positive, got ")
           << getEpsilon().convertToDouble();
  return verifyLayerNormOperands(tensorType(getInput()), tensorType(getGamma()),
                                 [&] { return emitOpError(); });
}

template <typename ReduceOp> static LogicalResult verifyReduce(ReduceOp op) {
  return verifyDerivedType(op,
                           inferReduceType(tensorType(op.getInput()),
                                           op.getAxes(), op.getKeepdims(),
                                           [&] { return op.emitOpError(); }),
                           op.getType());
}

LogicalResult ReduceSumOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMeanOp::verify() { return verifyReduce(*this); }

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  return verifyReshape(tensorType(getInput()), getType(),
                       [&] { return emitOpError(); });
}

LogicalResult TransposeOp::verify() {
  return verifyDerivedType(*this,
                           inferTransposeType(tensorType(getInput()),
                                              getPermutation(),
                                              [&] { return emitOpError(); }),
                           getType());
}

LogicalResult EmbeddingOp::verify() {
  return verifyDerivedType(*this,
                           inferEmbeddingType(tensorType(getIds()),
                                              tensorType(getTable()),
                                              [&] { return emitOpError(); }),
                           getType());
}

//===----------------------------------------------------------------------===//
// Masks and dropout
//===----------------------------------------------------------------------===//

LogicalResult CausalMaskOp::verify() {
  return verifyCausalMask(getType(), [&] { return emitOpError(); });
}

LogicalResult MaskedFillOp::verify() {
  return verifyMaskedFill(tensorType(getInput()), tensorType(getMask()),
                          [&] { return emitOpError(); });
}

LogicalResult DropoutOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return emitOpError("rate must be in [0, 1), got ") << rate;
  // getSeed() is unsigned; read the attribute's value as signed.
  int64_t seed = getSeedAttr().getInt();
  if (seed < 0)
    return emitOpError("seed must be non-negative, got ") << seed;
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxCrossEntropyOp::verify() {
  return verifyDerivedType(*this,
                           inferCrossEntropyType(tensorType(getLogits()),
                                                 tensorType(getLabels()),
                                                 [&] { return emitOpError(); }),
                           getType());
}

LogicalResult MseLossOp::verify() {
  return verifyDerivedType(*this,
                           inferMseLossType(tensorType(getPrediction()),
                                            tensorType(getTarget()),
                                            [&] { return emitOpError(); }),
                           getType());
}

#define GET_OP_CLASSES
#include "dialects/mpc/MpcOps.cpp.inc"
