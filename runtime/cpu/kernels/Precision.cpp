//===- Precision.cpp - 16-bit float emulation -----------------------------===//
//
// Integer implementations of the conversions, so they round the same way on
// every machine whatever its floating-point hardware or compiler offers.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Precision.h"

#include <cstring>

namespace mpc::cpu {

namespace {

uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

float floatOf(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

/// `value >> shift` rounded to nearest, ties to even (1 <= shift <= 31).
uint32_t shiftRightRoundEven(uint32_t value, unsigned shift) {
  uint32_t kept = value >> shift;
  uint32_t rest = value & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (kept & 1)))
    ++kept;
  return kept;
}

constexpr uint32_t kF32Inf = 0x7f800000u;
constexpr uint32_t kF32Abs = 0x7fffffffu;

} // namespace

uint16_t floatToHalfBits(float value) {
  uint32_t bits = bitsOf(value);
  uint32_t sign = (bits >> 16) & 0x8000u;
  uint32_t abs = bits & kF32Abs;
  if (abs > kF32Inf) // NaN: keep the top payload bits, set the quiet bit.
    return static_cast<uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  // 65520 is halfway between 65504 (the largest half) and 65536; the tie goes
  // to the even neighbour 65536, which overflows.
  if (abs >= 0x477ff000u)
    return static_cast<uint16_t>(sign | 0x7c00u);
  if (abs >= 0x38800000u) {
    // Normal half: rebias the exponent (127 -> 15) and drop 13 mantissa
    // bits. A carry out of the mantissa correctly bumps the exponent.
    uint32_t rebiased = abs - ((127u - 15u) << 23);
    return static_cast<uint16_t>(sign | shiftRightRoundEven(rebiased, 13));
  }
  // Below 2^-14: a subnormal half m * 2^-24. Everything up to and including
  // 2^-25 (half the smallest subnormal; the tie goes to even 0) is zero.
  if (abs <= 0x33000000u)
    return static_cast<uint16_t>(sign);
  // abs = 1.f * 2^(e-127) with 102 < e < 113, so m = 1.f * 2^(e-103) and the
  // 24-bit significand is shifted right by 126 - e, between 14 and 23.
  uint32_t exponent = abs >> 23;
  uint32_t significand = (abs & 0x7fffffu) | 0x800000u;
  // Rounding 1023.5 up gives 0x400, the smallest normal half: still right.
  return static_cast<uint16_t>(
      sign | shiftRightRoundEven(significand, 126u - exponent));
}

float halfBitsToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0x1f) // Infinity or NaN (payload kept).
    return floatOf(sign | kF32Inf | (mantissa << 13));
  if (exponent == 0) {
    // Zero or subnormal: m * 2^-24, exact in f32.
    float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return floatOf(sign | bitsOf(magnitude));
  }
  return floatOf(sign | ((exponent + (127u - 15u)) << 23) | (mantissa << 13));
}

uint16_t floatToBFloat16Bits(float value) {
  uint32_t bits = bitsOf(value);
  if ((bits & kF32Abs) > kF32Inf)
    return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  // bfloat16 is the top half of f32, so rounding is on the low 16 bits; an
  // overflow of the largest finite values carries into infinity as IEEE
  // rounding requires.
  return static_cast<uint16_t>(shiftRightRoundEven(bits, 16));
}

float bfloat16BitsToFloat(uint16_t bits) {
  return floatOf(static_cast<uint32_t>(bits) << 16);
}

void roundToPrecision(Precision precision, float *data, int64_t n) {
  switch (precision) {
  case Precision::F16:
    for (int64_t i = 0; i < n; ++i)
      data[i] = halfBitsToFloat(floatToHalfBits(data[i]));
    return;
  case Precision::BF16:
    for (int64_t i = 0; i < n; ++i)
      data[i] = bfloat16BitsToFloat(floatToBFloat16Bits(data[i]));
    return;
  default:
    return;
  }
}

} // namespace mpc::cpu
