//===- LossTest.cpp - cross-entropy and mean squared error ----------------===//

#include "TestUtil.h"

#include "runtime/core/CrossEntropyMath.h"

#include <algorithm>
#include <cmath>
#include <string>

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

/// (softmax - onehot) * scale per row of kRows x kClasses, in double; rows
/// labelled -100 (ignored) are zero.
std::vector<double> analyticGrad(const std::vector<float> &logits,
                                 const std::vector<int64_t> &labels,
                                 double scale) {
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
  return expected;
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
  expectAllClose(dlogits, analyticGrad(logits, labels, double(dloss) / kRows),
                 1e-5, 1e-7);
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
    expectAllClose(dlogits, analyticGrad(logits, labels, scale), 1e-5, 1e-7);
    for (int64_t c = 0; c < kClasses; ++c) {
      EXPECT_EQ(dlogits[0 * kClasses + c], 0.0f);
      EXPECT_EQ(dlogits[3 * kClasses + c], 0.0f);
    }
  }
}

/// f32's unit roundoff.
constexpr double kU = 0x1p-24;

/// The row statistics as the CUDA kernels take them, on the host with the
/// same helpers: `threads` lanes (a multiple of 32) each add every
/// threads-th logit online, each warp combines its lanes in a butterfly,
/// then the first warp combines the warps' results in one.
mpc::xent::RowStats deviceOrderStats(const float *row, int64_t n,
                                     int threads = 256) {
  using namespace mpc::xent;
  std::vector<RowStats> lanes(threads, emptyRowStats());
  for (int64_t c = 0; c < n; ++c)
    lanes[c % threads] = addLogit(lanes[c % threads], row[c]);
  auto butterfly = [](std::vector<RowStats> &warp) {
    for (int offset = 16; offset > 0; offset /= 2) {
      std::vector<RowStats> before = warp;
      for (int lane = 0; lane < 32; ++lane)
        warp[lane] = combineRowStats(before[lane], before[lane ^ offset]);
    }
  };
  int warps = threads / 32;
  std::vector<RowStats> first(32, emptyRowStats());
  for (int w = 0; w < warps; ++w) {
    std::vector<RowStats> warp(lanes.begin() + 32 * w,
                               lanes.begin() + 32 * (w + 1));
    butterfly(warp);
    first[w] = warp[0];
  }
  butterfly(first);
  return first[0];
}

/// The CPU reference's two passes over a row: its max, then the f32 sum of
/// exp(x - max) in increasing order (runtime/cpu/kernels/Loss.cpp).
mpc::xent::RowStats twoPassStats(const float *row, int64_t n) {
  float max = *std::max_element(row, row + n), sum = 0.0f;
  for (int64_t c = 0; c < n; ++c)
    sum += std::exp(row[c] - max);
  return {max, sum};
}

/// A first-order bound on |online sum - two-pass sum| / sum for a row of n
/// finite logits spanning `range` (max - min), summed by `threads` lanes.
/// Each exp(x - m) is off by expf's error (at most 2u relative; glibc and
/// libdevice are within 2 ulp) and by the rounding of x - m, at most
/// u |x - m| <= u range in the exponent. The two-pass sum then adds n terms
/// in a row: (n - 1) u. Online, a term passes through at most L =
/// ceil(n / threads) + 8 additions and rescalings (its lane's, then 5 + 3
/// butterfly levels), each an addition (u) and a factor exp(m_old - m_new)
/// times the sum (2u + u, plus u |m_old - m_new| from the subtraction,
/// whose sum over a term's rescalings telescopes to at most the range).
double onlineSumBound(int64_t n, double range, int threads = 256) {
  double levels = static_cast<double>((n + threads - 1) / threads + 8);
  double twoPass = (n - 1) * kU + 2 * kU + range * kU;
  double online = levels * 4 * kU + 2 * kU + 2 * range * kU;
  return twoPass + online;
}

/// Checks the device order's statistics of `row` against the two-pass
/// formulas: the same max (a maximum does not round), the sum within
/// onlineSumBound, and log-sum-exp and every probability within what that
/// sum error and their own roundings (a log, an add, a division) allow.
void expectOnlineMatchesTwoPass(const std::vector<float> &row,
                                const std::string &what) {
  SCOPED_TRACE(what);
  int64_t n = static_cast<int64_t>(row.size());
  mpc::xent::RowStats online = deviceOrderStats(row.data(), n);
  mpc::xent::RowStats twoPass = twoPassStats(row.data(), n);
  // The range of the logits that add to the sum (-inf ones add nothing).
  float lo = INFINITY, hi = -INFINITY;
  for (float x : row)
    if (x != -INFINITY) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  double bound = onlineSumBound(n, static_cast<double>(hi) - lo);
  EXPECT_EQ(online.max, twoPass.max);
  EXPECT_LE(std::fabs(static_cast<double>(online.sum) - twoPass.sum),
            bound * twoPass.sum);
  // d log(s) = ds / s; then the log's and the add's roundings on each side.
  double lse = mpc::xent::logSumExp(twoPass);
  EXPECT_LE(std::fabs(mpc::xent::logSumExp(online) - lse),
            bound + 4 * kU * (std::fabs(lse) + 1));
  for (int64_t c = 0; c < n; ++c) {
    double p = mpc::xent::probability(row[c], twoPass);
    ASSERT_LE(std::fabs(mpc::xent::probability(row[c], online) - p),
              (bound + 2 * kU) * p)
        << "at " << c;
  }
}

TEST(CrossEntropyMath, OnlineStatsMatchTheTwoPassFormulas) {
  for (int64_t n : {1, 7, 256, 1003, 50304})
    expectOnlineMatchesTwoPass(
        randomData(n, static_cast<uint32_t>(60 + n), -5.f, 5.f),
        "random row of " + std::to_string(n));
  // Increasing logits: every logit is a new max of its lane, so every lane
  // rescales its sum at each step.
  std::vector<float> rising(4096);
  for (size_t c = 0; c < rising.size(); ++c)
    rising[c] = -8.0f + 16.0f * static_cast<float>(c) / rising.size();
  expectOnlineMatchesTwoPass(rising, "rising row");
  std::vector<float> falling(rising.rbegin(), rising.rend());
  expectOnlineMatchesTwoPass(falling, "falling row");
  // -inf logits add nothing, wherever they come.
  std::vector<float> masked = randomData(1003, 61, -5.f, 5.f);
  for (size_t c = 0; c < masked.size(); c += 3)
    masked[c] = -INFINITY;
  expectOnlineMatchesTwoPass(masked, "row with -inf logits");
}

TEST(CrossEntropyMath, OnlineStatsOfNonFiniteRowsAreTheTwoPassOnes) {
  using namespace mpc::xent;
  std::vector<float> row = randomData(300, 62, -5.f, 5.f);
  // A NaN or +inf logit makes the sum NaN, as exp(NaN - max) and
  // exp(inf - inf) make the two-pass sum.
  for (float bad : {NAN, INFINITY}) {
    std::vector<float> with = row;
    with[123] = bad;
    EXPECT_TRUE(std::isnan(deviceOrderStats(with.data(), 300).sum));
    EXPECT_TRUE(std::isnan(twoPassStats(with.data(), 300).sum));
  }
  // A row of -inf only: the loss and the probabilities are NaN, as the
  // two-pass formulas give them.
  std::vector<float> empty(300, -INFINITY);
  RowStats online = deviceOrderStats(empty.data(), 300);
  RowStats twoPass = twoPassStats(empty.data(), 300);
  EXPECT_TRUE(std::isnan(logSumExp(online) - empty[0]));
  EXPECT_TRUE(std::isnan(logSumExp(twoPass) - empty[0]));
  EXPECT_TRUE(std::isnan(probability(empty[0], online)));
  EXPECT_TRUE(std::isnan(probability(empty[0], twoPass)));
}

TEST(CrossEntropyMath, CombiningRowStatsIsSymmetric) {
  using namespace mpc::xent;
  std::vector<float> x = randomData(64, 63, -20.f, 20.f);
  for (size_t i = 0; i + 3 < x.size(); i += 4) {
    RowStats a = addLogit(addLogit(emptyRowStats(), x[i]), x[i + 1]);
    RowStats b = addLogit(addLogit(emptyRowStats(), x[i + 2]), x[i + 3]);
    RowStats ab = combineRowStats(a, b), ba = combineRowStats(b, a);
    EXPECT_EQ(ab.max, ba.max);
    EXPECT_EQ(ab.sum, ba.sum);
    // An empty state changes nothing.
    RowStats withEmpty = combineRowStats(a, emptyRowStats());
    EXPECT_EQ(withEmpty.max, a.max);
    EXPECT_EQ(withEmpty.sum, a.sum);
  }
}

/// The CUDA kernels' order of work, on the host with the same helpers: each
/// row's f32 loss from its online statistics (0 when ignored), a double sum
/// and a count of the kept rows reduced at the end; the gradient scale from
/// the counted rows and one gradElement per logit of its probability. It
/// must give the CPU kernels' values within what the online sum's rounding
/// allows (onlineSumBound).
TEST(CrossEntropyMath, DeviceOrderMatchesTheKernels) {
  std::vector<float> logits = randomData(kRows * kClasses, 57, -3.f, 3.f);
  const float dloss = 0.75f;
  // Logits in [-3, 3]: a range of at most 6.
  const double sumBound = onlineSumBound(kClasses, 6.0);
  for (CrossEntropyOptions options :
       {kIgnoreMean, kIgnoreSum, CrossEntropyOptions{1, MPC_LOSS_MEAN}}) {
    int64_t ignored = options.ignoreIndex;
    std::vector<int64_t> labels = {5, ignored, ignored, 1, 3};
    double sum = 0, sumOfAbs = 0;
    int64_t kept = 0;
    for (int64_t r = 0; r < kRows; ++r) {
      EXPECT_FALSE(
          mpc::xent::badLabel(labels[r], kClasses, options.ignoreIndex));
      if (mpc::xent::ignoredLabel(labels[r], options.ignoreIndex))
        continue;
      ++kept;
      const float *row = logits.data() + r * kClasses;
      mpc::xent::RowStats stats = deviceOrderStats(row, kClasses);
      double loss = mpc::xent::logSumExp(stats) - row[labels[r]];
      sum += loss;
      sumOfAbs += std::fabs(loss) + std::fabs(mpc::xent::logSumExp(stats));
    }
    int64_t bad;
    float want = softmaxCrossEntropy(logits.data(), labels.data(), kRows,
                                     kClasses, options, &bad);
    float got =
        static_cast<float>(mpc::xent::reduceLoss(sum, kept, options.reduction));
    // Per row: the log-sum-exp bound and the subtraction's rounding; then
    // the reduction and the final rounding to f32.
    double rowsBound = kept * sumBound + 6 * kU * sumOfAbs;
    double divisor = options.reduction == MPC_LOSS_MEAN ? kept : 1;
    EXPECT_LE(std::fabs(got - want),
              rowsBound / divisor + 2 * kU * std::fabs(want));

    std::vector<float> wantGrad(logits.size());
    softmaxCrossEntropyGrad(dloss, logits.data(), labels.data(), kRows,
                            kClasses, options, wantGrad.data(), &bad);
    float scale = mpc::xent::gradScale(dloss, kept, options.reduction);
    for (int64_t r = 0; r < kRows; ++r) {
      const float *row = logits.data() + r * kClasses;
      mpc::xent::RowStats stats = deviceOrderStats(row, kClasses);
      for (int64_t c = 0; c < kClasses; ++c) {
        float p = mpc::xent::probability(row[c], stats);
        float gotGrad =
            mpc::xent::gradElement(p, c, labels[r], options.ignoreIndex, scale);
        // p is off by at most (sumBound + 2u) p; p - 1 and the product by
        // the scale round once each.
        double tol = ((sumBound + 2 * kU) * p + kU * std::fabs(p - 1.0)) *
                         std::fabs(scale) +
                     kU * std::fabs(wantGrad[r * kClasses + c]);
        EXPECT_LE(std::fabs(gotGrad - wantGrad[r * kClasses + c]), tol)
            << "row " << r << " class " << c;
      }
    }
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
