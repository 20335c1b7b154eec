//===- DiagnosticHarness.h - the first diagnostic of each fuzz input ------===//
//
// The MLIR fuzz targets import one input at a time into a long-lived context
// and check what it reported: how many diagnostics, and the first one's
// severity, location, text and one-line form.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_TESTS_FUZZ_DIAGNOSTICHARNESS_H
#define MPC_TESTS_FUZZ_DIAGNOSTICHARNESS_H

#include "compiler/import/json/GraphImporter.h"
#include "compiler/support/OneLineDiagnostics.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <optional>
#include <string>

namespace mpc::fuzz {

/// A context with the graph importer's dialects, and what the current input
/// has reported into it.
struct DiagnosticHarness {
  DiagnosticHarness()
      : context(makeRegistry(), mlir::MLIRContext::Threading::DISABLED),
        handler(&context, [this](mlir::Diagnostic &diagnostic) {
          ++count;
          if (count == 1) {
            severity = diagnostic.getSeverity();
            location = diagnostic.getLocation();
            message = diagnostic.str();
            line = formatOneLine(diagnostic);
          }
          return mlir::success();
        }) {
    context.loadAllAvailableDialects();
  }

  static mlir::DialectRegistry makeRegistry() {
    mlir::DialectRegistry registry;
    registerGraphImportDialects(registry);
    return registry;
  }

  /// Forgets the previous input's diagnostics.
  void reset() {
    count = 0;
    severity = mlir::DiagnosticSeverity::Note;
    location = std::nullopt;
    message.clear();
    line.clear();
  }

  mlir::MLIRContext context;
  mlir::ScopedDiagnosticHandler handler;
  unsigned count = 0;
  mlir::DiagnosticSeverity severity = mlir::DiagnosticSeverity::Note;
  std::optional<mlir::Location> location;
  /// The first diagnostic's message, and the whole of it on one line as
  /// the tools print it.
  std::string message, line;
};

} // namespace mpc::fuzz

#endif // MPC_TESTS_FUZZ_DIAGNOSTICHARNESS_H
