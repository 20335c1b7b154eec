//===- ParamInit.h - parameter initializers of mpc.param ---------*- C++
//-*-===//
//
// The bridge from an mpc.param's `init` attribute to the driver's
// MLIR-free initializer, which every backend shares.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_REFERENCE_PARAMINIT_H
#define MPC_COMPILER_REFERENCE_PARAMINIT_H

#include "dialects/mpc/MpcAttrs.h"
#include "runtime/driver/ParamInit.h"

namespace mpc::cpu {

/// Fills `value` (sized, of the param's shape) as `init` prescribes (see
/// driver::initializeParam).
void initializeParam(InitAttr init, llvm::StringRef name, uint64_t seed,
                     driver::HostTensor &value);

} // namespace mpc::cpu

#endif // MPC_COMPILER_REFERENCE_PARAMINIT_H
