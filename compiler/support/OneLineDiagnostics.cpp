//===- OneLineDiagnostics.cpp - diagnostics as single lines ---------------===//

#include "compiler/support/OneLineDiagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {
void printEscaped(llvm::raw_ostream &os, llvm::StringRef text) {
  for (unsigned char c : text) {
    if (c == '\n')
      os << "\\n";
    else if (c < 0x20 || c == 0x7f)
      os << "\\x" << llvm::hexdigit(c >> 4, true)
         << llvm::hexdigit(c & 15, true);
    else
      os << c;
  }
}
} // namespace

std::string mpc::formatOneLine(Diagnostic &diagnostic) {
  std::string line;
  llvm::raw_string_ostream os(line);
  Location loc = diagnostic.getLocation();
  while (auto name = llvm::dyn_cast<NameLoc>(loc))
    loc = name.getChildLoc();
  if (auto file = llvm::dyn_cast<FileLineColLoc>(loc))
    os << file.getFilename().getValue() << ":" << file.getLine() << ":"
       << file.getColumn();
  else
    os << loc;
  switch (diagnostic.getSeverity()) {
  case DiagnosticSeverity::Error:
    os << ": error: ";
    break;
  case DiagnosticSeverity::Warning:
    os << ": warning: ";
    break;
  default:
    os << ": note: ";
    break;
  }
  printEscaped(os, diagnostic.str());
  return line;
}
