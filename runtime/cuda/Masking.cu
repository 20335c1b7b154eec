//===- Masking.cu - causal mask and dropout -------------------------------===//
//
// Dropout regenerates the CPU reference's counter-based mask: element i is
// dropped iff uniform01(dropoutBits(dropoutKey(run seed, op seed, step), i))
// < rate, with runtime/core's functions on both (math::dropout), so both
// drop the same elements and scale the others alike. The run's seed and the
// step are read on the device, so a replayed graph uses the current step.
// Kernels are instantiated per storage type.
//
//===----------------------------------------------------------------------===//

#include "Context.h"
#include "Elementwise.cuh"
#include "runtime/core/ScalarMath.h"

namespace mpc::cuda {
namespace {

template <typename T>
__global__ void causalMaskKernel(const T *in, T *out, int64_t batch,
                                 int64_t rows, int64_t cols, float value) {
  int64_t total = batch * rows * cols;
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < total;
       e += int64_t(gridDim.x) * blockDim.x) {
    int64_t j = e % cols, i = (e / cols) % rows;
    if (j > i)
      store(out, e, value);
    else if (in != out)
      store(out, e, load(in, e));
  }
}

template <typename T>
__global__ void dropoutKernel(const T *in, T *out, int64_t n, double rate,
                              float scale, uint64_t opSeed,
                              const uint64_t *seedStep, bool vectorized) {
  uint64_t key = random::dropoutKey(seedStep[0], opSeed, seedStep[1]);
  mapElements(in, out, n, vectorized, [=](int64_t i, float x) {
    return math::dropout(x, key, static_cast<uint64_t>(i), rate, scale);
  });
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_causal_mask(mpc_rt *rt, const void *in, void *out, mpc_dtype type,
                       int64_t batch, int64_t rows, int64_t cols,
                       double value) {
  const char *what = "mpc_rt_causal_mask";
  if (checkSizes(rt, what, {batch, rows, cols}) ||
      checkFloat(rt, what, "the tensor", type))
    return -1;
  if (batch * rows * cols == 0)
    return 0;
  withFloatType(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    causalMaskKernel<<<gridFor(batch * rows * cols, 256), 256, 0, rt->stream>>>(
        static_cast<const T *>(in), static_cast<T *>(out), batch, rows, cols,
        static_cast<float>(value));
  });
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_dropout(mpc_rt *rt, const void *in, void *out, mpc_dtype type,
                   int64_t n, double rate, uint64_t op_seed,
                   const uint64_t *seed_step) {
  const char *what = "mpc_rt_dropout";
  if (checkSizes(rt, what, {n}) || checkFloat(rt, what, "the tensor", type))
    return -1;
  if (n == 0)
    return 0;
  size_t bytes = n * mpc::elementSize(type);
  if (rate <= 0.0) {
    if (in != out && cudaMemcpyAsync(out, in, bytes, cudaMemcpyDeviceToDevice,
                                     rt->stream) != cudaSuccess)
      return mpc_rt_fail(rt, "%s: cannot copy %zu bytes", what, bytes);
    return 0;
  }
  if (rate >= 1.0) {
    if (cudaMemsetAsync(out, 0, bytes, rt->stream) != cudaSuccess)
      return mpc_rt_fail(rt, "%s: cannot clear %zu bytes", what, bytes);
    return 0;
  }
  auto scale = static_cast<float>(1.0 / (1.0 - rate));
  withFloatType(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    dropoutKernel<<<elementwiseGrid(n), 256, 0, rt->stream>>>(
        static_cast<const T *>(in), static_cast<T *>(out), n, rate, scale,
        op_seed, seed_step, aligned16(in) && aligned16(out));
  });
  return mpc_rt_check_launch(rt, what);
}

} // extern "C"
