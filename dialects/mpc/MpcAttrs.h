//===- MpcAttrs.h - mpc attributes ------------------------------*- C++ -*-===//

#ifndef MPC_DIALECT_MPCATTRS_H
#define MPC_DIALECT_MPCATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <optional>

#include "runtime/core/LrSchedule.h"

#include "dialects/mpc/MpcEnums.h.inc"

namespace mpc {
/// One named argument of an initializer kind and its default value.
struct InitArgument {
  llvm::StringLiteral name;
  double defaultValue;
};

/// The arguments `kind` takes, in the order InitAttr stores them (first,
/// second).
llvm::ArrayRef<InitArgument> initArguments(InitKind kind);

/// Arena offsets of the memory plan are multiples of this many bytes, enough
/// for 16-byte vector loads and cuBLASLt's preferred alignment.
constexpr int64_t kArenaAlignment = 256;
} // namespace mpc

#define GET_ATTRDEF_CLASSES
#include "dialects/mpc/MpcAttrs.h.inc"

namespace mpc {
/// The runtime's form of an optimizer's `schedule`; none is the constant
/// rate.
mpc_lr_schedule toRuntimeSchedule(LrScheduleAttr schedule);
} // namespace mpc

#endif // MPC_DIALECT_MPCATTRS_H
