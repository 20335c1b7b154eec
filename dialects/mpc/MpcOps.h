//===- MpcOps.h - mpc operations --------------------------------*- C++ -*-===//

#ifndef MPC_DIALECT_MPCOPS_H
#define MPC_DIALECT_MPCOPS_H

#include "dialects/mpc/MpcAttrs.h"
#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/MpcInterfaces.h"
#include "dialects/mpc/PrecisionTraits.h"
#include "runtime/core/AttentionLayout.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/mpc/MpcOps.h.inc"

#include <optional>

namespace mpc {
/// The autocast category an op declares through its trait, or none for ops
/// that keep their types and for ops autocast does not know.
std::optional<PrecisionCategory> declaredCategory(mlir::Operation *op);

} // namespace mpc

#endif // MPC_DIALECT_MPCOPS_H
