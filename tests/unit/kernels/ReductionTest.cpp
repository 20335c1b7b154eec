//===- ReductionTest.cpp - sums, means and finiteness ---------------------===//

#include "TestUtil.h"

#include <algorithm>

using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

/// The kept shape and, for each input element, the output it reduces into.
std::vector<int64_t> outputPositions(const Shape &shape,
                                     const std::vector<int64_t> &axes,
                                     Shape &kept) {
  kept.clear();
  for (size_t d = 0; d < shape.size(); ++d)
    if (!std::count(axes.begin(), axes.end(), static_cast<int64_t>(d)))
      kept.push_back(shape[d]);
  std::vector<int64_t> positions;
  for (int64_t i = 0; i < numElements(shape); ++i) {
    Shape index = unravel(i, shape);
    int64_t flat = 0;
    for (size_t d = 0, k = 0; d < shape.size(); ++d)
      if (!std::count(axes.begin(), axes.end(), static_cast<int64_t>(d)))
        flat = flat * kept[k++] + index[d];
    positions.push_back(flat);
  }
  return positions;
}

TEST(Reduce, SumAndMeanOverAxisSets) {
  const Shape shape = {2, 3, 4, 5};
  std::vector<float> x = randomData(numElements(shape), 20);
  const std::vector<std::vector<int64_t>> axisSets = {
      {}, {0}, {1}, {3}, {0, 2}, {1, 3}, {0, 1}, {2, 3}, {0, 1, 2, 3}, {0, 3}};
  for (const auto &axes : axisSets) {
    SCOPED_TRACE(::testing::PrintToString(axes));
    Shape kept;
    std::vector<int64_t> positions = outputPositions(shape, axes, kept);
    int64_t outputs = numElements(kept);
    // The promised order: a float running sum in input index order.
    std::vector<float> expected(outputs, 0.0f);
    std::vector<double> exact(outputs, 0.0), counts(outputs, 0.0);
    for (size_t i = 0; i < x.size(); ++i) {
      expected[positions[i]] += x[i];
      exact[positions[i]] += x[i];
      counts[positions[i]] += 1;
    }
    std::vector<float> sum(outputs, NAN), mean(outputs, NAN);
    reduceSum(x.data(), shape, axes, sum.data());
    reduceMean(x.data(), shape, axes, mean.data());
    expectAllIdentical(sum, expected);
    expectAllClose(sum, exact, 1e-5, 1e-5);
    for (int64_t o = 0; o < outputs; ++o)
      exact[o] /= counts[o];
    expectAllClose(mean, exact, 1e-5, 1e-6);
  }
}

TEST(Reduce, UnitDimensionsAndScalars) {
  std::vector<float> x = {1, 2, 3};
  float out = 0;
  reduceSum(x.data(), {1, 3, 1}, {0, 1, 2}, &out);
  EXPECT_EQ(out, 6.0f);
  std::vector<float> kept(3);
  reduceSum(x.data(), {1, 3, 1}, {0, 2}, kept.data());
  EXPECT_EQ(kept, x);
  reduceSum(x.data(), {}, {}, &out);
  EXPECT_EQ(out, 1.0f);
}

TEST(AllFinite, DetectsInfAndNaN) {
  std::vector<float> x = randomData(100, 21);
  EXPECT_TRUE(allFinite(x.data(), 100));
  EXPECT_TRUE(allFinite(x.data(), 0));
  x[57] = INFINITY;
  EXPECT_FALSE(allFinite(x.data(), 100));
  x[57] = -INFINITY;
  EXPECT_FALSE(allFinite(x.data(), 100));
  x[57] = NAN;
  EXPECT_FALSE(allFinite(x.data(), 100));
  EXPECT_TRUE(allFinite(x.data(), 57));
}

} // namespace
