//===- OpCoverage.cpp - the precision policy's coverage -------------------===//
//
// The ops mpc-autocast never decides. Every other op declares its default
// category beside its definition (MpcPrecisionTraits.td), which is what the
// policy reads.
//
//===----------------------------------------------------------------------===//

#include "dialects/mpc/OpCoverage.h"

using namespace mlir;

namespace mpc {

Coverage precisionCoverage(OperationName name) {
  static constexpr Rejection kOutsideAutocast[] = {
      {"a module symbol: the step reads and writes it with mpc.load and "
       "mpc.store, which keep its type",
       OpSet<ParamOp>::contains},
      {"created by mpc-fuse from ops autocast has already decided",
       BackendOps::contains},
  };
  int categories = name.hasTrait<OpTrait::AutocastAllow>() +
                   name.hasTrait<OpTrait::AutocastDeny>() +
                   name.hasTrait<OpTrait::AutocastInfer>() +
                   name.hasTrait<OpTrait::AutocastClear>() +
                   name.hasTrait<OpTrait::KeepsPrecision>();
  return {categories == 1, rejectionOf(name, kOutsideAutocast)};
}

} // namespace mpc
