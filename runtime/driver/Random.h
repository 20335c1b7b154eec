//===- Random.h - the driver's counter-based random numbers -----*- C++ -*-===//
//
// The driver draws batches and initial weights from runtime/core/Random.h;
// inside mpc::driver these are `random::hash`, `random::uniform01`, ...
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_RANDOM_H
#define MPC_RUNTIME_DRIVER_RANDOM_H

#include "runtime/core/Random.h"

namespace mpc::driver {
namespace random = ::mpc::random;
} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_RANDOM_H
