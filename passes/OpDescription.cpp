//===- OpDescription.cpp - ops and locations in words ---------------------===//

#include "passes/OpDescription.h"

#include "dialects/mpc/MpcOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace mpc {

/// A location in the compact form `fc1 (mlp.json:17:5)`: node names, the
/// file's base name, line and column. JSON Pointers (`/nodes/2`), which the
/// importer nests between the two, are left out. Empty for an unknown
/// location.
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

std::string describeOrUnknown(Location loc) {
  std::string text = describe(loc);
  return text.empty() ? "unknown" : text;
}

/// The dialect-free op name (`matmul`) for mpc ops, the full name otherwise.
std::string opName(Operation *op) {
  if (llvm::isa_and_nonnull<MpcDialect>(op->getDialect()))
    return op->getName().stripDialect().str();
  return op->getName().getStringRef().str();
}

/// The op defining the function's `mpc.loss` result, if any.
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

/// Whether anything but casts and the terminator follows `lossOp`: an
/// evaluation function may cast its outputs after the loss, and has no
/// backward all the same.
bool hasBackward(Operation *lossOp,
                 const llvm::DenseMap<Operation *, unsigned> &order,
                 ArrayRef<Operation *> ops) {
  unsigned boundary = order.lookup(lossOp);
  return llvm::any_of(ops, [&](Operation *op) {
    return order.lookup(op) > boundary &&
           !op->hasTrait<mlir::OpTrait::IsTerminator>() &&
           !llvm::isa<CastOp>(op);
  });
}

} // namespace mpc
