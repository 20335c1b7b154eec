//===- AttentionTest.cpp - causal attention and its gradient --------------===//
//
// causalAttention against the unfused chain (bit for bit in f32) and a
// double-precision computation; causalAttentionGrad against central
// differences of the forward; and the online softmax of
// runtime/core/AttentionMath.h, folded tile by tile as the CUDA kernels do,
// against the reference.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "runtime/core/AttentionMath.h"

#include <algorithm>
#include <limits>

namespace mpc::cpu {
namespace {

using test::randomData;

constexpr int64_t kHeads = 3, kLength = 7, kDim = 5;
constexpr float kScale = 0.4472136f; // 1 / sqrt(5)
constexpr int64_t kElements = kHeads * kLength * kDim;

struct Forward {
  std::vector<float> out, logSumExp;
};

Forward runForward(const std::vector<float> &q, const std::vector<float> &k,
                   const std::vector<float> &v) {
  Forward result{std::vector<float>(kElements),
                 std::vector<float>(kHeads * kLength)};
  causalAttention(q.data(), k.data(), v.data(), result.out.data(),
                  result.logSumExp.data(), kHeads, kLength, kDim, kScale);
  return result;
}

TEST(AttentionTest, MatchesTheUnfusedChainBitForBit) {
  auto q = randomData(kElements, 1), k = randomData(kElements, 2),
       v = randomData(kElements, 3);
  Shape qShape = {kHeads, kLength, kDim}, sShape = {kHeads, kLength, kLength};
  std::vector<float> scores(kHeads * kLength * kLength), probs(scores.size()),
      out(kElements);
  float scale = kScale;
  matmul(q.data(), qShape, false, k.data(), qShape, true, scores.data(),
         sShape);
  binary(BinaryOp::Mul, scores.data(), sShape, &scale, {}, scores.data(),
         sShape);
  causalMask(scores.data(), scores.data(), sShape,
             -std::numeric_limits<float>::infinity());
  softmax(scores.data(), probs.data(), sShape, -1);
  matmul(probs.data(), sShape, false, v.data(), qShape, false, out.data(),
         qShape);
  test::expectAllIdentical(runForward(q, k, v).out, out);
}

TEST(AttentionTest, MatchesADoublePrecisionComputation) {
  auto q = randomData(kElements, 4, -2, 2), k = randomData(kElements, 5, -2, 2),
       v = randomData(kElements, 6);
  Forward fused = runForward(q, k, v);
  std::vector<double> out(kElements), logSumExp(kHeads * kLength);
  for (int64_t h = 0; h < kHeads; ++h)
    for (int64_t i = 0; i < kLength; ++i) {
      std::vector<double> s(i + 1);
      for (int64_t j = 0; j <= i; ++j) {
        double dot = 0;
        for (int64_t c = 0; c < kDim; ++c)
          dot += double(q[(h * kLength + i) * kDim + c]) *
                 k[(h * kLength + j) * kDim + c];
        s[j] = dot * kScale;
      }
      double max = *std::max_element(s.begin(), s.end()), sum = 0;
      for (double score : s)
        sum += std::exp(score - max);
      logSumExp[h * kLength + i] = max + std::log(sum);
      for (int64_t j = 0; j <= i; ++j)
        for (int64_t c = 0; c < kDim; ++c)
          out[(h * kLength + i) * kDim + c] +=
              std::exp(s[j] - max) / sum * v[(h * kLength + j) * kDim + c];
    }
  test::expectAllClose(fused.out, out, 1e-5, 1e-6);
  test::expectAllClose(fused.logSumExp, logSumExp, 1e-6, 1e-6);
  // Row 0 sees only key 0: its output is v_0 and its log-sum-exp s_00.
  for (int64_t c = 0; c < kDim; ++c)
    EXPECT_FLOAT_EQ(fused.out[c], v[c]);
}

/// The gradient of sum(w * out) with respect to each operand, against
/// central differences of the forward.
TEST(AttentionTest, GradientMatchesFiniteDifferences) {
  auto q = randomData(kElements, 7), k = randomData(kElements, 8),
       v = randomData(kElements, 9), w = randomData(kElements, 10);
  Forward forward = runForward(q, k, v);
  std::vector<float> dq(kElements), dk(kElements), dv(kElements);
  causalAttentionGrad(w.data(), q.data(), k.data(), v.data(),
                      forward.logSumExp.data(), dq.data(), dk.data(), dv.data(),
                      kHeads, kLength, kDim, kScale);
  auto loss = [&](const std::vector<float> &qq, const std::vector<float> &kk,
                  const std::vector<float> &vv) {
    return test::weightedSum(w, runForward(qq, kk, vv).out);
  };
  test::expectGradientMatches(
      q, [&](const std::vector<float> &x) { return loss(x, k, v); }, dq);
  test::expectGradientMatches(
      k, [&](const std::vector<float> &x) { return loss(q, x, v); }, dk);
  test::expectGradientMatches(
      v, [&](const std::vector<float> &x) { return loss(q, k, x); }, dv);
  // The last key is seen by the last query alone: its value gradient is
  // exactly p w of that row (head 0).
  int64_t last = kLength - 1;
  const float *query = &q[last * kDim], *key = &k[last * kDim];
  float p = attention::probability(
      attention::scaledScore(attention::dot(
                                 kDim, [&](int64_t c) { return query[c]; },
                                 [&](int64_t c) { return key[c]; }),
                             kScale),
      forward.logSumExp[last]);
  for (int64_t c = 0; c < kDim; ++c)
    EXPECT_EQ(dv[last * kDim + c], p * w[last * kDim + c]);
}

TEST(AttentionMathTest, FoldTileMaxRescalesTheSum) {
  attention::RowState state = attention::emptyRow();
  EXPECT_EQ(attention::foldTileMax(state, 1.0f), 0.0f);
  EXPECT_EQ(state.max, 1.0f);
  EXPECT_EQ(attention::addScore(state, 1.0f), 1.0f);
  EXPECT_EQ(attention::addScore(state, 0.0f), std::exp(-1.0f));
  float sum = state.sum;
  // A larger max scales what was summed by exp(old - new).
  float factor = attention::foldTileMax(state, 3.0f);
  EXPECT_EQ(factor, std::exp(-2.0f));
  EXPECT_EQ(state.sum, sum * factor);
  // A smaller one changes nothing.
  EXPECT_EQ(attention::foldTileMax(state, 2.0f), 1.0f);
  EXPECT_EQ(state.max, 3.0f);
  EXPECT_FLOAT_EQ(attention::logSumExp(state), std::log(std::exp(1.0f) + 1.0f));
  EXPECT_TRUE(attention::isMasked(2, 3));
  EXPECT_FALSE(attention::isMasked(3, 3));
}

/// The CUDA forward's loop on the host: keys folded in tiles of `tile`, the
/// output accumulated unnormalized and divided by the sum at the end. It
/// agrees with the reference, which folds the whole prefix at once, to
/// rounding.
void expectTiledForwardMatches(int64_t tile) {
  auto q = randomData(kElements, 11, -3, 3), k = randomData(kElements, 12),
       v = randomData(kElements, 13);
  Forward reference = runForward(q, k, v);
  std::vector<float> out(kElements), logSumExp(kHeads * kLength);
  for (int64_t h = 0; h < kHeads; ++h)
    for (int64_t i = 0; i < kLength; ++i) {
      const float *query = &q[(h * kLength + i) * kDim];
      std::vector<float> acc(kDim, 0.0f);
      attention::RowState state = attention::emptyRow();
      for (int64_t first = 0; first <= i; first += tile) {
        std::vector<float> scores;
        float tileMax = -INFINITY;
        for (int64_t j = first; j < std::min(first + tile, i + 1); ++j) {
          const float *key = &k[(h * kLength + j) * kDim];
          scores.push_back(attention::scaledScore(
              attention::dot(
                  kDim, [&](int64_t c) { return query[c]; },
                  [&](int64_t c) { return key[c]; }),
              kScale));
          tileMax = std::max(tileMax, scores.back());
        }
        float factor = attention::foldTileMax(state, tileMax);
        for (float &value : acc)
          value *= factor;
        for (size_t j = 0; j < scores.size(); ++j) {
          float weight = attention::addScore(state, scores[j]);
          for (int64_t c = 0; c < kDim; ++c)
            acc[c] += weight * v[(h * kLength + first + j) * kDim + c];
        }
      }
      for (int64_t c = 0; c < kDim; ++c)
        out[(h * kLength + i) * kDim + c] = acc[c] / state.sum;
      logSumExp[h * kLength + i] = attention::logSumExp(state);
    }
  std::vector<double> expectedOut(reference.out.begin(), reference.out.end());
  std::vector<double> expectedLse(reference.logSumExp.begin(),
                                  reference.logSumExp.end());
  test::expectAllClose(out, expectedOut, 1e-5, 1e-6);
  test::expectAllClose(logSumExp, expectedLse, 1e-6, 1e-6);
}

TEST(AttentionMathTest, TiledForwardMatchesTheReference) {
  expectTiledForwardMatches(1);
  expectTiledForwardMatches(2);
  expectTiledForwardMatches(3);
}

} // namespace
} // namespace mpc::cpu
