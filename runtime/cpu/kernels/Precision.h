//===- Precision.h - 16-bit float emulation ---------------------*- C++ -*-===//
//
// Bit-exact IEEE conversions between f32 and the two 16-bit float formats
// mixed-precision training stores activations and weights in: binary16 (f16)
// and bfloat16 (bf16). The CPU executor keeps every value in f32 and emulates
// a 16-bit tensor by rounding each value to the nearest value of that format.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CPU_KERNELS_PRECISION_H
#define MPC_RUNTIME_CPU_KERNELS_PRECISION_H

#include "runtime/core/DType.h"
#include "runtime/core/ScalarMath.h"

#include <cstdint>

namespace mpc::cpu {

/// The storage precision of a floating-point tensor: F32, F16 or BF16.
using Precision = ::mpc::DType;

// The bit conversions are runtime/core/ScalarMath.h's (on the host: integer
// code, round to nearest even, NaN sign and top payload bits kept).
using math::bfloat16BitsToFloat;
using math::floatToBFloat16Bits;
using math::floatToHalfBits;
using math::halfBitsToFloat;

/// Rounds each of the `n` values of `data` to the nearest value representable
/// in `precision` and stores it back as f32. F32 (and any type that is not a
/// 16-bit float) leaves the data unchanged.
void roundToPrecision(Precision precision, float *data, int64_t n);

} // namespace mpc::cpu

#endif // MPC_RUNTIME_CPU_KERNELS_PRECISION_H
