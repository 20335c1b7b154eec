//===- ReportSupport.cpp - what the report passes share -------------------===//

#include "passes/ReportSupport.h"

#include "dialects/mpc/MpcOps.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

namespace mpc {

std::string describe(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
    std::string child = describe(name.getChildLoc());
    StringRef text = name.getName().strref();
    if (text.starts_with("/"))
      return child;
    if (child.empty())
      return text.str();
    return (text + " (" + child + ")").str();
  }
  if (auto file = llvm::dyn_cast<FileLineColLoc>(loc))
    return llvm::formatv("{0}:{1}:{2}",
                         llvm::sys::path::filename(file.getFilename()),
                         file.getLine(), file.getColumn());
  if (auto call = llvm::dyn_cast<CallSiteLoc>(loc))
    return describe(call.getCallee());
  if (auto opaque = llvm::dyn_cast<OpaqueLoc>(loc))
    return describe(opaque.getFallbackLocation());
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc)) {
    SmallVector<std::string> parts;
    for (Location part : fused.getLocations()) {
      std::string text = describe(part);
      if (!text.empty() && !llvm::is_contained(parts, text))
        parts.push_back(std::move(text));
    }
    return llvm::join(parts, ", ");
  }
  return "";
}

llvm::SmallVector<std::string> nodeNames(Location loc) {
  llvm::SmallVector<std::string> names;
  loc->walk([&](Location part) {
    if (auto name = llvm::dyn_cast<NameLoc>(part)) {
      StringRef text = name.getName().strref();
      if (!text.starts_with("/") && !llvm::is_contained(names, text))
        names.push_back(text.str());
    }
    return WalkResult::advance();
  });
  return names;
}

std::string describeOrUnknown(Location loc) {
  std::string text = describe(loc);
  return text.empty() ? "unknown" : text;
}

std::string opName(Operation *op) {
  if (llvm::isa_and_nonnull<MpcDialect>(op->getDialect()))
    return op->getName().stripDialect().str();
  return op->getName().getStringRef().str();
}

Operation *findLossOp(FunctionOpInterface function) {
  Region &body = function.getFunctionBody();
  if (!body.hasOneBlock())
    return nullptr;
  Operation *terminator = body.front().getTerminator();
  if (!terminator)
    return nullptr;
  for (unsigned i = 0, e = function.getNumResults(); i < e; ++i) {
    if (!function.getResultAttr(i, MpcDialect::kLossAttrName) ||
        i >= terminator->getNumOperands())
      continue;
    Operation *lossOp = terminator->getOperand(i).getDefiningOp();
    if (lossOp && lossOp->getBlock() == &body.front())
      return lossOp;
  }
  return nullptr;
}

bool hasBackward(Operation *lossOp,
                 const llvm::DenseMap<Operation *, unsigned> &order,
                 ArrayRef<Operation *> ops) {
  unsigned boundary = order.lookup(lossOp);
  return llvm::any_of(ops, [&](Operation *op) {
    return order.lookup(op) > boundary &&
           !op->hasTrait<mlir::OpTrait::IsTerminator>() && !isa<CastOp>(op);
  });
}

void writeColumns(llvm::raw_ostream &os,
                  ArrayRef<SmallVector<std::string>> rows,
                  ArrayRef<bool> rightAlign) {
  SmallVector<size_t> widths(rightAlign.size(), 0);
  for (const auto &row : rows)
    for (auto [i, cell] : llvm::enumerate(row))
      widths[i] = std::max(widths[i], cell.size());
  for (const auto &row : rows) {
    std::string line = "   ";
    for (auto [i, cell] : llvm::enumerate(row)) {
      line += " ";
      size_t pad = widths[i] - cell.size();
      bool last = i + 1 == row.size();
      if (rightAlign[i])
        line += std::string(pad, ' ') + cell;
      else
        line += last ? cell : cell + std::string(pad, ' ');
      if (!last)
        line += " ";
    }
    os << StringRef(line).rtrim() << "\n";
  }
}

std::string jsonLine(llvm::function_ref<void(llvm::json::OStream &)> write) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::json::OStream json(os);
  json.object([&] { write(json); });
  return text;
}

void writeArray(llvm::raw_ostream &os, StringRef key,
                ArrayRef<std::string> lines) {
  os << "      \"" << key << "\": [";
  for (auto [i, line] : llvm::enumerate(lines))
    os << (i == 0 ? "\n" : ",\n") << "        " << line;
  os << (lines.empty() ? "]" : "\n      ]") << ",\n";
}

LogicalResult writeReport(ModuleOp module, StringRef pass, StringRef output,
                          StringRef text) {
  if (output.empty()) {
    llvm::errs() << text;
    return success();
  }
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(output, &error);
  if (!file)
    return module.emitError(pass) << ": " << error;
  file->os() << text;
  file->os().flush();
  if (file->os().has_error()) {
    InFlightDiagnostic diagnostic = module.emitError(pass)
                                    << ": cannot write '" << output
                                    << "': " << file->os().error().message();
    file->os().clear_error();
    return diagnostic;
  }
  file->keep();
  return success();
}

} // namespace mpc
