//===- OneLineDiagnostics.h - diagnostics as single lines -------*- C++ -*-===//

#ifndef MPC_COMPILER_SUPPORT_ONELINEDIAGNOSTICS_H
#define MPC_COMPILER_SUPPORT_ONELINEDIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <string>

namespace mpc {

/// Formats a diagnostic as one line, "FILE:LINE:COL: error: MESSAGE", with
/// control characters of the message escaped ("\n", "\x01"), so text echoed
/// from the input cannot break it over lines. A diagnostic without a place
/// in a file is named after `tool` when one is given ("mpc-opt: error:
/// MESSAGE").
std::string formatOneLine(mlir::Diagnostic &diagnostic,
                          llvm::StringRef tool = "");

/// Prints the diagnostics of `context` on standard error for as long as it
/// lives, one line each (formatOneLine): its warnings and remarks, and its
/// first error. Later errors and the notes follow from the first, so they
/// are dropped; so is an error without a message, whose reason the command
/// line parser has printed already.
void printDiagnosticsOneLine(mlir::MLIRContext &context, llvm::StringRef tool);

} // namespace mpc

#endif // MPC_COMPILER_SUPPORT_ONELINEDIAGNOSTICS_H
