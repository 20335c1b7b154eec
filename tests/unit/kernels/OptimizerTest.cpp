//===- OptimizerTest.cpp - SGD, momentum, AdamW and clipping --------------===//

#include "TestUtil.h"

using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

TEST(Sgd, SingleStep) {
  std::vector<float> p = {1.f, -2.f}, g = {0.5f, 0.25f};
  sgdUpdate(p.data(), g.data(), 2, 0.1f, 0.01f);
  // p - lr (g + wd p)
  EXPECT_FLOAT_EQ(p[0], 1.f - 0.1f * (0.5f + 0.01f));
  EXPECT_FLOAT_EQ(p[1], -2.f - 0.1f * (0.25f - 0.02f));
}

TEST(Momentum, FirstStepsMatchPyTorch) {
  std::vector<float> p = {1.f}, g = {0.5f}, buffer = {0.f};
  momentumUpdate(p.data(), g.data(), buffer.data(), 1, 0.1f, 0.9f, 0.f);
  EXPECT_FLOAT_EQ(buffer[0], 0.5f); // the first step's buffer is g
  EXPECT_FLOAT_EQ(p[0], 0.95f);
  momentumUpdate(p.data(), g.data(), buffer.data(), 1, 0.1f, 0.9f, 0.f);
  EXPECT_FLOAT_EQ(buffer[0], 0.95f); // 0.9 * 0.5 + 0.5
  EXPECT_FLOAT_EQ(p[0], 0.855f);

  // Weight decay enters the buffer: g' = 0.5 + 0.1 * 1.
  p = {1.f};
  buffer = {0.f};
  momentumUpdate(p.data(), g.data(), buffer.data(), 1, 0.1f, 0.9f, 0.1f);
  EXPECT_FLOAT_EQ(buffer[0], 0.6f);
  EXPECT_FLOAT_EQ(p[0], 0.94f);
}

TEST(AdamW, FirstStepMovesByLearningRateTimesSign) {
  const float lr = 1e-2f, wd = 0.1f;
  std::vector<float> p = {1.f, -1.f, 0.5f, 2.f};
  std::vector<float> g = {0.3f, -2.f, 1e-3f, -40.f};
  std::vector<float> m(4, 0.f), v(4, 0.f);
  std::vector<float> before = p;
  adamwUpdate(p.data(), g.data(), m.data(), v.data(), 4, 1, lr, 0.9f, 0.999f,
              1e-8f, wd);
  for (size_t i = 0; i < p.size(); ++i) {
    // m^ = g and v^ = g^2 after one step, so the update is lr g / |g|.
    float sign = g[i] > 0 ? 1.f : -1.f;
    EXPECT_NEAR(p[i], before[i] * (1 - lr * wd) - lr * sign, 1e-6) << i;
    EXPECT_FLOAT_EQ(m[i], 0.1f * g[i]);
    EXPECT_NEAR(v[i], 1e-3 * g[i] * g[i], 1e-6 * g[i] * g[i]);
  }
}

TEST(AdamW, SecondStepMatchesHandComputation) {
  const double lr = 1e-3, b1 = 0.9, b2 = 0.95, eps = 1e-6, wd = 0.05;
  std::vector<float> p = {0.7f}, m = {0.f}, v = {0.f};
  const float g1 = 0.2f, g2 = -0.6f;
  adamwUpdate(p.data(), &g1, m.data(), v.data(), 1, 1, float(lr), float(b1),
              float(b2), float(eps), float(wd));
  adamwUpdate(p.data(), &g2, m.data(), v.data(), 1, 2, float(lr), float(b1),
              float(b2), float(eps), float(wd));
  double pe = 0.7, me = 0, ve = 0;
  for (int step = 1; step <= 2; ++step) {
    double g = step == 1 ? g1 : g2;
    pe *= 1 - lr * wd;
    me = b1 * me + (1 - b1) * g;
    ve = b2 * ve + (1 - b2) * g * g;
    double mHat = me / (1 - std::pow(b1, step));
    double vHat = ve / (1 - std::pow(b2, step));
    pe -= lr * mHat / (std::sqrt(vHat) + eps);
  }
  EXPECT_NEAR(m[0], me, 1e-7);
  EXPECT_NEAR(v[0], ve, 1e-8);
  EXPECT_NEAR(p[0], pe, 1e-6);
}

TEST(GradientClipping, NormAndCoefficient) {
  std::vector<float> a = {3.f, 4.f}, b = {12.f};
  EXPECT_FLOAT_EQ(globalNorm({a.data(), b.data()}, {2, 1}), 13.f);
  EXPECT_EQ(globalNorm({}, {}), 0.f);
  EXPECT_FLOAT_EQ(clipCoefficient(13.f, 1.f), 1.f / (13.f + 1e-6f));
  EXPECT_EQ(clipCoefficient(0.5f, 1.f), 1.f);
  EXPECT_EQ(clipCoefficient(0.f, 1.f), 1.f);
  scaleInPlace(a.data(), 2, 0.5f);
  EXPECT_EQ(a, (std::vector<float>{1.5f, 2.f}));
}

TEST(GradientClipping, NormAccumulatesInDouble) {
  // 2^24 + 1 ones: an f32 running sum of squares would stall at 2^24.
  std::vector<float> ones((1 << 24) + 1, 1.f);
  EXPECT_EQ(globalNorm({ones.data()}, {static_cast<int64_t>(ones.size())}),
            static_cast<float>(std::sqrt(16777217.0)));
}

} // namespace
