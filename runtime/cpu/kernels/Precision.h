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

#include <cstdint>

namespace mpc::cpu {

/// The storage precision of a floating-point tensor: F32, F16 or BF16.
using Precision = ::mpc::DType;

/// The binary16 bits nearest to `value`: round to nearest, ties to even;
/// values too large for binary16 become infinities of their sign, values too
/// small become (signed) subnormals or zeros. A NaN stays a quiet NaN (its
/// sign and the top payload bits are kept).
uint16_t floatToHalfBits(float value);

/// The f32 value of binary16 `bits` (exact: every binary16 value is an f32
/// value; NaN payloads are kept).
float halfBitsToFloat(uint16_t bits);

/// The bfloat16 bits nearest to `value`: round to nearest, ties to even;
/// overflow gives infinities. A NaN stays a quiet NaN.
uint16_t floatToBFloat16Bits(float value);

/// The f32 value of bfloat16 `bits` (exact: bfloat16 is the top half of f32).
float bfloat16BitsToFloat(uint16_t bits);

/// Rounds each of the `n` values of `data` to the nearest value representable
/// in `precision` and stores it back as f32. F32 (and any type that is not a
/// 16-bit float) leaves the data unchanged.
void roundToPrecision(Precision precision, float *data, int64_t n);

} // namespace mpc::cpu

#endif // MPC_RUNTIME_CPU_KERNELS_PRECISION_H
