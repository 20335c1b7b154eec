//===- MaskingTest.cpp - causal mask, masked fill and where ---------------===//

#include "TestUtil.h"

using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

void expectCausalMask(const Shape &shape) {
  SCOPED_TRACE(::testing::PrintToString(shape));
  std::vector<float> in = randomData(numElements(shape), 40);
  std::vector<float> out(in.size(), NAN);
  causalMask(in.data(), out.data(), shape, -1e9f);
  for (int64_t i = 0; i < numElements(shape); ++i) {
    Shape index = unravel(i, shape);
    int64_t row = index[shape.size() - 2], col = index.back();
    EXPECT_EQ(out[i], col > row ? -1e9f : in[i]) << "at " << i;
  }
  // In place gives the same.
  causalMask(in.data(), in.data(), shape, -1e9f);
  EXPECT_EQ(in, out);
}

TEST(CausalMask, MasksAboveTheDiagonal) {
  expectCausalMask({2, 3, 4, 4});
  expectCausalMask({4, 3});
  expectCausalMask({3, 5});
  expectCausalMask({1, 1});
}

void expectMaskedFill(const Shape &shape, const Shape &maskShape) {
  SCOPED_TRACE(::testing::PrintToString(maskShape));
  std::vector<float> in = randomData(numElements(shape), 41);
  std::vector<uint8_t> mask(static_cast<size_t>(numElements(maskShape)));
  for (size_t i = 0; i < mask.size(); ++i)
    mask[i] = static_cast<uint8_t>((i * 7 + 3) % 3 == 0);
  std::vector<float> out(in.size(), NAN);
  maskedFill(in.data(), shape, mask.data(), maskShape, 5.0f, out.data());
  for (int64_t i = 0; i < numElements(shape); ++i) {
    bool fill = mask[broadcastSource(unravel(i, shape), maskShape)];
    EXPECT_EQ(out[i], fill ? 5.0f : in[i]) << "at " << i;
  }
}

TEST(MaskedFill, BroadcastsTheMask) {
  const Shape shape = {2, 3, 4};
  expectMaskedFill(shape, shape);
  expectMaskedFill(shape, {3, 1});
  expectMaskedFill(shape, {4});
  expectMaskedFill(shape, {2, 1, 4});
  expectMaskedFill(shape, {});
  expectMaskedFill(shape, {1, 3, 4});
}

void expectWhere(const Shape &conditionShape, const Shape &onTrueShape,
                 const Shape &onFalseShape, const Shape &shape) {
  SCOPED_TRACE(::testing::PrintToString(conditionShape) + " " +
               ::testing::PrintToString(onTrueShape) + " " +
               ::testing::PrintToString(onFalseShape));
  std::vector<uint8_t> condition(
      static_cast<size_t>(numElements(conditionShape)));
  for (size_t i = 0; i < condition.size(); ++i)
    condition[i] = static_cast<uint8_t>((i * 5 + 1) % 3 == 0);
  std::vector<float> onTrue = randomData(numElements(onTrueShape), 42);
  std::vector<float> onFalse = randomData(numElements(onFalseShape), 43);
  std::vector<float> out(static_cast<size_t>(numElements(shape)), NAN);
  where(condition.data(), conditionShape, onTrue.data(), onTrueShape,
        onFalse.data(), onFalseShape, out.data(), shape);
  for (int64_t i = 0; i < numElements(shape); ++i) {
    Shape index = unravel(i, shape);
    float expected = condition[broadcastSource(index, conditionShape)]
                         ? onTrue[broadcastSource(index, onTrueShape)]
                         : onFalse[broadcastSource(index, onFalseShape)];
    EXPECT_EQ(out[i], expected) << "at " << i;
  }
}

TEST(Where, BroadcastsAllThreeOperands) {
  const Shape shape = {2, 3, 4};
  expectWhere(shape, shape, shape, shape);
  expectWhere({3, 1}, {4}, shape, shape);
  expectWhere(shape, {}, {2, 1, 4}, shape);
  expectWhere({}, shape, {1, 3, 1}, shape);
  // Only the broadcast of the three has the result's shape.
  expectWhere({2, 1, 1}, {3, 1}, {4}, shape);
}

TEST(Where, ChoosesBothBranchesOfAMixedCondition) {
  // The condition pattern above is neither all true nor all false, so both
  // branches are read: a kernel that ignored the condition would fail.
  std::vector<uint8_t> condition = {1, 0, 1, 0};
  std::vector<float> onTrue = {1, 2, 3, 4}, onFalse = {-1, -2, -3, -4};
  std::vector<float> out(4, NAN);
  where(condition.data(), {4}, onTrue.data(), {4}, onFalse.data(), {4},
        out.data(), {4});
  EXPECT_EQ(out, (std::vector<float>{1, -2, 3, -4}));
}

} // namespace
