//===- RmsNormMath.h - the per-row maths of RMS normalization ---*- C++ -*-===//
//
// The scalar steps of mpc.rms_norm and its gradient, for the CPU reference
// kernel (runtime/cpu/kernels/Normalization.cpp) and the CUDA kernels
// (runtime/cuda/RmsNorm.cu). A row's statistic is the reciprocal root mean
// square rstd = 1 / sqrt(sum(x^2) / cols + epsilon), summed and evaluated in
// double; xhat = x rstd. With g = dy weight, the input gradient is
// rstd (g - xhat mean(g xhat)) and the weight gradient sums dy xhat over
// the rows. Products and sums go through mpc::math, so neither side
// contracts them.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_RMSNORMMATH_H
#define MPC_RUNTIME_CORE_RMSNORMMATH_H

#include "ScalarMath.h"

namespace mpc::rms {

/// The term `x` adds to its row's sum of squares.
MPC_HD double square(float x) {
  return math::mul(static_cast<double>(x), static_cast<double>(x));
}

/// 1 / sqrt(sumSquares / cols + epsilon): the row's reciprocal root mean
/// square.
MPC_HD double reciprocalRms(double sumSquares, int64_t cols, double epsilon) {
  double meanSquare = math::div(sumSquares, static_cast<double>(cols));
  return math::div(1.0, ::sqrt(math::add(meanSquare, epsilon)));
}

/// x rstd, the normalized value, in double.
MPC_HD double normalized(float x, double rstd) {
  return math::mul(static_cast<double>(x), rstd);
}

/// The forward output: the normalized value rounded to f32, times weight.
MPC_HD float output(float x, double rstd, float weight) {
  return math::mul(static_cast<float>(normalized(x, rstd)), weight);
}

/// g = dy weight, the gradient at xhat.
MPC_HD double scaledGrad(float dy, float weight) {
  return math::mul(static_cast<double>(dy), static_cast<double>(weight));
}

/// rstd (g - xhat meanGXhat), with meanGXhat = mean over the row of g xhat.
MPC_HD float inputGrad(double g, double xhat, double rstd, double meanGXhat) {
  return static_cast<float>(
      math::mul(rstd, math::sub(g, math::mul(xhat, meanGXhat))));
}

/// The term row `x` adds to its column's weight gradient: dy xhat in f32.
MPC_HD float weightGradTerm(float dy, float x, double rstd) {
  return math::mul(dy, static_cast<float>(normalized(x, rstd)));
}

} // namespace mpc::rms

#endif // MPC_RUNTIME_CORE_RMSNORMMATH_H
