//===- AttentionLayoutTest.cpp - where attention's rows lie ---------------===//
//
// runtime/core/AttentionLayout.h, the index functions the CPU reference and
// the CUDA attention kernels find every row through, against the row-major
// offsets of [batch, heads, length, dim], [batch, length, heads, dim] and
// [batch, length, 3, heads, dim] (q, k and v packed) written out; and the
// layout check the CUDA entry points make.
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

void expectSameLayout(const Layout &got, const Layout &want) {
  EXPECT_EQ(got.batch, want.batch);
  EXPECT_EQ(got.heads, want.heads);
  EXPECT_EQ(got.length, want.length);
  EXPECT_EQ(got.dim, want.dim);
  EXPECT_EQ(got.rowStride, want.rowStride);
  EXPECT_EQ(got.headStride, want.headStride);
  EXPECT_EQ(got.groupStride, want.groupStride);
}

TEST(AttentionLayoutTest, PackedQkvPartsAreRowMajorBatchLengthThreeHeadsDim) {
  Layout layout = packedQkvLayout(kBatch, kHeads, kLength, kDim);
  EXPECT_EQ(headCount(layout), kBatch * kHeads);
  EXPECT_TRUE(isSupported(layout));
  std::set<int64_t> elements;
  for (int part = 0; part < 3; ++part) {
    int64_t base = packedQkvPartOffset(layout, part);
    for (int64_t b = 0; b < kBatch; ++b)
      for (int64_t h = 0; h < kHeads; ++h)
        for (int64_t i = 0; i < kLength; ++i)
          for (int64_t c = 0; c < kDim; ++c) {
            int64_t offset = base + rowOffset(layout, b * kHeads + h, i) + c;
            EXPECT_EQ(offset,
                      (((b * kLength + i) * 3 + part) * kHeads + h) * kDim + c)
                << part << " " << b << " " << h << " " << i << " " << c;
            elements.insert(offset);
          }
  }
  // q, k and v cover the tensor, each element once.
  int64_t size = kBatch * kLength * 3 * kHeads * kDim;
  EXPECT_EQ(elements.size(), size_t(size));
  EXPECT_EQ(*elements.begin(), 0);
  EXPECT_EQ(*elements.rbegin(), size - 1);
}

TEST(AttentionLayoutTest, WithRowStrideMovesSequenceMajorRowsApart) {
  Layout result = sequenceMajorLayout(kBatch, kHeads, kLength, kDim);
  expectSameLayout(withRowStride(result, 3 * kHeads * kDim),
                   packedQkvLayout(kBatch, kHeads, kLength, kDim));
  expectSameLayout(withRowStride(result, kHeads * kDim), result);
  Layout wider = withRowStride(result, 5 * kHeads * kDim);
  EXPECT_TRUE(isSupported(wider));
  for (int64_t b = 0; b < kBatch; ++b)
    for (int64_t h = 0; h < kHeads; ++h)
      for (int64_t i = 0; i < kLength; ++i)
        EXPECT_EQ(rowOffset(wider, b * kHeads + h, i),
                  ((b * kLength + i) * 5 * kHeads + h) * kDim)
            << b << " " << h << " " << i;
  // A head-major layout keeps its own row stride and takes no other.
  Layout headMajor = headMajorLayout(kBatch, kHeads, kLength, kDim);
  expectSameLayout(withRowStride(headMajor, kDim), headMajor);
  EXPECT_FALSE(isSupported(withRowStride(headMajor, 3 * kHeads * kDim)));
}

TEST(AttentionLayoutTest, StatisticsAreHeadsByLengthInEveryOrder) {
  for (Layout layout : {headMajorLayout(kBatch, kHeads, kLength, kDim),
                        sequenceMajorLayout(kBatch, kHeads, kLength, kDim),
                        packedQkvLayout(kBatch, kHeads, kLength, kDim)})
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
  // Rows moved apart but not the groups: a group's last rows would lie in
  // the next group.
  Layout gapped = sequenceMajorLayout(kBatch, kHeads, kLength, kDim);
  gapped.rowStride += 1;
  EXPECT_FALSE(isSupported(gapped));
  // Rows closer than a position's heads: a row's last heads would be the
  // next row's first.
  EXPECT_FALSE(isSupported(
      sequenceMajorLayout(kBatch, kHeads, kLength, kDim, kHeads * kDim - 1)));
  EXPECT_FALSE(isSupported(
      withRowStride(sequenceMajorLayout(kBatch, kHeads, kLength, kDim), kDim)));
  // Groups closer than their rows.
  Layout crowded = packedQkvLayout(kBatch, kHeads, kLength, kDim);
  crowded.groupStride = kLength * kHeads * kDim;
  EXPECT_FALSE(isSupported(crowded));
}

} // namespace
} // namespace mpc::attention
