//===- CrossEntropy.cu - softmax cross-entropy and mean squared error -----===//
//
// The cross-entropy is fused: the forward pass keeps only one f32 loss per
// row (no probabilities), the backward pass recomputes the row's softmax on
// the fly. A row's maximum and sum of exponentials come from one online
// softmax pass (xent::RowStats), so the forward reads the logits once and
// the backward twice: once for the statistics, once to write the gradient,
// which may overwrite the logits (mpc-plan-memory plans it so when they die
// there): every read of the row ends at the block reduction before the
// first write, and each thread reads an element before it writes it.
// The means over rows and elements add per-row or per-block values
// in double, in a fixed order, as the CPU reference accumulates in double;
// the intermediate values live in the context scratch. The row rules
// (ignore_index, reduction) are runtime/core/CrossEntropyMath.h's; the
// number of kept rows is counted on the device, so no call waits for the
// host and a captured graph replays with new labels.
//
// mpc.softmax_cross_entropy_with_grad (mpc-fuse's merge of the two) is one
// launch: each block takes its row's statistics once, writes the row's
// gradient and loss, and the last block to finish (LastBlock.cuh) adds the
// row losses in row order into the loss.
//
//===----------------------------------------------------------------------===//

#include "BlockReduce.cuh"
#include "Context.h"
#include "DeviceMath.cuh"
#include "LastBlock.cuh"

#include "../core/CrossEntropyMath.h"

#include <algorithm>

namespace mpc::cuda {
namespace {

/// The states of the lanes of a warp combined, on every lane.
__device__ xent::RowStats warpRowStats(xent::RowStats stats) {
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) {
    xent::RowStats other{__shfl_xor_sync(0xffffffffu, stats.max, offset),
                         __shfl_xor_sync(0xffffffffu, stats.sum, offset)};
    stats = xent::combineRowStats(stats, other);
  }
  return stats;
}

/// The max and sum(exp(x - max)) of one row in one online pass, on every
/// thread of the block (blockDim.x a multiple of 32, at most 1024). Ends
/// with __syncthreads, after every thread's last read of the row.
__device__ xent::RowStats rowStats(const void *logits, mpc_dtype type,
                                   int64_t base, int64_t classes) {
  __shared__ xent::RowStats warpResults[32];
  __shared__ xent::RowStats result;
  xent::RowStats stats = xent::emptyRowStats();
  for (int64_t c = threadIdx.x; c < classes; c += blockDim.x)
    stats = xent::addLogit(stats, loadAs(logits, type, base + c));
  stats = warpRowStats(stats);
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0)
    warpResults[warp] = stats;
  __syncthreads();
  if (warp == 0) {
    int warps = (blockDim.x + 31) / 32;
    stats =
        warpRowStats(lane < warps ? warpResults[lane] : xent::emptyRowStats());
    if (lane == 0)
      result = stats;
  }
  __syncthreads();
  return result;
}

/// rowLoss[r] = logsumexp(row) - row[label] in f32; 0 for an ignored row;
/// NaN for a label neither ignored nor in [0, classes), which makes the
/// loss NaN.
__global__ void xentRowsKernel(const void *logits, mpc_dtype type,
                               const int32_t *labels, float *rowLoss,
                               int64_t classes, int64_t ignoreIndex) {
  int64_t row = blockIdx.x, base = row * classes;
  int32_t label = labels[row];
  // The whole block takes this branch: the row's label decides it.
  if (xent::ignoredLabel(label, ignoreIndex)) {
    if (threadIdx.x == 0)
      rowLoss[row] = 0.0f;
    return;
  }
  xent::RowStats stats = rowStats(logits, type, base, classes);
  if (threadIdx.x != 0)
    return;
  if (xent::badLabel(label, classes, ignoreIndex)) {
    rowLoss[row] = NAN;
    return;
  }
  rowLoss[row] = xent::logSumExp(stats) - loadAs(logits, type, base + label);
}

/// *loss = the kept rows' losses summed in double and reduced
/// (xent::reduceLoss), one block; the kept rows are counted from the labels.
__global__ void xentReduceKernel(const float *rowLoss, const int32_t *labels,
                                 int64_t rows, int64_t ignoreIndex,
                                 mpc_loss_reduction reduction, float *loss) {
  double sum = 0, kept = 0;
  for (int64_t i = threadIdx.x; i < rows; i += blockDim.x) {
    sum += static_cast<double>(rowLoss[i]);
    kept += !xent::ignoredLabel(labels[i], ignoreIndex);
  }
  sum = blockSum(sum);
  kept = blockSum(kept);
  if (threadIdx.x == 0)
    *loss = static_cast<float>(
        xent::reduceLoss(sum, static_cast<int64_t>(kept), reduction));
}

/// *kept = the number of rows whose label is not ignored, one block.
__global__ void keptRowsKernel(const int32_t *labels, int64_t rows,
                               int64_t ignoreIndex, int64_t *kept) {
  double count = 0;
  for (int64_t i = threadIdx.x; i < rows; i += blockDim.x)
    count += !xent::ignoredLabel(labels[i], ignoreIndex);
  count = blockSum(count);
  if (threadIdx.x == 0)
    *kept = static_cast<int64_t>(count);
}

/// Whether a loss divides by the rows it keeps, which are counted first.
bool countsKeptRows(int64_t ignoreIndex, mpc_loss_reduction reduction) {
  return reduction == MPC_LOSS_MEAN && ignoreIndex != MPC_NO_IGNORE_INDEX;
}

/// Counts the rows `labels` keeps into *kept (device memory); nonzero when
/// the launch fails.
int countKeptRows(mpc_rt *rt, const char *what, const int32_t *labels,
                  int64_t rows, int64_t ignoreIndex, int64_t *kept) {
  keptRowsKernel<<<1, 256, 0, rt->stream>>>(labels, rows, ignoreIndex, kept);
  return mpc_rt_check_launch(rt, what);
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
  int64_t rows, classes, ignoreIndex;
  mpc_loss_reduction reduction;
  /// The kept rows, counted on the device; null when every row is kept.
  const int64_t *kept;
};

/// One row per block; `dlogits` may be `logits` (see the file comment).
__global__ void xentGradKernel(XentGradArgs args) {
  int64_t row = blockIdx.x, base = row * args.classes;
  int32_t label = args.labels[row];
  // The whole block takes this branch: the row's label decides it.
  if (xent::ignoredLabel(label, args.ignoreIndex)) {
    for (int64_t c = threadIdx.x; c < args.classes; c += blockDim.x)
      storeAs(args.dlogits, args.dlogitsType, base + c, 0.0f);
    return;
  }
  xent::RowStats stats =
      rowStats(args.logits, args.logitsType, base, args.classes);
  float scale =
      xent::gradScale(loadAs(args.dloss, args.dlossType, 0),
                      args.kept ? *args.kept : args.rows, args.reduction);
  for (int64_t c = threadIdx.x; c < args.classes; c += blockDim.x) {
    float p = xent::probability(loadAs(args.logits, args.logitsType, base + c),
                                stats);
    storeAs(args.dlogits, args.dlogitsType, base + c,
            xent::gradElement(p, c, label, args.ignoreIndex, scale));
  }
}

struct XentWithGradArgs {
  XentGradArgs grad;
  float *loss;
  /// The row losses, in the context scratch.
  float *rowLoss;
  unsigned int *counter;
};

/// One row per block: the row's loss as xentRowsKernel computes it, its
/// gradient as xentGradKernel writes it (over the logits when `dlogits` is
/// `logits`), from one pass for the statistics; then the last block
/// reduces the row losses as xentReduceKernel does.
__global__ void xentWithGradKernel(XentWithGradArgs args) {
  const XentGradArgs &g = args.grad;
  int64_t row = blockIdx.x, base = row * g.classes;
  int32_t label = g.labels[row];
  // The whole block takes this branch: the row's label decides it.
  if (xent::ignoredLabel(label, g.ignoreIndex)) {
    for (int64_t c = threadIdx.x; c < g.classes; c += blockDim.x)
      storeAs(g.dlogits, g.dlogitsType, base + c, 0.0f);
    if (threadIdx.x == 0)
      args.rowLoss[row] = 0.0f;
  } else {
    bool bad = xent::badLabel(label, g.classes, g.ignoreIndex);
    // Read before rowStats' closing barrier, after which the gradient may
    // overwrite it.
    float labelLogit = threadIdx.x == 0 && !bad
                           ? loadAs(g.logits, g.logitsType, base + label)
                           : NAN;
    xent::RowStats stats = rowStats(g.logits, g.logitsType, base, g.classes);
    float scale = xent::gradScale(loadAs(g.dloss, g.dlossType, 0),
                                  g.kept ? *g.kept : g.rows, g.reduction);
    for (int64_t c = threadIdx.x; c < g.classes; c += blockDim.x) {
      float p =
          xent::probability(loadAs(g.logits, g.logitsType, base + c), stats);
      storeAs(g.dlogits, g.dlogitsType, base + c,
              xent::gradElement(p, c, label, g.ignoreIndex, scale));
    }
    if (threadIdx.x == 0)
      args.rowLoss[row] = xent::logSumExp(stats) - labelLogit;
  }
  if (!isLastBlock(args.counter))
    return;
  double sum = 0, kept = 0;
  for (int64_t i = threadIdx.x; i < g.rows; i += blockDim.x) {
    sum += static_cast<double>(__ldcg(args.rowLoss + i));
    kept += !xent::ignoredLabel(g.labels[i], g.ignoreIndex);
  }
  sum = blockSum(sum);
  kept = blockSum(kept);
  if (threadIdx.x == 0)
    *args.loss = static_cast<float>(
        xent::reduceLoss(sum, static_cast<int64_t>(kept), g.reduction));
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

int checkRows(mpc_rt *rt, const char *what, int64_t rows, int64_t classes,
              mpc_loss_reduction reduction) {
  if (checkSizes(rt, what, {rows, classes}))
    return -1;
  if (reduction != MPC_LOSS_MEAN && reduction != MPC_LOSS_SUM)
    return mpc_rt_fail(rt, "%s: unknown reduction %d", what,
                       static_cast<int>(reduction));
  if (rows > 0x7fffffff)
    return mpc_rt_fail(rt, "%s: %lld rows exceed the grid", what,
                       static_cast<long long>(rows));
  return 0;
}

/// checkRows, and the loss's gradient, the logits and their gradient
/// floats: what the gradient entry points check before anything else.
int checkGradient(mpc_rt *rt, const char *what, int64_t rows, int64_t classes,
                  mpc_loss_reduction reduction, mpc_dtype dlossType,
                  mpc_dtype logitsType, mpc_dtype dlogitsType) {
  if (checkRows(rt, what, rows, classes, reduction) ||
      checkFloat(rt, what, "dloss", dlossType) ||
      checkFloat(rt, what, "the logits", logitsType) ||
      checkFloat(rt, what, "dlogits", dlogitsType))
    return -1;
  return 0;
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_softmax_xent(mpc_rt *rt, const void *logits, mpc_dtype type,
                        const int32_t *labels, float *loss, int64_t rows,
                        int64_t classes, int64_t ignore_index,
                        mpc_loss_reduction reduction) {
  const char *what = "mpc_rt_softmax_xent";
  if (checkRows(rt, what, rows, classes, reduction) ||
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
                   rt->stream>>>(logits, type, labels, rowLoss, classes,
                                 ignore_index);
  if (mpc_rt_check_launch(rt, what))
    return -1;
  xentReduceKernel<<<1, 256, 0, rt->stream>>>(rowLoss, labels, rows,
                                              ignore_index, reduction, loss);
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_softmax_xent_grad(mpc_rt *rt, const void *dloss,
                             mpc_dtype dloss_type, const void *logits,
                             mpc_dtype logits_type, const int32_t *labels,
                             void *dlogits, mpc_dtype dlogits_type,
                             int64_t rows, int64_t classes,
                             int64_t ignore_index,
                             mpc_loss_reduction reduction) {
  const char *what = "mpc_rt_softmax_xent_grad";
  if (checkGradient(rt, what, rows, classes, reduction, dloss_type, logits_type,
                    dlogits_type))
    return -1;
  if (rows * classes == 0)
    return 0;
  // The mean of a loss that may skip rows divides by the kept rows, counted
  // first into the context scratch.
  const int64_t *kept = nullptr;
  if (countsKeptRows(ignore_index, reduction)) {
    if (rt->scratchBytes < sizeof(int64_t))
      return mpc_rt_fail(rt, "%s: the context scratch cannot hold the count",
                         what);
    auto *count = static_cast<int64_t *>(rt->scratch);
    if (countKeptRows(rt, what, labels, rows, ignore_index, count))
      return -1;
    kept = count;
  }
  XentGradArgs args{dloss,   dloss_type,   logits,       logits_type,
                    labels,  dlogits,      dlogits_type, rows,
                    classes, ignore_index, reduction,    kept};
  xentGradKernel<<<static_cast<unsigned>(rows), rowThreads(classes), 0,
                   rt->stream>>>(args);
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_softmax_xent_with_grad(mpc_rt *rt, const void *logits,
                                  mpc_dtype logits_type, const int32_t *labels,
                                  float *loss, const void *dloss,
                                  mpc_dtype dloss_type, void *dlogits,
                                  mpc_dtype dlogits_type, int64_t rows,
                                  int64_t classes, int64_t ignore_index,
                                  mpc_loss_reduction reduction) {
  const char *what = "mpc_rt_softmax_xent_with_grad";
  if (checkGradient(rt, what, rows, classes, reduction, dloss_type, logits_type,
                    dlogits_type))
    return -1;
  if (rows == 0 || classes == 0)
    return mpc_rt_fail(rt, "%s: empty logits %lld x %lld", what,
                       static_cast<long long>(rows),
                       static_cast<long long>(classes));
  // The scratch holds the kept rows' count (a mean that may skip rows
  // divides the gradient by it, so it is counted first), then the row
  // losses.
  bool countKept = countsKeptRows(ignore_index, reduction);
  if (sizeof(int64_t) + rows * sizeof(float) > rt->scratchBytes)
    return mpc_rt_fail(rt, "%s: %lld rows exceed the context scratch", what,
                       static_cast<long long>(rows));
  auto *count = static_cast<int64_t *>(rt->scratch);
  if (countKept && countKeptRows(rt, what, labels, rows, ignore_index, count))
    return -1;
  XentGradArgs grad{dloss,        dloss_type, logits,
                    logits_type,  labels,     dlogits,
                    dlogits_type, rows,       classes,
                    ignore_index, reduction,  countKept ? count : nullptr};
  XentWithGradArgs args{grad, loss, reinterpret_cast<float *>(count + 1),
                        rt->counter};
  xentWithGradKernel<<<static_cast<unsigned>(rows), rowThreads(classes), 0,
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
