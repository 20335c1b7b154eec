//===- OneLineDiagnostics.h - diagnostics as single lines -------*- C++ -*-===//

#ifndef MPC_COMPILER_SUPPORT_ONELINEDIAGNOSTICS_H
#define MPC_COMPILER_SUPPORT_ONELINEDIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"

#include <string>

namespace mpc {

/// Formats a diagnostic as one line, "FILE:LINE:COL: error: MESSAGE", with
/// control characters of the message escaped ("\n", "\x01"), so text echoed
/// from the input cannot break it over lines.
std::string formatOneLine(mlir::Diagnostic &diagnostic);

} // namespace mpc

#endif // MPC_COMPILER_SUPPORT_ONELINEDIAGNOSTICS_H
