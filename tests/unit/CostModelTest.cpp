//===- CostModelTest.cpp - the cost report's arithmetic by hand
//------------===//

#include "passes/CostModel.h"

#include <gtest/gtest.h>

namespace cost = mpc::cost;

namespace {

const cost::Chip &h100() {
  const cost::Chip *chip = cost::findChip("h100-sxm");
  EXPECT_NE(chip, nullptr);
  return *chip;
}

TEST(CostModel, ChipsCarryTheDatasheetPeaks) {
  const cost::Chip &h = h100();
  // 1,979 TFLOPS with sparsity: 989.5 dense.
  EXPECT_DOUBLE_EQ(h.denseBf16Flops, 989.5e12);
  EXPECT_DOUBLE_EQ(h.denseF16Flops, 989.5e12);
  EXPECT_DOUBLE_EQ(h.f32Flops, 67e12);
  EXPECT_DOUBLE_EQ(h.hbmBytesPerSecond, 3.35e12);
  const cost::Chip *h200 = cost::findChip("h200");
  ASSERT_NE(h200, nullptr);
  EXPECT_DOUBLE_EQ(h200->denseBf16Flops, 989.5e12);
  EXPECT_DOUBLE_EQ(h200->hbmBytesPerSecond, 4.8e12);
  EXPECT_EQ(cost::findChip("a100"), nullptr);
  EXPECT_EQ(cost::findChip("H100-SXM"), nullptr);
  EXPECT_EQ(cost::chipNames(), "h100-sxm, h200");
}

TEST(CostModel, PeakFollowsTheMath) {
  const cost::Chip &h = h100();
  EXPECT_DOUBLE_EQ(cost::peakFlops(h, cost::Math::TensorBf16), 989.5e12);
  EXPECT_DOUBLE_EQ(cost::peakFlops(h, cost::Math::TensorF16), 989.5e12);
  EXPECT_DOUBLE_EQ(cost::peakFlops(h, cost::Math::F32), 67e12);
}

TEST(CostModel, GemmFlopsAreTwoPerProduct) {
  // [4, 3] x [3, 5]: 20 outputs of 3 products, a multiply and an add each.
  EXPECT_DOUBLE_EQ(cost::gemmFlops(20, 3), 120);
  // GPT-2's LM head on 8 x 1024 tokens: 2 * 8192 * 50304 * 768.
  EXPECT_DOUBLE_EQ(cost::gemmFlops(8192LL * 50304, 768), 632970805248.0);
  EXPECT_DOUBLE_EQ(cost::gemmFlops(0, 64), 0);
}

TEST(CostModel, RowPassesReachHbmOnlyForLongRows) {
  // 768 f32 (3 KiB): cached, read once whatever the passes.
  EXPECT_EQ(cost::rowPassBytes(8192, 768 * 4, 3), 8192LL * 3072);
  // Exactly the cached size: still once.
  EXPECT_EQ(cost::rowPassBytes(10, cost::kCachedRowBytes, 3),
            10 * cost::kCachedRowBytes);
  // One byte more: every pass. 50304 f32 logits, three passes.
  EXPECT_EQ(cost::rowPassBytes(10, cost::kCachedRowBytes + 1, 3),
            30 * (cost::kCachedRowBytes + 1));
  EXPECT_EQ(cost::rowPassBytes(8192, 50304 * 4, 3), 8192LL * 201216 * 3);
  EXPECT_EQ(cost::rowPassBytes(0, 50304 * 4, 3), 0);
}

TEST(CostModel, CausalPairsAreTheLowerTriangle) {
  // One head of 4 rows: 4 + 3 + 2 + 1 pairs.
  EXPECT_EQ(cost::causalPairs(1, 4), 10);
  // GPT-2 small: 96 heads of 1024 rows, a little over half of 96 * 1024^2.
  EXPECT_EQ(cost::causalPairs(96, 1024), 96.0 * 1024 * 1025 / 2);
  EXPECT_EQ(cost::causalPairs(3, 0), 0);
}

TEST(CostModel, RooflineTakesTheLongerRoof) {
  const cost::Chip &h = h100();
  // A memory-bound copy: 3.35 GB at 3.35 TB/s is 1 ms.
  cost::LaunchCost copy{cost::Math::F32, 0, 1675000000, 1675000000};
  EXPECT_DOUBLE_EQ(cost::predictedSeconds(copy, h), 1e-3);
  EXPECT_EQ(cost::boundOf(copy, h), cost::Bound::Memory);
  // A 4096^3 bf16 GEMM: 2^37 FLOPs at 989.5 TFLOP/s (138.9 us) against
  // 3 * 32 MiB at 3.35 TB/s (30.0 us).
  cost::LaunchCost gemm{cost::Math::TensorBf16,
                        cost::gemmFlops(4096 * 4096, 4096), 2 * 4096 * 4096 * 2,
                        4096 * 4096 * 2};
  EXPECT_DOUBLE_EQ(cost::predictedSeconds(gemm, h), 137438953472.0 / 989.5e12);
  EXPECT_EQ(cost::boundOf(gemm, h), cost::Bound::Compute);
  // The same GEMM in f32: the 67 TFLOP/s roof.
  gemm.math = cost::Math::F32;
  EXPECT_DOUBLE_EQ(cost::predictedSeconds(gemm, h), 137438953472.0 / 67e12);
  // Nothing to do is memory-bound and free.
  EXPECT_EQ(cost::boundOf(cost::LaunchCost{}, h), cost::Bound::Memory);
  EXPECT_DOUBLE_EQ(cost::predictedSeconds(cost::LaunchCost{}, h), 0);
}

TEST(CostModel, ModelFlopsOfGpt2SmallAreLlmCs) {
  // GPT-2 small, untied head: L = 12, C = 768, T = 1024, V = 50304, 8
  // sequences. Forward GEMM FLOPs per token: 2 per weight of the GEMMs
  // (12 * (4 C^2 + 8 C^2) + C V) and, for causal attention at half,
  // 2 * (2 T C) / 2 per layer for scores and for probabilities.
  const double layers = 12, c = 768, t = 1024, v = 50304, tokens = 8 * 1024;
  const double weights = layers * 12 * c * c + c * v;
  const double forward = tokens * (2 * weights + layers * 2 * t * c);
  // llm.c: (6 N + 6 L T C) per token.
  EXPECT_DOUBLE_EQ(cost::modelFlops(forward),
                   tokens * (6 * weights + 6 * layers * t * c));
  EXPECT_DOUBLE_EQ(cost::modelFlops(forward), 6537477095424.0);
}

TEST(CostModel, MfuIsAgainstTheBf16Peak) {
  const cost::Chip &h = h100();
  // 989.5 TFLOP in one second: 100%; in two: 50%.
  EXPECT_DOUBLE_EQ(cost::mfu(989.5e12, 1, h), 1.0);
  EXPECT_DOUBLE_EQ(cost::mfu(989.5e12, 2, h), 0.5);
  EXPECT_DOUBLE_EQ(cost::mfu(1e12, 0, h), 0);
}

} // namespace
