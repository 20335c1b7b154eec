//===- DataMovementTest.cpp - broadcast, transpose, slice, concat, embedding
//===//

#include "TestUtil.h"

#include <algorithm>
#include <numeric>

using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

void expectBroadcastMatchesNaive(const Shape &inShape, const Shape &outShape) {
  SCOPED_TRACE(::testing::PrintToString(inShape) + " -> " +
               ::testing::PrintToString(outShape));
  std::vector<float> in = randomData(numElements(inShape), 30);
  std::vector<float> out(static_cast<size_t>(numElements(outShape)), NAN);
  broadcastTo(in.data(), inShape, out.data(), outShape);
  std::vector<float> expected(out.size());
  for (int64_t i = 0; i < numElements(outShape); ++i)
    expected[i] = in[broadcastSource(unravel(i, outShape), inShape)];
  expectAllIdentical(out, expected);
}

TEST(BroadcastTo, MatchesNaive) {
  expectBroadcastMatchesNaive({3, 1}, {2, 3, 4});
  expectBroadcastMatchesNaive({}, {2, 2});
  expectBroadcastMatchesNaive({4}, {3, 4});
  expectBroadcastMatchesNaive({2, 1, 4}, {2, 3, 4});
  expectBroadcastMatchesNaive({2, 3}, {2, 3});
  expectBroadcastMatchesNaive({1, 1}, {5, 1, 1});
}

/// transpose of a T tensor against naive index arithmetic.
template <typename T>
void expectTransposeMatchesNaive(const Shape &shape,
                                 const std::vector<int64_t> &permutation) {
  SCOPED_TRACE(::testing::PrintToString(permutation));
  std::vector<T> in(static_cast<size_t>(numElements(shape)));
  std::iota(in.begin(), in.end(), T(0));
  Shape outShape(shape.size());
  for (size_t i = 0; i < shape.size(); ++i)
    outShape[i] = shape[permutation[i]];
  std::vector<T> out(in.size());
  transpose(in.data(), shape, permutation, out.data());
  for (int64_t i = 0; i < numElements(outShape); ++i) {
    Shape outIndex = unravel(i, outShape);
    Shape inIndex(shape.size());
    for (size_t d = 0; d < shape.size(); ++d)
      inIndex[permutation[d]] = outIndex[d];
    int64_t flat = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      flat = flat * shape[d] + inIndex[d];
    ASSERT_EQ(out[i], in[flat]) << "at " << i;
  }
}

TEST(Transpose, AllPermutationsOfRank3) {
  std::vector<int64_t> permutation = {0, 1, 2};
  do {
    expectTransposeMatchesNaive<float>({2, 3, 4}, permutation);
    expectTransposeMatchesNaive<int64_t>({2, 3, 4}, permutation);
  } while (std::next_permutation(permutation.begin(), permutation.end()));
}

TEST(Transpose, Rank4AndUnitDimensions) {
  expectTransposeMatchesNaive<float>({2, 4, 3, 5}, {0, 2, 1, 3});
  expectTransposeMatchesNaive<float>({2, 4, 3, 5}, {3, 1, 0, 2});
  expectTransposeMatchesNaive<float>({1, 4, 1, 5}, {3, 2, 1, 0});
  expectTransposeMatchesNaive<int64_t>({33, 65}, {1, 0});
}

TEST(Embedding, GathersRows) {
  const int64_t rows = 5, dim = 3;
  std::vector<float> table = randomData(rows * dim, 31);
  std::vector<int64_t> ids = {4, 0, 4, 2};
  std::vector<float> out(ids.size() * dim);
  EXPECT_EQ(embedding(ids.data(), 4, table.data(), rows, dim, out.data()), -1);
  for (size_t i = 0; i < ids.size(); ++i)
    for (int64_t c = 0; c < dim; ++c)
      EXPECT_EQ(out[i * dim + c], table[ids[i] * dim + c]);
}

TEST(Embedding, ReportsFirstOutOfRangePosition) {
  std::vector<float> table(10, 1.0f), out(20);
  std::vector<int64_t> ids = {1, 4, 5, -1};
  EXPECT_EQ(embedding(ids.data(), 4, table.data(), 5, 2, out.data()), 2);
  ids = {-1, 7};
  EXPECT_EQ(embedding(ids.data(), 2, table.data(), 5, 2, out.data()), 0);
  EXPECT_EQ(embedding(ids.data(), 0, table.data(), 5, 2, out.data()), -1);
}

TEST(EmbeddingGrad, ScatterAddsRepeatedIds) {
  const int64_t rows = 4, dim = 2;
  std::vector<float> dy = {1, 2, 3, 4, 5, 6};
  std::vector<int64_t> ids = {3, 0, 3};
  std::vector<float> dtable(rows * dim, NAN);
  embeddingGrad(dy.data(), ids.data(), 3, rows, dim, dtable.data());
  EXPECT_EQ(dtable, (std::vector<float>{3, 4, 0, 0, 0, 0, 6, 8}));
}

/// slice against naive index arithmetic: out[i] = in[firsts + i * steps].
template <typename T>
void expectSliceMatchesNaive(const Shape &inShape, const Shape &firsts,
                             const Shape &steps, const Shape &outShape) {
  SCOPED_TRACE(::testing::PrintToString(firsts) + " by " +
               ::testing::PrintToString(steps));
  std::vector<T> in(static_cast<size_t>(numElements(inShape)));
  std::iota(in.begin(), in.end(), T(1));
  std::vector<T> out(static_cast<size_t>(numElements(outShape)));
  slice(in.data(), inShape, firsts, steps, out.data(), outShape);
  for (int64_t i = 0; i < numElements(outShape); ++i) {
    Shape at = unravel(i, outShape);
    int64_t source = 0;
    for (size_t d = 0; d < inShape.size(); ++d)
      source = source * inShape[d] + firsts[d] + at[d] * steps[d];
    EXPECT_EQ(out[i], in[source]) << "element " << i;
  }
}

TEST(Slice, PositiveNegativeAndUnitSteps) {
  expectSliceMatchesNaive<float>({4, 5, 6}, {1, 0, 5}, {2, 1, -2}, {2, 5, 3});
  expectSliceMatchesNaive<float>({4, 5, 6}, {3, 4, 0}, {-1, -4, 1}, {4, 2, 6});
  expectSliceMatchesNaive<int64_t>({7, 3}, {6, 2}, {-3, -1}, {3, 3});
  expectSliceMatchesNaive<float>({10}, {2}, {3}, {3});
}

TEST(SliceGrad, ScattersIntoZeros) {
  // dx of [3, 4] for the slice rows 2, 0 (step -2) and columns 1, 3.
  std::vector<float> dy = {1, 2, 3, 4}, dx(12, NAN);
  sliceGrad(dy.data(), {2, 2}, {2, 1}, {-2, 2}, dx.data(), {3, 4});
  EXPECT_EQ(dx, (std::vector<float>{0, 3, 0, 4, 0, 0, 0, 0, 0, 1, 0, 2}));
}

TEST(Concat, JoinsAlongEveryAxis) {
  std::vector<float> a = randomData(2 * 3 * 4, 31),
                     b = randomData(2 * 1 * 4, 32);
  std::vector<float> out(2 * 4 * 4, NAN);
  concat({a.data(), b.data()}, {{2, 3, 4}, {2, 1, 4}}, 1, out.data());
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t k = 0; k < 4; ++k)
        EXPECT_EQ(out[(i * 4 + j) * 4 + k],
                  j < 3 ? a[(i * 3 + j) * 4 + k] : b[i * 4 + k]);
  std::vector<int64_t> x = {1, 2, 3, 4}, y = {5, 6}, joined(6);
  concat({x.data(), y.data()}, {{2, 2}, {2, 1}}, 1, joined.data());
  EXPECT_EQ(joined, (std::vector<int64_t>{1, 2, 5, 3, 4, 6}));
  concat({x.data(), y.data()}, {{4}, {2}}, 0, joined.data());
  EXPECT_EQ(joined, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
}

} // namespace
