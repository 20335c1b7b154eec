//===- OpSet.h - a list of op classes that is also a dispatch ---*- C++ -*-===//
//
// A backend that handles ops one class at a time names them once, in an
// OpSet: the same list answers "does it handle this op?" (contains, for the
// op-coverage test) and routes an op to its handler (dispatch), so what a
// backend declares and what it does cannot drift apart.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_DIALECTS_MPC_OPSET_H
#define MPC_DIALECTS_MPC_OPSET_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/TypeID.h"
#include "llvm/ADT/TypeSwitch.h"

#include <type_traits>
#include <utility>

namespace mpc {

template <class... Ops> struct OpSet {
  /// Whether `name` is the name of one of `Ops` (compared by TypeID).
  static bool contains(mlir::OperationName name) {
    return ((name.getTypeID() == mlir::TypeID::get<Ops>()) || ...);
  }

  /// `visit(op)` with `op` cast to its class when it is one of `Ops`
  /// (`visit` is typically a generic lambda calling an overloaded member
  /// function), else `fallback(op)`.
  template <class Visit, class Fallback>
  static auto dispatch(mlir::Operation *op, Visit &&visit,
                       Fallback &&fallback) {
    using Result = std::invoke_result_t<Fallback, mlir::Operation *>;
    llvm::TypeSwitch<mlir::Operation *, Result> cases(op);
    if constexpr (sizeof...(Ops) > 0)
      cases.template Case<Ops...>(std::forward<Visit>(visit));
    return cases.Default(std::forward<Fallback>(fallback));
  }
};

} // namespace mpc

#endif // MPC_DIALECTS_MPC_OPSET_H
