//===- MpcOps.h - mpc operations --------------------------------*- C++ -*-===//

#ifndef MPC_DIALECT_MPCOPS_H
#define MPC_DIALECT_MPCOPS_H

#include "dialects/mpc/MpcAttrs.h"
#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/MpcInterfaces.h"
#include "dialects/mpc/PrecisionTraits.h"
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

/// `types` `times` times over: mpc.adamw_multi_update's result types.
inline llvm::SmallVector<mlir::Type> repeatedTypes(mlir::TypeRange types,
                                                   int times) {
  llvm::SmallVector<mlir::Type> repeated;
  for (int i = 0; i < times; ++i)
    repeated.append(types.begin(), types.end());
  return repeated;
}
} // namespace mpc

#endif // MPC_DIALECT_MPCOPS_H
