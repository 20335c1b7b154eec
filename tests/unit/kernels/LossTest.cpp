//===- LossTest.cpp - cross-entropy and mean squared error ----------------===//

#include "TestUtil.h"

#include "runtime/core/CrossEntropyMath.h"

#include <algorithm>

using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

const int64_t kRows = 5, kClasses = 7;

TEST(CrossEntropy, MatchesReference) {
  std::vector<float> logits = randomData(kRows * kClasses, 50, -4.f, 4.f);
  std::vector<int64_t> labels = {0, 6, 3, 3, 1};
  int64_t bad = 99;
  float loss = softmaxCrossEntropy(logits.data(), labels.data(), kRows,
                                   kClasses, {}, &bad);
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
  EXPECT_NEAR(softmaxCrossEntropy(logits.data(), labels.data(), 1, 3, {}, &bad),
              0.0f, 1e-6);
  labels = {2};
  EXPECT_NEAR(softmaxCrossEntropy(logits.data(), labels.data(), 1, 3, {}, &bad),
              2000.0f, 1e-3);
}

TEST(CrossEntropy, ReportsFirstBadLabel) {
  std::vector<float> logits(kRows * kClasses, 0.5f);
  std::vector<int64_t> labels = {0, 1, kClasses, -1, 2};
  int64_t bad = -1;
  EXPECT_EQ(softmaxCrossEntropy(logits.data(), labels.data(), kRows, kClasses,
                                {}, &bad),
            0.0f);
  EXPECT_EQ(bad, 2);
  labels = {0, 1, 2, -1, 2};
  softmaxCrossEntropy(logits.data(), labels.data(), kRows, kClasses, {}, &bad);
  EXPECT_EQ(bad, 3);
}

TEST(CrossEntropyGrad, MatchesFiniteDifferencesAndFormula) {
  std::vector<float> logits = randomData(kRows * kClasses, 51, -3.f, 3.f);
  std::vector<int64_t> labels = {2, 0, 6, 6, 4};
  const float dloss = 1.7f;
  std::vector<float> dlogits(logits.size());
  int64_t bad = 99;
  softmaxCrossEntropyGrad(dloss, logits.data(), labels.data(), kRows, kClasses,
                          {}, dlogits.data(), &bad);
  EXPECT_EQ(bad, -1);
  expectGradientMatches(
      logits,
      [&](const std::vector<float> &x) {
        return dloss * static_cast<double>(softmaxCrossEntropy(
                           x.data(), labels.data(), kRows, kClasses, {}, &bad));
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

//===----------------------------------------------------------------------===//
// ignore_index and reduction
//===----------------------------------------------------------------------===//

/// logsumexp(row r) - row r[label], in double.
double rowLoss(const std::vector<float> &logits, int64_t r, int64_t label) {
  double sum = 0;
  for (int64_t c = 0; c < kClasses; ++c)
    sum += std::exp(static_cast<double>(logits[r * kClasses + c]));
  return std::log(sum) - logits[r * kClasses + label];
}

/// The rows of `logits` and `labels` whose label is not `ignored`.
void keptOnly(const std::vector<float> &logits,
              const std::vector<int64_t> &labels, int64_t ignored,
              std::vector<float> &keptLogits,
              std::vector<int64_t> &keptLabels) {
  for (size_t r = 0; r < labels.size(); ++r) {
    if (labels[r] == ignored)
      continue;
    keptLabels.push_back(labels[r]);
    keptLogits.insert(keptLogits.end(), logits.begin() + r * kClasses,
                      logits.begin() + (r + 1) * kClasses);
  }
}

const CrossEntropyOptions kIgnoreMean{-100, MPC_LOSS_MEAN};
const CrossEntropyOptions kIgnoreSum{-100, MPC_LOSS_SUM};

TEST(CrossEntropy, MeanIsOverTheKeptRows) {
  std::vector<float> logits = randomData(kRows * kClasses, 52, -4.f, 4.f);
  std::vector<int64_t> labels = {3, -100, 6, -100, 0};
  int64_t bad = 99;
  float loss = softmaxCrossEntropy(logits.data(), labels.data(), kRows,
                                   kClasses, kIgnoreMean, &bad);
  EXPECT_EQ(bad, -1);
  double expected =
      (rowLoss(logits, 0, 3) + rowLoss(logits, 2, 6) + rowLoss(logits, 4, 0)) /
      3;
  EXPECT_NEAR(loss, expected, 1e-6 * expected);
  // The same as the plain loss of a batch without the ignored rows.
  std::vector<float> keptLogits;
  std::vector<int64_t> keptLabels;
  keptOnly(logits, labels, -100, keptLogits, keptLabels);
  EXPECT_EQ(loss, softmaxCrossEntropy(keptLogits.data(), keptLabels.data(), 3,
                                      kClasses, {}, &bad));
}

TEST(CrossEntropy, SumIsOverTheKeptRows) {
  std::vector<float> logits = randomData(kRows * kClasses, 53, -4.f, 4.f);
  std::vector<int64_t> labels = {-100, 1, 5, 5, -100};
  int64_t bad = 99;
  float loss = softmaxCrossEntropy(logits.data(), labels.data(), kRows,
                                   kClasses, kIgnoreSum, &bad);
  EXPECT_EQ(bad, -1);
  double expected =
      rowLoss(logits, 1, 1) + rowLoss(logits, 2, 5) + rowLoss(logits, 3, 5);
  EXPECT_NEAR(loss, expected, 1e-6 * expected);
  // Without ignore_index the sum is over every row.
  labels = {2, 1, 5, 5, 0};
  double all = 0;
  for (int64_t r = 0; r < kRows; ++r)
    all += rowLoss(logits, r, labels[r]);
  EXPECT_NEAR(softmaxCrossEntropy(logits.data(), labels.data(), kRows, kClasses,
                                  {MPC_NO_IGNORE_INDEX, MPC_LOSS_SUM}, &bad),
              all, 1e-6 * all);
}

TEST(CrossEntropy, IgnoreIndexMayBeAClass) {
  std::vector<float> logits = randomData(kRows * kClasses, 54, -4.f, 4.f);
  std::vector<int64_t> labels = {2, 4, 2, 0, 6};
  int64_t bad = 99;
  float loss = softmaxCrossEntropy(logits.data(), labels.data(), kRows,
                                   kClasses, {2, MPC_LOSS_MEAN}, &bad);
  EXPECT_EQ(bad, -1);
  double expected =
      (rowLoss(logits, 1, 4) + rowLoss(logits, 3, 0) + rowLoss(logits, 4, 6)) /
      3;
  EXPECT_NEAR(loss, expected, 1e-6 * expected);
}

TEST(CrossEntropy, EveryRowIgnored) {
  std::vector<float> logits = randomData(kRows * kClasses, 55, -4.f, 4.f);
  std::vector<int64_t> labels(kRows, -100);
  int64_t bad = 99;
  // The mean of no rows is 0/0, as in PyTorch; the sum is 0.
  EXPECT_TRUE(std::isnan(softmaxCrossEntropy(
      logits.data(), labels.data(), kRows, kClasses, kIgnoreMean, &bad)));
  EXPECT_EQ(bad, -1);
  EXPECT_EQ(softmaxCrossEntropy(logits.data(), labels.data(), kRows, kClasses,
                                kIgnoreSum, &bad),
            0.0f);
  std::vector<float> dlogits(logits.size(), 7.0f);
  softmaxCrossEntropyGrad(1.0f, logits.data(), labels.data(), kRows, kClasses,
                          kIgnoreMean, dlogits.data(), &bad);
  expectAllIdentical(dlogits, std::vector<float>(logits.size(), 0.0f));
}

TEST(CrossEntropy, LabelNeitherIgnoredNorAClassIsBad) {
  std::vector<float> logits(kRows * kClasses, 0.5f);
  std::vector<int64_t> labels = {-100, 1, -1, 2, -100};
  int64_t bad = -1;
  EXPECT_EQ(softmaxCrossEntropy(logits.data(), labels.data(), kRows, kClasses,
                                kIgnoreMean, &bad),
            0.0f);
  EXPECT_EQ(bad, 2);
  // Without ignore_index, -100 is bad too.
  softmaxCrossEntropy(logits.data(), labels.data(), kRows, kClasses, {}, &bad);
  EXPECT_EQ(bad, 0);
  std::vector<float> dlogits(logits.size(), 7.0f);
  softmaxCrossEntropyGrad(1.0f, logits.data(), labels.data(), kRows, kClasses,
                          kIgnoreSum, dlogits.data(), &bad);
  EXPECT_EQ(bad, 2);
  // Nothing is written.
  expectAllIdentical(dlogits, std::vector<float>(logits.size(), 7.0f));
}

TEST(CrossEntropyGrad, IgnoredRowsAreZeroAndKeptRowsMatchFiniteDifferences) {
  std::vector<float> logits = randomData(kRows * kClasses, 56, -3.f, 3.f);
  std::vector<int64_t> labels = {-100, 0, 6, -100, 4};
  const float dloss = 1.7f;
  for (CrossEntropyOptions options : {kIgnoreMean, kIgnoreSum}) {
    std::vector<float> dlogits(logits.size());
    int64_t bad = 99;
    softmaxCrossEntropyGrad(dloss, logits.data(), labels.data(), kRows,
                            kClasses, options, dlogits.data(), &bad);
    EXPECT_EQ(bad, -1);
    expectGradientMatches(
        logits,
        [&](const std::vector<float> &x) {
          return dloss *
                 static_cast<double>(softmaxCrossEntropy(
                     x.data(), labels.data(), kRows, kClasses, options, &bad));
        },
        dlogits);
    // The analytic form: (softmax - onehot) * dloss / 3 (mean) or * dloss.
    double scale = options.reduction == MPC_LOSS_MEAN ? dloss / 3.0 : dloss;
    std::vector<double> expected(logits.size(), 0.0);
    for (int64_t r = 0; r < kRows; ++r) {
      if (labels[r] == -100)
        continue;
      double sum = 0;
      for (int64_t c = 0; c < kClasses; ++c)
        sum += std::exp(static_cast<double>(logits[r * kClasses + c]));
      for (int64_t c = 0; c < kClasses; ++c)
        expected[r * kClasses + c] =
            (std::exp(static_cast<double>(logits[r * kClasses + c])) / sum -
             (c == labels[r])) *
            scale;
    }
    expectAllClose(dlogits, expected, 1e-5, 1e-7);
    for (int64_t c = 0; c < kClasses; ++c) {
      EXPECT_EQ(dlogits[0 * kClasses + c], 0.0f);
      EXPECT_EQ(dlogits[3 * kClasses + c], 0.0f);
    }
  }
}

/// The CUDA kernels' order of work, on the host with the same helpers: each
/// row's f32 loss (0 when ignored), a double sum and a count of the kept
/// rows reduced at the end; the gradient scale from the counted rows and
/// one gradElement per logit. It must give the CPU kernels' values.
TEST(CrossEntropyMath, DeviceOrderMatchesTheKernels) {
  std::vector<float> logits = randomData(kRows * kClasses, 57, -3.f, 3.f);
  const float dloss = 0.75f;
  for (CrossEntropyOptions options :
       {kIgnoreMean, kIgnoreSum, CrossEntropyOptions{1, MPC_LOSS_MEAN}}) {
    int64_t ignored = options.ignoreIndex;
    std::vector<int64_t> labels = {5, ignored, ignored, 1, 3};
    double sum = 0;
    int64_t kept = 0;
    for (int64_t r = 0; r < kRows; ++r) {
      EXPECT_FALSE(
          mpc::xent::badLabel(labels[r], kClasses, options.ignoreIndex));
      if (mpc::xent::ignoredLabel(labels[r], options.ignoreIndex))
        continue;
      ++kept;
      const float *row = logits.data() + r * kClasses;
      float max = *std::max_element(row, row + kClasses), exps = 0;
      for (int64_t c = 0; c < kClasses; ++c)
        exps += std::exp(row[c] - max);
      sum += static_cast<double>(max + std::log(exps) - row[labels[r]]);
    }
    int64_t bad;
    float want = softmaxCrossEntropy(logits.data(), labels.data(), kRows,
                                     kClasses, options, &bad);
    float got =
        static_cast<float>(mpc::xent::reduceLoss(sum, kept, options.reduction));
    EXPECT_NEAR(got, want, 1e-6 * std::fabs(want));

    std::vector<float> wantGrad(logits.size()), probabilities(logits.size());
    softmaxCrossEntropyGrad(dloss, logits.data(), labels.data(), kRows,
                            kClasses, options, wantGrad.data(), &bad);
    softmax(logits.data(), probabilities.data(), {kRows, kClasses}, 1);
    float scale = mpc::xent::gradScale(dloss, kept, options.reduction);
    std::vector<float> gotGrad(logits.size());
    for (int64_t r = 0; r < kRows; ++r)
      for (int64_t c = 0; c < kClasses; ++c)
        gotGrad[r * kClasses + c] =
            mpc::xent::gradElement(probabilities[r * kClasses + c], c,
                                   labels[r], options.ignoreIndex, scale);
    expectAllIdentical(gotGrad, wantGrad);
  }
}

TEST(CrossEntropyMath, RowRules) {
  using namespace mpc::xent;
  // No ignore_index: nothing is ignored, not even INT64_MIN.
  EXPECT_FALSE(ignoredLabel(-100, MPC_NO_IGNORE_INDEX));
  EXPECT_FALSE(ignoredLabel(MPC_NO_IGNORE_INDEX, MPC_NO_IGNORE_INDEX));
  EXPECT_TRUE(badLabel(MPC_NO_IGNORE_INDEX, 4, MPC_NO_IGNORE_INDEX));
  EXPECT_TRUE(ignoredLabel(-100, -100));
  EXPECT_FALSE(badLabel(-100, 4, -100));
  EXPECT_TRUE(badLabel(-1, 4, -100));
  EXPECT_TRUE(badLabel(4, 4, -100));
  EXPECT_FALSE(badLabel(3, 4, -100));
  EXPECT_TRUE(ignoredLabel(2, 2));
  EXPECT_FALSE(badLabel(2, 4, 2));
  EXPECT_EQ(reduceLoss(6.0, 4, MPC_LOSS_MEAN), 1.5);
  EXPECT_EQ(reduceLoss(6.0, 4, MPC_LOSS_SUM), 6.0);
  EXPECT_TRUE(std::isnan(reduceLoss(0.0, 0, MPC_LOSS_MEAN)));
  EXPECT_EQ(reduceLoss(0.0, 0, MPC_LOSS_SUM), 0.0);
  EXPECT_EQ(gradScale(3.0f, 4, MPC_LOSS_MEAN), 0.75f);
  EXPECT_EQ(gradScale(3.0f, 4, MPC_LOSS_SUM), 3.0f);
  EXPECT_EQ(gradElement(0.25f, 1, 1, -100, 2.0f), -1.5f);
  EXPECT_EQ(gradElement(0.25f, 0, 1, -100, 2.0f), 0.5f);
  EXPECT_EQ(gradElement(0.25f, 0, -100, -100, 2.0f), 0.0f);
}

TEST(Mse, MatchesReference) {
  std::vector<float> p = {1.f, 2.f, 3.f, -1.f}, t = {0.f, 2.f, 5.f, 1.f};
  EXPECT_FLOAT_EQ(mseLoss(p.data(), t.data(), 4), (1.f + 0.f + 4.f + 4.f) / 4);
}

} // namespace
