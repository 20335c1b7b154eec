//===- ElementwiseAccessTest.cpp - generated elementwise kernel plans -----===//
//
// runtime/core/ElementwiseAccess.h: the vector width from the widest
// element, the scalar fallback for counts that are not a multiple of it,
// where int32 indexing stops, and the alignment test of a vector access.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/ElementwiseAccess.h"

#include <gtest/gtest.h>

namespace mpc::access {
namespace {

TEST(ElementwiseAccess, WidthFillsSixteenBytesOfTheWidestElement) {
  EXPECT_EQ(vectorWidth(6291456, 2), 8); // bf16 / f16
  EXPECT_EQ(vectorWidth(6291456, 4), 4); // f32 / int32 beside 16-bit
  EXPECT_EQ(vectorWidth(4096, 1), 16);   // flags only
  // Every access of the widest type is exactly 16 bytes.
  for (int64_t bytes : {1, 2, 4})
    EXPECT_EQ(vectorWidth(1 << 20, bytes) * bytes, kVectorBytes);
}

TEST(ElementwiseAccess, CountNotAMultipleFallsBackToScalar) {
  EXPECT_EQ(vectorWidth(6, 2), 1);
  EXPECT_EQ(vectorWidth(8 * 1000 + 4, 2), 1);
  EXPECT_EQ(vectorWidth(8 * 1000 + 4, 4), 4);
  EXPECT_EQ(vectorWidth(15, 1), 1);
  EXPECT_EQ(vectorWidth(0, 2), 1);
  // Elements wider than a vector are never vectorized.
  EXPECT_EQ(vectorWidth(1024, 32), 1);
}

TEST(ElementwiseAccess, Int32IndexLeavesRoomForTheGridStride) {
  EXPECT_TRUE(fitsIndex32(6291456));
  int64_t last = INT32_MAX - kMaxGridThreads;
  EXPECT_TRUE(fitsIndex32(last));
  EXPECT_FALSE(fitsIndex32(last + 1));
  EXPECT_FALSE(fitsIndex32(int64_t(1) << 31));
  // The last index plus a full grid's stride is still an int32.
  EXPECT_LE(last - 1 + kMaxGridThreads, int64_t(INT32_MAX));
}

TEST(ElementwiseAccess, AlignmentIsTheAccessSize) {
  EXPECT_TRUE(alignedFor(0x1000, 16));
  EXPECT_TRUE(alignedFor(0x1008, 8));
  EXPECT_FALSE(alignedFor(0x1008, 16));
  EXPECT_FALSE(alignedFor(0x1002, 4));
  EXPECT_TRUE(alignedFor(0x1002, 2));
  // Arena offsets are multiples of 256: an aligned base stays aligned.
  EXPECT_TRUE(alignedFor(0x1000 + 3 * 256, 16));
}

} // namespace
} // namespace mpc::access
