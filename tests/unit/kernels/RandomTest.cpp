//===- RandomTest.cpp - counter-based dropout -----------------------------===//

#include "TestUtil.h"

using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

TEST(Dropout, SameSeedAndStepGiveSameMask) {
  const int64_t n = 1000;
  std::vector<float> x = randomData(n, 42, 1.f, 2.f);
  std::vector<float> a(n), b(n), c(n);
  dropout(x.data(), a.data(), n, 0.3, 1, 1234, 7);
  dropout(x.data(), b.data(), n, 0.3, 1, 1234, 7);
  EXPECT_EQ(a, b);
  dropout(x.data(), c.data(), n, 0.3, 1, 1234, 8);
  EXPECT_NE(a, c);
  dropout(x.data(), c.data(), n, 0.3, 1, 1235, 7);
  EXPECT_NE(a, c);
}

TEST(Dropout, RunSeedSelectsTheMask) {
  const int64_t n = 1000;
  std::vector<float> x = randomData(n, 42, 1.f, 2.f);
  std::vector<float> a(n), b(n), c(n);
  dropout(x.data(), a.data(), n, 0.3, 5, 1234, 7);
  dropout(x.data(), b.data(), n, 0.3, 5, 1234, 7);
  EXPECT_EQ(a, b);
  dropout(x.data(), c.data(), n, 0.3, 6, 1234, 7);
  EXPECT_NE(a, c);
  // The run's seed and the op's seed are not interchangeable.
  dropout(x.data(), b.data(), n, 0.3, 1234, 5, 7);
  EXPECT_NE(a, b);
}

TEST(Dropout, RateAndScale) {
  const int64_t n = 100000;
  for (double rate : {0.1, 0.5, 0.9}) {
    SCOPED_TRACE(rate);
    std::vector<float> x = randomData(n, 43, 1.f, 2.f);
    std::vector<float> y(n);
    dropout(x.data(), y.data(), n, rate, 1, 99, 3);
    int64_t dropped = 0;
    auto scale = static_cast<float>(1.0 / (1.0 - rate));
    for (int64_t i = 0; i < n; ++i) {
      if (y[i] == 0.0f)
        ++dropped;
      else
        EXPECT_EQ(y[i], x[i] * scale) << "at " << i;
    }
    double sigma = std::sqrt(n * rate * (1 - rate));
    EXPECT_LE(std::fabs(dropped - n * rate), 3 * sigma);
  }
}

TEST(Dropout, GradientReusesTheMask) {
  const int64_t n = 500;
  std::vector<float> x = randomData(n, 44, 1.f, 2.f);
  std::vector<float> dy = randomData(n, 45, 1.f, 2.f);
  std::vector<float> y(n), dx(n);
  dropout(x.data(), y.data(), n, 0.25, 2, 5, 11);
  dropout(dy.data(), dx.data(), n, 0.25, 2, 5, 11);
  for (int64_t i = 0; i < n; ++i)
    EXPECT_EQ(y[i] == 0.0f, dx[i] == 0.0f) << "at " << i;
}

TEST(Dropout, EdgeRates) {
  std::vector<float> x = randomData(64, 46), y(64);
  dropout(x.data(), y.data(), 64, 0.0, 1, 1, 1);
  EXPECT_EQ(y, x);
  dropout(x.data(), y.data(), 64, 1.0, 1, 1, 1);
  EXPECT_EQ(y, std::vector<float>(64, 0.0f));
}

TEST(Dropout, BitsAreSplitMix64) {
  // With both seeds and the step 0 the key is mix64(mix64(mix64(0))) = 0,
  // so element i is output i + 1 of SplitMix64 seeded with 0; the first is a
  // published reference value.
  EXPECT_EQ(dropoutBits(0, 0, 0, 0), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(uniform01(0), 0.0);
  EXPECT_LT(uniform01(~0ull), 1.0);
}

} // namespace
