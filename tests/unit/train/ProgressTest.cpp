//===- ProgressTest.cpp - the time left and the terminal line -------------===//

#include "runtime/train/Progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace mpc::train {
namespace {

TEST(FormatDuration, SecondsMinutesHours) {
  EXPECT_EQ(formatDuration(0), "0s");
  EXPECT_EQ(formatDuration(-3), "0s");
  EXPECT_EQ(formatDuration(0.4), "0s");
  EXPECT_EQ(formatDuration(42.4), "42s");
  EXPECT_EQ(formatDuration(59.6), "1m00s");
  EXPECT_EQ(formatDuration(185), "3m05s");
  EXPECT_EQ(formatDuration(3599), "59m59s");
  EXPECT_EQ(formatDuration(3600), "1h00m");
  EXPECT_EQ(formatDuration(2 * 3600 + 7 * 60 + 29), "2h07m");
  EXPECT_EQ(formatDuration(2 * 3600 + 7 * 60 + 31), "2h08m");
  EXPECT_EQ(formatDuration(100 * 3600), "100h00m");
}

TEST(Progress, NoEstimateBeforeTheFirstStepOrAfterTheLast) {
  Progress progress(/*startStep=*/10, /*steps=*/20, nullptr);
  EXPECT_FALSE(progress.secondsLeft(10));
  EXPECT_FALSE(progress.secondsLeft(20));
  std::optional<double> left = progress.secondsLeft(15);
  ASSERT_TRUE(left);
  EXPECT_GE(*left, 0);
}

/// Whatever a Progress writes to a terminal, read back.
std::string drawn(void (*use)(Progress &)) {
  std::FILE *terminal = std::tmpfile();
  {
    Progress progress(0, 100, terminal);
    use(progress);
  }
  std::rewind(terminal);
  std::string text;
  for (int c; (c = std::fgetc(terminal)) != EOF;)
    text += char(c);
  std::fclose(terminal);
  return text;
}

TEST(Progress, DrawsInPlaceAndErasesItself) {
  // The first step is drawn at once; one right after it is not (at most
  // five drawings a second); going away erases the line.
  std::string text = drawn([](Progress &progress) {
    progress.stepDone(1);
    progress.stepDone(2);
  });
  EXPECT_EQ(text.rfind("\r\x1b[Kstep 1/100", 0), 0u) << text;
  EXPECT_EQ(text.find("step 2/100"), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.size() - 4), "\r\x1b[K") << text;
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
}

TEST(Progress, WritesNothingWithoutATerminalLine) {
  EXPECT_EQ(drawn([](Progress &progress) { progress.clear(); }), "");
}

} // namespace
} // namespace mpc::train
