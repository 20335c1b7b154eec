//===- TensorChunksTest.cpp - multi-tensor launch plans and block mapping -===//
//
// The host plans the launches of a multi-tensor call and every block maps
// itself to a tensor and an element range with chunkOf. Walking every block
// of every launch on the host must cover each element of each non-empty
// tensor exactly once, in chunks of at most kTensorChunk elements, with no
// launch over kTensorsPerLaunch tensors.
//
//===----------------------------------------------------------------------===//

#include "TensorChunks.h"

#include <gtest/gtest.h>

#include <vector>

using namespace mpc::cuda;

namespace {

/// Checks the plan for `sizes` block by block: the chunks of each tensor,
/// in block order, must tile [0, n) without gaps or overlaps.
void expectEachElementOnce(const std::vector<int64_t> &sizes) {
  std::vector<int64_t> covered(sizes.size(), 0);
  int64_t expectedFirst = 0;
  for (const ChunkLaunch &launch :
       planChunkLaunches(sizes.data(), static_cast<int>(sizes.size()))) {
    EXPECT_GT(launch.count, 0);
    EXPECT_LE(launch.count, kTensorsPerLaunch);
    EXPECT_EQ(launch.firstBlock, expectedFirst);
    expectedFirst += launch.blocks();
    for (int64_t block = 0; block < launch.blocks(); ++block) {
      ChunkRange c = chunkOf(launch.blockStart, launch.n, launch.count, block);
      ASSERT_GE(c.tensor, 0);
      ASSERT_LT(c.tensor, launch.count);
      int tensor = launch.tensor[c.tensor];
      EXPECT_EQ(launch.n[c.tensor], sizes[tensor]);
      ASSERT_EQ(c.begin, covered[tensor]) << "block " << block;
      EXPECT_LT(c.begin, c.end) << "block " << block;
      EXPECT_LE(c.end - c.begin, kTensorChunk);
      covered[tensor] = c.end;
    }
  }
  for (size_t t = 0; t < sizes.size(); ++t)
    EXPECT_EQ(covered[t], sizes[t]) << "tensor " << t;
}

TEST(TensorChunks, CoversEveryElementOnce) {
  // Below, at and above one chunk; a tensor of many chunks with a tail.
  expectEachElementOnce({1, kTensorChunk - 1, kTensorChunk, kTensorChunk + 1,
                         5 * kTensorChunk + 17, 3});
}

TEST(TensorChunks, SkipsEmptyTensors) {
  std::vector<int64_t> sizes = {0, 10, 0, 0, kTensorChunk * 2, 0};
  expectEachElementOnce(sizes);
  std::vector<ChunkLaunch> plan = planChunkLaunches(sizes.data(), 6);
  ASSERT_EQ(plan.size(), 1u);
  ASSERT_EQ(plan[0].count, 2);
  EXPECT_EQ(plan[0].tensor[0], 1);
  EXPECT_EQ(plan[0].tensor[1], 4);
  EXPECT_EQ(plan[0].blocks(), 3);
  EXPECT_TRUE(planChunkLaunches(sizes.data(), 1).empty());
}

TEST(TensorChunks, SplitsCallsOverLaunches) {
  // A GPT-2-small-like AdamW call: 149 tensors, 4 launches.
  std::vector<int64_t> sizes;
  for (int layer = 0; layer < 12; ++layer)
    for (int64_t n : {768, 768, 768 * 2304, 2304, 768 * 768, 768, 768, 768,
                      768 * 3072, 3072, 3072 * 768, 768})
      sizes.push_back(n);
  for (int64_t n : {50304 * 768, 1024 * 768, 768, 768, 50304 * 768})
    sizes.push_back(n);
  expectEachElementOnce(sizes);
  std::vector<ChunkLaunch> plan =
      planChunkLaunches(sizes.data(), static_cast<int>(sizes.size()));
  EXPECT_EQ(plan.size(), (sizes.size() + kTensorsPerLaunch - 1) /
                             static_cast<size_t>(kTensorsPerLaunch));
  // Tensors keep their order across launches.
  int next = 0;
  for (const ChunkLaunch &launch : plan)
    for (int t = 0; t < launch.count; ++t)
      EXPECT_EQ(launch.tensor[t], next++);
}

} // namespace
