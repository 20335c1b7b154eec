//===- RmsNorm.cu - RMS normalization and its gradient --------------------===//
//
// One block per row sums the row's squares in double and takes the
// reciprocal root mean square with the CPU reference's formulas
// (runtime/core/RmsNormMath.h). The backward is one launch, as layer
// norm's (NormalizationGrad.cuh): each block walks a slice of the rows,
// computing dx and adding dweight's terms per column as it goes; the last
// block adds the blocks' f32 partials in block order.
//
//===----------------------------------------------------------------------===//

#include "BlockReduce.cuh"
#include "Context.h"
#include "DeviceMath.cuh"
#include "NormalizationGrad.cuh"
#include "runtime/core/RmsNormMath.h"

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
  int64_t cols;
  double epsilon;
  NormalizationPartials partials; ///< dweight
  void *grads[1];                 ///< dweight
};

/// dx of each row of the block's slice, accumulating dy xhat (dweight) per
/// column as the CPU reference does; the last block sums them.
__global__ void rmsNormGradKernel(GradArgs args) {
  normalizationGradBlock<1>(
      args.partials, args.grads, args.weightType, [&](int64_t row, float *acc) {
        int64_t base = row * args.cols;
        double rstd =
            rowReciprocalRms(args.x, args.xType, row, args.cols, args.epsilon);
        auto xAt = [&](int64_t c) {
          return loadAs(args.x, args.xType, base + c);
        };
        auto dyAt = [&](int64_t c) {
          return loadAs(args.dy, args.dyType, base + c);
        };
        auto gAt = [&](int64_t c) {
          return rms::scaledGrad(dyAt(c),
                                 loadAs(args.weight, args.weightType, c));
        };
        double sumGXhat = 0;
        for (int64_t c = threadIdx.x; c < args.cols; c += blockDim.x)
          sumGXhat = math::add(
              sumGXhat, math::mul(gAt(c), rms::normalized(xAt(c), rstd)));
        double meanGXhat =
            math::div(blockSum(sumGXhat), static_cast<double>(args.cols));
        for (int64_t c = threadIdx.x; c < args.cols; c += blockDim.x) {
          float x = xAt(c), dy = dyAt(c);
          storeAs(args.dx, args.dyType, base + c,
                  rms::inputGrad(gAt(c), rms::normalized(x, rstd), rstd,
                                 meanGXhat));
          addTerm(acc, args.cols, 0, c, rms::weightGradTerm(dy, x, rstd));
        }
      });
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
  GradArgs args{dy, x,    weight,  dx_type, x_type,   weight_type,
                dx, cols, epsilon, {},      {dweight}};
  if (planNormalizationScratch(rt, what, rows, cols, 1, args.partials))
    return -1;
  return launchNormalizationGrad(rt, what, rmsNormGradKernel, args.partials,
                                 args);
}

} // extern "C"
