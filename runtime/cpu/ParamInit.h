//===- ParamInit.h - parameter initializers ---------------------*- C++ -*-===//

#ifndef MPC_RUNTIME_CPU_PARAMINIT_H
#define MPC_RUNTIME_CPU_PARAMINIT_H

#include "dialects/mpc/MpcAttrs.h"
#include "runtime/driver/Tensor.h"

namespace mpc::cpu {

/// Fills `value` (sized, of the param's shape) as `init` prescribes. The
/// random stream is `init`'s own seed when it has one, else a hash of the
/// run's `seed` and the param's `name`; element i of the stream is a
/// counter-based draw, so the result is deterministic and the same on any
/// machine.
void initializeParam(InitAttr init, llvm::StringRef name, uint64_t seed,
                     driver::HostTensor &value);

} // namespace mpc::cpu

#endif // MPC_RUNTIME_CPU_PARAMINIT_H
