//===- RmsNorm.cu - RMS normalization and its gradient --------------------===//
//
// One block per row sums the row's squares in double and takes the
// reciprocal root mean square with the CPU reference's formulas
// (runtime/core/RmsNormMath.h). dweight is a column sum over the rows,
// reduced deterministically without atomics as LayerNorm.cu does: per-row
// statistics go to the context scratch, blocks over (column tile, row
// group) write f32 partial sums, and a last pass adds each column's
// partials in group order.
//
//===----------------------------------------------------------------------===//

#include "BlockReduce.cuh"
#include "Context.h"
#include "DeviceMath.cuh"
#include "runtime/core/RmsNormMath.h"

#include <algorithm>

namespace mpc::cuda {
namespace {

/// rms::reciprocalRms of row `row`, on every thread of the block.
__device__ double rowReciprocalRms(const void *x, mpc_dtype xType, int64_t row,
                                   int64_t cols, double epsilon) {
  int64_t base = row * cols;
  double sumSquares = 0;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x)
    sumSquares = math::add(sumSquares, rms::square(loadAs(x, xType, base + c)));
  return rms::reciprocalRms(blockSum(sumSquares), cols, epsilon);
}

struct ForwardArgs {
  const void *x, *weight;
  mpc_dtype xType, weightType;
  void *y;
  mpc_dtype yType;
  int64_t cols;
  double epsilon;
};

__global__ void rmsNormKernel(ForwardArgs args) {
  int64_t row = blockIdx.x, base = row * args.cols;
  double rstd =
      rowReciprocalRms(args.x, args.xType, row, args.cols, args.epsilon);
  for (int64_t c = threadIdx.x; c < args.cols; c += blockDim.x) {
    float value = rms::output(loadAs(args.x, args.xType, base + c), rstd,
                              loadAs(args.weight, args.weightType, c));
    storeAs(args.y, args.yType, base + c, value);
  }
}

struct GradArgs {
  const void *dy, *x, *weight;
  mpc_dtype dyType, xType, weightType;
  void *dx;
  int64_t rows, cols;
  double epsilon;
  double *rstd;    ///< [rows], written by the dx pass
  float *partials; ///< [groups, cols]: dweight partials
  int64_t groups;
  void *dweight;
};

__global__ void rmsNormGradKernel(GradArgs args) {
  int64_t row = blockIdx.x, base = row * args.cols;
  double rstd =
      rowReciprocalRms(args.x, args.xType, row, args.cols, args.epsilon);
  auto xhatAt = [&](int64_t c) {
    return rms::normalized(loadAs(args.x, args.xType, base + c), rstd);
  };
  auto gAt = [&](int64_t c) {
    return rms::scaledGrad(loadAs(args.dy, args.dyType, base + c),
                           loadAs(args.weight, args.weightType, c));
  };
  double sumGXhat = 0;
  for (int64_t c = threadIdx.x; c < args.cols; c += blockDim.x)
    sumGXhat = math::add(sumGXhat, math::mul(gAt(c), xhatAt(c)));
  double meanGXhat =
      math::div(blockSum(sumGXhat), static_cast<double>(args.cols));
  for (int64_t c = threadIdx.x; c < args.cols; c += blockDim.x)
    storeAs(args.dx, args.dyType, base + c,
            rms::inputGrad(gAt(c), xhatAt(c), rstd, meanGXhat));
  if (threadIdx.x == 0)
    args.rstd[row] = rstd;
}

constexpr int kTileCols = 32, kTileRows = 8;

/// Block (32, 8) over 32 columns of one row group: f32 partial sums of
/// dy * xhat, combined over threadIdx.y in a fixed order.
__global__ void rmsNormWeightPartialsKernel(GradArgs args) {
  __shared__ float part[kTileRows][kTileCols];
  int64_t c = blockIdx.x * int64_t(kTileCols) + threadIdx.x;
  int64_t rowsPerGroup = (args.rows + args.groups - 1) / args.groups;
  int64_t begin = blockIdx.y * rowsPerGroup;
  int64_t end = min(args.rows, begin + rowsPerGroup);
  float dweight = 0.0f;
  if (c < args.cols) {
    for (int64_t r = begin + threadIdx.y; r < end; r += kTileRows)
      dweight = math::add(
          dweight,
          rms::weightGradTerm(loadAs(args.dy, args.dyType, r * args.cols + c),
                              loadAs(args.x, args.xType, r * args.cols + c),
                              args.rstd[r]));
  }
  part[threadIdx.y][threadIdx.x] = dweight;
  __syncthreads();
  if (threadIdx.y != 0 || c >= args.cols)
    return;
  for (int k = 1; k < kTileRows; ++k)
    dweight = math::add(dweight, part[k][threadIdx.x]);
  args.partials[blockIdx.y * args.cols + c] = dweight;
}

__global__ void rmsNormWeightSumKernel(GradArgs args) {
  for (int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
       c < args.cols; c += int64_t(gridDim.x) * blockDim.x) {
    float dweight = 0.0f;
    for (int64_t g = 0; g < args.groups; ++g)
      dweight = math::add(dweight, args.partials[g * args.cols + c]);
    storeAs(args.dweight, args.weightType, c, dweight);
  }
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_rms_norm(mpc_rt *rt, const void *x, mpc_dtype x_type,
                    const void *weight, mpc_dtype weight_type, void *y,
                    mpc_dtype y_type, int64_t rows, int64_t cols,
                    double epsilon) {
  const char *what = "mpc_rt_rms_norm";
  if (checkRowNormalization(rt, what, x_type, "weight", weight_type, y_type,
                            rows, cols))
    return -1;
  if (rows * cols == 0)
    return 0;
  ForwardArgs args{x, weight, x_type, weight_type, y, y_type, cols, epsilon};
  rmsNormKernel<<<static_cast<unsigned>(rows), rowThreads(cols), 0,
                  rt->stream>>>(args);
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_rms_norm_grad(mpc_rt *rt, const void *dy, const void *x,
                         mpc_dtype x_type, const void *weight,
                         mpc_dtype weight_type, void *dx, mpc_dtype dx_type,
                         void *dweight, int64_t rows, int64_t cols,
                         double epsilon) {
  const char *what = "mpc_rt_rms_norm_grad";
  if (checkRowNormalization(rt, what, x_type, "weight", weight_type, dx_type,
                            rows, cols))
    return -1;
  if (cols == 0)
    return 0;
  if (rows == 0) {
    if (cudaMemsetAsync(dweight, 0, cols * mpc::elementSize(weight_type),
                        rt->stream) != cudaSuccess)
      return mpc_rt_fail(rt, "%s: cannot clear dweight", what);
    return 0;
  }
  NormalizationScratch plan;
  if (planNormalizationScratch(rt, what, rows, cols, sizeof(double),
                               cols * sizeof(float), kTileRows, plan))
    return -1;
  size_t statsBytes = plan.statsBytes;
  int64_t groups = plan.groups;
  auto *scratch = static_cast<char *>(rt->scratch);
  GradArgs args{dy,
                x,
                weight,
                dx_type,
                x_type,
                weight_type,
                dx,
                rows,
                cols,
                epsilon,
                reinterpret_cast<double *>(scratch),
                reinterpret_cast<float *>(scratch + statsBytes),
                groups,
                dweight};
  rmsNormGradKernel<<<static_cast<unsigned>(rows), rowThreads(cols), 0,
                      rt->stream>>>(args);
  if (mpc_rt_check_launch(rt, what))
    return -1;
  dim3 tile(kTileCols, kTileRows);
  dim3 grid(static_cast<unsigned>((cols + kTileCols - 1) / kTileCols),
            static_cast<unsigned>(groups));
  rmsNormWeightPartialsKernel<<<grid, tile, 0, rt->stream>>>(args);
  if (mpc_rt_check_launch(rt, what))
    return -1;
  rmsNormWeightSumKernel<<<gridFor(cols, 256), 256, 0, rt->stream>>>(args);
  return mpc_rt_check_launch(rt, what);
}

} // extern "C"
