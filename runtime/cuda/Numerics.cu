//===- Numerics.cu - --check-numerics statistics of a tensor --------------===//
//
// Counts, for one op output, what runtime/core/NumericsCheck.h classifies:
// the same per-element function as the CPU reference executor, applied to
// the stored values (the device keeps no f32 copy of a 16-bit result, so a
// nonzero value rounded to zero counts as a zero here; subnormals are
// counted). Each warp sums its threads' counts with shuffles and adds them
// to the result with one atomic per field.
//
//===----------------------------------------------------------------------===//

#include "Context.h"
#include "DeviceMath.cuh"

#include "runtime/core/NumericsCheck.h"

namespace mpc::cuda {
namespace {

using numerics::NumericsCounts;

__device__ uint64_t warpSum(uint64_t value) {
  for (int offset = 16; offset > 0; offset /= 2)
    value += __shfl_down_sync(0xffffffffu, value, offset);
  return value;
}

__device__ float warpMax(float value) {
  for (int offset = 16; offset > 0; offset /= 2)
    value = fmaxf(value, __shfl_down_sync(0xffffffffu, value, offset));
  return value;
}

template <typename T>
__global__ void numericsKernel(const T *in, int64_t n, mpc_dtype dtype,
                               NumericsCounts *out) {
  NumericsCounts counts;
  int64_t stride = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += stride) {
    float stored = load(in, i);
    counts.add(numerics::classifyValue(dtype, stored, stored), stored);
  }
  // After the loop every thread of the warp takes part in the shuffles.
  uint64_t nonFinite = warpSum(counts.nonFinite);
  uint64_t nonzero = warpSum(counts.nonzero);
  uint64_t flushed = warpSum(counts.flushed);
  uint64_t elements = warpSum(counts.elements);
  float maxAbs = warpMax(counts.maxAbs);
  if (threadIdx.x % 32 != 0)
    return;
  auto add = [](uint64_t *field, uint64_t value) {
    if (value)
      atomicAdd(reinterpret_cast<unsigned long long *>(field),
                static_cast<unsigned long long>(value));
  };
  add(&out->elements, elements);
  add(&out->nonFinite, nonFinite);
  add(&out->nonzero, nonzero);
  add(&out->flushed, flushed);
  // Non-negative floats order as their bits do.
  atomicMax(reinterpret_cast<unsigned int *>(&out->maxAbs),
            __float_as_uint(maxAbs));
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" int mpc_rt_check_numerics(mpc_rt *rt, const void *in, mpc_dtype type,
                                     int64_t n, void *counts) {
  const char *what = "mpc_rt_check_numerics";
  if (checkSizes(rt, what, {n}) || checkFloat(rt, what, "the input", type))
    return -1;
  if (n == 0)
    return 0;
  withFloatType(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    // Whole warps: the block size is a multiple of 32.
    numericsKernel<<<gridFor(n, 256), 256, 0, rt->stream>>>(
        static_cast<const T *>(in), n, type,
        static_cast<mpc::numerics::NumericsCounts *>(counts));
  });
  return mpc_rt_check_launch(rt, what);
}
