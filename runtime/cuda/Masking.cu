//===- Masking.cu - causal mask and dropout -------------------------------===//
//
// Dropout regenerates the CPU reference's counter-based mask: element i is
// dropped iff uniform01(dropoutBits(dropoutKey(seed, step), i)) < rate, with
// runtime/core/Random.h's functions on both, so both drop the same elements. The seed
// and step are read on the device, so a replayed graph uses the current step.
//
//===----------------------------------------------------------------------===//

#include "Context.h"
#include "Elementwise.cuh"
#include "runtime/core/Random.h"

namespace mpc::cuda {
namespace {

__global__ void causalMaskKernel(const void *in, void *out, mpc_dtype type,
                                 int64_t batch, int64_t rows, int64_t cols,
                                 float value) {
  int64_t total = batch * rows * cols;
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < total;
       e += int64_t(gridDim.x) * blockDim.x) {
    int64_t j = e % cols, i = (e / cols) % rows;
    if (j > i)
      storeAs(out, type, e, value);
    else if (in != out)
      storeAs(out, type, e, loadAs(in, type, e));
  }
}

__global__ void dropoutKernel(const void *in, void *out, mpc_dtype type,
                              int64_t n, double rate, float scale,
                              const uint64_t *seedStep, bool vectorized) {
  uint64_t key = random::dropoutKey(seedStep[0], seedStep[1]);
  mapElements(in, type, out, type, n, vectorized, [=](int64_t i, float x) {
    double uniform = random::uniform01(
        random::dropoutBits(key, static_cast<uint64_t>(i)));
    return uniform < rate ? 0.0f : x * scale;
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
  causalMaskKernel<<<gridFor(batch * rows * cols, 256), 256, 0, rt->stream>>>(
      in, out, type, batch, rows, cols, static_cast<float>(value));
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_dropout(mpc_rt *rt, const void *in, void *out, mpc_dtype type,
                   int64_t n, double rate, const uint64_t *seed_step) {
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
  dropoutKernel<<<elementwiseGrid(n), 256, 0, rt->stream>>>(
      in, out, type, n, rate, scale, seed_step,
      aligned16(in) && aligned16(out));
  return mpc_rt_check_launch(rt, what);
}

} // extern "C"
