//===- DeviceTensors.h - host tensors in the device's layout ----*- C++ -*-===//
//
// Converts between the driver's host tensors (f32 or int64 values) and the
// bytes a tensor takes on the device (f32, f16, bf16, int32 or one-byte
// booleans), rounding to nearest even as the kernels do.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_EXECUTOR_DEVICETENSORS_H
#define MPC_RUNTIME_CUDA_EXECUTOR_DEVICETENSORS_H

#include "runtime/core/ScalarMath.h"
#include "runtime/cuda/executor/Manifest.h"
#include "runtime/driver/Tensor.h"

#include <cstdint>
#include <string>

namespace mpc::cuda {

/// A host tensor of `spec`'s name and shape without data: F32 for float
/// dtypes, I64 for the others.
driver::HostTensor hostSpec(const TensorSpec &spec);

/// Writes `value` as `count` elements of `dtype` to `out`. Fails when an
/// integer does not fit the device type.
bool packTensor(const driver::HostTensor &value, DType dtype, int64_t count,
                void *out, std::string &error);
/// Reads `count` elements of `dtype` at `in` into `value` (whose dtype is
/// F32 for float dtypes, I64 for the others).
void unpackTensor(const void *in, DType dtype, int64_t count,
                  driver::HostTensor &value);

/// f32 to f16 and bf16 bits, rounding to nearest even; and back: the
/// conversions of runtime/core/ScalarMath.h, under the executor's names.
inline uint16_t floatToHalf(float value) {
  return math::floatToHalfBits(value);
}
inline uint16_t floatToBFloat16(float value) {
  return math::floatToBFloat16Bits(value);
}
inline float halfToFloat(uint16_t bits) { return math::halfBitsToFloat(bits); }
inline float bfloat16ToFloat(uint16_t bits) {
  return math::bfloat16BitsToFloat(bits);
}

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_EXECUTOR_DEVICETENSORS_H
