//===- Optimizer.cu - SGD, momentum and AdamW on f32 masters --------------===//
//
// In place, element for element runtime/core/ScalarMath.h's updates, which
// the CPU reference kernels call too. Kernels are instantiated per gradient
// storage type.
// mpc_rt_adamw_multi updates many tensors in one launch (TensorChunks.h)
// and writes each updated master's low-precision copy in the same pass.
// Each thread updates 8 consecutive elements, with 16-byte vectors when
// every pointer is aligned. When skip_if is set and the flag is 1 on the
// device, the kernel returns before writing anything. The learning rate of
// the step is computed on the device from the step count and the schedule,
// once per block, so a captured graph follows the schedule.
//
//===----------------------------------------------------------------------===//

#include "Context.h"
#include "Elementwise.cuh"
#include "TensorChunks.h"
#include "runtime/core/ScalarMath.h"

#include <vector>

namespace mpc::cuda {
namespace {

/// Calls update(g, p, s1, s2) for each element of [begin, end) with the
/// gradient (of storage type G) as f32 and references to the parameter and
/// up to two f32 state values (s1, s2 may be null arrays; their values are
/// then 0 and dropped), then writes the updated parameter to `copy` (of
/// storage type C, rounded to nearest even) when it is not null. Groups of 8
/// elements are split over (thread, stride) and moved as 16-byte vectors
/// when every array is aligned.
template <typename G, typename C, typename F>
__device__ void updateRange(float *param, float *s1, float *s2, const G *grad,
                            C *copy, int64_t begin, int64_t end,
                            bool vectorized, int64_t thread, int64_t stride,
                            F &&update) {
  for (int64_t i = begin + thread * 8; i < end; i += stride * 8) {
    if (vectorized && i + 8 <= end) {
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
      if (copy)
        store8(copy, i, p);
      continue;
    }
    for (int64_t j = i; j < end && j < i + 8; ++j) {
      float p = param[j], a = s1 ? s1[j] : 0.0f, b = s2 ? s2[j] : 0.0f;
      update(load(grad, j), p, a, b);
      param[j] = p;
      if (s1)
        s1[j] = a;
      if (s2)
        s2[j] = b;
      if (copy)
        store(copy, j, p);
    }
  }
}

/// updateRange over [0, n) with a grid-stride loop and no copy.
template <typename G, typename F>
__device__ void updateElements(float *param, float *s1, float *s2,
                               const G *grad, int64_t n, bool vectorized,
                               F &&update) {
  updateRange(param, s1, s2, grad, static_cast<float *>(nullptr), 0, n,
              vectorized, blockIdx.x * int64_t(blockDim.x) + threadIdx.x,
              int64_t(gridDim.x) * blockDim.x, update);
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

/// The tensors of one multi-tensor AdamW launch (TensorChunks.h); block b
/// updates chunkOf(blockStart, n, count, b).
struct AdamwTable {
  float *param[kTensorsPerLaunch], *m[kTensorsPerLaunch], *v[kTensorsPerLaunch];
  const void *grad[kTensorsPerLaunch];
  void *copy[kTensorsPerLaunch];
  double weightDecay[kTensorsPerLaunch];
  int64_t n[kTensorsPerLaunch];
  int64_t blockStart[kTensorsPerLaunch + 1];
  mpc_dtype gradType[kTensorsPerLaunch], copyType[kTensorsPerLaunch];
  bool vectorized[kTensorsPerLaunch];
  int count;
};

/// The settings every tensor of a multi-tensor AdamW call shares.
struct AdamwShared {
  const float *step;
  double lr;
  mpc_lr_schedule schedule;
  double beta1, beta2, eps;
  const uint8_t *skipIf;
};

__global__ void adamwMultiKernel(AdamwTable table, AdamwShared a) {
  if (a.skipIf && *a.skipIf)
    return;
  ChunkRange c = chunkOf(table.blockStart, table.n, table.count, blockIdx.x);
  int t = c.tensor;
  // The per-step scalars of this block's tensor, as adamwKernel's.
  __shared__ math::AdamwFactors factors;
  if (threadIdx.x == 0) {
    auto step = static_cast<double>(*a.step);
    factors = math::adamwFactors(
        step, math::scheduledLearningRate(a.lr, a.schedule, step), a.beta1,
        a.beta2, a.eps, table.weightDecay[t]);
  }
  __syncthreads();
  math::AdamwFactors f = factors;
  auto update = [&](float g, float &p, float &m, float &v) {
    math::adamwStep(p, m, v, g, f);
  };
  withFloatType(table.gradType[t], [&](auto gradTag) {
    using G = typename decltype(gradTag)::type;
    const auto *grad = static_cast<const G *>(table.grad[t]);
    if (!table.copy[t]) {
      updateRange(table.param[t], table.m[t], table.v[t], grad,
                  static_cast<float *>(nullptr), c.begin, c.end,
                  table.vectorized[t], threadIdx.x, blockDim.x, update);
      return;
    }
    withFloatType(table.copyType[t], [&](auto copyTag) {
      using C = typename decltype(copyTag)::type;
      updateRange(table.param[t], table.m[t], table.v[t], grad,
                  static_cast<C *>(table.copy[t]), c.begin, c.end,
                  table.vectorized[t], threadIdx.x, blockDim.x, update);
    });
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

int mpc_rt_adamw_multi(mpc_rt *rt, const mpc_adamw_tensor *tensors, int count,
                       const float *step, double lr, mpc_lr_schedule schedule,
                       double beta1, double beta2, double eps,
                       const uint8_t *skip_if) {
  const char *what = "mpc_rt_adamw_multi";
  if (count < 0 || (count > 0 && !tensors))
    return mpc_rt_fail(rt, "%s: invalid tensor list", what);
  if (!step)
    return mpc_rt_fail(rt, "%s: AdamW needs the step count", what);
  std::vector<int64_t> sizes(count);
  for (int i = 0; i < count; ++i) {
    const mpc_adamw_tensor &ref = tensors[i];
    if (ref.n < 0 ||
        (ref.n > 0 && (!ref.param || !ref.grad || !ref.m || !ref.v)))
      return mpc_rt_fail(rt, "%s: tensor %d has n %lld and a null pointer",
                         what, i, static_cast<long long>(ref.n));
    if (checkFloat(rt, what, "a grad", ref.grad_type) ||
        (ref.copy && checkFloat(rt, what, "a copy", ref.copy_type)))
      return -1;
    sizes[i] = ref.n;
  }
  AdamwShared shared{step, lr, schedule, beta1, beta2, eps, skip_if};
  for (const ChunkLaunch &launch : planChunkLaunches(sizes.data(), count)) {
    if (launch.blocks() > 0x7fffffff)
      return mpc_rt_fail(rt, "%s: the tensors exceed the grid", what);
    AdamwTable table{};
    table.count = launch.count;
    for (int t = 0; t <= launch.count; ++t)
      table.blockStart[t] = launch.blockStart[t];
    for (int t = 0; t < launch.count; ++t) {
      const mpc_adamw_tensor &ref = tensors[launch.tensor[t]];
      table.param[t] = ref.param;
      table.m[t] = ref.m;
      table.v[t] = ref.v;
      table.grad[t] = ref.grad;
      table.copy[t] = ref.copy;
      table.weightDecay[t] = ref.weight_decay;
      table.n[t] = ref.n;
      table.gradType[t] = ref.grad_type;
      table.copyType[t] = ref.copy ? ref.copy_type : MPC_F32;
      table.vectorized[t] = aligned16(ref.param) && aligned16(ref.m) &&
                            aligned16(ref.v) && aligned16(ref.grad) &&
                            (!ref.copy || aligned16(ref.copy));
    }
    adamwMultiKernel<<<static_cast<unsigned>(launch.blocks()), 256, 0,
                       rt->stream>>>(table, shared);
    if (mpc_rt_check_launch(rt, what))
      return -1;
  }
  return 0;
}

} // extern "C"
