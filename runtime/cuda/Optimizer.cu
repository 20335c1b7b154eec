//===- Optimizer.cu - SGD, momentum and AdamW on f32 masters --------------===//
//
// In place, element for element runtime/core/ScalarMath.h's updates, which
// the CPU reference kernels call too. Kernels are instantiated per gradient
// storage type.
// Each thread updates 8 consecutive elements, with 16-byte vectors when
// every pointer is aligned. When skip_if is set and the flag is 1 on the
// device, the kernel returns before writing anything. The learning rate of
// the step is computed on the device from the step count and the schedule,
// once per block, so a captured graph follows the schedule.
//
//===----------------------------------------------------------------------===//

#include "Context.h"
#include "Elementwise.cuh"
#include "runtime/core/ScalarMath.h"

namespace mpc::cuda {
namespace {

/// Calls update(g, p, s1, s2) for each element with the gradient (of
/// storage type G) as f32 and references to the parameter and up to two f32
/// state values (s1, s2 may be null arrays; their values are then 0 and
/// dropped), 8 elements per thread, moved as 16-byte vectors when every array
/// is aligned.
template <typename G, typename F>
__device__ void updateElements(float *param, float *s1, float *s2,
                               const G *grad, int64_t n, bool vectorized,
                               F &&update) {
  int64_t thread = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  int64_t stride = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = thread * 8; i < n; i += stride * 8) {
    if (vectorized && i + 8 <= n) {
      float g[8], p[8], a[8] = {}, b[8] = {};
      load8(grad, i, g);
      load8(param, i, p);
      if (s1)
        load8(s1, i, a);
      if (s2)
        load8(s2, i, b);
#pragma unroll
      for (int k = 0; k < 8; ++k)
        update(g[k], p[k], a[k], b[k]);
      store8(param, i, p);
      if (s1)
        store8(s1, i, a);
      if (s2)
        store8(s2, i, b);
      continue;
    }
    for (int64_t j = i; j < n && j < i + 8; ++j) {
      float p = param[j], a = s1 ? s1[j] : 0.0f, b = s2 ? s2[j] : 0.0f;
      update(load(grad, j), p, a, b);
      param[j] = p;
      if (s1)
        s1[j] = a;
      if (s2)
        s2[j] = b;
    }
  }
}

/// The learning rate of this step: `lr` as given, or the schedule's rate
/// at the device step count; null `step` is the constant rate.
struct Rate {
  const float *step;
  double lr;
  mpc_lr_schedule schedule;

  __device__ double at() const {
    return step ? math::scheduledLearningRate(lr, schedule,
                                              static_cast<double>(*step))
                : lr;
  }
};

/// The rate rounded to f32 (SGD's and momentum's scalar), once per block.
__device__ float blockRate(const Rate &rate) {
  __shared__ float value;
  if (threadIdx.x == 0)
    value = static_cast<float>(rate.at());
  __syncthreads();
  return value;
}

template <typename G>
__global__ void sgdKernel(float *param, const G *grad, int64_t n, Rate rate,
                          float weightDecay, const uint8_t *skipIf,
                          bool vectorized) {
  if (skipIf && *skipIf)
    return;
  float lr = blockRate(rate);
  updateElements(param, nullptr, nullptr, grad, n, vectorized,
                 [&](float g, float &p, float &, float &) {
                   p = math::sgdStep(p, g, lr, weightDecay);
                 });
}

template <typename G>
__global__ void momentumKernel(float *param, const G *grad, float *buffer,
                               int64_t n, Rate rate, float momentum,
                               float weightDecay, const uint8_t *skipIf,
                               bool vectorized) {
  if (skipIf && *skipIf)
    return;
  float lr = blockRate(rate);
  updateElements(param, buffer, nullptr, grad, n, vectorized,
                 [&](float g, float &p, float &b, float &) {
                   math::momentumStep(p, b, g, lr, momentum, weightDecay);
                 });
}

struct AdamwArgs {
  float *param, *m, *v;
  const void *grad;
  int64_t n;
  const float *step;
  double lr;
  mpc_lr_schedule schedule;
  double beta1, beta2, eps, weightDecay;
  const uint8_t *skipIf;
  bool vectorized;
};

template <typename G> __global__ void adamwKernel(AdamwArgs a) {
  if (a.skipIf && *a.skipIf)
    return;
  // The per-step scalars, once per block.
  __shared__ math::AdamwFactors factors;
  if (threadIdx.x == 0) {
    auto step = static_cast<double>(*a.step);
    factors = math::adamwFactors(
        step, math::scheduledLearningRate(a.lr, a.schedule, step), a.beta1,
        a.beta2, a.eps, a.weightDecay);
  }
  __syncthreads();
  math::AdamwFactors f = factors;
  updateElements(a.param, a.m, a.v, static_cast<const G *>(a.grad), a.n,
                 a.vectorized, [&](float g, float &p, float &m, float &v) {
                   math::adamwStep(p, m, v, g, f);
                 });
}

int checkOptimizer(mpc_rt *rt, const char *what, mpc_dtype type, int64_t n) {
  return checkSizes(rt, what, {n}) || checkFloat(rt, what, "grad", type) ? -1
                                                                         : 0;
}

/// A schedule other than the constant rate reads the step count.
int checkSchedule(mpc_rt *rt, const char *what, const float *step,
                  const mpc_lr_schedule &schedule) {
  bool constant =
      schedule.kind == MPC_LR_CONSTANT && schedule.warmup_steps == 0;
  if (step || constant)
    return 0;
  return mpc_rt_fail(rt, "%s: a learning-rate schedule needs the step count",
                     what);
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_sgd(mpc_rt *rt, float *param, const void *grad, mpc_dtype grad_type,
               int64_t n, const float *step, double lr,
               mpc_lr_schedule schedule, double weight_decay,
               const uint8_t *skip_if) {
  const char *what = "mpc_rt_sgd";
  if (checkOptimizer(rt, what, grad_type, n) ||
      checkSchedule(rt, what, step, schedule))
    return -1;
  if (n == 0)
    return 0;
  withFloatType(grad_type, [&](auto tag) {
    using G = typename decltype(tag)::type;
    sgdKernel<<<elementwiseGrid(n), 256, 0, rt->stream>>>(
        param, static_cast<const G *>(grad), n, Rate{step, lr, schedule},
        static_cast<float>(weight_decay), skip_if,
        aligned16(grad) && aligned16(param));
  });
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_momentum(mpc_rt *rt, float *param, const void *grad,
                    mpc_dtype grad_type, float *buffer, int64_t n,
                    const float *step, double lr, mpc_lr_schedule schedule,
                    double momentum, double weight_decay,
                    const uint8_t *skip_if) {
  const char *what = "mpc_rt_momentum";
  if (checkOptimizer(rt, what, grad_type, n) ||
      checkSchedule(rt, what, step, schedule))
    return -1;
  if (n == 0)
    return 0;
  withFloatType(grad_type, [&](auto tag) {
    using G = typename decltype(tag)::type;
    momentumKernel<<<elementwiseGrid(n), 256, 0, rt->stream>>>(
        param, static_cast<const G *>(grad), buffer, n,
        Rate{step, lr, schedule}, static_cast<float>(momentum),
        static_cast<float>(weight_decay), skip_if,
        aligned16(grad) && aligned16(param) && aligned16(buffer));
  });
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_adamw(mpc_rt *rt, float *param, const void *grad,
                 mpc_dtype grad_type, float *m, float *v, int64_t n,
                 const float *step, double lr, mpc_lr_schedule schedule,
                 double beta1, double beta2, double eps, double weight_decay,
                 const uint8_t *skip_if) {
  const char *what = "mpc_rt_adamw";
  if (checkOptimizer(rt, what, grad_type, n))
    return -1;
  if (n == 0)
    return 0;
  AdamwArgs args{
      param,
      m,
      v,
      grad,
      n,
      step,
      lr,
      schedule,
      beta1,
      beta2,
      eps,
      weight_decay,
      skip_if,
      aligned16(grad) && aligned16(param) && aligned16(m) && aligned16(v)};
  withFloatType(grad_type, [&](auto tag) {
    using G = typename decltype(tag)::type;
    adamwKernel<G><<<elementwiseGrid(n), 256, 0, rt->stream>>>(args);
  });
  return mpc_rt_check_launch(rt, what);
}

} // extern "C"
