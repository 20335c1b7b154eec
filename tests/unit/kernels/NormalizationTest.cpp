//===- NormalizationTest.cpp - softmax, log-softmax, layer and RMS norm ---===//

#include "TestUtil.h"

using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

/// Softmax (or log-softmax) along `axis` in double, the textbook way.
std::vector<double> referenceSoftmax(const std::vector<float> &x,
                                     const Shape &shape, int64_t axis,
                                     bool log) {
  std::vector<double> y(x.size());
  Shape strides(shape.size(), 1);
  for (size_t d = shape.size() - 1; d-- > 0;)
    strides[d] = strides[d + 1] * shape[d + 1];
  for (int64_t i = 0; i < numElements(shape); ++i) {
    Shape index = unravel(i, shape);
    // Position i's slice along the axis starts at the index with 0 there.
    int64_t base = i - index[axis] * strides[axis];
    double max = -INFINITY;
    for (int64_t j = 0; j < shape[axis]; ++j)
      max = std::max(max, static_cast<double>(x[base + j * strides[axis]]));
    double sum = 0;
    for (int64_t j = 0; j < shape[axis]; ++j)
      sum += std::exp(x[base + j * strides[axis]] - max);
    y[i] = log ? x[i] - max - std::log(sum) : std::exp(x[i] - max) / sum;
  }
  return y;
}

const Shape kShape = {3, 4, 5};

TEST(Softmax, EveryAxisMatchesReference) {
  std::vector<float> x = randomData(numElements(kShape), 10, -5.f, 5.f);
  for (int64_t axis : {0, 1, 2}) {
    SCOPED_TRACE(axis);
    std::vector<float> y(x.size()), logY(x.size());
    softmax(x.data(), y.data(), kShape, axis);
    logSoftmax(x.data(), logY.data(), kShape, axis);
    expectAllClose(y, referenceSoftmax(x, kShape, axis, false), 1e-6, 1e-7);
    expectAllClose(logY, referenceSoftmax(x, kShape, axis, true), 1e-6, 1e-6);
    // A negative axis counts from the end.
    std::vector<float> negative(x.size());
    softmax(x.data(), negative.data(), kShape, axis - 3);
    EXPECT_EQ(negative, y);
  }
}

TEST(Softmax, LargeLogitsAreStable) {
  std::vector<float> x = {1000.f, 1001.f, 1002.f, -1000.f};
  std::vector<float> y(4), logY(4);
  softmax(x.data(), y.data(), {4}, 0);
  logSoftmax(x.data(), logY.data(), {4}, 0);
  EXPECT_TRUE(allFinite(y.data(), 4));
  EXPECT_NEAR(y[2], 0.66524096, 1e-6);
  EXPECT_EQ(y[3], 0.0f);
  EXPECT_NEAR(logY[0], -2.40760596, 1e-5);
  EXPECT_NEAR(logY[3], -2002.40760596, 1e-3);
}

/// softmaxGrad / logSoftmaxGrad against central differences of the forward
/// kernels, for the loss sum(w * y).
void expectSoftmaxGradMatches(bool log, int64_t axis) {
  SCOPED_TRACE(::testing::Message() << "log " << log << " axis " << axis);
  std::vector<float> x = randomData(numElements(kShape), 11, -2.f, 2.f);
  std::vector<float> w = randomData(numElements(kShape), 12);
  auto forward = [&](const std::vector<float> &input) {
    std::vector<float> out(input.size());
    (log ? logSoftmax : softmax)(input.data(), out.data(), kShape, axis);
    return out;
  };
  std::vector<float> y = forward(x), dx(x.size());
  (log ? logSoftmaxGrad : softmaxGrad)(w.data(), y.data(), dx.data(), kShape,
                                       axis);
  expectGradientMatches(
      x,
      [&](const std::vector<float> &input) {
        return weightedSum(w, forward(input));
      },
      dx);
}

TEST(SoftmaxGrad, MatchesFiniteDifferences) {
  for (int64_t axis : {0, 1, 2}) {
    expectSoftmaxGradMatches(false, axis);
    expectSoftmaxGradMatches(true, axis);
  }
}

TEST(LayerNorm, MatchesReference) {
  const int64_t rows = 6, cols = 37;
  const double eps = 1e-5;
  std::vector<float> x = randomData(rows * cols, 13, -3.f, 5.f);
  std::vector<float> gamma = randomData(cols, 14, 0.5f, 1.5f);
  std::vector<float> beta = randomData(cols, 15);
  std::vector<float> y(x.size());
  layerNorm(x.data(), gamma.data(), beta.data(), y.data(), rows, cols, eps);
  std::vector<double> expected(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t c = 0; c < cols; ++c)
      mean += x[r * cols + c];
    mean /= cols;
    for (int64_t c = 0; c < cols; ++c)
      var += (x[r * cols + c] - mean) * (x[r * cols + c] - mean);
    var /= cols;
    for (int64_t c = 0; c < cols; ++c)
      expected[r * cols + c] =
          (x[r * cols + c] - mean) / std::sqrt(var + eps) * gamma[c] + beta[c];
  }
  expectAllClose(y, expected, 1e-6, 1e-6);
}

TEST(LayerNorm, ConstantRowGivesBeta) {
  std::vector<float> x(8, 3.0f), gamma(8, 2.0f), beta(8, 0.25f), y(8);
  layerNorm(x.data(), gamma.data(), beta.data(), y.data(), 1, 8, 1e-5);
  EXPECT_EQ(y, beta);
}

TEST(LayerNormGrad, MatchesFiniteDifferences) {
  const int64_t rows = 4, cols = 9;
  const double eps = 1e-5;
  std::vector<float> x = randomData(rows * cols, 16, -2.f, 2.f);
  std::vector<float> gamma = randomData(cols, 17, 0.5f, 1.5f);
  std::vector<float> beta = randomData(cols, 18);
  std::vector<float> w = randomData(rows * cols, 19);
  auto loss = [&](const std::vector<float> &xs, const std::vector<float> &g,
                  const std::vector<float> &b) {
    std::vector<float> y(xs.size());
    layerNorm(xs.data(), g.data(), b.data(), y.data(), rows, cols, eps);
    return weightedSum(w, y);
  };
  std::vector<float> dx(x.size()), dgamma(cols, NAN), dbeta(cols, NAN);
  layerNormGrad(w.data(), x.data(), gamma.data(), dx.data(), dgamma.data(),
                dbeta.data(), rows, cols, eps);
  {
    SCOPED_TRACE("dx");
    expectGradientMatches(
        x, [&](const std::vector<float> &v) { return loss(v, gamma, beta); },
        dx);
  }
  {
    SCOPED_TRACE("dgamma");
    expectGradientMatches(
        gamma, [&](const std::vector<float> &v) { return loss(x, v, beta); },
        dgamma);
  }
  {
    SCOPED_TRACE("dbeta");
    expectGradientMatches(
        beta, [&](const std::vector<float> &v) { return loss(x, gamma, v); },
        dbeta);
  }
}

TEST(RmsNorm, MatchesReference) {
  const int64_t rows = 6, cols = 37;
  const double eps = 1e-6;
  std::vector<float> x = randomData(rows * cols, 23, -3.f, 5.f);
  std::vector<float> weight = randomData(cols, 24, 0.5f, 1.5f);
  std::vector<float> y(x.size());
  rmsNorm(x.data(), weight.data(), y.data(), rows, cols, eps);
  std::vector<double> expected(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double squares = 0;
    for (int64_t c = 0; c < cols; ++c)
      squares += static_cast<double>(x[r * cols + c]) * x[r * cols + c];
    double rms = std::sqrt(squares / cols + eps);
    for (int64_t c = 0; c < cols; ++c)
      expected[r * cols + c] = x[r * cols + c] / rms * weight[c];
  }
  expectAllClose(y, expected, 1e-6, 1e-6);
}

TEST(RmsNorm, ConstantRowGivesItsSign) {
  // A row of one value v has rms |v| (eps aside): y = sign(v) * weight.
  std::vector<float> x = {-4.0f, -4.0f, -4.0f, -4.0f, 3.0f, 3.0f, 3.0f, 3.0f};
  std::vector<float> weight = {1.0f, 2.0f, 0.5f, -1.0f}, y(8);
  rmsNorm(x.data(), weight.data(), y.data(), 2, 4, 1e-12);
  std::vector<double> expected = {-1.0, -2.0, -0.5, 1.0, 1.0, 2.0, 0.5, -1.0};
  expectAllClose(y, expected, 1e-6, 0);
}

TEST(RmsNorm, ZeroRowStaysZero) {
  // eps keeps the statistic finite: 0 / sqrt(0 + eps) = 0.
  std::vector<float> x(5, 0.0f), weight(5, 3.0f), y(5, NAN);
  rmsNorm(x.data(), weight.data(), y.data(), 1, 5, 1e-6);
  EXPECT_EQ(y, x);
}

TEST(RmsNormGrad, MatchesFiniteDifferences) {
  const int64_t rows = 4, cols = 9;
  const double eps = 1e-5;
  std::vector<float> x = randomData(rows * cols, 26, -2.f, 2.f);
  std::vector<float> weight = randomData(cols, 27, 0.5f, 1.5f);
  std::vector<float> w = randomData(rows * cols, 28);
  auto loss = [&](const std::vector<float> &xs, const std::vector<float> &g) {
    std::vector<float> y(xs.size());
    rmsNorm(xs.data(), g.data(), y.data(), rows, cols, eps);
    return weightedSum(w, y);
  };
  std::vector<float> dx(x.size()), dweight(cols, NAN);
  rmsNormGrad(w.data(), x.data(), weight.data(), dx.data(), dweight.data(),
              rows, cols, eps);
  {
    SCOPED_TRACE("dx");
    expectGradientMatches(
        x, [&](const std::vector<float> &v) { return loss(v, weight); }, dx);
  }
  {
    SCOPED_TRACE("dweight");
    expectGradientMatches(
        weight, [&](const std::vector<float> &v) { return loss(x, v); },
        dweight);
  }
}

TEST(RmsNormGrad, NoRowsClearsTheWeightGradient) {
  std::vector<float> dweight(3, NAN);
  rmsNormGrad(nullptr, nullptr, nullptr, nullptr, dweight.data(), 0, 3, 1e-6);
  EXPECT_EQ(dweight, std::vector<float>(3, 0.0f));
}

} // namespace
