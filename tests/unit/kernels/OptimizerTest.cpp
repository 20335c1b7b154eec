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
  adamwUpdate(p.data(), &g1, m.data(), v.data(), 1, 1, lr, b1, b2, eps, wd);
  adamwUpdate(p.data(), &g2, m.data(), v.data(), 1, 2, lr, b1, b2, eps, wd);
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

TEST(AdamW, MomentsUsePyTorchsScalarsToRounding) {
  // The moments in f32 against the same recurrences in double, with the
  // scalars PyTorch passes to its f32 tensor ops: each one computed in
  // double from the hyperparameters and rounded to f32 once. The only
  // difference left is f32 arithmetic, a few ulp. Narrowing beta2 first,
  // 1 - f32(0.999) in place of f32(1 - 0.999), leaves v 1.3e-5 low.
  const double lr = 6e-4, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
  const double beta1 = float(b1), oneMinusBeta1 = float(1 - b1);
  const double beta2 = float(b2), oneMinusBeta2 = float(1 - b2);
  const int kSteps = 300;
  std::vector<float> p = {0.5f, -0.25f, 2.f}, m(3, 0.f), v(3, 0.f);
  // mScale: the recurrence of m over |g|, the size of its terms, which
  // bounds its rounding when the terms cancel.
  double me[3] = {}, ve[3] = {}, mScale[3] = {};
  uint64_t state = 7;
  for (int step = 1; step <= kSteps; ++step) {
    float g[3];
    for (float &gi : g) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      gi = static_cast<float>(static_cast<int64_t>(state >> 40) % 2001 - 1000) *
           1e-3f;
    }
    adamwUpdate(p.data(), g, m.data(), v.data(), 3, step, lr, b1, b2, eps, wd);
    for (int i = 0; i < 3; ++i) {
      me[i] = beta1 * me[i] + oneMinusBeta1 * g[i];
      mScale[i] = beta1 * mScale[i] + oneMinusBeta1 * std::fabs(g[i]);
      ve[i] = beta2 * ve[i] + oneMinusBeta2 * g[i] * g[i];
    }
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(v[i], ve[i], 1e-6 * ve[i]) << i;
    EXPECT_NEAR(m[i], me[i], 1e-6 * mScale[i]) << i;
  }
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
