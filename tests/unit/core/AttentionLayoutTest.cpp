//===- AttentionLayoutTest.cpp - where attention's rows lie ---------------===//
//
// runtime/core/AttentionLayout.h, the index functions the CPU reference and
// the CUDA attention kernels find every row through, against the row-major
// offsets of [batch, heads, length, dim] and [batch, length, heads, dim]
// written out; and the layout check the CUDA entry points make.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/AttentionLayout.h"

#include <gtest/gtest.h>

#include <set>

namespace mpc::attention {
namespace {

constexpr int64_t kBatch = 2, kHeads = 3, kLength = 5, kDim = 4;

TEST(AttentionLayoutTest, HeadMajorRowsAreRowMajorBatchHeadsLengthDim) {
  Layout layout = headMajorLayout(kBatch, kHeads, kLength, kDim);
  EXPECT_EQ(headCount(layout), kBatch * kHeads);
  for (int64_t b = 0; b < kBatch; ++b)
    for (int64_t h = 0; h < kHeads; ++h)
      for (int64_t i = 0; i < kLength; ++i)
        EXPECT_EQ(rowOffset(layout, b * kHeads + h, i),
                  ((b * kHeads + h) * kLength + i) * kDim)
            << b << " " << h << " " << i;
  // One batch of all the heads is the same layout.
  Layout flat = headMajorLayout(1, kBatch * kHeads, kLength, kDim);
  for (int64_t h = 0; h < kBatch * kHeads; ++h)
    EXPECT_EQ(rowOffset(flat, h, kLength - 1),
              rowOffset(layout, h, kLength - 1));
}

TEST(AttentionLayoutTest, SequenceMajorRowsAreRowMajorBatchLengthHeadsDim) {
  Layout layout = sequenceMajorLayout(kBatch, kHeads, kLength, kDim);
  EXPECT_EQ(headCount(layout), kBatch * kHeads);
  EXPECT_EQ(layout.rowStride, kHeads * kDim);
  EXPECT_EQ(layout.headStride, kDim);
  std::set<int64_t> offsets;
  for (int64_t b = 0; b < kBatch; ++b)
    for (int64_t h = 0; h < kHeads; ++h)
      for (int64_t i = 0; i < kLength; ++i) {
        int64_t offset = rowOffset(layout, b * kHeads + h, i);
        EXPECT_EQ(offset, ((b * kLength + i) * kHeads + h) * kDim)
            << b << " " << h << " " << i;
        EXPECT_EQ(offset,
                  headOffset(layout, b * kHeads + h) + i * kHeads * kDim);
        offsets.insert(offset);
      }
  // Every row once, the whole tensor covered.
  EXPECT_EQ(offsets.size(), size_t(kBatch * kHeads * kLength));
  EXPECT_EQ(*offsets.rbegin(), kBatch * kHeads * kLength * kDim - kDim);
}

TEST(AttentionLayoutTest, StatisticsAreHeadsByLengthInBothOrders) {
  for (Layout layout : {headMajorLayout(kBatch, kHeads, kLength, kDim),
                        sequenceMajorLayout(kBatch, kHeads, kLength, kDim)})
    for (int64_t h = 0; h < headCount(layout); ++h)
      for (int64_t i = 0; i < kLength; ++i)
        EXPECT_EQ(statOffset(layout, h, i), h * kLength + i);
}

TEST(AttentionLayoutTest, OnlyTheKnownOrdersAreSupported) {
  EXPECT_TRUE(isSupported(headMajorLayout(kBatch, kHeads, kLength, kDim)));
  EXPECT_TRUE(isSupported(sequenceMajorLayout(kBatch, kHeads, kLength, kDim)));
  Layout overlapping = headMajorLayout(kBatch, kHeads, kLength, kDim);
  overlapping.headStride = kDim;
  EXPECT_FALSE(isSupported(overlapping));
  Layout gapped = sequenceMajorLayout(kBatch, kHeads, kLength, kDim);
  gapped.rowStride += 1;
  EXPECT_FALSE(isSupported(gapped));
}

} // namespace
} // namespace mpc::attention
