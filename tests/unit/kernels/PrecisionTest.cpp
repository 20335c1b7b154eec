//===- PrecisionTest.cpp - f16 and bf16 conversions -----------------------===//
//
// The conversions are checked exhaustively on the 16-bit side, and on the
// f32 side against a reference that rounds in double arithmetic: a value
// divided by the 16-bit format's spacing at its magnitude (exact, a power of
// two) is rounded to an integer with nearbyint, which rounds ties to even.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Precision.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <vector>

using namespace mpc::cpu;

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

/// A binary 16-bit format, described by what the reference needs.
struct Format {
  const char *name;
  int mantissaBits; ///< explicit fraction bits
  int minExponent;  ///< exponent of the smallest normal
  double maxFinite; ///< largest finite value
  uint16_t (*toBits)(float);
  float (*fromBits)(uint16_t);
  uint16_t exponentMask; ///< all-ones exponent field
  uint16_t quietBit;
};

const Format kHalf{"f16",           10,     -14,   65504.0, floatToHalfBits,
                   halfBitsToFloat, 0x7c00, 0x0200};
const Format kBFloat16{
    "bf16", 7,     -126, 0x1.fep127, floatToBFloat16Bits, bfloat16BitsToFloat,
    0x7f80, 0x0040};

bool isNaNBits(const Format &format, uint16_t bits) {
  return (bits & format.exponentMask) == format.exponentMask &&
         (bits & ~format.exponentMask & 0x7fff) != 0;
}

/// The value of `format` nearest to finite `x` (ties to even), or an infinity
/// on overflow, computed in double.
double referenceRound(const Format &format, float x) {
  double value = x;
  if (value == 0)
    return value;
  int exponent;
  std::frexp(value, &exponent); // |value| = f * 2^exponent, f in [0.5, 1)
  int unbiased = std::max(exponent - 1, format.minExponent);
  double spacing = std::ldexp(1.0, unbiased - format.mantissaBits);
  double rounded = std::nearbyint(value / spacing) * spacing;
  if (std::fabs(rounded) > format.maxFinite)
    return std::copysign(HUGE_VAL, value);
  // A result of 0 keeps the sign of x, as IEEE rounding does.
  return rounded == 0 ? std::copysign(0.0, value) : rounded;
}

/// Expects the conversion of `x` to match the reference (value and sign).
void expectRoundsLikeReference(const Format &format, float x) {
  uint16_t bits = format.toBits(x);
  if (std::isnan(x)) {
    EXPECT_TRUE(isNaNBits(format, bits)) << format.name << " of NaN";
    EXPECT_TRUE(bits & format.quietBit) << format.name << " NaN not quiet";
    EXPECT_EQ(bits >> 15, bitsOf(x) >> 31) << format.name << " NaN sign";
    return;
  }
  double expected = referenceRound(format, x);
  double actual = format.fromBits(bits);
  EXPECT_EQ(actual, expected) << format.name << " of " << x << " (bits 0x"
                              << std::hex << bitsOf(x) << ")";
  EXPECT_EQ(std::signbit(actual), std::signbit(expected))
      << format.name << " sign of " << x;
}

void expectExhaustiveRoundTrip(const Format &format) {
  for (uint32_t i = 0; i <= 0xffff; ++i) {
    auto bits = static_cast<uint16_t>(i);
    float value = format.fromBits(bits);
    uint16_t back = format.toBits(value);
    if (isNaNBits(format, bits)) {
      EXPECT_TRUE(std::isnan(value)) << format.name << " 0x" << std::hex << i;
      EXPECT_TRUE(isNaNBits(format, back))
          << format.name << " 0x" << std::hex << i;
      EXPECT_TRUE(back & format.quietBit);
      EXPECT_EQ(back & 0x8000, bits & 0x8000);
    } else {
      EXPECT_EQ(back, bits) << format.name << " 0x" << std::hex << i;
    }
  }
}

/// Every 4093rd f32 pattern, and every pattern whose dropped low bits sit at
/// or next to a rounding boundary for this format.
void expectSampledF32Rounding(const Format &format) {
  for (uint64_t bits = 0; bits <= 0xffffffffu; bits += 4093)
    expectRoundsLikeReference(format, floatOf(static_cast<uint32_t>(bits)));
  int dropped = 23 - format.mantissaBits;
  uint32_t half = 1u << (dropped - 1);
  const uint32_t lows[] = {0, 1, half - 1, half, half + 1, (1u << dropped) - 1};
  for (uint32_t top = 0; top < (1u << (32 - dropped)); ++top)
    for (uint32_t low : lows)
      expectRoundsLikeReference(format, floatOf((top << dropped) | low));
}

/// Every midpoint between adjacent finite values of the format (and the one
/// between the largest finite value and the next power of two, which
/// overflows), plus the f32 values just around each midpoint.
void expectMidpointsRoundToEven(const Format &format) {
  for (uint32_t i = 0; i < format.exponentMask; ++i) {
    for (uint16_t sign : {uint16_t(0), uint16_t(0x8000)}) {
      auto low = static_cast<uint16_t>(i | sign);
      auto high = static_cast<uint16_t>((i + 1) | sign);
      double lowValue = format.fromBits(low);
      double highValue = format.fromBits(high);
      if (i + 1 == format.exponentMask) {
        // Past the largest finite value the next step is 2^(emax + 1), where
        // rounding overflows to infinity.
        double top = 2 * format.maxFinite -
                     format.fromBits(static_cast<uint16_t>(i - 1));
        highValue = sign ? -top : top;
      }
      double mid = (lowValue + highValue) / 2;
      auto midFloat = static_cast<float>(mid);
      ASSERT_EQ(static_cast<double>(midFloat), mid) << "midpoint not an f32";
      // Ties go to the even one of the two neighbours.
      uint16_t even = (i & 1) ? high : low;
      EXPECT_EQ(format.toBits(midFloat), even)
          << format.name << " midpoint above 0x" << std::hex << low;
      EXPECT_EQ(format.toBits(std::nextafter(midFloat, 0.0f)), low)
          << format.name << " below midpoint above 0x" << std::hex << low;
      float beyond =
          std::nextafter(midFloat, std::copysign(INFINITY, midFloat));
      EXPECT_EQ(format.toBits(beyond), high)
          << format.name << " above midpoint above 0x" << std::hex << low;
    }
  }
}

TEST(Precision, HalfRoundTripsAllBitPatterns) {
  expectExhaustiveRoundTrip(kHalf);
}

TEST(Precision, BFloat16RoundTripsAllBitPatterns) {
  expectExhaustiveRoundTrip(kBFloat16);
}

TEST(Precision, HalfValuesMatchTheirDefinition) {
  for (uint32_t i = 0; i < 0x7c00; ++i) {
    uint32_t exponent = i >> 10, mantissa = i & 0x3ff;
    double expected = exponent == 0
                          ? std::ldexp(mantissa, -24)
                          : std::ldexp(1024 + mantissa, int(exponent) - 25);
    EXPECT_EQ(halfBitsToFloat(static_cast<uint16_t>(i)), expected) << i;
    EXPECT_EQ(halfBitsToFloat(static_cast<uint16_t>(i | 0x8000)), -expected);
  }
  EXPECT_EQ(halfBitsToFloat(0x7c00), INFINITY);
  EXPECT_EQ(halfBitsToFloat(0xfc00), -INFINITY);
  EXPECT_EQ(halfBitsToFloat(0x3c00), 1.0f);
  EXPECT_EQ(halfBitsToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(halfBitsToFloat(0x0001), 0x1p-24f);
}

TEST(Precision, HalfRoundsF32LikeReference) { expectSampledF32Rounding(kHalf); }

TEST(Precision, BFloat16RoundsF32LikeReference) {
  expectSampledF32Rounding(kBFloat16);
}

TEST(Precision, HalfMidpointsRoundToEven) { expectMidpointsRoundToEven(kHalf); }

TEST(Precision, BFloat16MidpointsRoundToEven) {
  expectMidpointsRoundToEven(kBFloat16);
}

TEST(Precision, HalfEdgeCases) {
  EXPECT_EQ(floatToHalfBits(65504.0f), 0x7bff);
  EXPECT_EQ(floatToHalfBits(65519.99f), 0x7bff);
  EXPECT_EQ(floatToHalfBits(65520.0f), 0x7c00);
  EXPECT_EQ(floatToHalfBits(-1e10f), 0xfc00);
  EXPECT_EQ(floatToHalfBits(INFINITY), 0x7c00);
  EXPECT_EQ(floatToHalfBits(0x1p-25f), 0x0000); // tie to even 0
  EXPECT_EQ(floatToHalfBits(std::nextafter(0x1p-25f, 1.0f)), 0x0001);
  EXPECT_EQ(floatToHalfBits(-0x1p-26f), 0x8000);    // signed zero
  EXPECT_EQ(floatToHalfBits(0x1.8p-24f), 0x0002);   // 1.5 -> 2
  EXPECT_EQ(floatToHalfBits(0x1.4p-23f), 0x0002);   // 2.5 -> 2
  EXPECT_EQ(floatToHalfBits(0x1.ffcp-15f), 0x0400); // 1023.5 -> normal
  EXPECT_EQ(floatToHalfBits(FLT_TRUE_MIN), 0x0000);
  EXPECT_EQ(floatToHalfBits(std::nanf("")) & 0x7e00, 0x7e00);
  // A NaN whose payload lies only in the dropped bits must not become inf.
  EXPECT_EQ(floatToHalfBits(floatOf(0x7f800001u)), 0x7e00);
  EXPECT_EQ(floatToHalfBits(floatOf(0xff800001u)), 0xfe00);
}

TEST(Precision, BFloat16EdgeCases) {
  EXPECT_EQ(floatToBFloat16Bits(1.0f), 0x3f80);
  EXPECT_EQ(floatToBFloat16Bits(FLT_MAX), 0x7f80); // rounds up to inf
  EXPECT_EQ(floatToBFloat16Bits(-FLT_MAX), 0xff80);
  EXPECT_EQ(floatToBFloat16Bits(FLT_TRUE_MIN), 0x0000);
  EXPECT_EQ(floatToBFloat16Bits(floatOf(0x00008000u)), 0x0000); // tie to even
  EXPECT_EQ(floatToBFloat16Bits(floatOf(0x00018000u)), 0x0002);
  EXPECT_EQ(floatToBFloat16Bits(floatOf(0x7f800001u)), 0x7fc0);
  EXPECT_EQ(floatToBFloat16Bits(floatOf(0xffc00000u)), 0xffc0);
}

#ifdef __FLT16_MAX__
// The compiler's own _Float16 conversion, where it has one, agrees.
TEST(Precision, HalfMatchesCompilerFloat16) {
  for (uint64_t bits = 0; bits <= 0xffffffffu; bits += 4099) {
    float x = floatOf(static_cast<uint32_t>(bits));
    if (std::isnan(x))
      continue;
    _Float16 h = static_cast<_Float16>(x);
    uint16_t expected;
    std::memcpy(&expected, &h, sizeof expected);
    EXPECT_EQ(floatToHalfBits(x), expected) << std::hex << bits;
  }
}
#endif

TEST(Precision, RoundToPrecision) {
  std::vector<float> data = {
      1.0f, 1.0f + 0x1p-11f, 1.0f + 0x1p-8f, 1.0f + 0x1.8p-8f, 70000.0f, -0.0f};
  std::vector<float> f32 = data;
  roundToPrecision(Precision::F32, f32.data(), 6);
  EXPECT_EQ(f32, data);

  std::vector<float> f16 = data;
  roundToPrecision(Precision::F16, f16.data(), 6);
  EXPECT_EQ(f16[0], 1.0f);
  EXPECT_EQ(f16[1], 1.0f); // tie to even
  EXPECT_EQ(f16[2], 1.0f + 0x1p-8f);
  EXPECT_EQ(f16[3], 1.0f + 0x1.8p-8f);
  EXPECT_EQ(f16[4], INFINITY);
  EXPECT_TRUE(std::signbit(f16[5]));

  std::vector<float> bf16 = data;
  roundToPrecision(Precision::BF16, bf16.data(), 6);
  EXPECT_EQ(bf16[1], 1.0f);
  EXPECT_EQ(bf16[2], 1.0f);           // tie to even
  EXPECT_EQ(bf16[3], 1.0f + 0x1p-7f); // tie to even (up)
  EXPECT_EQ(bf16[4], 70144.0f);
}

} // namespace
