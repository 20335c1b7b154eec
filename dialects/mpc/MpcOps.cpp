//===- MpcOps.cpp - mpc operations ----------------------------------------===//
//
// Verifiers are thin: each calls the op's rule in ShapeFunctions.cpp and, for
// ops whose result type is derived, compares it with the declared one.
//
//===----------------------------------------------------------------------===//

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ElementTypes.h"
#include "dialects/mpc/ParamValue.h"
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

} // namespace

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  if (getCopyOf()) {
    auto zeros = dyn_cast<InitAttr>(getInit());
    if (!getState() || !zeros || zeros.getKind() != InitKind::zeros ||
        !isSixteenBitFloat(getTensorType().getElementType()))
      return emitOpError("a copy (copy_of) must be state of f16 or bf16 "
                         "elements initialized with #mpc.init<zeros>");
  }
  if (InitAttr rule = getInitRule())
    return rule.verifyFor(getTensorType(), [&] { return emitOpError(); });
  ElementsAttr value = getInitialValue();
  if (value.getType() != getType())
    return emitOpError("initial value of type ")
           << value.getType() << " differs from the param's type " << getType();
  std::string problem;
  if (!checkParamValue(value, problem))
    return emitOpError(problem);
  return success();
}

LogicalResult ParamOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (!getCopyOfAttr())
    return success();
  auto source =
      symbolTable.lookupNearestSymbolFrom<ParamOp>(*this, getCopyOfAttr());
  if (!source)
    return emitOpError("copy_of '")
           << getCopyOfAttr().getValue() << "' does not name an mpc.param";
  RankedTensorType type = source.getTensorType();
  if (source.getState() || source.getCopyOf() ||
      !type.getElementType().isF32() ||
      type.getShape() != getTensorType().getShape())
    return emitOpError("copy_of names ")
           << getCopyOfAttr()
           << ", which must be a trainable f32 param of the copy's shape";
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

/// Whether every value of element type `from` is exact in `to`.
static bool isExactWidening(Type from, Type to) {
  return isa<Float16Type, BFloat16Type>(from) && isa<Float32Type>(to);
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // After an exact widening the second cast sees the original values:
  // cast(cast(x: A -> B), C) is cast(x: A -> C), and x when C is A.
  auto inner = getInput().getDefiningOp<CastOp>();
  if (!inner || !isExactWidening(getElementTypeOrSelf(inner.getInput()),
                                 getElementTypeOrSelf(inner.getType())))
    return {};
  if (inner.getInput().getType() == getType())
    return inner.getInput();
  getInputMutable().assign(inner.getInput());
  return getResult();
}

//===----------------------------------------------------------------------===//
// Contraction and elementwise
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  return verifyMatmulResult(tensorType(getLhs()), tensorType(getRhs()),
                            getTransposeA(), getTransposeB(), getType(),
                            [&] { return emitOpError(); });
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
  return verifyLayerNorm(getEpsilon().convertToDouble(), tensorType(getInput()),
                         tensorType(getGamma()),
                         tensorType(getResult()).getElementType(),
                         [&] { return emitOpError(); });
}

LogicalResult RmsNormOp::verify() {
  if (failed(verifyEpsilon(getEpsilon().convertToDouble(),
                           [&] { return emitOpError(); })))
    return failure();
  if (failed(verifyNarrowableInput(tensorType(getInput()).getElementType(),
                                   tensorType(getWeight()).getElementType(),
                                   [&] { return emitOpError(); })))
    return failure();
  return verifyRmsNormOperands(tensorType(getInput()), tensorType(getWeight()),
                               [&] { return emitOpError(); });
}

template <typename ReduceOp> static LogicalResult verifyReduce(ReduceOp op) {
  auto emit = [&] { return op.emitOpError(); };
  RankedTensorType input = tensorType(op.getInput());
  Type resultElement = op.getType().getElementType();
  if (failed(
          verifyNarrowableInput(input.getElementType(), resultElement, emit)))
    return failure();
  FailureOr<RankedTensorType> derived =
      inferReduceType(input, op.getAxes(), op.getKeepdims(), emit);
  if (succeeded(derived))
    derived = derived->clone(resultElement);
  return verifyDerivedType(op, derived, op.getType());
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

LogicalResult SliceOp::verify() {
  return verifyDerivedType(*this,
                           inferSliceType(tensorType(getInput()), getAxes(),
                                          getStarts(), getEnds(), getSteps(),
                                          [&] { return emitOpError(); }),
                           getType());
}

LogicalResult ConcatOp::verify() {
  return verifyDerivedType(*this,
                           inferConcatType(getInputs().getTypes(), getAxis(),
                                           [&] { return emitOpError(); }),
                           getType());
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
  auto emit = [&] { return emitOpError(); };
  return failure(failed(verifyFillValue(getValue().convertToDouble(), emit)) ||
                 failed(verifyCausalMask(getType(), emit)));
}

LogicalResult MaskedFillOp::verify() {
  auto emit = [&] { return emitOpError(); };
  return failure(failed(verifyFillValue(getValue().convertToDouble(), emit)) ||
                 failed(verifyMaskedFill(tensorType(getInput()),
                                         tensorType(getMask()), emit)));
}

LogicalResult PowOp::verify() {
  return verifyExponent(getExponent().convertToDouble(),
                        [&] { return emitOpError(); });
}

LogicalResult WhereOp::verify() {
  return verifyDerivedType(
      *this,
      inferWhereType(tensorType(getCondition()), tensorType(getOnTrue()),
                     tensorType(getOnFalse()), [&] { return emitOpError(); }),
      getType());
}

LogicalResult DropoutOp::verify() {
  if (failed(verifyDropoutRate(getRate().convertToDouble(),
                               [&] { return emitOpError(); })))
    return failure();
  // getSeed() is unsigned; read the attribute's value as signed.
  int64_t seed = getSeedAttr().getInt();
  if (seed < 0)
    return emitOpError("seed must be non-negative, got ") << seed;
  return success();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

LogicalResult CausalAttentionOp::verify() {
  return verifyAttentionStats(
      tensorType(getQuery()), getSequenceMajor(), getScale().convertToDouble(),
      tensorType(getLogSumExp()), [&] { return emitOpError(); });
}

attention::Layout CausalAttentionOp::getLayout() {
  return attentionLayout(tensorType(getQuery()), getSequenceMajor());
}

bool CausalAttentionOp::keepsF32(Value value) {
  return value == getLogSumExp();
}

LogicalResult CausalAttentionQkvOp::verify() {
  return verifyPackedAttention(tensorType(getQkv()), tensorType(getResult()),
                               getScale().convertToDouble(),
                               tensorType(getLogSumExp()),
                               [&] { return emitOpError(); });
}

attention::Layout CausalAttentionQkvOp::getLayout() {
  return packedAttentionLayout(tensorType(getQkv()));
}

attention::Layout CausalAttentionQkvOp::getResultLayout() {
  return attentionLayout(tensorType(getResult()), /*sequenceMajor=*/true);
}

bool CausalAttentionQkvOp::keepsF32(Value value) {
  return value == getLogSumExp();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxCrossEntropyOp::verify() {
  if (std::optional<int64_t> ignored = getIgnoreIndex())
    if (failed(verifyIgnoreIndex(*ignored, [&] { return emitOpError(); })))
      return failure();
  // 16-bit logits may give an f32 loss: the fused classifier of mpc-fuse.
  Type logitsType = tensorType(getLogits()).getElementType();
  if (isSixteenBitFloat(logitsType) && getType().getElementType().isF32() &&
      getType().getRank() == 0)
    return failure(failed(
        inferCrossEntropyType(tensorType(getLogits()), tensorType(getLabels()),
                              [&] { return emitOpError(); })));
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

//===----------------------------------------------------------------------===//
// mpc.adamw_multi_update's result types
//===----------------------------------------------------------------------===//

SmallVector<Type> AdamWMultiUpdateOp::resultTypes(TypeRange params,
                                                  TypeRange copies) {
  SmallVector<Type> types;
  for (int group = 0; group < 3; ++group)
    types.append(params.begin(), params.end());
  types.append(copies.begin(), copies.end());
  return types;
}

/// A type equal to `input`'s prints nothing; another as `-> type` (a
/// narrowed result, or the f32 gradients of an op reading a 16-bit input).
static ParseResult parseTypeUnlessInput(OpAsmParser &parser, Type &result,
                                        Type input) {
  result = input;
  if (failed(parser.parseOptionalArrow()))
    return success();
  return parser.parseType(result);
}

static void printTypeUnlessInput(OpAsmPrinter &printer, Operation *,
                                 Type result, Type input) {
  if (result != input)
    printer << " -> " << result;
}

/// The results are implied by the params and copies: nothing is printed.
static ParseResult parseMultiUpdateResults(OpAsmParser &,
                                           SmallVectorImpl<Type> &results,
                                           ArrayRef<Type> params,
                                           ArrayRef<Type> copies) {
  results = AdamWMultiUpdateOp::resultTypes(params, copies);
  return success();
}

static void printMultiUpdateResults(OpAsmPrinter &, Operation *, TypeRange,
                                    TypeRange, TypeRange) {}

#define GET_OP_CLASSES
#include "dialects/mpc/MpcOps.cpp.inc"

std::optional<PrecisionCategory> mpc::declaredCategory(Operation *op) {
  if (op->hasTrait<OpTrait::AutocastAllow>())
    return PrecisionCategory::allow;
  if (op->hasTrait<OpTrait::AutocastDeny>())
    return PrecisionCategory::deny;
  if (op->hasTrait<OpTrait::AutocastInfer>())
    return PrecisionCategory::infer;
  if (op->hasTrait<OpTrait::AutocastClear>())
    return PrecisionCategory::clear;
  return std::nullopt;
}
