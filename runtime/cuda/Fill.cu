//===- Fill.cu - constant tensors -----------------------------------------===//

#include "Context.h"
#include "Elementwise.cuh"

namespace mpc::cuda {
namespace {

template <typename T>
__global__ void fillFloatKernel(T *out, int64_t n, float value,
                                bool vectorized) {
  mapElements(static_cast<const T *>(nullptr), out, n, vectorized,
              [=](int64_t, float) { return value; });
}

__global__ void fillWordKernel(uint32_t *out, int64_t n, uint32_t word) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = word;
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" int mpc_rt_fill(mpc_rt *rt, void *out, mpc_dtype type, int64_t n,
                           double value) {
  const char *what = "mpc_rt_fill";
  if (checkSizes(rt, what, {n}))
    return -1;
  if (n == 0)
    return 0;
  if (type == MPC_I1) {
    if (cudaMemsetAsync(out, value != 0.0 ? 1 : 0, n, rt->stream) !=
        cudaSuccess)
      return mpc_rt_fail(rt, "%s: cannot set %lld bytes", what,
                         static_cast<long long>(n));
    return 0;
  }
  if (type == MPC_I32) {
    auto word = static_cast<uint32_t>(static_cast<int32_t>(value));
    fillWordKernel<<<gridFor(n, 256), 256, 0, rt->stream>>>(
        static_cast<uint32_t *>(out), n, word);
    return mpc_rt_check_launch(rt, what);
  }
  if (checkFloat(rt, what, "the output", type))
    return -1;
  // As the CPU executor: the constant is an f32 first, then rounded to type.
  withFloatType(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    fillFloatKernel<<<elementwiseGrid(n), 256, 0, rt->stream>>>(
        static_cast<T *>(out), n, static_cast<float>(value), aligned16(out));
  });
  return mpc_rt_check_launch(rt, what);
}
