//===- AttentionTest.cpp - causal attention and its gradient --------------===//
//
// causalAttention against the unfused chain (bit for bit in f32) and a
// double-precision computation; causalAttentionGrad against central
// differences of the forward; the sequence-major layout against the
// head-major op between transposes, and q, k and v packed in one tensor
// against the sequence-major op on separate ones (bit for bit); and the
// online softmax of runtime/core/AttentionMath.h, folded tile by tile as
// the CUDA kernels do, against the reference; in f16 and bf16, the 16-bit
// rounding of the products' operands.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "runtime/core/AttentionMath.h"

#include <algorithm>
#include <cmath>
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
                   const std::vector<float> &v, mpc_dtype type = MPC_F32) {
  Forward result{std::vector<float>(kElements),
                 std::vector<float>(kHeads * kLength)};
  causalAttention(
      q.data(), k.data(), v.data(), result.out.data(), result.logSumExp.data(),
      attention::headMajorLayout(1, kHeads, kLength, kDim),
      attention::headMajorLayout(1, kHeads, kLength, kDim), kScale, type);
  return result;
}

struct Gradients {
  std::vector<float> dq, dk, dv;
};

Gradients runGradient(const std::vector<float> &dout,
                      const std::vector<float> &q, const std::vector<float> &k,
                      const std::vector<float> &v,
                      const std::vector<float> &logSumExp,
                      mpc_dtype type = MPC_F32) {
  Gradients result{std::vector<float>(kElements), std::vector<float>(kElements),
                   std::vector<float>(kElements)};
  causalAttentionGrad(
      dout.data(), q.data(), k.data(), v.data(), logSumExp.data(),
      result.dq.data(), result.dk.data(), result.dv.data(),
      attention::headMajorLayout(1, kHeads, kLength, kDim),
      attention::headMajorLayout(1, kHeads, kLength, kDim), kScale, type);
  return result;
}

/// The scaled score of query `i` and key `j` of head 0.
float score(const std::vector<float> &q, const std::vector<float> &k, int64_t i,
            int64_t j) {
  const float *query = &q[i * kDim], *key = &k[j * kDim];
  return attention::scaledScore(attention::dot(
                                    kDim, [&](int64_t c) { return query[c]; },
                                    [&](int64_t c) { return key[c]; }),
                                kScale);
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
  auto [dq, dk, dv] = runGradient(w, q, k, v, forward.logSumExp);
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
  float p =
      attention::probability(score(q, k, last, last), forward.logSumExp[last]);
  for (int64_t c = 0; c < kDim; ++c)
    EXPECT_EQ(dv[last * kDim + c], p * w[last * kDim + c]);
}

/// Forward and gradient of [batch, length, heads, dim] operands, run
/// sequence-major in place and head-major between transposes
/// [0, 2, 1, 3]: every output must have the same bits, in every type (the
/// layout moves rows, never changes the arithmetic on them).
TEST(AttentionTest, SequenceMajorIsTheHeadMajorOpBetweenTransposes) {
  constexpr int64_t kBatch = 2, kGroupHeads = 3, kRows = 9, kHeadDim = 6;
  constexpr int64_t n = kBatch * kGroupHeads * kRows * kHeadDim;
  const Shape sequenceShape = {kBatch, kRows, kGroupHeads, kHeadDim},
              headShape = {kBatch, kGroupHeads, kRows, kHeadDim};
  const std::vector<int64_t> swap = {0, 2, 1, 3};
  auto toHeads = [&](const std::vector<float> &x) {
    std::vector<float> out(n);
    transpose(x.data(), sequenceShape, swap, out.data());
    return out;
  };
  auto toSequence = [&](const std::vector<float> &x) {
    std::vector<float> out(n);
    transpose(x.data(), headShape, swap, out.data());
    return out;
  };
  attention::Layout headMajor =
      attention::headMajorLayout(kBatch, kGroupHeads, kRows, kHeadDim);
  attention::Layout sequenceMajor =
      attention::sequenceMajorLayout(kBatch, kGroupHeads, kRows, kHeadDim);
  auto q = randomData(n, 21, -2, 2), k = randomData(n, 22, -2, 2),
       v = randomData(n, 23), dout = randomData(n, 24);
  for (mpc_dtype type : {MPC_F32, MPC_F16, MPC_BF16}) {
    SCOPED_TRACE(dtypeName(type));
    std::vector<float> qh = toHeads(q), kh = toHeads(k), vh = toHeads(v);
    std::vector<float> out(n), lse(n / kHeadDim), outHeads(n),
        lseHeads(n / kHeadDim);
    causalAttention(q.data(), k.data(), v.data(), out.data(), lse.data(),
                    sequenceMajor, sequenceMajor, kScale, type);
    causalAttention(qh.data(), kh.data(), vh.data(), outHeads.data(),
                    lseHeads.data(), headMajor, headMajor, kScale, type);
    test::expectAllIdentical(out, toSequence(outHeads));
    test::expectAllIdentical(lse, lseHeads);
    // Not the same bits by accident: the layouts differ in memory.
    EXPECT_NE(out, outHeads);

    std::vector<float> dq(n), dk(n), dv(n), dqh(n), dkh(n), dvh(n);
    causalAttentionGrad(dout.data(), q.data(), k.data(), v.data(), lse.data(),
                        dq.data(), dk.data(), dv.data(), sequenceMajor,
                        sequenceMajor, kScale, type);
    std::vector<float> douth = toHeads(dout);
    causalAttentionGrad(douth.data(), qh.data(), kh.data(), vh.data(),
                        lseHeads.data(), dqh.data(), dkh.data(), dvh.data(),
                        headMajor, headMajor, kScale, type);
    test::expectAllIdentical(dq, toSequence(dqh));
    test::expectAllIdentical(dk, toSequence(dkh));
    test::expectAllIdentical(dv, toSequence(dvh));
  }
}

/// q, k and v packed in one [batch, length, 3, heads, dim] tensor and read
/// in place beside a [batch, length, heads, dim] result, their gradients
/// written into one such tensor: the same bits as the sequence-major op on
/// three separate tensors, in every type, and no element of the packed
/// gradient left unwritten.
TEST(AttentionTest, PackedQkvIsTheSequenceMajorOpOnItsParts) {
  constexpr int64_t kBatch = 2, kGroupHeads = 3, kRows = 9, kHeadDim = 6;
  constexpr int64_t kRow = kGroupHeads * kHeadDim;
  constexpr int64_t n = kBatch * kRows * kRow;
  // Part `part` (q, k, v) of a packed tensor as a tensor of its own, from
  // the row-major [batch, length, 3, heads, dim] offsets written out.
  auto partOf = [&](const std::vector<float> &packed, int part) {
    std::vector<float> x(n);
    for (int64_t position = 0; position < kBatch * kRows; ++position)
      std::copy_n(packed.begin() + (position * 3 + part) * kRow, kRow,
                  x.begin() + position * kRow);
    return x;
  };
  attention::Layout sequenceMajor =
      attention::sequenceMajorLayout(kBatch, kGroupHeads, kRows, kHeadDim);
  attention::Layout packed =
      attention::packedQkvLayout(kBatch, kGroupHeads, kRows, kHeadDim);
  auto at = [&](auto &data, int part) {
    return data.data() + attention::packedQkvPartOffset(packed, part);
  };
  const std::vector<float> qkv = randomData(3 * n, 31, -2, 2),
                           dout = randomData(n, 34);
  const std::vector<float> q = partOf(qkv, 0), k = partOf(qkv, 1),
                           v = partOf(qkv, 2);
  for (mpc_dtype type : {MPC_F32, MPC_F16, MPC_BF16}) {
    SCOPED_TRACE(dtypeName(type));
    std::vector<float> out(n), lse(n / kHeadDim), outPacked(n),
        lsePacked(n / kHeadDim);
    causalAttention(q.data(), k.data(), v.data(), out.data(), lse.data(),
                    sequenceMajor, sequenceMajor, kScale, type);
    causalAttention(at(qkv, 0), at(qkv, 1), at(qkv, 2), outPacked.data(),
                    lsePacked.data(), packed, sequenceMajor, kScale, type);
    test::expectAllIdentical(outPacked, out);
    test::expectAllIdentical(lsePacked, lse);

    std::vector<float> dq(n), dk(n), dv(n);
    causalAttentionGrad(dout.data(), q.data(), k.data(), v.data(), lse.data(),
                        dq.data(), dk.data(), dv.data(), sequenceMajor,
                        sequenceMajor, kScale, type);
    std::vector<float> dqkv(3 * n, std::numeric_limits<float>::quiet_NaN());
    causalAttentionGrad(dout.data(), at(qkv, 0), at(qkv, 1), at(qkv, 2),
                        lse.data(), at(dqkv, 0), at(dqkv, 1), at(dqkv, 2),
                        packed, sequenceMajor, kScale, type);
    EXPECT_TRUE(std::none_of(dqkv.begin(), dqkv.end(),
                             [](float x) { return std::isnan(x); }));
    test::expectAllIdentical(partOf(dqkv, 0), dq);
    test::expectAllIdentical(partOf(dqkv, 1), dk);
    test::expectAllIdentical(partOf(dqkv, 2), dv);
    // Not the same bits by accident: the parts' gradients differ.
    EXPECT_NE(dq, dk);
  }
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

/// The unit roundoff of a 16-bit type.
double unitRoundoff(mpc_dtype type) {
  return type == MPC_BF16 ? 0x1p-8 : 0x1p-11;
}

/// The CUDA forward's loop on the host: keys folded in tiles of `tile`, the
/// output accumulated unnormalized and divided by the sum at the end, in
/// 16-bit types each weight rounded against the running max as the
/// tensor-core kernel does. It agrees with the reference, which folds the
/// whole prefix at once (and rounds against the row's max), to rounding:
/// in 16 bits two roundings of a weight apart, 2 u of sum_j p_j |v_j| <= 1.
void expectTiledForwardMatches(int64_t tile, mpc_dtype type = MPC_F32) {
  auto q = randomData(kElements, 11, -3, 3), k = randomData(kElements, 12),
       v = randomData(kElements, 13);
  Forward reference = runForward(q, k, v, type);
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
          float weight = attention::productOperand(
              type, attention::addScore(state, scores[j]));
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
  double roundings = type == MPC_F32 ? 0.0 : 2 * unitRoundoff(type);
  test::expectAllClose(out, expectedOut, 1e-5, 1e-6 + roundings);
  test::expectAllClose(logSumExp, expectedLse, 1e-6, 1e-6);
}

TEST(AttentionMathTest, TiledForwardMatchesTheReference) {
  expectTiledForwardMatches(1);
  expectTiledForwardMatches(2);
  expectTiledForwardMatches(3);
}

TEST(AttentionMathTest, TiledSixteenBitForwardMatchesTheReference) {
  for (mpc_dtype type : {MPC_F16, MPC_BF16})
    for (int64_t tile : {1, 2, 3}) {
      SCOPED_TRACE(std::string(dtypeName(type)) + " tile " +
                   std::to_string(tile));
      expectTiledForwardMatches(tile, type);
    }
}

TEST(AttentionMathTest, TensorCoresForSixteenBitTypesAtEveryKernelHeadDim) {
  for (mpc_dtype type : {MPC_F16, MPC_BF16}) {
    EXPECT_TRUE(attention::usesTensorCores(type, 1));
    EXPECT_TRUE(attention::usesTensorCores(type, 100));
    EXPECT_TRUE(attention::usesTensorCores(type, attention::kMaxDim));
    EXPECT_FALSE(attention::usesTensorCores(type, attention::kMaxDim + 1));
    EXPECT_FALSE(attention::usesTensorCores(type, 0));
  }
  EXPECT_FALSE(attention::usesTensorCores(MPC_F32, 64));
  EXPECT_EQ(attention::productOperand(MPC_F32, 0.1f), 0.1f);
  EXPECT_EQ(attention::productOperand(MPC_F16, 0.1f), math::roundF16(0.1f));
  EXPECT_EQ(attention::productOperand(MPC_BF16, 0.1f), math::roundBF16(0.1f));
  EXPECT_EQ(math::halfBitsToFloat(attention::operandBits(MPC_F16, 0.1f)),
            math::roundF16(0.1f));
  EXPECT_EQ(math::bfloat16BitsToFloat(attention::operandBits(MPC_BF16, 0.1f)),
            math::roundBF16(0.1f));
}

// In 16 bits the weights exp(s_j - max) are rounded before they weigh the
// values and the f32 sum of the unrounded ones divides at the end:
// out_i = (sum_j round(w_j) v_j) / sum_j w_j, in increasing j.
TEST(AttentionTest, SixteenBitForwardRoundsTheWeights) {
  auto q = randomData(kElements, 14, -3, 3),
       k = randomData(kElements, 15, -3, 3), v = randomData(kElements, 16);
  Forward wide = runForward(q, k, v);
  for (mpc_dtype type : {MPC_F16, MPC_BF16}) {
    Forward narrow = runForward(q, k, v, type);
    std::vector<float> out(kElements);
    for (int64_t h = 0; h < kHeads; ++h)
      for (int64_t i = 0; i < kLength; ++i) {
        int64_t base = h * kLength * kDim;
        std::vector<float> s;
        for (int64_t j = 0; j <= i; ++j)
          s.push_back(score({q.begin() + base, q.end()},
                            {k.begin() + base, k.end()}, i, j));
        float max = *std::max_element(s.begin(), s.end()), sum = 0.0f;
        std::vector<float> acc(kDim, 0.0f);
        for (int64_t j = 0; j <= i; ++j) {
          float w = math::exp(math::sub(s[j], max));
          sum = math::add(sum, w);
          float rounded =
              type == MPC_F16 ? math::roundF16(w) : math::roundBF16(w);
          for (int64_t c = 0; c < kDim; ++c)
            acc[c] =
                math::add(acc[c], math::mul(rounded, v[base + j * kDim + c]));
        }
        for (int64_t c = 0; c < kDim; ++c)
          out[base + i * kDim + c] = math::div(acc[c], sum);
      }
    test::expectAllIdentical(narrow.out, out);
    // The statistics are f32 in every type.
    test::expectAllIdentical(narrow.logSumExp, wide.logSumExp);
    // A convex combination of values in [-1, 1] whose weights each moved by
    // at most one rounding: within u of the f32 output, and not equal to it.
    std::vector<double> expected(wide.out.begin(), wide.out.end());
    test::expectAllClose(narrow.out, expected, 0, unitRoundoff(type) + 1e-6);
    EXPECT_NE(narrow.out, wide.out) << dtypeName(type);
  }
}

// In 16 bits dS_ij and p_ij are rounded before they multiply; D sums the
// unrounded p_ij dP_ij. The last key is seen by the last query alone, so
// its gradients are single products: dk = round(dS) q, dv = round(p) dO.
TEST(AttentionTest, SixteenBitGradientRoundsTheScoreGradientsAndProbabilities) {
  auto q = randomData(kElements, 17, -3, 3),
       k = randomData(kElements, 18, -3, 3), v = randomData(kElements, 19),
       w = randomData(kElements, 20);
  for (mpc_dtype type : {MPC_F16, MPC_BF16}) {
    Forward forward = runForward(q, k, v, type);
    auto [dq, dk, dv] = runGradient(w, q, k, v, forward.logSumExp, type);
    int64_t last = kLength - 1;
    float lse = forward.logSumExp[last], rowGradDot = 0.0f, p = 0.0f, dP = 0.0f;
    for (int64_t j = 0; j <= last; ++j) {
      p = attention::probability(score(q, k, last, j), lse);
      dP = attention::dot(
          kDim, [&](int64_t c) { return w[last * kDim + c]; },
          [&](int64_t c) { return v[j * kDim + c]; });
      rowGradDot = attention::addToRowGradDot(rowGradDot, p, dP);
    }
    auto round = [&](float x) {
      return type == MPC_F16 ? math::roundF16(x) : math::roundBF16(x);
    };
    float dS = round(attention::scoreGrad(p, dP, rowGradDot, kScale));
    EXPECT_NE(round(p), p) << dtypeName(type);
    for (int64_t c = 0; c < kDim; ++c) {
      EXPECT_EQ(dk[last * kDim + c], dS * q[last * kDim + c]) << c;
      EXPECT_EQ(dv[last * kDim + c], round(p) * w[last * kDim + c]) << c;
    }
    // Row 0 sees key 0 alone with p = 1: its dS is 0 and dq_0 too.
    for (int64_t c = 0; c < kDim; ++c)
      EXPECT_EQ(dq[c], 0.0f) << c;
  }
}

} // namespace
} // namespace mpc::cpu
