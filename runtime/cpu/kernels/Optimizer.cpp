//===- Optimizer.cpp - SGD, momentum, AdamW and gradient clipping ---------===//
//
// Updates follow PyTorch's single-tensor implementations (torch.optim.SGD and
// AdamW, torch.nn.utils.clip_grad_norm_) operation for operation, with the
// per-step scalars computed in double as Python computes them.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Kernels.h"

#include <algorithm>
#include <cmath>

namespace mpc::cpu {

void sgdUpdate(float *param, const float *grad, int64_t n, float lr,
               float weightDecay) {
  for (int64_t i = 0; i < n; ++i)
    param[i] -= lr * (grad[i] + weightDecay * param[i]);
}

void momentumUpdate(float *param, const float *grad, float *buffer, int64_t n,
                    float lr, float momentum, float weightDecay) {
  for (int64_t i = 0; i < n; ++i) {
    float g = grad[i] + weightDecay * param[i];
    buffer[i] = momentum * buffer[i] + g;
    param[i] -= lr * buffer[i];
  }
}

void adamwUpdate(float *param, const float *grad, float *m, float *v, int64_t n,
                 int64_t step, float lr, float beta1, float beta2, float eps,
                 float weightDecay) {
  auto stepD = static_cast<double>(step);
  double biasCorrection1 = 1.0 - std::pow(static_cast<double>(beta1), stepD);
  double biasCorrection2 = 1.0 - std::pow(static_cast<double>(beta2), stepD);
  auto decay = static_cast<float>(1.0 - static_cast<double>(lr) * weightDecay);
  auto stepSize = static_cast<float>(lr / biasCorrection1);
  auto correction2Sqrt = static_cast<float>(std::sqrt(biasCorrection2));
  float oneMinusBeta1 = 1.0f - beta1, oneMinusBeta2 = 1.0f - beta2;
  for (int64_t i = 0; i < n; ++i) {
    float g = grad[i];
    param[i] *= decay;
    m[i] = beta1 * m[i] + oneMinusBeta1 * g;
    v[i] = beta2 * v[i] + oneMinusBeta2 * g * g;
    float denom = std::sqrt(v[i]) / correction2Sqrt + eps;
    // addcdiv's order: (value * m) / denom.
    param[i] -= stepSize * m[i] / denom;
  }
}

float globalNorm(const std::vector<const float *> &grads,
                 const std::vector<int64_t> &sizes) {
  double sum = 0;
  for (size_t t = 0; t < grads.size(); ++t)
    for (int64_t i = 0; i < sizes[t]; ++i) {
      double g = grads[t][i];
      sum += g * g;
    }
  return static_cast<float>(std::sqrt(sum));
}

void scaleInPlace(float *data, int64_t n, float factor) {
  for (int64_t i = 0; i < n; ++i)
    data[i] *= factor;
}

float clipCoefficient(float norm, float maxNorm) {
  return std::min(1.0f, maxNorm / (norm + 1e-6f));
}

} // namespace mpc::cpu
