//===- MaskingTest.cpp - causal mask and masked fill ----------------------===//

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

} // namespace
