//===- MpcOps.h - mpc operations --------------------------------*- C++ -*-===//

#ifndef MPC_DIALECT_MPCOPS_H
#define MPC_DIALECT_MPCOPS_H

#include "dialects/mpc/MpcAttrs.h"
#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/MpcInterfaces.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/mpc/MpcOps.h.inc"

#endif // MPC_DIALECT_MPCOPS_H
