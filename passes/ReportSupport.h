//===- ReportSupport.h - what the report passes share -----------*- C++ -*-===//
//
// Locations in words, the forward/backward boundary of a step, padded
// columns, one-line JSON rows, and writing a composed report to its file.
// The precision and cost reports print in one manner through these.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_PASSES_REPORTSUPPORT_H
#define MPC_PASSES_REPORTSUPPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mpc {

/// A location in the compact form `fc1 (mlp.json:17:5)`: node names, the
/// file's base name, line and column. JSON Pointers (`/nodes/2`), which the
/// importer nests between the two, are left out. Empty for an unknown
/// location.
std::string describe(mlir::Location loc);

/// describe(loc), or `unknown`.
std::string describeOrUnknown(mlir::Location loc);

/// The graph node names in `loc` (its NameLocs, JSON Pointers left out), in
/// order and each once: one for an op of a node, several for an op fused or
/// accumulated from several, none for one the compiler made alone.
llvm::SmallVector<std::string> nodeNames(mlir::Location loc);

/// The dialect-free op name (`matmul`) for mpc ops, the full name otherwise.
std::string opName(mlir::Operation *op);

/// The op defining the function's `mpc.loss` result, if any: the last
/// forward op; what follows it is backward and optimizer.
mlir::Operation *findLossOp(mlir::FunctionOpInterface function);

/// Whether anything but casts and the terminator follows `lossOp`: an
/// evaluation function may cast its outputs after the loss, and has no
/// backward all the same. `order` numbers `ops`, the function's ops.
bool hasBackward(mlir::Operation *lossOp,
                 const llvm::DenseMap<mlir::Operation *, unsigned> &order,
                 llvm::ArrayRef<mlir::Operation *> ops);

/// Writes rows as columns padded to their widest cell, the last one ragged.
/// Columns whose `rightAlign` entry is set are right-aligned (numbers).
void writeColumns(llvm::raw_ostream &os,
                  llvm::ArrayRef<llvm::SmallVector<std::string>> rows,
                  llvm::ArrayRef<bool> rightAlign);

/// One JSON object on one line, keys in the order `write` gives them.
std::string jsonLine(llvm::function_ref<void(llvm::json::OStream &)> write);

/// Writes `lines` as the elements of a JSON array, one per line, and the
/// comma that follows it.
void writeArray(llvm::raw_ostream &os, llvm::StringRef key,
                llvm::ArrayRef<std::string> lines);

/// Writes a composed report: to standard error when `output` is empty, to
/// standard output for `-`, else to the file, whole or not at all. A
/// failure is an error on `module` prefixed with `pass`.
mlir::LogicalResult writeReport(mlir::ModuleOp module, llvm::StringRef pass,
                                llvm::StringRef output, llvm::StringRef text);

} // namespace mpc

#endif // MPC_PASSES_REPORTSUPPORT_H
