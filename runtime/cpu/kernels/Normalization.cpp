//===- Normalization.cpp - softmax, log-softmax, layer and RMS norm -------===//

#include "runtime/core/RmsNormMath.h"
#include "runtime/cpu/kernels/AxisLoops.h"
#include "runtime/cpu/kernels/Indexing.h"

#include <algorithm>
#include <cmath>

namespace mpc::cpu {

namespace {

using detail::forAlongAxis;
using detail::maxAlongAxis;
using detail::sumAlongAxis;

/// Calls sliceFn(offset, length, inner, scratchA, scratchB) for each
/// [length, inner] slice of `shape` around `axis`; the two scratch rows hold
/// `inner` floats each for per-position statistics.
template <typename SliceFn>
void forEachSlice(const Shape &shape, int64_t axis, SliceFn &&sliceFn) {
  detail::AxisView view = detail::axisView(shape, axis);
  if (view.outer * view.length * view.inner == 0)
    return;
  std::vector<float> first(static_cast<size_t>(view.inner));
  std::vector<float> second(static_cast<size_t>(view.inner));
  for (int64_t o = 0; o < view.outer; ++o)
    sliceFn(o * view.length * view.inner, view.length, view.inner, first.data(),
            second.data());
}

/// The row statistics layer norm normalizes with.
struct RowStats {
  double mean;
  double rstd; ///< 1 / sqrt(var + epsilon)
};

RowStats rowStats(const float *x, int64_t cols, double epsilon) {
  double sum = 0;
  for (int64_t c = 0; c < cols; ++c)
    sum += x[c];
  double mean = sum / static_cast<double>(cols);
  // Two passes: the variance of the centred values does not cancel.
  double squares = 0;
  for (int64_t c = 0; c < cols; ++c) {
    double centred = x[c] - mean;
    squares += centred * centred;
  }
  double var = squares / static_cast<double>(cols);
  return {mean, 1.0 / std::sqrt(var + epsilon)};
}

} // namespace

void softmax(const float *in, float *out, const Shape &shape, int64_t axis) {
  forEachSlice(shape, axis,
               [&](int64_t offset, int64_t length, int64_t inner, float *max,
                   float *sum) {
                 const float *x = in + offset;
                 float *y = out + offset;
                 maxAlongAxis(x, length, inner, max);
                 sumAlongAxis(length, inner, sum, [&](int64_t at, int64_t i) {
                   return y[at] = std::exp(x[at] - max[i]);
                 });
                 forAlongAxis(length, inner,
                              [&](int64_t at, int64_t i) { y[at] /= sum[i]; });
               });
}

void logSoftmax(const float *in, float *out, const Shape &shape, int64_t axis) {
  forEachSlice(shape, axis,
               [&](int64_t offset, int64_t length, int64_t inner, float *max,
                   float *sum) {
                 const float *x = in + offset;
                 float *y = out + offset;
                 maxAlongAxis(x, length, inner, max);
                 sumAlongAxis(length, inner, sum, [&](int64_t at, int64_t i) {
                   return std::exp(x[at] - max[i]);
                 });
                 // Reuse `sum` for log(sum) so the log is taken once per
                 // position.
                 for (int64_t i = 0; i < inner; ++i)
                   sum[i] = std::log(sum[i]);
                 forAlongAxis(length, inner, [&](int64_t at, int64_t i) {
                   y[at] = x[at] - max[i] - sum[i];
                 });
               });
}

void softmaxGrad(const float *dy, const float *y, float *dx, const Shape &shape,
                 int64_t axis) {
  forEachSlice(
      shape, axis,
      [&](int64_t offset, int64_t length, int64_t inner, float *dot, float *) {
        const float *g = dy + offset;
        const float *s = y + offset;
        sumAlongAxis(length, inner, dot,
                     [&](int64_t at, int64_t) { return g[at] * s[at]; });
        forAlongAxis(length, inner, [&](int64_t at, int64_t i) {
          dx[offset + at] = s[at] * (g[at] - dot[i]);
        });
      });
}

void logSoftmaxGrad(const float *dy, const float *y, float *dx,
                    const Shape &shape, int64_t axis) {
  forEachSlice(
      shape, axis,
      [&](int64_t offset, int64_t length, int64_t inner, float *sum, float *) {
        const float *g = dy + offset;
        const float *s = y + offset;
        sumAlongAxis(length, inner, sum,
                     [&](int64_t at, int64_t) { return g[at]; });
        forAlongAxis(length, inner, [&](int64_t at, int64_t i) {
          dx[offset + at] = g[at] - std::exp(s[at]) * sum[i];
        });
      });
}

void layerNorm(const float *x, const float *gamma, const float *beta, float *y,
               int64_t rows, int64_t cols, double epsilon) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    RowStats stats = rowStats(xr, cols, epsilon);
    for (int64_t c = 0; c < cols; ++c) {
      auto normalized = static_cast<float>((xr[c] - stats.mean) * stats.rstd);
      yr[c] = normalized * gamma[c] + beta[c];
    }
  }
}

void layerNormGrad(const float *dy, const float *x, const float *gamma,
                   float *dx, float *dgamma, float *dbeta, int64_t rows,
                   int64_t cols, double epsilon) {
  std::fill(dgamma, dgamma + cols, 0.0f);
  std::fill(dbeta, dbeta + cols, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * cols;
    const float *dyr = dy + r * cols;
    float *dxr = dx + r * cols;
    RowStats stats = rowStats(xr, cols, epsilon);
    // With xhat = (x - mean) rstd and g = dy gamma (the gradient at xhat):
    // dx = rstd (g - mean(g) - xhat mean(g xhat)).
    double sumG = 0, sumGXhat = 0;
    for (int64_t c = 0; c < cols; ++c) {
      double xhat = (xr[c] - stats.mean) * stats.rstd;
      double g = static_cast<double>(dyr[c]) * gamma[c];
      sumG += g;
      sumGXhat += g * xhat;
      dgamma[c] += dyr[c] * static_cast<float>(xhat);
      dbeta[c] += dyr[c];
    }
    double meanG = sumG / static_cast<double>(cols);
    double meanGXhat = sumGXhat / static_cast<double>(cols);
    for (int64_t c = 0; c < cols; ++c) {
      double xhat = (xr[c] - stats.mean) * stats.rstd;
      double g = static_cast<double>(dyr[c]) * gamma[c];
      dxr[c] = static_cast<float>(stats.rstd * (g - meanG - xhat * meanGXhat));
    }
  }
}

namespace {

/// rms::reciprocalRms of one row, its squares summed in column order.
double rowReciprocalRms(const float *x, int64_t cols, double epsilon) {
  double sumSquares = 0;
  for (int64_t c = 0; c < cols; ++c)
    sumSquares = math::add(sumSquares, rms::square(x[c]));
  return rms::reciprocalRms(sumSquares, cols, epsilon);
}

} // namespace

void rmsNorm(const float *x, const float *weight, float *y, int64_t rows,
             int64_t cols, double epsilon) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    double rstd = rowReciprocalRms(xr, cols, epsilon);
    for (int64_t c = 0; c < cols; ++c)
      yr[c] = rms::output(xr[c], rstd, weight[c]);
  }
}

void rmsNormGrad(const float *dy, const float *x, const float *weight,
                 float *dx, float *dweight, int64_t rows, int64_t cols,
                 double epsilon) {
  std::fill(dweight, dweight + cols, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * cols;
    const float *dyr = dy + r * cols;
    float *dxr = dx + r * cols;
    double rstd = rowReciprocalRms(xr, cols, epsilon);
    double sumGXhat = 0;
    for (int64_t c = 0; c < cols; ++c) {
      sumGXhat =
          math::add(sumGXhat, math::mul(rms::scaledGrad(dyr[c], weight[c]),
                                        rms::normalized(xr[c], rstd)));
      dweight[c] =
          math::add(dweight[c], rms::weightGradTerm(dyr[c], xr[c], rstd));
    }
    double meanGXhat = math::div(sumGXhat, static_cast<double>(cols));
    for (int64_t c = 0; c < cols; ++c)
      dxr[c] = rms::inputGrad(rms::scaledGrad(dyr[c], weight[c]),
                              rms::normalized(xr[c], rstd), rstd, meanGXhat);
  }
}

} // namespace mpc::cpu
