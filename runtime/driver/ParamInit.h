//===- ParamInit.h - parameter initializers ---------------------*- C++ -*-===//
//
// The initial values of parameters, shared by every backend so that a model
// starts from bit-identical weights on the CPU and on the GPU.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_PARAMINIT_H
#define MPC_RUNTIME_DRIVER_PARAMINIT_H

#include "runtime/core/InitSpec.h"
#include "runtime/driver/Tensor.h"

#include <cstdint>
#include <string>

namespace mpc::driver {

/// How a parameter is initialized (runtime/core/InitSpec.h).
using InitSpec = ::mpc::InitSpec;

/// Fills `value` (sized, of the param's shape) as `init` prescribes. The
/// random stream is `init`'s own seed when it has one, else a hash of the
/// run's `seed` and the param's `name`; element i of the stream is a
/// counter-based draw, so the result is deterministic and the same on any
/// machine. Integer tensors are filled with zeros.
void initializeParam(const InitSpec &init, const std::string &name,
                     uint64_t seed, HostTensor &value);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_PARAMINIT_H
