//===- Optimizer.cu - SGD, momentum and AdamW on f32 masters --------------===//
//
// In place, element for element the CPU reference's arithmetic (the library
// is built without fused multiply-adds, so the f32 updates round alike).
// Each thread updates 8 consecutive elements, with 16-byte vectors when
// every pointer is aligned. When skip_if is set and the flag is 1 on the
// device, the kernel returns before writing anything.
//
//===----------------------------------------------------------------------===//

#include "Context.h"
#include "Elementwise.cuh"

namespace mpc::cuda {
namespace {

/// Calls update(g, p, s1, s2) for each element with the gradient as f32 and
/// references to the parameter and up to two f32 state values (s1, s2 may be
/// null arrays; their values are then 0 and dropped), 8 elements per thread,
/// moved as 16-byte vectors when every array is aligned.
template <typename F>
__device__ void updateElements(float *param, float *s1, float *s2,
                               const void *grad, mpc_dtype type, int64_t n,
                               bool vectorized, F &&update) {
  int64_t thread = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  int64_t stride = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = thread * 8; i < n; i += stride * 8) {
    if (vectorized && i + 8 <= n) {
      float g[8], p[8], a[8] = {}, b[8] = {};
      load8(grad, type, i, g);
      load8(param, MPC_F32, i, p);
      if (s1)
        load8(s1, MPC_F32, i, a);
      if (s2)
        load8(s2, MPC_F32, i, b);
#pragma unroll
      for (int k = 0; k < 8; ++k)
        update(g[k], p[k], a[k], b[k]);
      store8(param, MPC_F32, i, p);
      if (s1)
        store8(s1, MPC_F32, i, a);
      if (s2)
        store8(s2, MPC_F32, i, b);
      continue;
    }
    for (int64_t j = i; j < n && j < i + 8; ++j) {
      float p = param[j], a = s1 ? s1[j] : 0.0f, b = s2 ? s2[j] : 0.0f;
      update(loadAs(grad, type, j), p, a, b);
      param[j] = p;
      if (s1)
        s1[j] = a;
      if (s2)
        s2[j] = b;
    }
  }
}

__global__ void sgdKernel(float *param, const void *grad, mpc_dtype type,
                          int64_t n, float lr, float weightDecay,
                          const uint8_t *skipIf, bool vectorized) {
  if (skipIf && *skipIf)
    return;
  updateElements(param, nullptr, nullptr, grad, type, n, vectorized,
                 [&](float g, float &p, float &, float &) {
                   p -= lr * (g + weightDecay * p);
                 });
}

__global__ void momentumKernel(float *param, const void *grad, mpc_dtype type,
                               float *buffer, int64_t n, float lr,
                               float momentum, float weightDecay,
                               const uint8_t *skipIf, bool vectorized) {
  if (skipIf && *skipIf)
    return;
  updateElements(param, buffer, nullptr, grad, type, n, vectorized,
                 [&](float gradient, float &p, float &b, float &) {
                   float g = gradient + weightDecay * p;
                   b = momentum * b + g;
                   p -= lr * b;
                 });
}

struct AdamwArgs {
  float *param, *m, *v;
  const void *grad;
  mpc_dtype type;
  int64_t n;
  const float *step;
  float lr, beta1, beta2, eps, weightDecay;
  const uint8_t *skipIf;
  bool vectorized;
};

__global__ void adamwKernel(AdamwArgs a) {
  if (a.skipIf && *a.skipIf)
    return;
  // The per-step scalars, in double as the CPU reference computes them.
  __shared__ float decay, stepSize, correction2Sqrt;
  if (threadIdx.x == 0) {
    auto stepD = static_cast<double>(*a.step);
    double biasCorrection1 = 1.0 - pow(static_cast<double>(a.beta1), stepD);
    double biasCorrection2 = 1.0 - pow(static_cast<double>(a.beta2), stepD);
    decay = static_cast<float>(1.0 - static_cast<double>(a.lr) * a.weightDecay);
    stepSize = static_cast<float>(a.lr / biasCorrection1);
    correction2Sqrt = static_cast<float>(sqrt(biasCorrection2));
  }
  __syncthreads();
  float oneMinusBeta1 = 1.0f - a.beta1, oneMinusBeta2 = 1.0f - a.beta2;
  float dec = decay, size = stepSize, c2 = correction2Sqrt;
  updateElements(a.param, a.m, a.v, a.grad, a.type, a.n, a.vectorized,
                 [&](float g, float &p, float &m, float &v) {
                   p *= dec;
                   m = a.beta1 * m + oneMinusBeta1 * g;
                   v = a.beta2 * v + oneMinusBeta2 * g * g;
                   float denom = sqrtf(v) / c2 + a.eps;
                   // addcdiv's order: (value * m) / denom.
                   p -= size * m / denom;
                 });
}

int checkOptimizer(mpc_rt *rt, const char *what, mpc_dtype type, int64_t n) {
  return checkSizes(rt, what, {n}) || checkFloat(rt, what, "grad", type) ? -1
                                                                         : 0;
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_sgd(mpc_rt *rt, float *param, const void *grad, mpc_dtype grad_type,
               int64_t n, double lr, double weight_decay,
               const uint8_t *skip_if) {
  const char *what = "mpc_rt_sgd";
  if (checkOptimizer(rt, what, grad_type, n))
    return -1;
  if (n == 0)
    return 0;
  sgdKernel<<<elementwiseGrid(n), 256, 0, rt->stream>>>(
      param, grad, grad_type, n, static_cast<float>(lr),
      static_cast<float>(weight_decay), skip_if,
      aligned16(grad) && aligned16(param));
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_momentum(mpc_rt *rt, float *param, const void *grad,
                    mpc_dtype grad_type, float *buffer, int64_t n, double lr,
                    double momentum, double weight_decay,
                    const uint8_t *skip_if) {
  const char *what = "mpc_rt_momentum";
  if (checkOptimizer(rt, what, grad_type, n))
    return -1;
  if (n == 0)
    return 0;
  momentumKernel<<<elementwiseGrid(n), 256, 0, rt->stream>>>(
      param, grad, grad_type, buffer, n, static_cast<float>(lr),
      static_cast<float>(momentum), static_cast<float>(weight_decay), skip_if,
      aligned16(grad) && aligned16(param) && aligned16(buffer));
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_adamw(mpc_rt *rt, float *param, const void *grad,
                 mpc_dtype grad_type, float *m, float *v, int64_t n,
                 const float *step, double lr, double beta1, double beta2,
                 double eps, double weight_decay, const uint8_t *skip_if) {
  const char *what = "mpc_rt_adamw";
  if (checkOptimizer(rt, what, grad_type, n))
    return -1;
  if (n == 0)
    return 0;
  AdamwArgs args{param,
                 m,
                 v,
                 grad,
                 grad_type,
                 n,
                 step,
                 static_cast<float>(lr),
                 static_cast<float>(beta1),
                 static_cast<float>(beta2),
                 static_cast<float>(eps),
                 static_cast<float>(weight_decay),
                 skip_if,
                 aligned16(grad) && aligned16(param) && aligned16(m) &&
                     aligned16(v)};
  adamwKernel<<<elementwiseGrid(n), 256, 0, rt->stream>>>(args);
  return mpc_rt_check_launch(rt, what);
}

} // extern "C"
