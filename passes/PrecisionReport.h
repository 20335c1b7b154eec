//===- PrecisionReport.h - what mpc-precision-report knows ------*- C++ -*-===//
//
// The facts the precision report collects about a function, shared by its
// writers: the table and JSON (PrecisionReport.cpp) and the Graphviz graph
// (PrecisionReportDot.cpp). Nothing here changes the IR.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_PASSES_PRECISIONREPORT_H
#define MPC_PASSES_PRECISIONREPORT_H

#include "dialects/mpc/MpcOps.h"
#include "passes/ReportSupport.h"

#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mpc::precision_report {

//===----------------------------------------------------------------------===//
// What the report says about one function
//===----------------------------------------------------------------------===//

struct OpRow {
  std::string op, location;
  bool backward;
  PrecisionCategory category;
  PrecisionReason reason;
  llvm::SmallVector<std::string> inputs, outputs;
  /// Why a policy file's node entry set the precision (mpc.precision_note),
  /// or empty.
  std::string note;
};

struct CastRow {
  std::string location;
  bool backward;
  std::string from, to;
  int64_t elements, bytes;
};

struct FunctionReport {
  std::string name;
  std::vector<OpRow> ops;
  std::vector<CastRow> casts;
  /// Decided ops by the element type of their first float result.
  std::map<std::string, int64_t> opsByPrecision;
  int64_t castBytes = 0;
  /// Set only where the function has a forward/backward boundary.
  /// `activationCopyBytes` is the part of `activationBytes` held in casts of
  /// parameters, constants and arguments.
  std::optional<int64_t> activationBytes, activationCopyBytes,
      activationBytesF32;
};

/// A function's ops in pre-order, and where its backward begins.
struct FunctionOps {
  llvm::SmallVector<mlir::Operation *> ops;
  llvm::DenseMap<mlir::Operation *, unsigned> order;
  /// The op defining the `mpc.loss` result, when ops other than casts
  /// follow it; null otherwise (a function without a backward).
  mlir::Operation *boundary = nullptr;

  /// Whether `op` comes after the boundary.
  bool isBackward(mlir::Operation *op) const;
};

FunctionOps functionOps(mlir::FunctionOpInterface function);

FunctionReport collect(mlir::FunctionOpInterface function,
                       mlir::SymbolTableCollection &symbols);

//===----------------------------------------------------------------------===//
// Types, locations and ops in words
//===----------------------------------------------------------------------===//

/// The element type of a tensor, else the type itself, as text.
std::string precisionOf(mlir::Type type);

/// Bytes one element of `type` occupies (an i1 takes a byte).
int64_t elementBytes(mlir::Type type);

/// The element count and element type of a statically shaped tensor of int
/// or float elements; none for anything else.
std::optional<std::pair<int64_t, mlir::Type>> tensorSize(mlir::Type type);

/// The headline of a function's section: "@train_step: 7 of 15 ops in bf16,
/// 8 in f32; 8 casts move 98364 bytes (96.1 KiB) per step".
std::string headline(const FunctionReport &report);

//===----------------------------------------------------------------------===//
// Writers
//===----------------------------------------------------------------------===//

/// Writes `function` as one Graphviz digraph (PrecisionReportDot.cpp):
/// ops coloured by precision, casts as marked edges, backward and optimizer
/// in clusters of their own; with `forwardOnly`, the forward ops alone.
void writeDot(llvm::raw_ostream &os, mlir::FunctionOpInterface function,
              const FunctionReport &report, bool forwardOnly);

} // namespace mpc::precision_report

#endif // MPC_PASSES_PRECISIONREPORT_H
