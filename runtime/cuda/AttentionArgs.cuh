//===- AttentionArgs.cuh - what every attention kernel shares ------*- CUDA
//-*-===//
//
// The operands of the fused causal attention kernels, f32 (Attention.cu)
// and tensor-core (AttentionTensorCore.cuh) alike, and the launch shape
// they share: a block owns kRows rows of one head, blockIdx.y the head.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_ATTENTIONARGS_CUH
#define MPC_RUNTIME_CUDA_ATTENTIONARGS_CUH

#include "runtime/core/AttentionLayout.h"

#include <stdint.h>

namespace mpc::cuda {

/// Rows (query rows in the forward and the dq pass, key rows in the dk/dv
/// pass) per block.
constexpr int kRows = 64;

/// The operands of the three kernels; null where a kernel does not use one.
/// q, k, v, dq, dk and dv lie as `layout` says, the result and dout as
/// `resultLayout` (the same order, its rows closer together when q, k and
/// v are packed in one tensor); the log-sum-exp and D as neither. Flat
/// heads firstHead + blockIdx.y are a launch's; rowGradDot holds D for the
/// rows of those heads, from the launch's first. Every global access is
/// one element wide, so rows at any stride and k and v at any element
/// offset into a packed tensor need no alignment beyond an element's.
template <typename T> struct AttentionArgs {
  const T *q, *k, *v, *dout;
  T *result, *dq, *dk, *dv;
  float *lse;
  const float *savedLse;
  float *rowGradDot;
  attention::Layout layout, resultLayout;
  int64_t firstHead;
  float scale;
};

/// The launch's flat head (attention::rowOffset's `head`).
template <typename T> __device__ int64_t headOf(const AttentionArgs<T> &args) {
  return args.firstHead + blockIdx.y;
}

/// The offset of row `row` of the block's head in a tensor that lies as
/// `layout` (args.layout or args.resultLayout) says.
template <typename T>
__device__ int64_t rowIn(const attention::Layout &layout,
                         const AttentionArgs<T> &args, int64_t row) {
  return attention::rowOffset(layout, headOf(args), row);
}

/// The offset of row `row` of the block's head in q, k, v, dq, dk and dv.
template <typename T>
__device__ int64_t rowAt(const AttentionArgs<T> &args, int64_t row) {
  return rowIn(args.layout, args, row);
}

/// The offset of row `row` of the block's head in the result and dout.
template <typename T>
__device__ int64_t resultRowAt(const AttentionArgs<T> &args, int64_t row) {
  return rowIn(args.resultLayout, args, row);
}

/// The offset of row `row` of the block's head in the log-sum-exp.
template <typename T>
__device__ int64_t statAt(const AttentionArgs<T> &args, int64_t row) {
  return attention::statOffset(args.layout, headOf(args), row);
}

/// One past the last key the block's query rows see.
__device__ inline int64_t lastKeyOf(int64_t length) {
  int64_t end = (blockIdx.x + 1) * int64_t(kRows);
  return end < length ? end : length;
}

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_ATTENTIONARGS_CUH
