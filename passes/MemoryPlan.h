//===- MemoryPlan.h - device buffers of one function's values ---*- C++ -*-===//
//
// The analysis behind mpc-plan-memory: which values alias parameter or
// state storage or a function argument, which are updated in place, and the
// arena offset of every other value.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_PASSES_MEMORYPLAN_H
#define MPC_PASSES_MEMORYPLAN_H

#include "dialects/mpc/MpcAttrs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/DenseMap.h"

#include <cstdint>
#include <optional>

namespace mpc {

/// The plan of one function and the numbers its report gives.
struct FunctionMemoryPlan {
  /// The buffer of every result of every op of the body (not of the ops
  /// inside mpc.fused bodies).
  llvm::DenseMap<mlir::Value, BufferAttr> buffers;
  int64_t arenaBytes = 0;
  int64_t peakLiveBytes = 0;
  /// The values that own an arena interval (reshapes share their operand's)
  /// and their bytes summed as if none shared space.
  int64_t arenaValues = 0;
  int64_t arenaValueBytes = 0;
  /// Bytes of computed values written straight into parameter or state
  /// storage.
  int64_t inPlaceBytes = 0;
  /// Results written over a dying operand of their op, which need no
  /// storage of their own, and their bytes.
  int64_t overwrites = 0;
  int64_t overwriteBytes = 0;
  /// mpc.store ops, and those whose value already lives in the symbol's
  /// storage (no copy).
  int64_t stores = 0;
  int64_t inPlaceStores = 0;
};

/// Bytes per element of `elementType` on the device (integers are int32,
/// i1 one byte), or nothing for a type the device does not hold.
std::optional<int64_t> deviceElementBytes(mlir::Type elementType);

/// Plans `function`'s body, a single block. Emits an error and fails on more
/// than one block or on a result that is not a tensor of static shape with
/// a device element type.
mlir::FailureOr<FunctionMemoryPlan>
planFunctionMemory(mlir::func::FuncOp function);

} // namespace mpc

#endif // MPC_PASSES_MEMORYPLAN_H
