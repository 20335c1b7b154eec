//===- Reduce.cu - sum and mean over the middle axis ----------------------===//
//
// [outer, axis, inner] -> [outer, inner] accumulated in f32. With inner == 1
// a block reduces a row with warp shuffles; otherwise blocks of (32 inner
// positions x 8 axis lanes) walk a slice of the axis and combine the lanes
// in shared memory, so loads stay coalesced along inner. The axis is cut
// into enough slices to fill the GPU (BlockPartials.h, planColumnReduce);
// each block writes its partial per output to the scratch and the last
// block adds them in slice order, in the same launch.
//
//===----------------------------------------------------------------------===//

#include "BlockReduce.cuh"
#include "Context.h"
#include "DeviceMath.cuh"
#include "LastBlock.cuh"

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
  // Column reductions (inner > 1): the plan, the scratch partials of a
  // split axis and the context's counter.
  ColumnReducePlan plan;
  float *partials;
  unsigned int *counter;
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

/// Block (32, 8) over 32 inner positions of slice blockIdx.y of the axis
/// of outer index blockIdx.z.
__global__ void reduceColumnsKernel(ReduceArgs args) {
  __shared__ float lanes[kReduceTileAxis][kReduceTileInner];
  const ColumnReducePlan &plan = args.plan;
  int64_t i = blockIdx.x * int64_t(kReduceTileInner) + threadIdx.x;
  int64_t slice = blockIdx.y, o = blockIdx.z;
  int64_t end = plan.axis.end(slice);
  float sum = 0.0f;
  if (i < args.inner)
    for (int64_t j = plan.axis.begin(slice) + threadIdx.y; j < end;
         j += kReduceTileAxis)
      sum = math::add(sum, loadAs(args.in, args.inType,
                                  (o * args.axis + j) * args.inner + i));
  lanes[threadIdx.y][threadIdx.x] = sum;
  __syncthreads();
  bool writes = threadIdx.y == 0 && i < args.inner;
  if (writes)
    sum = sumInOrder(kReduceTileAxis,
                     [&](int64_t k) { return lanes[k][threadIdx.x]; });
  if (plan.axis.slices == 1) {
    if (writes)
      storeAs(args.out, args.outType, o * args.inner + i, finish(args, sum));
    return;
  }
  if (writes)
    args.partials[plan.partialIndex(o, slice, i)] = sum;
  if (!isLastBlock(args.counter))
    return;
  int threads = kReduceTileInner * kReduceTileAxis;
  for (int64_t k = threadIdx.y * kReduceTileInner + threadIdx.x;
       k < args.outer * args.inner; k += threads) {
    int64_t out = k / args.inner, in = k % args.inner;
    float total = sumPartials(args.partials + plan.partialIndex(out, 0, in),
                              plan.axis.slices, args.inner);
    storeAs(args.out, args.outType, k, finish(args, total));
  }
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
                  static_cast<float>(scale),
                  planColumnReduce(outer, axis, inner, rt->scratchBytes),
                  static_cast<float *>(rt->scratch),
                  rt->counter};
  if (inner == 1) {
    reduceRowsKernel<<<static_cast<unsigned>(outer), rowThreads(axis), 0,
                       rt->stream>>>(args);
  } else {
    dim3 grid(static_cast<unsigned>(args.plan.tiles),
              static_cast<unsigned>(args.plan.axis.slices),
              static_cast<unsigned>(outer));
    reduceColumnsKernel<<<grid, dim3(kReduceTileInner, kReduceTileAxis), 0,
                          rt->stream>>>(args);
  }
  return mpc_rt_check_launch(rt, what);
}
