//===- PrecisionPolicy.h - which ops autocast may run low -------*- C++ -*-===//
//
// The default policy is each op's declared category (its trait in
// MpcPrecisionTraits.td); a policy file moves ops between categories.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_PASSES_PRECISIONPOLICY_H
#define MPC_PASSES_PRECISIONPOLICY_H

#include "dialects/mpc/MpcAttrs.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <optional>

namespace mpc {

/// An op's category and where it came from (default_policy or policy_file).
struct PolicyEntry {
  PrecisionCategory category;
  PrecisionReason source;
};

/// A graph node the policy file gives a precision (its `nodes` key).
struct NodePrecision {
  /// f32, f16 or bf16.
  mlir::FloatType precision;
  /// Why, in words (a precision repair's evidence); may be empty.
  std::string reason;
};

class PrecisionPolicy {
public:
  /// Reads a policy file: a JSON object whose keys `allow`, `deny`, `infer`
  /// and `clear` each list op names (`gelu` or `mpc.gelu`). An entry also
  /// moves the op's gradient op (`gelu_grad`) unless that is listed itself.
  /// Its key `nodes` maps graph node names to a precision, `"f32"` or
  /// `{"precision": "f32", "reason": "..."}`, which overrides the node's
  /// own `precision` field (mpc-run --repair-precision writes such files).
  /// Errors are emitted at their position in the file, or at `loc` when
  /// the file cannot be read, and yield failure.
  static mlir::FailureOr<PrecisionPolicy> load(llvm::StringRef path,
                                               mlir::Location loc);

  /// Parses `text`, the contents of the policy file at `path`, as load
  /// does once the file is read (it refuses special files and files over
  /// 1 MiB first). Every error is at a position in `path`.
  static mlir::FailureOr<PrecisionPolicy>
  parse(llvm::StringRef text, llvm::StringRef path, mlir::MLIRContext *context);

  /// The category of `op`, or none when `op` has none (an op autocast does
  /// not know, or one that keeps its types).
  std::optional<PolicyEntry> lookup(mlir::Operation *op) const;

  /// The ops the policy file moved, gradient ops included, and where to.
  const llvm::DenseMap<mlir::OperationName, PrecisionCategory> &
  movedOps() const {
    return moved;
  }

  /// The entry the policy file gives the node of `op` (the first of its
  /// node names, nodeNames() in ReportSupport.h, that it lists), or null.
  /// Gradient ops carry their node's name, so they follow it.
  const llvm::StringMapEntry<NodePrecision> *
  lookupNode(mlir::Operation *op) const;

  /// The nodes the policy file lists, by name.
  const llvm::StringMap<NodePrecision> &nodes() const { return nodeEntries; }

private:
  llvm::DenseMap<mlir::OperationName, PrecisionCategory> moved;
  llvm::StringMap<NodePrecision> nodeEntries;
};

} // namespace mpc

#endif // MPC_PASSES_PRECISIONPOLICY_H
