//===- MpcDialect.cpp - the mpc dialect -----------------------------------===//

#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/MpcAttrs.h"
#include "dialects/mpc/MpcOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mpc;

#include "dialects/mpc/MpcDialect.cpp.inc"

void MpcDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/mpc/MpcOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *MpcDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = llvm::dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}

//===----------------------------------------------------------------------===//
// Discardable attributes
//===----------------------------------------------------------------------===//

static bool isLowOrFullFloat(Type type) {
  return llvm::isa<Float32Type, Float16Type, BFloat16Type>(type);
}

LogicalResult MpcDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attribute) {
  llvm::StringRef name = attribute.getName().strref();
  if (name == kPrecisionAttrName) {
    auto type = llvm::dyn_cast<TypeAttr>(attribute.getValue());
    if (!type || !isLowOrFullFloat(type.getValue()))
      return op->emitError("'") << name << "' must be f32, f16 or bf16, got "
                                << attribute.getValue();
    return success();
  }
  if (name == kAutocastAttrName) {
    if (!llvm::isa<AutocastAttr>(attribute.getValue()))
      return op->emitError("'") << name << "' must be an #mpc.autocast, got "
                                << attribute.getValue();
    return success();
  }
  if (name == kPrecisionNoteAttrName) {
    if (!llvm::isa<StringAttr>(attribute.getValue()))
      return op->emitError("'")
             << name << "' must be a string, got " << attribute.getValue();
    return success();
  }
  if (name == kNameAttrName) {
    if (!llvm::isa<ParamOp>(op) || !llvm::isa<StringAttr>(attribute.getValue()))
      return op->emitError("'") << name << "' must be a string on an mpc.param";
    return success();
  }
  if (name == kLossSeedAttrName) {
    auto constant = llvm::dyn_cast<ConstantOp>(op);
    if (!llvm::isa<UnitAttr>(attribute.getValue()) || !constant ||
        constant.getType().getRank() != 0 ||
        !isLowOrFullFloat(constant.getType().getElementType()))
      return op->emitError("'")
             << name << "' marks a scalar float mpc.constant";
    return success();
  }
  if (name == kTrainingAttrName) {
    if (!llvm::isa<ModuleOp>(op) ||
        !llvm::isa<DictionaryAttr>(attribute.getValue()))
      return op->emitError("'") << name << "' must be a dictionary on a module";
    return success();
  }
  if (name == kNumericsProbeAttrName) {
    auto index = llvm::dyn_cast<IntegerAttr>(attribute.getValue());
    if (!index || index.getValue().isNegative())
      return op->emitError("'") << name << "' must be a probe index >= 0";
    return success();
  }
  if (name == kNumericsProbesAttrName) {
    auto probes = llvm::dyn_cast<ArrayAttr>(attribute.getValue());
    if (!llvm::isa<ModuleOp>(op) || !probes ||
        !llvm::all_of(probes, llvm::IsaPred<DictionaryAttr>))
      return op->emitError("'")
             << name << "' must be an array of dictionaries on a module";
    return success();
  }
  if (name == kLearningRateAttrName) {
    auto rate = llvm::dyn_cast<FloatAttr>(attribute.getValue());
    if (!llvm::isa<FunctionOpInterface>(op) || !rate ||
        !rate.getType().isF64() || !(rate.getValueAsDouble() > 0))
      return op->emitError("'")
             << name << "' must be a positive f64 on a function";
    return success();
  }
  if (name == kAccumulateAttrName) {
    auto count = llvm::dyn_cast<IntegerAttr>(attribute.getValue());
    if (!llvm::isa<FunctionOpInterface>(op) || !count ||
        !count.getType().isInteger(64) || count.getInt() < 2)
      return op->emitError("'")
             << name << "' must be an i64 of at least 2 on a function";
    return success();
  }
  if (name == kLrScheduleAttrName) {
    if (!llvm::isa<FunctionOpInterface>(op) ||
        !llvm::isa<LrScheduleAttr>(attribute.getValue()))
      return op->emitError("'")
             << name << "' must be a #mpc.lr_schedule on a function";
    return success();
  }
  if (name == kBuffersAttrName) {
    auto buffers = llvm::dyn_cast<ArrayAttr>(attribute.getValue());
    if (!buffers || buffers.size() != op->getNumResults() ||
        !llvm::all_of(buffers, llvm::IsaPred<BufferAttr>))
      return op->emitError("'")
             << name << "' must hold one #mpc.buffer per result";
    return success();
  }
  if (name == kArenaBytesAttrName || name == kPeakLiveBytesAttrName) {
    auto bytes = llvm::dyn_cast<IntegerAttr>(attribute.getValue());
    if (!bytes || !bytes.getType().isSignlessInteger(64) || bytes.getInt() < 0)
      return op->emitError("'") << name << "' must be a non-negative i64";
    return success();
  }
  return op->emitError("unknown attribute '") << name << "'";
}

LogicalResult MpcDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                   unsigned argIndex,
                                                   NamedAttribute attribute) {
  llvm::StringRef name = attribute.getName().strref();
  if (name != kNameAttrName)
    return op->emitError("unknown argument attribute '") << name << "'";
  if (!llvm::isa<StringAttr>(attribute.getValue()))
    return op->emitError("'")
           << name << "' of argument " << argIndex << " must be a string";
  return success();
}

LogicalResult MpcDialect::verifyRegionResultAttribute(
    Operation *op, unsigned, unsigned resultIndex, NamedAttribute attribute) {
  llvm::StringRef name = attribute.getName().strref();
  if (name == kNameAttrName) {
    if (!llvm::isa<StringAttr>(attribute.getValue()))
      return op->emitError("'")
             << name << "' of result " << resultIndex << " must be a string";
    return success();
  }
  if (name != kLossAttrName)
    return op->emitError("unknown result attribute '") << name << "'";
  auto function = llvm::dyn_cast<FunctionOpInterface>(op);
  auto type = function ? llvm::dyn_cast<RankedTensorType>(
                             function.getResultTypes()[resultIndex])
                       : RankedTensorType();
  if (!llvm::isa<UnitAttr>(attribute.getValue()) || !type ||
      type.getRank() != 0 || !isLowOrFullFloat(type.getElementType()))
    return op->emitError("'") << name << "' marks a scalar float result, not "
                              << "result " << resultIndex;
  return success();
}
