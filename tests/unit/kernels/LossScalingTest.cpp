//===- LossScalingTest.cpp - unscaling and the dynamic loss scale ---------===//

#include "TestUtil.h"

#include <cfloat>
#include <limits>

using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

LossScaleConfig config(int64_t interval = 3, int64_t hysteresis = 1,
                       double minScale = 1, double maxScale = 1 << 24) {
  return LossScaleConfig{2.0, interval, 0.5, hysteresis, minScale, maxScale};
}

TEST(LossScaling, InverseIsRoundedOnceFromDouble) {
  EXPECT_EQ(inverseLossScale(65536.f), 1.f / 65536.f);
  EXPECT_EQ(inverseLossScale(3.f), static_cast<float>(1.0 / 3.0));
  EXPECT_EQ(inverseLossScale(1000.f), static_cast<float>(1.0 / 1000.0));
}

TEST(LossScaling, UnscalingAPowerOfTwoIsExact) {
  std::vector<float> g = randomData(257, 3, -1000.f, 1000.f), out(257);
  EXPECT_FALSE(
      unscaleAndCheck(g.data(), out.data(), 257, inverseLossScale(1024.f)));
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_EQ(out[i], g[i] / 1024.f) << i;
}

TEST(LossScaling, AnyInfinityOrNaNIsFound) {
  for (float bad : {kInf, -kInf, std::numeric_limits<float>::quiet_NaN()}) {
    for (int64_t position : {0, 17, 99}) {
      std::vector<float> g = randomData(100, 5), out(100);
      g[position] = bad;
      EXPECT_TRUE(unscaleAndCheck(g.data(), out.data(), 100, 0.5f))
          << bad << " at " << position;
    }
  }
  // The largest finite value is finite; its unscaled value too.
  std::vector<float> g = {FLT_MAX, -FLT_MAX, 0.f, -0.f}, out(4);
  EXPECT_FALSE(unscaleAndCheck(g.data(), out.data(), 4, 0.5f));
  EXPECT_EQ(out[0], FLT_MAX / 2);
  // In place.
  EXPECT_FALSE(unscaleAndCheck(g.data(), g.data(), 4, 0.5f));
  EXPECT_EQ(g[1], -FLT_MAX / 2);
}

TEST(LossScaling, OverflowBacksOffAndResetsTheCleanRun) {
  float scale = 1024, good = 2, left = 1;
  updateLossScale(scale, good, left, true, config());
  EXPECT_EQ(scale, 512.f);
  EXPECT_EQ(good, 0.f);
  EXPECT_EQ(left, 1.f);
}

TEST(LossScaling, GrowsAfterExactlyTheIntervalOfCleanSteps) {
  float scale = 1024, good = 0, left = 1;
  updateLossScale(scale, good, left, false, config(3));
  updateLossScale(scale, good, left, false, config(3));
  EXPECT_EQ(scale, 1024.f);
  EXPECT_EQ(good, 2.f);
  updateLossScale(scale, good, left, false, config(3));
  EXPECT_EQ(scale, 2048.f);
  EXPECT_EQ(good, 0.f);
}

TEST(LossScaling, HysteresisToleratesOverflowsUntilGrowth) {
  float scale = 1024, good = 0, left = 2;
  updateLossScale(scale, good, left, true, config(2, 2));
  EXPECT_EQ(scale, 1024.f);
  EXPECT_EQ(left, 1.f);
  updateLossScale(scale, good, left, true, config(2, 2));
  EXPECT_EQ(scale, 512.f);
  EXPECT_EQ(left, 1.f);
  // Still 1: the next overflow backs off at once.
  updateLossScale(scale, good, left, true, config(2, 2));
  EXPECT_EQ(scale, 256.f);
  // Growth restores the tolerance.
  updateLossScale(scale, good, left, false, config(2, 2));
  updateLossScale(scale, good, left, false, config(2, 2));
  EXPECT_EQ(scale, 512.f);
  EXPECT_EQ(left, 2.f);
}

TEST(LossScaling, TheFloorHoldsOnOverflow) {
  float scale = 3, good = 0, left = 1;
  updateLossScale(scale, good, left, true, config(3, 1, 2));
  EXPECT_EQ(scale, 2.f);
  updateLossScale(scale, good, left, true, config(3, 1, 2));
  EXPECT_EQ(scale, 2.f);
}

TEST(LossScaling, GrowthIsCappedAndStaysFinite) {
  float scale = 3000, good = 0, left = 1;
  updateLossScale(scale, good, left, false, config(1, 1, 1, 4096));
  EXPECT_EQ(scale, 4096.f);
  updateLossScale(scale, good, left, false, config(1, 1, 1, 4096));
  EXPECT_EQ(scale, 4096.f);
  // A ceiling beyond f32: growth that would overflow keeps the scale.
  scale = FLT_MAX;
  updateLossScale(scale, good, left, false, config(1, 1, 1, 1e300));
  EXPECT_EQ(scale, FLT_MAX);
  EXPECT_EQ(good, 0.f);
}

} // namespace
