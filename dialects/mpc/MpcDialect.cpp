//===- MpcDialect.cpp - the mpc dialect -----------------------------------===//

#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/MpcAttrs.h"
#include "dialects/mpc/MpcOps.h"

#include "mlir/IR/DialectImplementation.h"
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
