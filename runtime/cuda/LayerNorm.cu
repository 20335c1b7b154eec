//===- LayerNorm.cu - layer normalization and its gradient ----------------===//
//
// One block per row computes the row statistics in double, as the CPU
// reference does. dgamma and dbeta are column sums over the rows; they are
// reduced deterministically without atomics: per-row statistics go to the
// context scratch, blocks over (column tile, row group) write f32 partial
// sums, and a last pass adds each column's partials in group order.
//
//===----------------------------------------------------------------------===//

#include "BlockReduce.cuh"
#include "Context.h"
#include "DeviceMath.cuh"

#include <algorithm>

namespace mpc::cuda {
namespace {

struct RowStats {
  double mean, rstd;
};

/// The mean and 1 / sqrt(var + epsilon) of row `row` (two passes), on every
/// thread of the block.
__device__ RowStats rowStats(const void *x, mpc_dtype xType, int64_t row,
                             int64_t cols, double epsilon) {
  int64_t base = row * cols;
  double sum = 0;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x)
    sum += loadAs(x, xType, base + c);
  double mean = blockSum(sum) / static_cast<double>(cols);
  double squares = 0;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    double centred = loadAs(x, xType, base + c) - mean;
    squares += centred * centred;
  }
  double var = blockSum(squares) / static_cast<double>(cols);
  return {mean, 1.0 / sqrt(var + epsilon)};
}

struct ForwardArgs {
  const void *x, *gamma, *beta;
  mpc_dtype xType, paramType;
  void *y;
  mpc_dtype yType;
  int64_t cols;
  double epsilon;
};

__global__ void layerNormKernel(ForwardArgs args) {
  int64_t row = blockIdx.x, base = row * args.cols;
  RowStats stats = rowStats(args.x, args.xType, row, args.cols, args.epsilon);
  for (int64_t c = threadIdx.x; c < args.cols; c += blockDim.x) {
    float x = loadAs(args.x, args.xType, base + c);
    auto normalized = static_cast<float>((x - stats.mean) * stats.rstd);
    float value = normalized * loadAs(args.gamma, args.paramType, c) +
                  loadAs(args.beta, args.paramType, c);
    storeAs(args.y, args.yType, base + c, value);
  }
}

struct GradArgs {
  const void *dy, *x, *gamma;
  mpc_dtype dyType, xType, paramType;
  void *dx;
  int64_t rows, cols;
  double epsilon;
  RowStats *stats; ///< [rows], written by the dx pass
  float *partials; ///< [2, groups, cols]: dgamma then dbeta partials
  int64_t groups;
  void *dgamma, *dbeta;
};

__global__ void layerNormGradKernel(GradArgs args) {
  int64_t row = blockIdx.x, base = row * args.cols;
  RowStats stats = rowStats(args.x, args.xType, row, args.cols, args.epsilon);
  auto xhatAt = [&](int64_t c) {
    return (loadAs(args.x, args.xType, base + c) - stats.mean) * stats.rstd;
  };
  auto gAt = [&](int64_t c) {
    return static_cast<double>(loadAs(args.dy, args.dyType, base + c)) *
           loadAs(args.gamma, args.paramType, c);
  };
  double sumG = 0, sumGXhat = 0;
  for (int64_t c = threadIdx.x; c < args.cols; c += blockDim.x) {
    double g = gAt(c);
    sumG += g;
    sumGXhat += g * xhatAt(c);
  }
  double meanG = blockSum(sumG) / static_cast<double>(args.cols);
  double meanGXhat = blockSum(sumGXhat) / static_cast<double>(args.cols);
  for (int64_t c = threadIdx.x; c < args.cols; c += blockDim.x) {
    double value = stats.rstd * (gAt(c) - meanG - xhatAt(c) * meanGXhat);
    storeAs(args.dx, args.dyType, base + c, static_cast<float>(value));
  }
  if (threadIdx.x == 0)
    args.stats[row] = stats;
}

constexpr int kTileCols = 32, kTileRows = 8;

/// Block (32, 8) over 32 columns of one row group: f32 partial sums of
/// dy * xhat and dy, combined over threadIdx.y in a fixed order.
__global__ void layerNormParamPartialsKernel(GradArgs args) {
  __shared__ float gammaPart[kTileRows][kTileCols],
      betaPart[kTileRows][kTileCols];
  int64_t c = blockIdx.x * int64_t(kTileCols) + threadIdx.x;
  int64_t rowsPerGroup = (args.rows + args.groups - 1) / args.groups;
  int64_t begin = blockIdx.y * rowsPerGroup;
  int64_t end = min(args.rows, begin + rowsPerGroup);
  float dgamma = 0.0f, dbeta = 0.0f;
  if (c < args.cols) {
    for (int64_t r = begin + threadIdx.y; r < end; r += kTileRows) {
      RowStats stats = args.stats[r];
      float dy = loadAs(args.dy, args.dyType, r * args.cols + c);
      double x = loadAs(args.x, args.xType, r * args.cols + c);
      dgamma += dy * static_cast<float>((x - stats.mean) * stats.rstd);
      dbeta += dy;
    }
  }
  gammaPart[threadIdx.y][threadIdx.x] = dgamma;
  betaPart[threadIdx.y][threadIdx.x] = dbeta;
  __syncthreads();
  if (threadIdx.y != 0 || c >= args.cols)
    return;
  for (int k = 1; k < kTileRows; ++k) {
    dgamma += gammaPart[k][threadIdx.x];
    dbeta += betaPart[k][threadIdx.x];
  }
  args.partials[blockIdx.y * args.cols + c] = dgamma;
  args.partials[(args.groups + blockIdx.y) * args.cols + c] = dbeta;
}

__global__ void layerNormParamSumKernel(GradArgs args) {
  for (int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
       c < args.cols; c += int64_t(gridDim.x) * blockDim.x) {
    float dgamma = 0.0f, dbeta = 0.0f;
    for (int64_t g = 0; g < args.groups; ++g) {
      dgamma += args.partials[g * args.cols + c];
      dbeta += args.partials[(args.groups + g) * args.cols + c];
    }
    storeAs(args.dgamma, args.paramType, c, dgamma);
    storeAs(args.dbeta, args.paramType, c, dbeta);
  }
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_layer_norm(mpc_rt *rt, const void *x, mpc_dtype x_type,
                      const void *gamma, const void *beta, mpc_dtype param_type,
                      void *y, mpc_dtype y_type, int64_t rows, int64_t cols,
                      double epsilon) {
  const char *what = "mpc_rt_layer_norm";
  if (checkRowNormalization(rt, what, x_type, "gamma", param_type, y_type, rows,
                            cols))
    return -1;
  if (rows * cols == 0)
    return 0;
  ForwardArgs args{x, gamma,  beta, x_type, param_type,
                   y, y_type, cols, epsilon};
  layerNormKernel<<<static_cast<unsigned>(rows), rowThreads(cols), 0,
                    rt->stream>>>(args);
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_layer_norm_grad(mpc_rt *rt, const void *dy, const void *x,
                           mpc_dtype x_type, const void *gamma,
                           mpc_dtype param_type, void *dx, mpc_dtype dx_type,
                           void *dgamma, void *dbeta, int64_t rows,
                           int64_t cols, double epsilon) {
  const char *what = "mpc_rt_layer_norm_grad";
  if (checkRowNormalization(rt, what, x_type, "gamma", param_type, dx_type,
                            rows, cols))
    return -1;
  if (cols == 0)
    return 0;
  if (rows == 0) {
    size_t bytes = cols * mpc::elementSize(param_type);
    if (cudaMemsetAsync(dgamma, 0, bytes, rt->stream) != cudaSuccess ||
        cudaMemsetAsync(dbeta, 0, bytes, rt->stream) != cudaSuccess)
      return mpc_rt_fail(rt, "%s: cannot clear dgamma and dbeta", what);
    return 0;
  }
  NormalizationScratch plan;
  if (planNormalizationScratch(rt, what, rows, cols, sizeof(RowStats),
                               2 * cols * sizeof(float), kTileRows, plan))
    return -1;
  size_t statsBytes = plan.statsBytes;
  int64_t groups = plan.groups;
  auto *scratch = static_cast<char *>(rt->scratch);
  GradArgs args{dy,
                x,
                gamma,
                dx_type,
                x_type,
                param_type,
                dx,
                rows,
                cols,
                epsilon,
                reinterpret_cast<RowStats *>(scratch),
                reinterpret_cast<float *>(scratch + statsBytes),
                groups,
                dgamma,
                dbeta};
  layerNormGradKernel<<<static_cast<unsigned>(rows), rowThreads(cols), 0,
                        rt->stream>>>(args);
  if (mpc_rt_check_launch(rt, what))
    return -1;
  dim3 tile(kTileCols, kTileRows);
  dim3 grid(static_cast<unsigned>((cols + kTileCols - 1) / kTileCols),
            static_cast<unsigned>(groups));
  layerNormParamPartialsKernel<<<grid, tile, 0, rt->stream>>>(args);
  if (mpc_rt_check_launch(rt, what))
    return -1;
  layerNormParamSumKernel<<<gridFor(cols, 256), 256, 0, rt->stream>>>(args);
  return mpc_rt_check_launch(rt, what);
}

} // extern "C"
