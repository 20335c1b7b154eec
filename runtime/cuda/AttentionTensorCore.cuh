//===- AttentionTensorCore.cuh - attention on tensor cores ---------*- CUDA
//-*-===//
//
// The f16 and bf16 instances of fused causal attention and its gradient,
// flash-attention 2 style on mma.sync m16n8k16 (Mma.cuh): a block of
// kWarps warps owns kRows rows of a head, each warp 16 of them, whose
// 16-bit operand rows it keeps as A fragments in registers; tiles of
// kTileRows keys (or queries, in the dk/dv pass) are staged in shared
// memory as 16-bit values, from which each lane reads its B fragments.
// Scores and the softmax stay f32 in the accumulators (a lane holds two
// rows, each split over the four lanes of a quad); the probabilities and
// score gradients are rounded to 16 bits where they become the next
// product's A (attention::operandBits), as the CPU reference rounds them
// (attention::productOperand). Every scalar step is AttentionMath.h's;
// which lane holds which element is MmaFragment.h's, and where a row lies
// AttentionLayout.h's (either order, in place, q, k and v also packed in
// one tensor). Global memory is read and written one 16-bit element at a
// time (fragments are packed from single elements in registers), so rows
// 3 * heads * dim apart and k and v at any element offset into a packed
// tensor need no alignment beyond an element's. Head dims are padded
// with zeros to the instance's kDim, a multiple of 16.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_ATTENTIONTENSORCORE_CUH
#define MPC_RUNTIME_CUDA_ATTENTIONTENSORCORE_CUH

#include "AttentionArgs.cuh"
#include "DeviceMath.cuh"
#include "Mma.cuh"
#include "runtime/core/AttentionMath.h"
#include "runtime/core/MmaFragment.h"

namespace mpc::cuda::tensor_core {

/// Warps per block, each owning 16 of the block's kRows rows.
constexpr int kWarps = kRows / mma::kM;
constexpr int kThreads = kWarps * mma::kLanes;
/// Rows of a shared tile of keys or queries: two k-steps of the second
/// product, four accumulator tiles of the first.
constexpr int kTileRows = 32;
constexpr int kTileSteps = kTileRows / mma::kK, kTileCols = kTileRows / mma::kN;

/// The dtype of a 16-bit storage type.
template <typename T>
constexpr mpc_dtype kType = std::is_same_v<T, __half> ? MPC_F16 : MPC_BF16;

/// The bits of element `i` of `data`.
__device__ __forceinline__ uint16_t bitsAt(const __half *data, int64_t i) {
  return __half_as_ushort(data[i]);
}
__device__ __forceinline__ uint16_t bitsAt(const __nv_bfloat16 *data,
                                           int64_t i) {
  return __bfloat16_as_ushort(data[i]);
}

/// The shape of an instance: kDim (a multiple of 16) is the padded head dim.
template <int kDim> struct Shape {
  static_assert(kDim % mma::kK == 0, "head dims are padded to 16");
  /// k-steps over the head dim, accumulator tiles across it.
  static constexpr int kSteps = kDim / mma::kK, kDimTiles = kDim / mma::kN;
  /// 16-bit elements between rows of a shared tile: eight more than a row,
  /// so that the eight rows a B fragment load touches start in different
  /// banks.
  static constexpr int kStride = kDim + 8;
  static constexpr int kTileElements = kTileRows * kStride;
};

/// The A fragments of rows [firstRow, firstRow + 16) of the block's head
/// of `data`, which lies as `layout` says, zero past the head dim and past
/// the end.
template <int kDim, typename T>
__device__ void loadRowFragments(const T *data, const attention::Layout &layout,
                                 const AttentionArgs<T> &args, int64_t firstRow,
                                 uint32_t (&out)[Shape<kDim>::kSteps][4]) {
  int lane = threadIdx.x % mma::kLanes;
  auto bits = [&](mma::Coord at, int step) -> uint16_t {
    int64_t row = firstRow + at.row;
    int col = step * mma::kK + at.col;
    return row < layout.length && col < layout.dim
               ? bitsAt(data, rowIn(layout, args, row) + col)
               : uint16_t(0);
  };
#pragma unroll
  for (int s = 0; s < Shape<kDim>::kSteps; ++s)
#pragma unroll
    for (int r = 0; r < 4; ++r)
      out[s][r] = mma::packPair(bits(mma::aElement(lane, 2 * r), s),
                                bits(mma::aElement(lane, 2 * r + 1), s));
}

/// Stages rows [first, first + kTileRows) of the block's head of `x` and
/// `y`, which lie as `xLayout` and `yLayout` say, into the shared tiles `a`
/// and `b` (zero-padded) with the whole block.
template <int kDim, typename T>
__device__ void stageTiles(const T *x, const attention::Layout &xLayout,
                           const T *y, const attention::Layout &yLayout,
                           const AttentionArgs<T> &args, int64_t first,
                           uint16_t *a, uint16_t *b) {
  for (int e = threadIdx.x; e < kTileRows * kDim; e += blockDim.x) {
    int r = e / kDim, c = e % kDim;
    int64_t row = first + r;
    bool inside = row < args.layout.length && c < args.layout.dim;
    int at = r * Shape<kDim>::kStride + c;
    a[at] = inside ? bitsAt(x, rowIn(xLayout, args, row) + c) : uint16_t(0);
    b[at] = inside ? bitsAt(y, rowIn(yLayout, args, row) + c) : uint16_t(0);
  }
}

/// acc[t] = rows (A fragments over the head dim) times the transpose of
/// the tile's rows 8t .. 8t + 7: the warp's 16 rows against the tile's 32,
/// a score (or dP) per pair.
template <typename T, int kDim>
__device__ void rowsTimesTileT(const uint32_t (&rows)[Shape<kDim>::kSteps][4],
                               const uint16_t *tile,
                               float (&acc)[kTileCols][4]) {
  int lane = threadIdx.x % mma::kLanes;
#pragma unroll
  for (int t = 0; t < kTileCols; ++t) {
#pragma unroll
    for (int e = 0; e < 4; ++e)
      acc[t][e] = 0.0f;
#pragma unroll
    for (int s = 0; s < Shape<kDim>::kSteps; ++s) {
      // B[k][n] is the tile's row 8t + n at head-dim column 16s + k.
      auto at = [&](int e) {
        return tile[mma::transposedBOffset(lane, e, t, s,
                                           Shape<kDim>::kStride)];
      };
      uint32_t b[2] = {mma::packPair(at(0), at(1)),
                       mma::packPair(at(2), at(3))};
      mmaSync<T>(acc[t], rows[s], b);
    }
  }
}

/// acc += W times the tile: W the warp's 16 x kTileRows weights in
/// accumulator layout (probabilities or score gradients), rounded to T as
/// they become A fragments; acc 16 x kDim.
template <typename T, int kDim>
__device__ void weightsTimesTile(const float (&weights)[kTileCols][4],
                                 const uint16_t *tile,
                                 float (&acc)[Shape<kDim>::kDimTiles][4]) {
  int lane = threadIdx.x % mma::kLanes;
#pragma unroll
  for (int s = 0; s < kTileSteps; ++s) {
    uint32_t a[4];
    auto bits = [&](int e) {
      return attention::operandBits(
          kType<T>, weights[2 * s + mma::tileOfA(e)][mma::cOfA(e)]);
    };
#pragma unroll
    for (int r = 0; r < 4; ++r)
      a[r] = mma::packPair(bits(2 * r), bits(2 * r + 1));
#pragma unroll
    for (int t = 0; t < Shape<kDim>::kDimTiles; ++t) {
      // B[k][n] is the tile's row 16s + k at head-dim column 8t + n.
      auto at = [&](int e) {
        return tile[mma::bOffset(lane, e, s, t, Shape<kDim>::kStride)];
      };
      uint32_t b[2] = {mma::packPair(at(0), at(1)),
                       mma::packPair(at(2), at(3))};
      mmaSync<T>(acc[t], a, b);
    }
  }
}

/// The sum of `x` over the four lanes of a quad, which share two rows.
__device__ __forceinline__ float quadSum(float x) {
  x = math::add(x, __shfl_xor_sync(0xffffffffu, x, 1));
  return math::add(x, __shfl_xor_sync(0xffffffffu, x, 2));
}
__device__ __forceinline__ float quadMax(float x) {
  x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 1));
  return fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 2));
}

/// The row (0: lane/4, 1: lane/4 + 8) of accumulator element `e`.
__device__ __forceinline__ int rowOf(int e) { return e / 2; }

/// Forward: each warp 16 query rows, key and value tiles in shared memory.
template <typename T, int kDim>
__global__ void __launch_bounds__(kThreads)
    forwardKernel(AttentionArgs<T> args) {
  using S = Shape<kDim>;
  __shared__ uint16_t keys[S::kTileElements], values[S::kTileElements];
  int lane = threadIdx.x % mma::kLanes, warp = threadIdx.x / mma::kLanes;
  int64_t firstRow = blockIdx.x * int64_t(kRows) + warp * mma::kM;
  int64_t keyEnd = lastKeyOf(args.layout.length);
  uint32_t query[S::kSteps][4];
  loadRowFragments<kDim>(args.q, args.layout, args, firstRow, query);
  float acc[S::kDimTiles][4] = {};
  attention::RowState state[2] = {attention::emptyRow(), attention::emptyRow()};
  for (int64_t first = 0; first < keyEnd; first += kTileRows) {
    __syncthreads();
    stageTiles<kDim>(args.k, args.layout, args.v, args.layout, args, first,
                     keys, values);
    __syncthreads();
    // Warp-uniform: no row of the warp sees a key of the tile.
    if (firstRow >= args.layout.length || first > firstRow + mma::kM - 1)
      continue;
    float scores[kTileCols][4];
    rowsTimesTileT<T, kDim>(query, keys, scores);
    float tileMax[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int t = 0; t < kTileCols; ++t)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        mma::Coord at = mma::cElement(lane, e);
        int64_t row = firstRow + at.row, key = first + t * mma::kN + at.col;
        bool seen = row < args.layout.length && key < args.layout.length &&
                    !attention::isMasked(row, key);
        scores[t][e] =
            seen ? attention::scaledScore(scores[t][e], args.scale) : -INFINITY;
        tileMax[rowOf(e)] = fmaxf(tileMax[rowOf(e)], scores[t][e]);
      }
    float factor[2];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      tileMax[i] = quadMax(tileMax[i]);
      // A row that sees no key of the tile keeps its state.
      factor[i] = tileMax[i] == -INFINITY
                      ? 1.0f
                      : attention::foldTileMax(state[i], tileMax[i]);
    }
#pragma unroll
    for (int t = 0; t < S::kDimTiles; ++t)
#pragma unroll
      for (int e = 0; e < 4; ++e)
        acc[t][e] = math::mul(acc[t][e], factor[rowOf(e)]);
        // The unnormalized weights: each lane sums its own into its row state;
        // the quad's partial sums add up at the end.
#pragma unroll
    for (int t = 0; t < kTileCols; ++t)
#pragma unroll
      for (int e = 0; e < 4; ++e)
        scores[t][e] = scores[t][e] == -INFINITY
                           ? 0.0f
                           : attention::addScore(state[rowOf(e)], scores[t][e]);
    weightsTimesTile<T, kDim>(scores, values, acc);
  }
  float sum[2];
#pragma unroll
  for (int i = 0; i < 2; ++i)
    sum[i] = quadSum(state[i].sum);
#pragma unroll
  for (int t = 0; t < S::kDimTiles; ++t)
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      mma::Coord at = mma::cElement(lane, e);
      int64_t row = firstRow + at.row;
      int col = t * mma::kN + at.col;
      if (row < args.layout.length && col < args.layout.dim)
        store(args.result, resultRowAt(args, row) + col,
              math::div(acc[t][e], sum[rowOf(e)]));
    }
  if (lane % 4 != 0)
    return;
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    int64_t row = firstRow + lane / 4 + 8 * i;
    if (row < args.layout.length)
      args.lse[statAt(args, row)] =
          attention::logSumExp({state[i].max, sum[i]});
  }
}

/// Backward, dq: each warp 16 query rows, key and value tiles in shared
/// memory. A first walk over the keys sums the rows' D, which a second
/// uses and which the dk/dv pass reads from `rowGradDot`.
template <typename T, int kDim>
__global__ void __launch_bounds__(kThreads)
    queryGradKernel(AttentionArgs<T> args) {
  using S = Shape<kDim>;
  __shared__ uint16_t keys[S::kTileElements], values[S::kTileElements];
  int lane = threadIdx.x % mma::kLanes, warp = threadIdx.x / mma::kLanes;
  int64_t firstRow = blockIdx.x * int64_t(kRows) + warp * mma::kM;
  int64_t keyEnd = lastKeyOf(args.layout.length);
  uint32_t query[S::kSteps][4], grad[S::kSteps][4];
  loadRowFragments<kDim>(args.q, args.layout, args, firstRow, query);
  loadRowFragments<kDim>(args.dout, args.resultLayout, args, firstRow, grad);
  float lse[2], rowGradDot[2] = {0.0f, 0.0f};
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    int64_t row = firstRow + lane / 4 + 8 * i;
    lse[i] = row < args.layout.length ? args.savedLse[statAt(args, row)] : 0.0f;
  }
  float queryGrad[S::kDimTiles][4] = {};
  for (int walk = 0; walk < 2; ++walk) {
    for (int64_t first = 0; first < keyEnd; first += kTileRows) {
      __syncthreads();
      stageTiles<kDim>(args.k, args.layout, args.v, args.layout, args, first,
                       keys, values);
      __syncthreads();
      if (firstRow >= args.layout.length || first > firstRow + mma::kM - 1)
        continue;
      float scores[kTileCols][4], dP[kTileCols][4];
      rowsTimesTileT<T, kDim>(query, keys, scores);
      rowsTimesTileT<T, kDim>(grad, values, dP);
#pragma unroll
      for (int t = 0; t < kTileCols; ++t)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          mma::Coord at = mma::cElement(lane, e);
          int64_t row = firstRow + at.row, key = first + t * mma::kN + at.col;
          bool seen = row < args.layout.length && key < args.layout.length &&
                      !attention::isMasked(row, key);
          float p = seen ? attention::probability(
                               attention::scaledScore(scores[t][e], args.scale),
                               lse[rowOf(e)])
                         : 0.0f;
          if (walk == 0) {
            if (seen)
              rowGradDot[rowOf(e)] =
                  attention::addToRowGradDot(rowGradDot[rowOf(e)], p, dP[t][e]);
          } else
            scores[t][e] =
                seen ? attention::scoreGrad(p, dP[t][e], rowGradDot[rowOf(e)],
                                            args.scale)
                     : 0.0f;
        }
      if (walk == 1)
        weightsTimesTile<T, kDim>(scores, keys, queryGrad);
    }
    if (walk == 0)
#pragma unroll
      for (int i = 0; i < 2; ++i)
        rowGradDot[i] = quadSum(rowGradDot[i]);
  }
#pragma unroll
  for (int t = 0; t < S::kDimTiles; ++t)
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      mma::Coord at = mma::cElement(lane, e);
      int64_t row = firstRow + at.row;
      int col = t * mma::kN + at.col;
      if (row < args.layout.length && col < args.layout.dim)
        store(args.dq, rowAt(args, row) + col, queryGrad[t][e]);
    }
  if (lane % 4 != 0)
    return;
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    int64_t row = firstRow + lane / 4 + 8 * i;
    if (row < args.layout.length)
      args.rowGradDot[blockIdx.y * args.layout.length + row] = rowGradDot[i];
  }
}

/// Backward, dk and dv: each warp 16 key rows, query and output-gradient
/// tiles in shared memory with their rows' log-sum-exp and D. The warp
/// computes the transposed scores K Q^T, so that the probabilities and
/// score gradients are A fragments of Pᵀ dO and dSᵀ Q.
template <typename T, int kDim>
__global__ void __launch_bounds__(kThreads)
    keyValueGradKernel(AttentionArgs<T> args) {
  using S = Shape<kDim>;
  __shared__ uint16_t queries[S::kTileElements], grads[S::kTileElements];
  __shared__ float rowLse[kTileRows], rowD[kTileRows];
  int lane = threadIdx.x % mma::kLanes, warp = threadIdx.x / mma::kLanes;
  int64_t firstRow = blockIdx.x * int64_t(kRows) + warp * mma::kM;
  uint32_t key[S::kSteps][4], value[S::kSteps][4];
  loadRowFragments<kDim>(args.k, args.layout, args, firstRow, key);
  loadRowFragments<kDim>(args.v, args.layout, args, firstRow, value);
  float keyGrad[S::kDimTiles][4] = {}, valueGrad[S::kDimTiles][4] = {};
  // The first query that sees any key of the block is the block's first.
  for (int64_t first = blockIdx.x * int64_t(kRows); first < args.layout.length;
       first += kTileRows) {
    __syncthreads();
    stageTiles<kDim>(args.q, args.layout, args.dout, args.resultLayout, args,
                     first, queries, grads);
    for (int i = threadIdx.x; i < kTileRows; i += blockDim.x) {
      bool inside = first + i < args.layout.length;
      rowLse[i] = inside ? args.savedLse[statAt(args, first + i)] : 0.0f;
      rowD[i] =
          inside ? args.rowGradDot[blockIdx.y * args.layout.length + first + i]
                 : 0.0f;
    }
    __syncthreads();
    // Warp-uniform: no query of the tile sees a key of the warp.
    if (firstRow >= args.layout.length || first + kTileRows - 1 < firstRow)
      continue;
    float scores[kTileCols][4], dP[kTileCols][4];
    rowsTimesTileT<T, kDim>(key, queries, scores);
    rowsTimesTileT<T, kDim>(value, grads, dP);
#pragma unroll
    for (int t = 0; t < kTileCols; ++t)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        mma::Coord at = mma::cElement(lane, e);
        int i = t * mma::kN + at.col;
        int64_t row = firstRow + at.row, query = first + i;
        bool seen = row < args.layout.length && query < args.layout.length &&
                    !attention::isMasked(query, row);
        float p = seen ? attention::probability(
                             attention::scaledScore(scores[t][e], args.scale),
                             rowLse[i])
                       : 0.0f;
        scores[t][e] =
            seen ? attention::scoreGrad(p, dP[t][e], rowD[i], args.scale)
                 : 0.0f;
        dP[t][e] = p;
      }
    // dP now holds Pᵀ, scores dSᵀ.
    weightsTimesTile<T, kDim>(dP, grads, valueGrad);
    weightsTimesTile<T, kDim>(scores, queries, keyGrad);
  }
#pragma unroll
  for (int t = 0; t < S::kDimTiles; ++t)
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      mma::Coord at = mma::cElement(lane, e);
      int64_t row = firstRow + at.row;
      int col = t * mma::kN + at.col;
      if (row < args.layout.length && col < args.layout.dim) {
        store(args.dk, rowAt(args, row) + col, keyGrad[t][e]);
        store(args.dv, rowAt(args, row) + col, valueGrad[t][e]);
      }
    }
}

} // namespace mpc::cuda::tensor_core

#endif // MPC_RUNTIME_CUDA_ATTENTIONTENSORCORE_CUH
