//===- LayerNorm.cu - layer normalization and its gradient ----------------===//
//
// A block per row computes the row statistics in double, as the CPU
// reference does; mpc.add_layer_norm's residual add runs in the same block,
// storing the rounded sum before the statistics read it back. The backward
// is one launch (NormalizationGrad.cuh): each block walks a slice of the
// rows, computing dx and adding dgamma's and dbeta's terms per column as it
// goes; the last block adds the blocks' f32 partials in block order,
// deterministically, without float atomics.
//
//===----------------------------------------------------------------------===//

#include "BlockReduce.cuh"
#include "Context.h"
#include "DeviceMath.cuh"
#include "NormalizationGrad.cuh"

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
  /// With an addend, the row normalized is x + addend, rounded to xType
  /// and stored to sum first (mpc.add_layer_norm).
  const void *addend = nullptr;
  void *sum = nullptr;
};

__global__ void layerNormKernel(ForwardArgs args) {
  int64_t row = blockIdx.x, base = row * args.cols;
  const void *input = args.x;
  if (args.addend) {
    // Each thread reads back only the elements it stored, in the same
    // column order as rowStats and the write below, so no barrier is needed.
    for (int64_t c = threadIdx.x; c < args.cols; c += blockDim.x)
      storeAs(args.sum, args.xType, base + c,
              math::add(loadAs(args.x, args.xType, base + c),
                        loadAs(args.addend, args.xType, base + c)));
    input = args.sum;
  }
  RowStats stats = rowStats(input, args.xType, row, args.cols, args.epsilon);
  for (int64_t c = threadIdx.x; c < args.cols; c += blockDim.x) {
    float x = loadAs(input, args.xType, base + c);
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
  int64_t cols;
  double epsilon;
  NormalizationPartials partials; ///< dgamma then dbeta
  void *grads[2];                 ///< dgamma, dbeta
};

/// dx of each row of the block's slice, accumulating dy xhat (dgamma) and
/// dy (dbeta) per column as the CPU reference does; the last block sums
/// them.
__global__ void layerNormGradKernel(GradArgs args) {
  normalizationGradBlock<2>(
      args.partials, args.grads, args.paramType, [&](int64_t row, float *acc) {
        int64_t base = row * args.cols;
        RowStats stats =
            rowStats(args.x, args.xType, row, args.cols, args.epsilon);
        auto xhatAt = [&](int64_t c) {
          return (loadAs(args.x, args.xType, base + c) - stats.mean) *
                 stats.rstd;
        };
        auto dyAt = [&](int64_t c) {
          return loadAs(args.dy, args.dyType, base + c);
        };
        auto gAt = [&](int64_t c) {
          return static_cast<double>(dyAt(c)) *
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
          double xhat = xhatAt(c);
          float dy = dyAt(c);
          double value = stats.rstd * (gAt(c) - meanG - xhat * meanGXhat);
          storeAs(args.dx, args.dyType, base + c, static_cast<float>(value));
          addTerm(acc, args.cols, 0, c,
                  math::mul(dy, static_cast<float>(xhat)));
          addTerm(acc, args.cols, 1, c, dy);
        }
      });
}

/// Checks the call and launches a block per row.
int launchLayerNorm(mpc_rt *rt, const char *what, int64_t rows,
                    const ForwardArgs &args) {
  if (checkRowNormalization(rt, what, args.xType, "gamma", args.paramType,
                            args.yType, rows, args.cols))
    return -1;
  if (rows * args.cols == 0)
    return 0;
  layerNormKernel<<<static_cast<unsigned>(rows), rowThreads(args.cols), 0,
                    rt->stream>>>(args);
  return mpc_rt_check_launch(rt, what);
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_layer_norm(mpc_rt *rt, const void *x, mpc_dtype x_type,
                      const void *gamma, const void *beta, mpc_dtype param_type,
                      void *y, mpc_dtype y_type, int64_t rows, int64_t cols,
                      double epsilon) {
  return launchLayerNorm(
      rt, "mpc_rt_layer_norm", rows,
      {x, gamma, beta, x_type, param_type, y, y_type, cols, epsilon});
}

int mpc_rt_add_layer_norm(mpc_rt *rt, const void *a, const void *b,
                          mpc_dtype x_type, void *sum, const void *gamma,
                          const void *beta, mpc_dtype param_type, void *y,
                          mpc_dtype y_type, int64_t rows, int64_t cols,
                          double epsilon) {
  return launchLayerNorm(
      rt, "mpc_rt_add_layer_norm", rows,
      {a, gamma, beta, x_type, param_type, y, y_type, cols, epsilon, b, sum});
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
  GradArgs args{dy, x,    gamma,   dx_type, x_type,         param_type,
                dx, cols, epsilon, {},      {dgamma, dbeta}};
  if (planNormalizationScratch(rt, what, rows, cols, 2, args.partials))
    return -1;
  return launchNormalizationGrad(rt, what, layerNormGradKernel, args.partials,
                                 args);
}

} // extern "C"
