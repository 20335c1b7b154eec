//===- ForwardFunction.h - the function an importer builds ------*- C++ -*-===//
//
// Every front end (JSON graphs, ONNX models) ends the same way: @forward
// returns its results, takes its type from them, and carries the names of
// its inputs and outputs and the loss marker the training passes read.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_DIALECTS_MPC_FORWARDFUNCTION_H
#define MPC_DIALECTS_MPC_FORWARDFUNCTION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/ArrayRef.h"

#include <string>

namespace mpc {

/// Returns `results` from `forward` (at `returnLoc`), sets its type from
/// its arguments and `results`, names argument i `inputNames[i]` and
/// result i `resultNames[i]` (mpc.name), and marks result 0 as the loss
/// (mpc.loss) when `firstIsLoss`.
void finishForwardFunction(mlir::func::FuncOp forward, mlir::Location returnLoc,
                           mlir::ValueRange results,
                           llvm::ArrayRef<std::string> inputNames,
                           llvm::ArrayRef<std::string> resultNames,
                           bool firstIsLoss);

} // namespace mpc

#endif // MPC_DIALECTS_MPC_FORWARDFUNCTION_H
