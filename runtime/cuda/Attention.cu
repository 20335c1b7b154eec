//===- Attention.cu - fused causal attention and its gradient -------------===//
//
// Flash-attention style: no T x T matrix ever reaches HBM. f16 and bf16
// run on tensor cores where attention::usesTensorCores says so
// (AttentionTensorCore.cuh); the kernels here compute in f32 on the CUDA
// cores: a thread owns one row (a query row in the forward and the dq pass,
// a key row in the dk/dv pass) and keeps it and its accumulators in
// registers; a block of kRows threads walks the causal prefix in tiles of
// keys (or queries) staged in shared memory as f32. The forward folds each
// tile into the row's online softmax; the backward recomputes the
// probabilities from the saved log-sum-exp, in two passes so that no
// gradient needs atomics: dq, which also leaves each row's D = sum_j p_ij
// dP_ij in the context's scratch, then dk and dv, which read it (the
// tensor-core kernels make the same passes). Every scalar step is
// runtime/core/AttentionMath.h's, the CPU reference's, and every row is found
// through runtime/core/AttentionLayout.h, so q, k, v and the results are
// read and written in place in either order, q, k and v (and their
// gradients) also packed in one [batch, length, 3, heads, dim] tensor
// beside a [batch, length, heads, dim] result. Head dims are padded with zeros
// to the instance's kDim (16, 32, 64 or 128): a zero adds nothing to a dot
// product.
//
//===----------------------------------------------------------------------===//

#include "AttentionArgs.cuh"
#include "AttentionTensorCore.cuh"
#include "Context.h"
#include "DeviceMath.cuh"
#include "runtime/core/AttentionMath.h"

#include <type_traits>

namespace mpc::cuda {
namespace {

/// f32 elements of one shared-memory tile: two tiles are 32 KiB.
constexpr int kTileElements = 4096;

/// Loads row `row` of the block's head of `data`, which lies as `layout`
/// says, into registers, zero past the head dim and for a row past the end.
template <int kDim, typename T>
__device__ void loadRow(const T *data, const attention::Layout &layout,
                        const AttentionArgs<T> &args, int64_t row,
                        float (&out)[kDim]) {
  int64_t at = row < layout.length ? rowIn(layout, args, row) : 0;
#pragma unroll
  for (int c = 0; c < kDim; ++c)
    out[c] = row < layout.length && c < layout.dim ? load(data, at + c) : 0.0f;
}

/// Stages rows [first, first + rows) of the block's head of `x` and `y`,
/// which lie as `xLayout` and `yLayout` say, into the shared tiles `a` and
/// `b` (zero-padded) with the whole block.
template <int kDim, typename T>
__device__ void stageTiles(const T *x, const attention::Layout &xLayout,
                           const T *y, const attention::Layout &yLayout,
                           const AttentionArgs<T> &args, int64_t first,
                           float *a, float *b) {
  constexpr int kTile = kTileElements / kDim;
  for (int e = threadIdx.x; e < kTile * kDim; e += blockDim.x) {
    int64_t row = first + e / kDim;
    int c = e % kDim;
    bool inside = row < args.layout.length && c < args.layout.dim;
    a[e] = inside ? load(x, rowIn(xLayout, args, row) + c) : 0.0f;
    b[e] = inside ? load(y, rowIn(yLayout, args, row) + c) : 0.0f;
  }
}

template <int kDim>
__device__ float dotRow(const float (&row)[kDim], const float *tileRow) {
  return attention::dot(
      kDim, [&](int64_t c) { return row[c]; },
      [&](int64_t c) { return tileRow[c]; });
}

/// Forward: one query row per thread, key tiles in shared memory.
template <typename T, int kDim>
__global__ void __launch_bounds__(kRows)
    attentionForwardKernel(AttentionArgs<T> args) {
  constexpr int kTile = kTileElements / kDim;
  __shared__ float keys[kTileElements], values[kTileElements];
  int64_t row = blockIdx.x * int64_t(kRows) + threadIdx.x;
  int64_t keyEnd = lastKeyOf(args.layout.length);
  float query[kDim], acc[kDim];
  loadRow(args.q, args.layout, args, row, query);
#pragma unroll
  for (int c = 0; c < kDim; ++c)
    acc[c] = 0.0f;
  attention::RowState state = attention::emptyRow();
  float scores[kTile];
  for (int64_t first = 0; first < keyEnd; first += kTile) {
    __syncthreads();
    stageTiles<kDim>(args.k, args.layout, args.v, args.layout, args, first,
                     keys, values);
    __syncthreads();
    if (row >= args.layout.length)
      continue;
    float tileMax = -INFINITY;
    for (int j = 0; j < kTile; ++j) {
      scores[j] = -INFINITY;
      if (first + j >= args.layout.length ||
          attention::isMasked(row, first + j))
        continue;
      scores[j] =
          attention::scaledScore(dotRow(query, keys + j * kDim), args.scale);
      tileMax = fmaxf(tileMax, scores[j]);
    }
    if (tileMax == -INFINITY)
      continue;
    float factor = attention::foldTileMax(state, tileMax);
#pragma unroll
    for (int c = 0; c < kDim; ++c)
      acc[c] = math::mul(acc[c], factor);
    for (int j = 0; j < kTile; ++j) {
      if (scores[j] == -INFINITY)
        continue;
      float weight = attention::addScore(state, scores[j]);
#pragma unroll
      for (int c = 0; c < kDim; ++c)
        acc[c] = math::add(acc[c], math::mul(weight, values[j * kDim + c]));
    }
  }
  if (row >= args.layout.length)
    return;
  for (int c = 0; c < args.layout.dim; ++c)
    store(args.result, resultRowAt(args, row) + c,
          math::div(acc[c], state.sum));
  args.lse[statAt(args, row)] = attention::logSumExp(state);
}

/// Backward, dq: one query row per thread, key and value tiles in shared
/// memory. A first walk over the keys sums the row's D, which a second
/// uses and which the dk/dv pass reads from `rowGradDot`.
template <typename T, int kDim>
__global__ void __launch_bounds__(kRows)
    attentionQueryGradKernel(AttentionArgs<T> args) {
  constexpr int kTile = kTileElements / kDim;
  __shared__ float keys[kTileElements], values[kTileElements];
  int64_t row = blockIdx.x * int64_t(kRows) + threadIdx.x;
  int64_t keyEnd = lastKeyOf(args.layout.length);
  float query[kDim], grad[kDim], queryGrad[kDim];
  loadRow(args.q, args.layout, args, row, query);
  loadRow(args.dout, args.resultLayout, args, row, grad);
#pragma unroll
  for (int c = 0; c < kDim; ++c)
    queryGrad[c] = 0.0f;
  float lse =
      row < args.layout.length ? args.savedLse[statAt(args, row)] : 0.0f;
  float rowGradDot = 0.0f;
  for (int walk = 0; walk < 2; ++walk) {
    for (int64_t first = 0; first < keyEnd; first += kTile) {
      __syncthreads();
      stageTiles<kDim>(args.k, args.layout, args.v, args.layout, args, first,
                       keys, values);
      __syncthreads();
      if (row >= args.layout.length)
        continue;
      for (int j = 0; j < kTile; ++j) {
        if (first + j >= args.layout.length ||
            attention::isMasked(row, first + j))
          continue;
        const float *k = keys + j * kDim;
        float p = attention::probability(
            attention::scaledScore(dotRow(query, k), args.scale), lse);
        float dP = dotRow(grad, values + j * kDim);
        if (walk == 0) {
          rowGradDot = attention::addToRowGradDot(rowGradDot, p, dP);
          continue;
        }
        float dS = attention::scoreGrad(p, dP, rowGradDot, args.scale);
#pragma unroll
        for (int c = 0; c < kDim; ++c)
          queryGrad[c] = math::add(queryGrad[c], math::mul(dS, k[c]));
      }
    }
  }
  if (row >= args.layout.length)
    return;
  args.rowGradDot[blockIdx.y * args.layout.length + row] = rowGradDot;
  for (int c = 0; c < args.layout.dim; ++c)
    store(args.dq, rowAt(args, row) + c, queryGrad[c]);
}

/// Backward, dk and dv: one key row per thread, query and output-gradient
/// tiles in shared memory with their rows' log-sum-exp and D.
template <typename T, int kDim>
__global__ void __launch_bounds__(kRows)
    attentionKeyValueGradKernel(AttentionArgs<T> args) {
  constexpr int kTile = kTileElements / kDim;
  __shared__ float queries[kTileElements], grads[kTileElements];
  __shared__ float rowLse[kTile], rowD[kTile];
  int64_t row = blockIdx.x * int64_t(kRows) + threadIdx.x;
  float key[kDim], value[kDim], keyGrad[kDim], valueGrad[kDim];
  loadRow(args.k, args.layout, args, row, key);
  loadRow(args.v, args.layout, args, row, value);
#pragma unroll
  for (int c = 0; c < kDim; ++c)
    keyGrad[c] = valueGrad[c] = 0.0f;
  // The first query that sees any key of the block is the block's first.
  for (int64_t first = blockIdx.x * int64_t(kRows); first < args.layout.length;
       first += kTile) {
    __syncthreads();
    stageTiles<kDim>(args.q, args.layout, args.dout, args.resultLayout, args,
                     first, queries, grads);
    for (int i = threadIdx.x; i < kTile; i += blockDim.x)
      if (first + i < args.layout.length) {
        rowLse[i] = args.savedLse[statAt(args, first + i)];
        rowD[i] = args.rowGradDot[blockIdx.y * args.layout.length + first + i];
      }
    __syncthreads();
    if (row >= args.layout.length)
      continue;
    for (int i = 0; i < kTile; ++i) {
      int64_t query = first + i;
      if (query >= args.layout.length || attention::isMasked(query, row))
        continue;
      const float *q = queries + i * kDim, *g = grads + i * kDim;
      float p = attention::probability(
          attention::scaledScore(dotRow(key, q), args.scale), rowLse[i]);
      float dS = attention::scoreGrad(p, dotRow(value, g), rowD[i], args.scale);
#pragma unroll
      for (int c = 0; c < kDim; ++c) {
        keyGrad[c] = math::add(keyGrad[c], math::mul(dS, q[c]));
        valueGrad[c] = math::add(valueGrad[c], math::mul(p, g[c]));
      }
    }
  }
  if (row >= args.layout.length)
    return;
  for (int c = 0; c < args.layout.dim; ++c) {
    store(args.dk, rowAt(args, row) + c, keyGrad[c]);
    store(args.dv, rowAt(args, row) + c, valueGrad[c]);
  }
}

/// Whether `T` is a 16-bit type, which has tensor-core instances.
template <typename T>
constexpr bool kSixteenBit =
    std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;

/// Calls f(std::integral_constant<int, kDim>()) with the smallest instance
/// dim that holds `dim`.
template <typename F> void withHeadDim(int64_t dim, F &&f) {
  if (dim <= 16)
    f(std::integral_constant<int, 16>());
  else if (dim <= 32)
    f(std::integral_constant<int, 32>());
  else if (dim <= 64)
    f(std::integral_constant<int, 64>());
  else
    f(std::integral_constant<int, 128>());
}

/// Fails naming `whose` strides unless `layout` is one the kernels take.
int checkLayout(mpc_rt *rt, const char *what, const char *whose,
                const attention::Layout &layout) {
  if (attention::isSupported(layout))
    return 0;
  return mpc_rt_fail(
      rt,
      "%s: %s strides (row %lld, head %lld) are neither [heads, length, dim] "
      "nor [length, heads, dim] (rows at least heads * dim apart) of %lld "
      "heads, %lld rows, dim %lld",
      what, whose, static_cast<long long>(layout.rowStride),
      static_cast<long long>(layout.headStride),
      static_cast<long long>(layout.heads),
      static_cast<long long>(layout.length),
      static_cast<long long>(layout.dim));
}

/// The checks both entry points share, of the operands' `layout` and the
/// result's `resultLayout`; 1 when there is nothing to do.
int checkAttention(mpc_rt *rt, const char *what, mpc_dtype type,
                   const attention::Layout &layout,
                   const attention::Layout &resultLayout) {
  if (checkSizes(rt, what,
                 {layout.batch, layout.heads, layout.length, layout.dim}) ||
      checkFloat(rt, what, "the operands", type))
    return -1;
  if (layout.dim > attention::kMaxDim)
    return mpc_rt_fail(rt, "%s: head dim %lld exceeds the kernels' %lld", what,
                       static_cast<long long>(layout.dim),
                       static_cast<long long>(attention::kMaxDim));
  if (attention::headCount(layout) * layout.length * layout.dim == 0)
    return 1;
  if (checkLayout(rt, what, "result", resultLayout) ||
      checkLayout(rt, what, "operand", layout))
    return -1;
  if (attention::headCount(layout) > 65535 ||
      (layout.length + kRows - 1) / kRows > 0x7fffffff)
    return mpc_rt_fail(rt, "%s: %lld heads of %lld rows exceed the grid", what,
                       static_cast<long long>(attention::headCount(layout)),
                       static_cast<long long>(layout.length));
  return 0;
}

/// The result's layout: (row_stride, head_stride) within a batch element's
/// heads * length * dim elements.
attention::Layout resultLayoutOf(int64_t batch, int64_t heads, int64_t length,
                                 int64_t dim, int64_t rowStride,
                                 int64_t headStride) {
  return {
      batch, heads, length, dim, rowStride, headStride, heads * length * dim};
}

dim3 gridOf(int64_t heads, int64_t length) {
  return dim3(static_cast<unsigned>((length + kRows - 1) / kRows),
              static_cast<unsigned>(heads));
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_causal_attention(mpc_rt *rt, const void *q, const void *k,
                            const void *v, void *out, float *lse,
                            mpc_dtype type, int64_t batch, int64_t heads,
                            int64_t length, int64_t dim, int64_t row_stride,
                            int64_t head_stride, int64_t operand_row_stride,
                            double scale) {
  const char *what = "mpc_rt_causal_attention";
  mpc::attention::Layout resultLayout =
      resultLayoutOf(batch, heads, length, dim, row_stride, head_stride);
  mpc::attention::Layout layout =
      mpc::attention::withRowStride(resultLayout, operand_row_stride);
  if (int status = checkAttention(rt, what, type, layout, resultLayout))
    return status < 0 ? -1 : 0;
  withFloatType(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    AttentionArgs<T> args{};
    args.q = static_cast<const T *>(q);
    args.k = static_cast<const T *>(k);
    args.v = static_cast<const T *>(v);
    args.result = static_cast<T *>(out);
    args.lse = lse;
    args.layout = layout;
    args.resultLayout = resultLayout;
    args.scale = static_cast<float>(scale);
    withHeadDim(dim, [&](auto kDim) {
      constexpr int kInstance = decltype(kDim)::value;
      if constexpr (kSixteenBit<T>)
        if (mpc::attention::usesTensorCores(type, dim)) {
          tensor_core::forwardKernel<T, kInstance>
              <<<gridOf(mpc::attention::headCount(layout), length),
                 tensor_core::kThreads, 0, rt->stream>>>(args);
          return;
        }
      attentionForwardKernel<T, kInstance>
          <<<gridOf(mpc::attention::headCount(layout), length), kRows, 0,
             rt->stream>>>(args);
    });
  });
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_causal_attention_grad(mpc_rt *rt, const void *dout, const void *q,
                                 const void *k, const void *v, const float *lse,
                                 void *dq, void *dk, void *dv, mpc_dtype type,
                                 int64_t batch, int64_t heads, int64_t length,
                                 int64_t dim, int64_t row_stride,
                                 int64_t head_stride,
                                 int64_t operand_row_stride, double scale) {
  const char *what = "mpc_rt_causal_attention_grad";
  mpc::attention::Layout resultLayout =
      resultLayoutOf(batch, heads, length, dim, row_stride, head_stride);
  mpc::attention::Layout layout =
      mpc::attention::withRowStride(resultLayout, operand_row_stride);
  if (int status = checkAttention(rt, what, type, layout, resultLayout))
    return status < 0 ? -1 : 0;
  // The rows' D of as many heads as the scratch holds, per launch pair.
  int64_t headsPerLaunch =
      static_cast<int64_t>(rt->scratchBytes / sizeof(float)) / length;
  if (headsPerLaunch < 1)
    return mpc_rt_fail(rt, "%s: %lld rows exceed the scratch", what,
                       static_cast<long long>(length));
  withFloatType(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    AttentionArgs<T> args{};
    args.q = static_cast<const T *>(q);
    args.k = static_cast<const T *>(k);
    args.v = static_cast<const T *>(v);
    args.dout = static_cast<const T *>(dout);
    args.dq = static_cast<T *>(dq);
    args.dk = static_cast<T *>(dk);
    args.dv = static_cast<T *>(dv);
    args.savedLse = lse;
    args.rowGradDot = static_cast<float *>(rt->scratch);
    args.layout = layout;
    args.resultLayout = resultLayout;
    args.scale = static_cast<float>(scale);
    withHeadDim(dim, [&](auto kDim) {
      constexpr int kInstance = decltype(kDim)::value;
      int64_t allHeads = mpc::attention::headCount(layout);
      for (args.firstHead = 0; args.firstHead < allHeads;
           args.firstHead += headsPerLaunch) {
        int64_t count = allHeads - args.firstHead < headsPerLaunch
                            ? allHeads - args.firstHead
                            : headsPerLaunch;
        dim3 grid = gridOf(count, length);
        if constexpr (kSixteenBit<T>)
          if (mpc::attention::usesTensorCores(type, dim)) {
            tensor_core::queryGradKernel<T, kInstance>
                <<<grid, tensor_core::kThreads, 0, rt->stream>>>(args);
            tensor_core::keyValueGradKernel<T, kInstance>
                <<<grid, tensor_core::kThreads, 0, rt->stream>>>(args);
            continue;
          }
        attentionQueryGradKernel<T, kInstance>
            <<<grid, kRows, 0, rt->stream>>>(args);
        attentionKeyValueGradKernel<T, kInstance>
            <<<grid, kRows, 0, rt->stream>>>(args);
      }
    });
  });
  return mpc_rt_check_launch(rt, what);
}

} // extern "C"
