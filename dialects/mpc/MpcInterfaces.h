//===- MpcInterfaces.h - mpc op interfaces ----------------------*- C++ -*-===//

#ifndef MPC_DIALECT_MPCINTERFACES_H
#define MPC_DIALECT_MPCINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

#include "dialects/mpc/MpcInterfaces.h.inc"

#endif // MPC_DIALECT_MPCINTERFACES_H
