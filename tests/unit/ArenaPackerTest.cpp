//===- ArenaPackerTest.cpp - offsets from sizes and lifetimes -------------===//

#include "passes/ArenaPacker.h"

#include <gtest/gtest.h>

#include <random>

using mpc::ArenaLayout;
using mpc::ArenaRequest;
using mpc::packArena;
using mpc::peakLiveBytes;

namespace {

constexpr int64_t kAlign = 256;

bool bytesOverlap(int64_t offsetA, int64_t sizeA, int64_t offsetB,
                  int64_t sizeB) {
  return offsetA < offsetB + sizeB && offsetB < offsetA + sizeA;
}

/// Every rule a layout must keep, checked pair by pair.
void expectValid(const std::vector<ArenaRequest> &requests,
                 const ArenaLayout &layout) {
  ASSERT_EQ(layout.offsets.size(), requests.size());
  for (size_t a = 0; a < requests.size(); ++a) {
    EXPECT_EQ(layout.offsets[a] % kAlign, 0) << "request " << a;
    EXPECT_LE(layout.offsets[a] + requests[a].size, layout.arenaBytes);
    for (size_t b = a + 1; b < requests.size(); ++b) {
      bool liveTogether = requests[a].first <= requests[b].last &&
                          requests[b].first <= requests[a].last;
      if (liveTogether)
        EXPECT_FALSE(bytesOverlap(layout.offsets[a], requests[a].size,
                                  layout.offsets[b], requests[b].size))
            << "requests " << a << " and " << b;
    }
  }
  EXPECT_GE(layout.arenaBytes, peakLiveBytes(requests));
}

TEST(ArenaPackerTest, EmptyNeedsNoBytes) {
  ArenaLayout layout = packArena({}, kAlign);
  EXPECT_TRUE(layout.offsets.empty());
  EXPECT_EQ(layout.arenaBytes, 0);
  EXPECT_EQ(peakLiveBytes({}), 0);
}

TEST(ArenaPackerTest, DisjointLifetimesShareOffsets) {
  std::vector<ArenaRequest> requests = {{1000, 0, 1}, {600, 2, 3}, {800, 4, 4}};
  ArenaLayout layout = packArena(requests, kAlign);
  EXPECT_EQ(layout.offsets, (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(layout.arenaBytes, 1000);
  EXPECT_EQ(peakLiveBytes(requests), 1000);
}

TEST(ArenaPackerTest, OverlappingLifetimesGetAlignedDisjointBytes) {
  // Live at point 1 together; the larger goes first, the smaller after it,
  // rounded up to the alignment.
  std::vector<ArenaRequest> requests = {{4, 0, 1}, {300, 1, 2}};
  ArenaLayout layout = packArena(requests, kAlign);
  EXPECT_EQ(layout.offsets, (std::vector<int64_t>{512, 0}));
  EXPECT_EQ(layout.arenaBytes, 516);
  EXPECT_EQ(peakLiveBytes(requests), 304);
}

TEST(ArenaPackerTest, TouchingEndpointsOverlap) {
  // A value read at the point where another is defined is live there.
  std::vector<ArenaRequest> requests = {{256, 0, 2}, {256, 2, 3}};
  ArenaLayout layout = packArena(requests, kAlign);
  EXPECT_EQ(layout.offsets, (std::vector<int64_t>{0, 256}));
  EXPECT_EQ(peakLiveBytes(requests), 512);
}

TEST(ArenaPackerTest, PicksTheSmallestGapThatFits) {
  // B and D die at point 3 and leave gaps of 1024 and 512 bytes between
  // long-lived values; F, live from point 4, takes the 512-byte one (first
  // fit would take B's).
  std::vector<ArenaRequest> requests = {
      {1024, 0, 10}, // A
      {1024, 0, 3},  // B
      {512, 0, 10},  // C
      {512, 0, 3},   // D
      {512, 0, 10},  // E
      {512, 4, 10},  // F
  };
  ArenaLayout layout = packArena(requests, kAlign);
  expectValid(requests, layout);
  EXPECT_EQ(layout.offsets,
            (std::vector<int64_t>{0, 1024, 2048, 2560, 3072, 2560}));
  EXPECT_EQ(layout.arenaBytes, 3584);
}

TEST(ArenaPackerTest, EqualSizesPlaceEarlierFirstAndAreDeterministic) {
  std::vector<ArenaRequest> requests = {{256, 5, 6}, {256, 0, 6}};
  ArenaLayout layout = packArena(requests, kAlign);
  EXPECT_EQ(layout.offsets, (std::vector<int64_t>{256, 0}));
  EXPECT_EQ(packArena(requests, kAlign).offsets, layout.offsets);
}

TEST(ArenaPackerTest, PeakCountsOnlyValuesLiveTogether) {
  std::vector<ArenaRequest> requests = {
      {100, 0, 2}, {200, 1, 1}, {50, 2, 5}, {400, 3, 4}};
  // Point 1: 300; point 2: 150; points 3-4: 450.
  EXPECT_EQ(peakLiveBytes(requests), 450);
}

TEST(ArenaPackerTest, RandomRequestsKeepEveryRule) {
  std::mt19937 random(7);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<ArenaRequest> requests;
    int count = 1 + static_cast<int>(random() % 60);
    for (int i = 0; i < count; ++i) {
      int64_t first = random() % 40;
      int64_t last = first + random() % 10;
      requests.push_back(
          {1 + static_cast<int64_t>(random() % 5000), first, last});
    }
    ArenaLayout layout = packArena(requests, kAlign);
    expectValid(requests, layout);
    if (::testing::Test::HasFailure())
      return;
  }
}

} // namespace
