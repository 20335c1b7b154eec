//===- DataMovementTest.cpp - broadcast, transpose and embedding ----------===//

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

} // namespace
