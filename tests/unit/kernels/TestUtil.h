//===- TestUtil.h - helpers for the kernel tests ----------------*- C++ -*-===//
//
// Random inputs, naive multi-index arithmetic for the reference
// implementations, and a central finite-difference check for gradients.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_TESTS_UNIT_KERNELS_TESTUTIL_H
#define MPC_TESTS_UNIT_KERNELS_TESTUTIL_H

#include "runtime/cpu/kernels/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace mpc::cpu::test {

/// `n` values drawn uniformly from [lo, hi) with a fixed seed.
inline std::vector<float> randomData(int64_t n, uint32_t seed, float lo = -1.0f,
                                     float hi = 1.0f) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> data(static_cast<size_t>(n));
  for (float &value : data)
    value = dist(engine);
  return data;
}

/// The multi-index of row-major position `flat` in `shape`.
inline Shape unravel(int64_t flat, const Shape &shape) {
  Shape index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

/// The row-major position in a tensor of `inShape` that numpy broadcasting
/// reads for output multi-index `outIndex` (trailing dimensions aligned).
inline int64_t broadcastSource(const Shape &outIndex, const Shape &inShape) {
  size_t lead = outIndex.size() - inShape.size();
  int64_t flat = 0;
  for (size_t d = 0; d < inShape.size(); ++d)
    flat = flat * inShape[d] + (inShape[d] == 1 ? 0 : outIndex[lead + d]);
  return flat;
}

/// Expects |actual - expected| <= atol + rtol |expected| element by element.
inline void expectAllClose(const std::vector<float> &actual,
                           const std::vector<double> &expected, double rtol,
                           double atol) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], atol + rtol * std::fabs(expected[i]))
        << "at element " << i;
}

/// Expects bit-for-bit equal floats (NaNs compare equal to NaNs).
inline void expectAllIdentical(const std::vector<float> &actual,
                               const std::vector<float> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i]))
      EXPECT_TRUE(std::isnan(actual[i])) << "at element " << i;
    else
      EXPECT_EQ(actual[i], expected[i]) << "at element " << i;
  }
}

/// Checks `gradient` (d loss / d x) against central differences of `loss`,
/// perturbing one element of `x` at a time by +-step. The step actually taken
/// (after rounding x +- step to f32) is the one divided by.
template <typename Loss>
void expectGradientMatches(std::vector<float> x, Loss &&loss,
                           const std::vector<float> &gradient,
                           float step = 1e-2f, double rtol = 1e-2,
                           double atol = 1e-3) {
  ASSERT_EQ(x.size(), gradient.size());
  for (size_t i = 0; i < x.size(); ++i) {
    float saved = x[i];
    x[i] = saved + step;
    float up = x[i];
    double lossUp = loss(x);
    x[i] = saved - step;
    float down = x[i];
    double lossDown = loss(x);
    x[i] = saved;
    double numeric = (lossUp - lossDown) / (static_cast<double>(up) - down);
    EXPECT_NEAR(gradient[i], numeric, atol + rtol * std::fabs(numeric))
        << "at element " << i;
  }
}

/// sum(weights * values) in double: the scalar loss gradients are checked on.
inline double weightedSum(const std::vector<float> &weights,
                          const std::vector<float> &values) {
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i)
    sum += static_cast<double>(weights[i]) * values[i];
  return sum;
}

} // namespace mpc::cpu::test

#endif // MPC_TESTS_UNIT_KERNELS_TESTUTIL_H
