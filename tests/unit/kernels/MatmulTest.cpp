//===- MatmulTest.cpp - blocked matrix product ----------------------------===//
//
// The kernel promises each output is the f32 sum over k in increasing order,
// so it must equal a naive float loop bit for bit; a double reference checks
// the naive loop itself.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

struct Product {
  Shape aShape;
  bool transposeA;
  Shape bShape;
  bool transposeB;
  Shape outShape;
};

/// The naive product, accumulated in T (float or double) over k in order.
template <typename T>
std::vector<T> naiveMatmul(const Product &p, const std::vector<float> &a,
                           const std::vector<float> &b) {
  size_t ro = p.outShape.size();
  int64_t m = p.outShape[ro - 2], n = p.outShape[ro - 1];
  int64_t k = p.transposeA ? p.aShape[p.aShape.size() - 2] : p.aShape.back();
  Shape batch(p.outShape.begin(), p.outShape.end() - 2);
  Shape aBatch(p.aShape.begin(), p.aShape.end() - 2);
  Shape bBatch(p.bShape.begin(), p.bShape.end() - 2);
  std::vector<T> out(static_cast<size_t>(numElements(p.outShape)));
  for (int64_t bi = 0; bi < numElements(batch); ++bi) {
    Shape index = unravel(bi, batch);
    const float *am = a.data() + broadcastSource(index, aBatch) * m * k;
    const float *bm = b.data() + broadcastSource(index, bBatch) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        T sum = 0;
        for (int64_t q = 0; q < k; ++q) {
          float x = p.transposeA ? am[q * m + i] : am[i * k + q];
          float y = p.transposeB ? bm[j * k + q] : bm[q * n + j];
          sum += static_cast<T>(x) * static_cast<T>(y);
        }
        out[(bi * m + i) * n + j] = sum;
      }
  }
  return out;
}

void expectMatmulMatchesNaive(const Product &p) {
  SCOPED_TRACE(::testing::Message()
               << "transposeA " << p.transposeA << " transposeB "
               << p.transposeB << " out rank " << p.outShape.size() << " ["
               << p.outShape[p.outShape.size() - 2] << " x "
               << p.outShape.back() << "]");
  std::vector<float> a = randomData(numElements(p.aShape), 1);
  std::vector<float> b = randomData(numElements(p.bShape), 2);
  std::vector<float> out(static_cast<size_t>(numElements(p.outShape)), NAN);
  matmul(a.data(), p.aShape, p.transposeA, b.data(), p.bShape, p.transposeB,
         out.data(), p.outShape);
  expectAllIdentical(out, naiveMatmul<float>(p, a, b));
  int64_t k = p.transposeA ? p.aShape[p.aShape.size() - 2] : p.aShape.back();
  // f32 rounding of a sum of k products of values in [-1, 1).
  expectAllClose(out, naiveMatmul<double>(p, a, b), 0, 1e-6 * (k + 1));
}

/// [M, K] x [K, N] in the given layouts.
Product product2d(int64_t m, int64_t k, int64_t n, bool ta, bool tb) {
  return {ta ? Shape{k, m} : Shape{m, k},
          ta,
          tb ? Shape{n, k} : Shape{k, n},
          tb,
          {m, n}};
}

TEST(Matmul, AllTransposeCombinationsAndOddSizes) {
  const int64_t sizes[][3] = {{1, 1, 1},    {7, 33, 129}, {129, 7, 33},
                              {33, 129, 7}, {1, 129, 7},  {129, 1, 33},
                              {7, 7, 1},    {33, 33, 33}, {129, 129, 129}};
  for (const auto &s : sizes)
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        expectMatmulMatchesNaive(product2d(s[0], s[1], s[2], ta, tb));
}

TEST(Matmul, CrossesEveryBlockBoundary) {
  // Past the K block (256), the M block (128) and the N block (2048).
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      expectMatmulMatchesNaive(product2d(300, 600, 20, ta, tb));
      expectMatmulMatchesNaive(product2d(3, 5, 2100, ta, tb));
    }
}

TEST(Matmul, BroadcastsBatchDimensions) {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      // [2,1,3,4] x [5,4,6] -> [2,5,3,6]
      expectMatmulMatchesNaive({{2, 1, ta ? 4 : 3, ta ? 3 : 4},
                                ta,
                                {5, tb ? 6 : 4, tb ? 4 : 6},
                                tb,
                                {2, 5, 3, 6}});
      // A shared A against a stack of B.
      expectMatmulMatchesNaive({{ta ? 9 : 7, ta ? 7 : 9},
                                ta,
                                {3, tb ? 5 : 9, tb ? 9 : 5},
                                tb,
                                {3, 7, 5}});
      // A stack of A against a shared B (one folded GEMM when untransposed),
      // with and without a leading 1 on B.
      expectMatmulMatchesNaive({{3, 2, ta ? 9 : 5, ta ? 5 : 9},
                                ta,
                                {tb ? 4 : 9, tb ? 9 : 4},
                                tb,
                                {3, 2, 5, 4}});
      expectMatmulMatchesNaive({{3, ta ? 9 : 5, ta ? 5 : 9},
                                ta,
                                {1, tb ? 4 : 9, tb ? 9 : 4},
                                tb,
                                {3, 5, 4}});
    }
}

TEST(Matmul, AttentionShapes) {
  // Scores q k^T and the weighted sum of values of a small GPT step.
  expectMatmulMatchesNaive(
      {{2, 4, 16, 8}, false, {2, 4, 16, 8}, true, {2, 4, 16, 16}});
  expectMatmulMatchesNaive(
      {{2, 4, 16, 16}, false, {2, 4, 16, 8}, false, {2, 4, 16, 8}});
}

TEST(Matmul, EmptyDepthGivesZeros) {
  std::vector<float> out(6, NAN);
  float dummy = 0;
  matmul(&dummy, {2, 0}, false, &dummy, {0, 3}, false, out.data(), {2, 3});
  EXPECT_EQ(out, std::vector<float>(6, 0.0f));
}

TEST(Matmul, PropagatesNaNAndInf) {
  std::vector<float> a = {1, NAN, 2, 3}, b = {1, 0, 0, 1};
  std::vector<float> out(4);
  matmul(a.data(), {2, 2}, false, b.data(), {2, 2}, false, out.data(), {2, 2});
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_TRUE(std::isnan(out[1]));
  EXPECT_EQ(out[2], 2.0f);
  EXPECT_EQ(out[3], 3.0f);
}

} // namespace
