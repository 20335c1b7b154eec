//===- MpcDialect.h - the mpc dialect ---------------------------*- C++ -*-===//

#ifndef MPC_DIALECT_MPCDIALECT_H
#define MPC_DIALECT_MPCDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/mpc/MpcDialect.h.inc"

#endif // MPC_DIALECT_MPCDIALECT_H
