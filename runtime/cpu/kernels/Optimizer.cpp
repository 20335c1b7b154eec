//===- Optimizer.cpp - SGD, momentum, AdamW and gradient clipping ---------===//
//
// Updates follow PyTorch's single-tensor implementations (torch.optim.SGD and
// AdamW, torch.nn.utils.clip_grad_norm_) operation for operation, with the
// per-step scalars computed in double as Python computes them. The element
// updates are runtime/core/ScalarMath.h's, shared with the GPU.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Kernels.h"

#include <cmath>

namespace mpc::cpu {

void sgdUpdate(float *param, const float *grad, int64_t n, float lr,
               float weightDecay) {
  for (int64_t i = 0; i < n; ++i)
    param[i] = math::sgdStep(param[i], grad[i], lr, weightDecay);
}

void momentumUpdate(float *param, const float *grad, float *buffer, int64_t n,
                    float lr, float momentum, float weightDecay) {
  for (int64_t i = 0; i < n; ++i)
    math::momentumStep(param[i], buffer[i], grad[i], lr, momentum, weightDecay);
}

void adamwUpdate(float *param, const float *grad, float *m, float *v, int64_t n,
                 int64_t step, double lr, double beta1, double beta2,
                 double eps, double weightDecay) {
  math::AdamwFactors factors = math::adamwFactors(
      static_cast<double>(step), lr, beta1, beta2, eps, weightDecay);
  for (int64_t i = 0; i < n; ++i)
    math::adamwStep(param[i], m[i], v[i], grad[i], factors);
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

} // namespace mpc::cpu
