//===- OneLineDiagnostics.cpp - diagnostics as single lines ---------------===//

#include "compiler/support/OneLineDiagnostics.h"

#include "runtime/core/OneLineText.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

using namespace mlir;

std::string mpc::formatOneLine(Diagnostic &diagnostic, llvm::StringRef tool) {
  std::string line;
  llvm::raw_string_ostream os(line);
  Location loc = diagnostic.getLocation();
  while (auto name = llvm::dyn_cast<NameLoc>(loc))
    loc = name.getChildLoc();
  if (auto file = llvm::dyn_cast<FileLineColLoc>(loc))
    os << file.getFilename().getValue() << ":" << file.getLine() << ":"
       << file.getColumn();
  else if (llvm::isa<UnknownLoc>(loc) && !tool.empty())
    os << tool;
  else
    os << loc;
  switch (diagnostic.getSeverity()) {
  case DiagnosticSeverity::Error:
    os << ": error: ";
    break;
  case DiagnosticSeverity::Warning:
    os << ": warning: ";
    break;
  case DiagnosticSeverity::Remark:
    os << ": remark: ";
    break;
  default:
    os << ": note: ";
    break;
  }
  os << oneLine(diagnostic.str());
  return line;
}

void mpc::printDiagnosticsOneLine(MLIRContext &context, llvm::StringRef tool) {
  auto errorPrinted = std::make_shared<bool>(false);
  context.getDiagEngine().registerHandler(
      [errorPrinted, tool = tool.str()](Diagnostic &diagnostic) {
        if (diagnostic.getSeverity() == DiagnosticSeverity::Error) {
          if (*errorPrinted || diagnostic.str().empty())
            return success();
          *errorPrinted = true;
        }
        llvm::errs() << formatOneLine(diagnostic, tool) << "\n";
        return success();
      });
}
