//===- HostMemoryTest.cpp - Sizes checked before they are allocated -------===//

#include "runtime/driver/HostMemory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sys/resource.h>

namespace mpc::driver {
namespace {

TEST(HostMemory, TensorBytesMultipliesWithoutOverflow) {
  EXPECT_EQ(tensorBytes({}, 4), 4u);
  EXPECT_EQ(tensorBytes({64, 128}, 4), 32768u);
  EXPECT_EQ(tensorBytes({0, 128}, 4), 0u);
  EXPECT_EQ(tensorBytes({int64_t(1) << 40}, 4), uint64_t(1) << 42);
  // 2^62 four-byte elements are 2^64 bytes: one too many for 64 bits.
  EXPECT_EQ(tensorBytes({int64_t(1) << 31, int64_t(1) << 31}, 4), std::nullopt);
  EXPECT_EQ(tensorBytes({INT64_MAX, 3}, 1), std::nullopt);
  EXPECT_EQ(tensorBytes({4, -1}, 4), std::nullopt);
}

TEST(HostMemory, AddBytesRefusesOverflow) {
  EXPECT_EQ(addBytes(1, 2), 3u);
  EXPECT_EQ(addBytes(UINT64_MAX, 1), std::nullopt);
}

TEST(HostMemory, FormatsBytesForPeople) {
  EXPECT_EQ(formatBytes(512), "512 B");
  EXPECT_EQ(formatBytes(1536), "1.5 KiB");
  EXPECT_EQ(formatBytes(uint64_t(3) << 30), "3.0 GiB");
  EXPECT_EQ(formatBytes(uint64_t(12) << 40), "12.0 TiB");
  EXPECT_EQ(formatBytes(UINT64_MAX), "16.0 EiB");
}

TEST(HostMemory, TheLimitFollowsTheDataLimit) {
  uint64_t machine = hostMemoryLimit();
  EXPECT_GT(machine, 0u);
  struct rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_DATA, &saved), 0);
  // Below the machine's memory, above what this test uses.
  rlimit lowered = saved;
  lowered.rlim_cur = std::min<uint64_t>(machine / 2, uint64_t(512) << 20);
  if (saved.rlim_cur != RLIM_INFINITY && saved.rlim_cur < lowered.rlim_cur)
    GTEST_SKIP() << "the data limit is lower already";
  ASSERT_EQ(setrlimit(RLIMIT_DATA, &lowered), 0);
  uint64_t limited = hostMemoryLimit();
  ASSERT_EQ(setrlimit(RLIMIT_DATA, &saved), 0);
  EXPECT_EQ(limited, lowered.rlim_cur);
}

TEST(HostMemory, CheckNamesWhatDoesNotFit) {
  std::string error;
  EXPECT_TRUE(checkHostMemory(1024, "a tensor", error));
  EXPECT_EQ(error, "");
  EXPECT_FALSE(checkHostMemory(UINT64_MAX, "a tensor", error));
  EXPECT_EQ(error, "a tensor: 16.0 EiB of memory needed, more than the " +
                       formatBytes(hostMemoryLimit()) +
                       " this process can use");
}

} // namespace
} // namespace mpc::driver
