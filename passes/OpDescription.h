//===- OpDescription.h - ops and locations in words -------------*- C++ -*-===//
//
// How the reports (precision, numerics) name an op: its location in the
// compact form `fc1 (mlp.json:17:5)`, its dialect-free name, and whether it
// is forward or backward (after the op that defines the function's loss).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_PASSES_OPDESCRIPTION_H
#define MPC_PASSES_OPDESCRIPTION_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"

#include <string>

namespace mpc {

/// A location in the compact form `fc1 (mlp.json:17:5)`: node names, the
/// file's base name, line and column. JSON Pointers (`/nodes/2`), which the
/// importer nests between the two, are left out. Empty for an unknown
/// location.
std::string describe(mlir::Location loc);

/// describe(), or `unknown`.
std::string describeOrUnknown(mlir::Location loc);

/// The dialect-free op name (`matmul`) for mpc ops, the full name otherwise.
std::string opName(mlir::Operation *op);

/// The op defining the function's `mpc.loss` result, if any.
mlir::Operation *findLossOp(mlir::FunctionOpInterface function);

/// Whether anything but casts and the terminator follows `lossOp`: an
/// evaluation function may cast its outputs after the loss, and has no
/// backward all the same. `order` numbers `ops`, the function's ops.
bool hasBackward(mlir::Operation *lossOp,
                 const llvm::DenseMap<mlir::Operation *, unsigned> &order,
                 llvm::ArrayRef<mlir::Operation *> ops);

} // namespace mpc

#endif // MPC_PASSES_OPDESCRIPTION_H
