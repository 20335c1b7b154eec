//===- RmsNormMathTest.cpp - the per-row maths of RMS normalization -------===//
//
// runtime/core/RmsNormMath.h is what the CUDA kernels compute with, one row
// per block with the sums split over threads. These tests run the helpers
// on the host in that thread-strided order and compare with the CPU
// kernel, and check the formulas' own properties.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "runtime/core/RmsNormMath.h"

using namespace mpc;
using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

/// A row's sum of rms::square terms as a block of `threads` computes it:
/// each thread sums its strided columns, then the partials are added.
double stridedSumOfSquares(const float *x, int64_t cols, int threads) {
  std::vector<double> partial(threads, 0.0);
  for (int t = 0; t < threads; ++t)
    for (int64_t c = t; c < cols; c += threads)
      partial[t] = math::add(partial[t], rms::square(x[c]));
  double sum = 0;
  for (double p : partial)
    sum = math::add(sum, p);
  return sum;
}

TEST(RmsNormMath, ReciprocalRmsOfKnownRows) {
  // Squares 4 + 4 + 4 over 3 columns: mean 4, rstd 1/2 exactly.
  EXPECT_EQ(rms::reciprocalRms(12.0, 3, 0.0), 0.5);
  // eps is added to the mean square, not to the sum.
  EXPECT_DOUBLE_EQ(rms::reciprocalRms(0.0, 8, 0.25), 2.0);
  EXPECT_DOUBLE_EQ(rms::reciprocalRms(3.0, 4, 0.25), 1.0);
}

TEST(RmsNormMath, OutputRoundsTheNormalizedValueThenScales) {
  double rstd = 1.0 / 3.0;
  float x = 1.0f, weight = 3.0f;
  // float(1/3) * 3 rounds to 1 in f32; the double product would be exact.
  EXPECT_EQ(rms::output(x, rstd, weight),
            static_cast<float>(x * rstd) * weight);
  EXPECT_EQ(rms::weightGradTerm(2.0f, x, rstd),
            2.0f * static_cast<float>(x * rstd));
}

TEST(RmsNormMath, ThreadStridedRowsMatchTheCpuKernel) {
  const int64_t rows = 5, cols = 300;
  const double eps = 1e-6;
  std::vector<float> x = randomData(rows * cols, 31, -3.f, 5.f);
  std::vector<float> weight = randomData(cols, 32, 0.5f, 1.5f);
  std::vector<float> expected(x.size());
  rmsNorm(x.data(), weight.data(), expected.data(), rows, cols, eps);
  for (int threads : {32, 128, 1024}) {
    SCOPED_TRACE(threads);
    std::vector<double> got(x.size());
    for (int64_t r = 0; r < rows; ++r) {
      const float *xr = x.data() + r * cols;
      double rstd =
          rms::reciprocalRms(stridedSumOfSquares(xr, cols, threads), cols, eps);
      for (int64_t c = 0; c < cols; ++c)
        got[r * cols + c] = rms::output(xr[c], rstd, weight[c]);
    }
    // The double sums differ only in their last bits: f32 outputs agree to
    // an ulp.
    expectAllClose(expected, got, 1.2e-7, 0);
  }
}

TEST(RmsNormMath, InputGradientIsOrthogonalToTheInput) {
  // rms_norm(s x) = rms_norm(x) for s > 0 when eps is 0, so the input
  // gradient has no component along x: sum(dx x) = 0.
  const int64_t cols = 64;
  std::vector<float> x = randomData(cols, 33, -2.f, 2.f);
  std::vector<float> dy = randomData(cols, 34);
  std::vector<float> weight = randomData(cols, 35, 0.5f, 1.5f);
  double rstd =
      rms::reciprocalRms(stridedSumOfSquares(x.data(), cols, 32), cols, 0.0);
  double sumGXhat = 0;
  for (int64_t c = 0; c < cols; ++c)
    sumGXhat += rms::scaledGrad(dy[c], weight[c]) * rms::normalized(x[c], rstd);
  double meanGXhat = sumGXhat / cols;
  double dot = 0, scale = 0;
  for (int64_t c = 0; c < cols; ++c) {
    float dx = rms::inputGrad(rms::scaledGrad(dy[c], weight[c]),
                              rms::normalized(x[c], rstd), rstd, meanGXhat);
    dot += static_cast<double>(dx) * x[c];
    scale += std::abs(static_cast<double>(dx) * x[c]);
  }
  EXPECT_LT(std::abs(dot), 1e-6 * scale);
  // And the gradient is not trivially zero.
  EXPECT_GT(scale, 1.0);
}

TEST(RmsNormMath, CpuGradientUsesTheHelpers) {
  const int64_t rows = 3, cols = 40;
  const double eps = 1e-5;
  std::vector<float> x = randomData(rows * cols, 36, -2.f, 2.f);
  std::vector<float> dy = randomData(rows * cols, 37);
  std::vector<float> weight = randomData(cols, 38, 0.5f, 1.5f);
  std::vector<float> dx(x.size()), dweight(cols);
  rmsNormGrad(dy.data(), x.data(), weight.data(), dx.data(), dweight.data(),
              rows, cols, eps);
  std::vector<double> expectedDx(x.size()), expectedDw(cols, 0.0);
  std::vector<float> dw(cols, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x.data() + r * cols, *dyr = dy.data() + r * cols;
    double rstd =
        rms::reciprocalRms(stridedSumOfSquares(xr, cols, 32), cols, eps);
    double sumGXhat = 0;
    for (int64_t c = 0; c < cols; ++c) {
      sumGXhat =
          math::add(sumGXhat, math::mul(rms::scaledGrad(dyr[c], weight[c]),
                                        rms::normalized(xr[c], rstd)));
      dw[c] = math::add(dw[c], rms::weightGradTerm(dyr[c], xr[c], rstd));
    }
    double meanGXhat = sumGXhat / cols;
    for (int64_t c = 0; c < cols; ++c)
      expectedDx[r * cols + c] =
          rms::inputGrad(rms::scaledGrad(dyr[c], weight[c]),
                         rms::normalized(xr[c], rstd), rstd, meanGXhat);
  }
  for (int64_t c = 0; c < cols; ++c)
    expectedDw[c] = dw[c];
  expectAllClose(dx, expectedDx, 1e-6, 1e-7);
  expectAllClose(dweight, expectedDw, 1e-6, 1e-7);
}

} // namespace
