//===- LossTest.cpp - cross-entropy and mean squared error ----------------===//

#include "TestUtil.h"

using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

const int64_t kRows = 5, kClasses = 7;

TEST(CrossEntropy, MatchesReference) {
  std::vector<float> logits = randomData(kRows * kClasses, 50, -4.f, 4.f);
  std::vector<int64_t> labels = {0, 6, 3, 3, 1};
  int64_t bad = 99;
  float loss =
      softmaxCrossEntropy(logits.data(), labels.data(), kRows, kClasses, &bad);
  EXPECT_EQ(bad, -1);
  double expected = 0;
  for (int64_t r = 0; r < kRows; ++r) {
    double sum = 0;
    for (int64_t c = 0; c < kClasses; ++c)
      sum += std::exp(static_cast<double>(logits[r * kClasses + c]));
    expected += std::log(sum) - logits[r * kClasses + labels[r]];
  }
  EXPECT_NEAR(loss, expected / kRows, 1e-6 * expected / kRows);
}

TEST(CrossEntropy, LargeLogitsAreStable) {
  std::vector<float> logits = {1000.f, 0.f, -1000.f};
  std::vector<int64_t> labels = {0};
  int64_t bad;
  EXPECT_NEAR(softmaxCrossEntropy(logits.data(), labels.data(), 1, 3, &bad),
              0.0f, 1e-6);
  labels = {2};
  EXPECT_NEAR(softmaxCrossEntropy(logits.data(), labels.data(), 1, 3, &bad),
              2000.0f, 1e-3);
}

TEST(CrossEntropy, ReportsFirstBadLabel) {
  std::vector<float> logits(kRows * kClasses, 0.5f);
  std::vector<int64_t> labels = {0, 1, kClasses, -1, 2};
  int64_t bad = -1;
  EXPECT_EQ(
      softmaxCrossEntropy(logits.data(), labels.data(), kRows, kClasses, &bad),
      0.0f);
  EXPECT_EQ(bad, 2);
  labels = {0, 1, 2, -1, 2};
  softmaxCrossEntropy(logits.data(), labels.data(), kRows, kClasses, &bad);
  EXPECT_EQ(bad, 3);
}

TEST(CrossEntropyGrad, MatchesFiniteDifferencesAndFormula) {
  std::vector<float> logits = randomData(kRows * kClasses, 51, -3.f, 3.f);
  std::vector<int64_t> labels = {2, 0, 6, 6, 4};
  const float dloss = 1.7f;
  std::vector<float> dlogits(logits.size());
  softmaxCrossEntropyGrad(dloss, logits.data(), labels.data(), kRows, kClasses,
                          dlogits.data());
  expectGradientMatches(
      logits,
      [&](const std::vector<float> &x) {
        int64_t bad;
        return dloss * static_cast<double>(softmaxCrossEntropy(
                           x.data(), labels.data(), kRows, kClasses, &bad));
      },
      dlogits);
  std::vector<double> expected(logits.size());
  for (int64_t r = 0; r < kRows; ++r) {
    double sum = 0;
    for (int64_t c = 0; c < kClasses; ++c)
      sum += std::exp(static_cast<double>(logits[r * kClasses + c]));
    for (int64_t c = 0; c < kClasses; ++c)
      expected[r * kClasses + c] =
          (std::exp(static_cast<double>(logits[r * kClasses + c])) / sum -
           (c == labels[r])) *
          dloss / kRows;
  }
  expectAllClose(dlogits, expected, 1e-5, 1e-7);
}

TEST(Mse, MatchesReference) {
  std::vector<float> p = {1.f, 2.f, 3.f, -1.f}, t = {0.f, 2.f, 5.f, 1.f};
  EXPECT_FLOAT_EQ(mseLoss(p.data(), t.data(), 4), (1.f + 0.f + 4.f + 4.f) / 4);
}

} // namespace
