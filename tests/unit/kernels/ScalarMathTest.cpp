//===- ScalarMathTest.cpp - runtime/core/ScalarMath.h on the host ---------===//
//
// What the shared formulas promise beyond the kernels that call them: the
// i32 cast the GPU uses equals the interpreter's saturating cast, the
// comparisons keep std::min/std::max's NaN behaviour (the device's fmin and
// fmax would not), and the formulas of the Libm ops split exactly into their
// libm call and the exact arithmetic around it (the GPU test relies on it).
//
//===----------------------------------------------------------------------===//

#include "runtime/core/ScalarMath.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace {

using namespace mpc;

/// Special values and f32 patterns of every magnitude.
std::vector<float> probes() {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {
      0.0f,  -0.0f,         inf,           -inf,           NAN,
      0.5f,  -0.5f,         0.999999f,     -0.999999f,     1.5f,
      -1.5f, 2147483520.0f, 2147483648.0f, -2147483648.0f, -2147483904.0f,
      1e30f, -1e30f};
  for (uint64_t i = 0; i < 200000; ++i)
    x.push_back(
        math::floatOf(static_cast<uint32_t>(random::hash(21, 0, i) >> 32)));
  return x;
}

/// The interpreter's cast of a float to a signed integer of `width` bits:
/// toward zero, NaN to 0, clamped in double.
int64_t saturatingCast(float x, unsigned width) {
  double low = -std::ldexp(1.0, width - 1);
  double high = std::ldexp(1.0, width - 1) - 1;
  double v = std::isnan(x) ? 0 : std::trunc(x);
  return static_cast<int64_t>(std::fmin(std::fmax(v, low), high));
}

TEST(ScalarMath, ToInt32IsTheSaturatingCast) {
  for (float x : probes())
    ASSERT_EQ(math::toInt32(x), saturatingCast(x, 32)) << x;
  EXPECT_EQ(math::toInt32(3e9f), 2147483647);
  EXPECT_EQ(math::toInt32(-3e9f), -2147483647 - 1);
  EXPECT_EQ(math::toInt32(-7.9f), -7);
  EXPECT_EQ(math::toInt32(NAN), 0);
}

TEST(ScalarMath, IsFiniteOnlyForNumbers) {
  for (float x : probes())
    ASSERT_EQ(math::isFinite(x), std::isfinite(x)) << x;
}

TEST(ScalarMath, MinAndMaxKeepTheStandardNanRule) {
  for (float a : {1.0f, NAN, -0.0f, 0.0f})
    for (float b : {2.0f, NAN, 0.0f, -0.0f}) {
      auto same = [](double x, double y) {
        return std::isnan(x) ? std::isnan(y)
                             : x == y && std::signbit(x) == std::signbit(y);
      };
      EXPECT_TRUE(same(math::minOf(a, b), std::min(a, b))) << a << " " << b;
      EXPECT_TRUE(same(math::maxOf(double(a), double(b)),
                       std::max(double(a), double(b))))
          << a << " " << b;
    }
  // A NaN loss scale would stay NaN rather than snap to the floor.
  float scale = NAN, good = 0, hysteresis = 1;
  math::updateLossScale(scale, good, hysteresis, true,
                        {2.0, 10, 0.5, 1, 1.0, 65536.0});
  EXPECT_TRUE(std::isnan(scale));
}

TEST(ScalarMath, LibmOpsSplitIntoTheirLibmCall) {
  for (float x : probes()) {
    auto same = [](float a, float b) {
      return std::isnan(a) ? std::isnan(b) : math::bitsOf(a) == math::bitsOf(b);
    };
    ASSERT_TRUE(same(math::gelu(x),
                     math::geluOfTanh(x, ::tanhf(math::geluTanhArgument(x)))))
        << x;
    ASSERT_TRUE(same(math::sigmoid(x), math::sigmoidOfExp(::expf(-x)))) << x;
    ASSERT_TRUE(same(
        math::geluGrad(0.75f, x),
        math::geluGradOfTanh(0.75f, x, ::tanhf(math::geluGradTanhArgument(x)))))
        << x;
  }
}

} // namespace
