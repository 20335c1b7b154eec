//===- ParamInit.h - parameter initializers ---------------------*- C++ -*-===//
//
// The initial values of parameters, shared by every backend so that a model
// starts from bit-identical weights on the CPU and on the GPU.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_PARAMINIT_H
#define MPC_RUNTIME_DRIVER_PARAMINIT_H

#include "runtime/driver/Tensor.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mpc::driver {

/// How a parameter is initialized: the mpc.param `init` attribute without
/// MLIR. `first` and `second` mean what InitAttr's values mean for the kind
/// (constant: the value; normal: mean, stddev; uniform: low, high; xavier:
/// the gain).
struct InitSpec {
  enum class Kind {
    Zeros,
    Ones,
    Constant,
    Normal,
    Uniform,
    XavierUniform,
    XavierNormal
  };
  Kind kind = Kind::Zeros;
  double first = 0, second = 0;
  /// The initializer's own random stream; otherwise the run's seed and the
  /// parameter's name select it.
  std::optional<uint64_t> seed;
};

/// The kind named as the InitKind enum names it ("xavier_uniform"), or none.
std::optional<InitSpec::Kind> parseInitKind(const std::string &name);
/// The name of `kind` as parseInitKind reads it.
const char *initKindName(InitSpec::Kind kind);

/// Fills `value` (sized, of the param's shape) as `init` prescribes. The
/// random stream is `init`'s own seed when it has one, else a hash of the
/// run's `seed` and the param's `name`; element i of the stream is a
/// counter-based draw, so the result is deterministic and the same on any
/// machine. Integer tensors are filled with zeros.
void initializeParam(const InitSpec &init, const std::string &name,
                     uint64_t seed, HostTensor &value);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_PARAMINIT_H
