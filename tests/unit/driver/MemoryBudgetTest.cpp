//===- MemoryBudgetTest.cpp - How much memory mpc may take ---------------===//

#include "runtime/driver/MemoryBudget.h"
#include "runtime/driver/Text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sys/resource.h>

namespace mpc::driver {
namespace {

TEST(MemoryBudget, TensorBytesMultipliesWithoutOverflow) {
  EXPECT_EQ(tensorBytes({}, 4), 4u);
  EXPECT_EQ(tensorBytes({64, 128}, 4), 32768u);
  EXPECT_EQ(tensorBytes({0, 128}, 4), 0u);
  EXPECT_EQ(tensorBytes({int64_t(1) << 40}, 4), uint64_t(1) << 42);
  // 2^62 four-byte elements are 2^64 bytes: one too many for 64 bits.
  EXPECT_EQ(tensorBytes({int64_t(1) << 31, int64_t(1) << 31}, 4), std::nullopt);
  EXPECT_EQ(tensorBytes({INT64_MAX, 3}, 1), std::nullopt);
  EXPECT_EQ(tensorBytes({4, -1}, 4), std::nullopt);
}

TEST(MemoryBudget, AddBytesRefusesOverflow) {
  EXPECT_EQ(addBytes(1, 2), 3u);
  EXPECT_EQ(addBytes(UINT64_MAX, 1), std::nullopt);
}

TEST(MemoryBudget, FormatsBytesForPeople) {
  EXPECT_EQ(formatBytes(512), "512 bytes");
  EXPECT_EQ(formatBytes(1536), "1.5 KiB");
  EXPECT_EQ(formatBytes(uint64_t(3) << 30), "3.0 GiB");
  EXPECT_EQ(formatBytes(uint64_t(12) << 40), "12.0 TiB");
  EXPECT_EQ(formatBytes(UINT64_MAX), "16.0 EiB");
}

TEST(MemoryBudget, FollowsTheProcessLimits) {
  uint64_t usable = usableMemory();
  EXPECT_GT(usable, 0u);
  EXPECT_EQ(readLimit(), usable / 2);
  // A lower RLIMIT_DATA lowers both; the soft limit is restored after.
  rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_DATA, &saved), 0);
  rlimit lower = saved;
  lower.rlim_cur = std::min<rlim_t>(usable / 2, saved.rlim_cur);
  ASSERT_EQ(::setrlimit(RLIMIT_DATA, &lower), 0);
  uint64_t capped = usableMemory();
  uint64_t limit = readLimit();
  ::setrlimit(RLIMIT_DATA, &saved);
  EXPECT_EQ(capped, lower.rlim_cur);
  EXPECT_EQ(limit, lower.rlim_cur / 2);
}

TEST(MemoryBudget, CheckNamesWhatDoesNotFit) {
  std::string error;
  EXPECT_TRUE(checkHostMemory(1024, "a tensor", error));
  EXPECT_EQ(error, "");
  EXPECT_FALSE(checkHostMemory(UINT64_MAX, "a tensor", error));
  EXPECT_EQ(error, "a tensor: 16.0 EiB of memory needed, more than the " +
                       formatBytes(usableMemory()) + " this process can use");
}

} // namespace
} // namespace mpc::driver
