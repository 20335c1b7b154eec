//===- Attention.cpp - causal attention and its gradient ------------------===//
//
// One query row at a time, the whole causal prefix as one tile of
// runtime/core/AttentionMath.h's online softmax: the reference the CUDA
// kernels, which fold the keys in tiles, are checked against; every row is
// found through runtime/core/AttentionLayout.h, in any order (q, k, v and
// their gradients in one, the result and its gradient in another, as when
// q, k and v are packed in one tensor). In f16 and
// bf16 it rounds the products' operands to 16 bits where the tensor-core
// kernels do (attention::productOperand).
//
//===----------------------------------------------------------------------===//

#include "runtime/core/AttentionMath.h"
#include "runtime/cpu/kernels/Kernels.h"

#include <algorithm>

namespace mpc::cpu {

namespace {

/// The scaled scores of query row `i` of head `h` against its keys 0..i.
void rowScores(const float *q, const float *k, const attention::Layout &layout,
               int64_t h, int64_t i, float scale, float *scores) {
  const float *query = q + attention::rowOffset(layout, h, i);
  for (int64_t j = 0; j <= i; ++j) {
    const float *key = k + attention::rowOffset(layout, h, j);
    scores[j] = attention::scaledScore(attention::dot(
                                           layout.dim,
                                           [&](int64_t c) { return query[c]; },
                                           [&](int64_t c) { return key[c]; }),
                                       scale);
  }
}

} // namespace

void causalAttention(const float *q, const float *k, const float *v, float *out,
                     float *logSumExp, const attention::Layout &layout,
                     const attention::Layout &resultLayout, float scale,
                     mpc_dtype type) {
  // With 16-bit products the unnormalized weights are the operands and the
  // sum divides the output at the end; in f32 the probabilities weigh the
  // values, the unfused softmax and matmul's bits.
  int64_t length = layout.length, dim = layout.dim;
  bool rounded = attention::usesTensorCores(type, dim);
  std::vector<float> scores(static_cast<size_t>(length));
  for (int64_t h = 0; h < attention::headCount(layout); ++h) {
    for (int64_t i = 0; i < length; ++i) {
      rowScores(q, k, layout, h, i, scale, scores.data());
      float max = *std::max_element(scores.begin(), scores.begin() + i + 1);
      attention::RowState state = attention::emptyRow();
      attention::foldTileMax(state, max);
      for (int64_t j = 0; j <= i; ++j)
        scores[j] = attention::addScore(state, scores[j]);
      float *row = out + attention::rowOffset(resultLayout, h, i);
      std::fill(row, row + dim, 0.0f);
      for (int64_t j = 0; j <= i; ++j) {
        float p = rounded ? attention::productOperand(type, scores[j])
                          : math::div(scores[j], state.sum);
        const float *value = v + attention::rowOffset(layout, h, j);
        for (int64_t c = 0; c < dim; ++c)
          row[c] = math::add(row[c], math::mul(p, value[c]));
      }
      if (rounded)
        for (int64_t c = 0; c < dim; ++c)
          row[c] = math::div(row[c], state.sum);
      logSumExp[attention::statOffset(layout, h, i)] =
          attention::logSumExp(state);
    }
  }
}

void causalAttentionGrad(const float *dout, const float *q, const float *k,
                         const float *v, const float *logSumExp, float *dq,
                         float *dk, float *dv, const attention::Layout &layout,
                         const attention::Layout &resultLayout, float scale,
                         mpc_dtype type) {
  int64_t length = layout.length, dim = layout.dim;
  // Row by row: packed gradients leave the other parts' rows between.
  for (int64_t h = 0; h < attention::headCount(layout); ++h)
    for (int64_t i = 0; i < length; ++i)
      for (float *grad : {dq, dk, dv}) {
        float *row = grad + attention::rowOffset(layout, h, i);
        std::fill(row, row + dim, 0.0f);
      }
  std::vector<float> probabilities(static_cast<size_t>(length)),
      dP(static_cast<size_t>(length));
  for (int64_t h = 0; h < attention::headCount(layout); ++h) {
    // Rows in increasing order, so every dk_j and dv_j sums over i in
    // increasing order.
    for (int64_t i = 0; i < length; ++i) {
      rowScores(q, k, layout, h, i, scale, probabilities.data());
      int64_t rowAt = attention::rowOffset(layout, h, i);
      const float *gradRow = dout + attention::rowOffset(resultLayout, h, i);
      const float *query = q + rowAt;
      float *queryGrad = dq + rowAt;
      float lse = logSumExp[attention::statOffset(layout, h, i)];
      float rowGradDot = 0.0f;
      for (int64_t j = 0; j <= i; ++j) {
        const float *value = v + attention::rowOffset(layout, h, j);
        probabilities[j] = attention::probability(probabilities[j], lse);
        dP[j] = attention::dot(
            dim, [&](int64_t c) { return gradRow[c]; },
            [&](int64_t c) { return value[c]; });
        rowGradDot =
            attention::addToRowGradDot(rowGradDot, probabilities[j], dP[j]);
      }
      for (int64_t j = 0; j <= i; ++j) {
        int64_t keyAt = attention::rowOffset(layout, h, j);
        const float *key = k + keyAt;
        float p = attention::productOperand(type, probabilities[j]);
        float dS = attention::productOperand(
            type,
            attention::scoreGrad(probabilities[j], dP[j], rowGradDot, scale));
        float *keyGrad = dk + keyAt;
        float *valueGrad = dv + keyAt;
        for (int64_t c = 0; c < dim; ++c) {
          queryGrad[c] = math::add(queryGrad[c], math::mul(dS, key[c]));
          keyGrad[c] = math::add(keyGrad[c], math::mul(dS, query[c]));
          valueGrad[c] = math::add(valueGrad[c], math::mul(p, gradRow[c]));
        }
      }
    }
  }
}

} // namespace mpc::cpu
