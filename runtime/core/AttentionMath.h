//===- AttentionMath.h - the per-tile maths of causal attention -*- C++ -*-===//
//
// The scalar steps of mpc.causal_attention and its gradient, for the CPU
// reference kernel (runtime/cpu/kernels/Attention.cpp) and the CUDA kernels
// (runtime/cuda/Attention.cu): the masked, scaled score, the online
// softmax that folds a tile of keys into a query row's running max and sum,
// the log-sum-exp the backward recomputes the probabilities from, and the
// backward's row sum D = sum_j p_ij dP_ij and score gradient. Products and
// sums go through mpc::math, so neither side contracts them.
//
// In f16 and bf16 the CUDA kernels multiply on tensor cores, whose operands
// are 16-bit: productOperand is where the reference rounds the same values
// (the forward's unnormalized weights, the backward's probabilities and
// score gradients) and usesTensorCores says when the kernels take that path.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_ATTENTIONMATH_H
#define MPC_RUNTIME_CORE_ATTENTIONMATH_H

#include "DType.h"
#include "ScalarMath.h"

namespace mpc::attention {

/// The largest head dim the CUDA kernels handle.
inline constexpr int64_t kMaxDim = 128;

/// Whether the CUDA kernels for `type` and head dim `dim` multiply on tensor
/// cores (16-bit operands, f32 accumulation): f16 and bf16 at every head dim
/// the kernels handle. f32 keeps f32 arithmetic on the CUDA cores.
MPC_HD bool usesTensorCores(mpc_dtype type, int64_t dim) {
  return (type == MPC_F16 || type == MPC_BF16) && dim >= 1 && dim <= kMaxDim;
}

/// `x` as an operand of a product of attention in `type`: rounded to 16 bits
/// for f16 and bf16, whose kernels feed it to tensor cores, unchanged in
/// f32. Scores, softmax statistics and every sum stay f32 in all types.
MPC_HD float productOperand(mpc_dtype type, float x) {
  if (type == MPC_F16)
    return math::roundF16(x);
  if (type == MPC_BF16)
    return math::roundBF16(x);
  return x;
}

/// The bits of productOperand(type, x) for f16 or bf16 `type`: what the
/// tensor-core kernels put in a fragment.
MPC_HD uint16_t operandBits(mpc_dtype type, float x) {
  return type == MPC_F16 ? math::floatToHalfBits(x)
                         : math::floatToBFloat16Bits(x);
}

/// Whether key `key` is hidden from query `query` (a later position).
MPC_HD bool isMasked(int64_t query, int64_t key) { return key > query; }

/// sum_c a(c) * b(c) over c = 0 .. n-1 in increasing order, from 0: the
/// order of the CPU matmul, so a score is the unfused product's bits.
template <typename A, typename B> MPC_HD float dot(int64_t n, A a, B b) {
  float sum = 0.0f;
  for (int64_t c = 0; c < n; ++c)
    sum = math::add(sum, math::mul(a(c), b(c)));
  return sum;
}

/// The score of a query and a key: their dot product times `scale`.
MPC_HD float scaledScore(float dot, float scale) {
  return math::mul(dot, scale);
}

/// The running softmax statistics of one query row: the largest score seen
/// and the sum of exp(score - max) over the scores seen.
struct RowState {
  float max;
  float sum;
};

/// The state before any key: no max, an empty sum.
MPC_HD RowState emptyRow() { return {-INFINITY, 0.0f}; }

/// Moves `state` to the larger max of itself and a new tile's `tileMax` and
/// returns the factor exp(old max - new max) by which the sum (rescaled
/// here) and the caller's output accumulator must be multiplied. The first
/// tile's factor is 0: nothing was accumulated yet.
MPC_HD float foldTileMax(RowState &state, float tileMax) {
  float max = state.max < tileMax ? tileMax : state.max;
  float factor =
      state.max == -INFINITY ? 0.0f : math::exp(math::sub(state.max, max));
  state.max = max;
  state.sum = math::mul(state.sum, factor);
  return factor;
}

/// The unnormalized weight exp(score - max) of a score of the current tile,
/// added to the row's sum.
MPC_HD float addScore(RowState &state, float score) {
  float weight = math::exp(math::sub(score, state.max));
  state.sum = math::add(state.sum, weight);
  return weight;
}

/// log(sum_j exp(score_j)) of the row: max + log(sum).
MPC_HD float logSumExp(const RowState &state) {
  return math::add(state.max, math::log(state.sum));
}

/// The probability of a score recomputed from its row's log-sum-exp.
MPC_HD float probability(float score, float logSumExp) {
  return math::exp(math::sub(score, logSumExp));
}

/// Adds p_ij dP_ij to D_i = sum_j p_ij dP_ij (keys in increasing order),
/// the row sum the softmax gradient subtracts, with dP_ij = dO_i . v_j.
/// Not flash-attention 2's rowsum(dO_i * O_i), equal in exact arithmetic:
/// with a 16-bit O that sum is off by O's rounding, and where a row's dP
/// barely varies (near-uniform attention) dP - D cancels down to that error.
MPC_HD float addToRowGradDot(float rowGradDot, float probability, float dP) {
  return math::add(rowGradDot, math::mul(probability, dP));
}

/// The gradient of a scaled score: p (dP - D) times `scale`.
MPC_HD float scoreGrad(float probability, float dP, float rowGradDot,
                       float scale) {
  return math::mul(math::mul(probability, math::sub(dP, rowGradDot)), scale);
}

} // namespace mpc::attention

#endif // MPC_RUNTIME_CORE_ATTENTIONMATH_H
