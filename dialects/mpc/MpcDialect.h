//===- MpcDialect.h - the mpc dialect ---------------------------*- C++ -*-===//

#ifndef MPC_DIALECT_MPCDIALECT_H
#define MPC_DIALECT_MPCDIALECT_H

#include "runtime/core/StepNames.h"

#include "mlir/IR/Dialect.h"

#include "dialects/mpc/MpcDialect.h.inc"

#endif // MPC_DIALECT_MPCDIALECT_H
