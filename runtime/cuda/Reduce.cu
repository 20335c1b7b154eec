//===- Reduce.cu - sum and mean over the middle axis ----------------------===//
//
// [outer, axis, inner] -> [outer, inner] accumulated in f32. With inner == 1
// a block reduces a row with warp shuffles; otherwise blocks of (32 inner
// positions x 8 axis slices) walk the axis and combine the slices in shared
// memory, so loads stay coalesced along inner.
//
//===----------------------------------------------------------------------===//

#include "BlockReduce.cuh"
#include "Context.h"
#include "DeviceMath.cuh"

#include <cmath>

namespace mpc::cuda {
namespace {

struct ReduceArgs {
  const void *in;
  mpc_dtype inType;
  void *out;
  mpc_dtype outType;
  int64_t outer, axis, inner;
  // sum / divisor when divisor != 0 (a mean, as the CPU reference divides),
  // else sum * scale.
  float divisor, scale;
};

__device__ float finish(const ReduceArgs &args, float sum) {
  return args.divisor != 0.0f ? sum / args.divisor : sum * args.scale;
}

__global__ void reduceRowsKernel(ReduceArgs args) {
  int64_t base = static_cast<int64_t>(blockIdx.x) * args.axis;
  float sum = 0.0f;
  for (int64_t j = threadIdx.x; j < args.axis; j += blockDim.x)
    sum += loadAs(args.in, args.inType, base + j);
  sum = blockSum(sum);
  if (threadIdx.x == 0)
    storeAs(args.out, args.outType, blockIdx.x, finish(args, sum));
}

constexpr int kTileInner = 32, kTileAxis = 8;

__global__ void reduceColumnsKernel(ReduceArgs args) {
  __shared__ float partial[kTileAxis][kTileInner];
  int64_t i = blockIdx.x * int64_t(kTileInner) + threadIdx.x;
  int64_t o = blockIdx.y;
  float sum = 0.0f;
  if (i < args.inner)
    for (int64_t j = threadIdx.y; j < args.axis; j += kTileAxis)
      sum += loadAs(args.in, args.inType, (o * args.axis + j) * args.inner + i);
  partial[threadIdx.y][threadIdx.x] = sum;
  __syncthreads();
  if (threadIdx.y != 0 || i >= args.inner)
    return;
  for (int k = 1; k < kTileAxis; ++k)
    sum += partial[k][threadIdx.x];
  storeAs(args.out, args.outType, o * args.inner + i, finish(args, sum));
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" int mpc_rt_reduce(mpc_rt *rt, const void *in, mpc_dtype in_type,
                             void *out, mpc_dtype out_type, int64_t outer,
                             int64_t axis, int64_t inner, double scale) {
  const char *what = "mpc_rt_reduce";
  if (checkSizes(rt, what, {outer, axis, inner}) ||
      checkFloat(rt, what, "the input", in_type) ||
      checkFloat(rt, what, "the output", out_type))
    return -1;
  if (outer * inner == 0)
    return 0;
  if (outer > 65535 && inner != 1)
    return mpc_rt_fail(rt, "%s: outer %lld exceeds the grid", what,
                       static_cast<long long>(outer));
  if (outer * inner > 0x7fffffff)
    return mpc_rt_fail(rt, "%s: %lld outputs exceed the grid", what,
                       static_cast<long long>(outer * inner));
  // A scale of 1 / count is a mean: divide by the count like reduceMean.
  double inverse = 1.0 / scale;
  bool isMean = scale != 1.0 && std::isfinite(inverse) &&
                inverse == std::floor(inverse) && inverse >= 1.0;
  ReduceArgs args{in,
                  in_type,
                  out,
                  out_type,
                  outer,
                  axis,
                  inner,
                  isMean ? static_cast<float>(inverse) : 0.0f,
                  static_cast<float>(scale)};
  if (inner == 1) {
    reduceRowsKernel<<<static_cast<unsigned>(outer), rowThreads(axis), 0,
                       rt->stream>>>(args);
  } else {
    dim3 grid(static_cast<unsigned>((inner + kTileInner - 1) / kTileInner),
              static_cast<unsigned>(outer));
    reduceColumnsKernel<<<grid, dim3(kTileInner, kTileAxis), 0, rt->stream>>>(
        args);
  }
  return mpc_rt_check_launch(rt, what);
}
