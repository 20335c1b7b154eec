//===- CrossEntropy.cu - softmax cross-entropy and mean squared error -----===//
//
// The cross-entropy is fused: the forward pass keeps only one f32 loss per
// row (no probabilities), the backward pass recomputes the row's softmax on
// the fly. The means over rows and elements add per-row or per-block values
// in double, in a fixed order, as the CPU reference accumulates in double;
// the intermediate values live in the context scratch.
//
//===----------------------------------------------------------------------===//

#include "BlockReduce.cuh"
#include "Context.h"
#include "DeviceMath.cuh"

#include <algorithm>

namespace mpc::cuda {
namespace {

/// The max and sum(exp(x - max)) of one row, on every thread of the block.
struct RowSoftmax {
  float max, sum;
};

__device__ RowSoftmax rowSoftmax(const void *logits, mpc_dtype type,
                                 int64_t base, int64_t classes) {
  float max = -INFINITY;
  for (int64_t c = threadIdx.x; c < classes; c += blockDim.x)
    max = fmaxf(max, loadAs(logits, type, base + c));
  max = blockMax(max);
  float sum = 0.0f;
  for (int64_t c = threadIdx.x; c < classes; c += blockDim.x)
    sum += expf(loadAs(logits, type, base + c) - max);
  return {max, blockSum(sum)};
}

/// rowLoss[r] = logsumexp(row) - row[label] in f32; NaN for a label outside
/// [0, classes), which makes the mean NaN.
__global__ void xentRowsKernel(const void *logits, mpc_dtype type,
                               const int32_t *labels, float *rowLoss,
                               int64_t classes) {
  int64_t row = blockIdx.x, base = row * classes;
  RowSoftmax s = rowSoftmax(logits, type, base, classes);
  if (threadIdx.x != 0)
    return;
  int32_t label = labels[row];
  if (label < 0 || label >= classes) {
    rowLoss[row] = NAN;
    return;
  }
  float logSumExp = s.max + logf(s.sum);
  rowLoss[row] = logSumExp - loadAs(logits, type, base + label);
}

/// *out = float(sum(values[0..n)) in double / divisor), one block.
__global__ void meanOfKernel(const float *values, const double *doubles,
                             int64_t n, double divisor, float *out) {
  double sum = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
    sum += values ? static_cast<double>(values[i]) : doubles[i];
  sum = blockSum(sum);
  if (threadIdx.x == 0)
    *out = static_cast<float>(sum / divisor);
}

struct XentGradArgs {
  const void *dloss;
  mpc_dtype dlossType;
  const void *logits;
  mpc_dtype logitsType;
  const int32_t *labels;
  void *dlogits;
  mpc_dtype dlogitsType;
  int64_t rows, classes;
};

__global__ void xentGradKernel(XentGradArgs args) {
  int64_t row = blockIdx.x, base = row * args.classes;
  RowSoftmax s = rowSoftmax(args.logits, args.logitsType, base, args.classes);
  float scale =
      loadAs(args.dloss, args.dlossType, 0) / static_cast<float>(args.rows);
  int32_t label = args.labels[row];
  for (int64_t c = threadIdx.x; c < args.classes; c += blockDim.x) {
    float p =
        expf(loadAs(args.logits, args.logitsType, base + c) - s.max) / s.sum;
    if (c == label)
      p -= 1.0f;
    storeAs(args.dlogits, args.dlogitsType, base + c, p * scale);
  }
}

constexpr int kMseThreads = 256, kMseBlocks = 1024;

__global__ void mseBlocksKernel(const void *p, const void *t, mpc_dtype type,
                                int64_t n, double *partials) {
  double sum = 0;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    double diff = static_cast<double>(loadAs(p, type, i)) - loadAs(t, type, i);
    sum += diff * diff;
  }
  sum = blockSum(sum);
  if (threadIdx.x == 0)
    partials[blockIdx.x] = sum;
}

int checkRows(mpc_rt *rt, const char *what, int64_t rows, int64_t classes) {
  if (checkSizes(rt, what, {rows, classes}))
    return -1;
  if (rows > 0x7fffffff)
    return mpc_rt_fail(rt, "%s: %lld rows exceed the grid", what,
                       static_cast<long long>(rows));
  return 0;
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_softmax_xent(mpc_rt *rt, const void *logits, mpc_dtype type,
                        const int32_t *labels, float *loss, int64_t rows,
                        int64_t classes) {
  const char *what = "mpc_rt_softmax_xent";
  if (checkRows(rt, what, rows, classes) ||
      checkFloat(rt, what, "the logits", type))
    return -1;
  if (rows == 0 || classes == 0)
    return mpc_rt_fail(rt, "%s: empty logits %lld x %lld", what,
                       static_cast<long long>(rows),
                       static_cast<long long>(classes));
  if (rows * sizeof(float) > rt->scratchBytes)
    return mpc_rt_fail(rt, "%s: %lld rows exceed the context scratch", what,
                       static_cast<long long>(rows));
  auto *rowLoss = static_cast<float *>(rt->scratch);
  xentRowsKernel<<<static_cast<unsigned>(rows), rowThreads(classes), 0,
                   rt->stream>>>(logits, type, labels, rowLoss, classes);
  if (mpc_rt_check_launch(rt, what))
    return -1;
  meanOfKernel<<<1, 256, 0, rt->stream>>>(rowLoss, nullptr, rows,
                                          static_cast<double>(rows), loss);
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_softmax_xent_grad(mpc_rt *rt, const void *dloss,
                             mpc_dtype dloss_type, const void *logits,
                             mpc_dtype logits_type, const int32_t *labels,
                             void *dlogits, mpc_dtype dlogits_type,
                             int64_t rows, int64_t classes) {
  const char *what = "mpc_rt_softmax_xent_grad";
  if (checkRows(rt, what, rows, classes) ||
      checkFloat(rt, what, "dloss", dloss_type) ||
      checkFloat(rt, what, "the logits", logits_type) ||
      checkFloat(rt, what, "dlogits", dlogits_type))
    return -1;
  if (rows * classes == 0)
    return 0;
  XentGradArgs args{dloss,   dloss_type,   logits, logits_type, labels,
                    dlogits, dlogits_type, rows,   classes};
  xentGradKernel<<<static_cast<unsigned>(rows), rowThreads(classes), 0,
                   rt->stream>>>(args);
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_mse_loss(mpc_rt *rt, const void *p, const void *t, mpc_dtype type,
                    float *loss, int64_t n) {
  const char *what = "mpc_rt_mse_loss";
  if (checkSizes(rt, what, {n}) || checkFloat(rt, what, "the tensors", type))
    return -1;
  if (n == 0)
    return mpc_rt_fail(rt, "%s: empty tensors", what);
  int64_t blocks =
      std::min<int64_t>(kMseBlocks, (n + kMseThreads - 1) / kMseThreads);
  auto *partials = static_cast<double *>(rt->scratch);
  mseBlocksKernel<<<static_cast<unsigned>(blocks), kMseThreads, 0,
                    rt->stream>>>(p, t, type, n, partials);
  if (mpc_rt_check_launch(rt, what))
    return -1;
  meanOfKernel<<<1, 256, 0, rt->stream>>>(nullptr, partials, blocks,
                                          static_cast<double>(n), loss);
  return mpc_rt_check_launch(rt, what);
}

} // extern "C"
