//===- DebugModeTest.cpp - when the CUDA executor checks each op ----------===//

#include "runtime/cuda/executor/DebugMode.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using mpc::cuda::checkedEvaluation;
using mpc::cuda::parseSyncVariable;
using mpc::cuda::StepRun;
using mpc::cuda::trainStepRun;

TEST(DebugModeTest, SyncVariableIsZeroOrOne) {
  std::string error;
  EXPECT_EQ(parseSyncVariable(nullptr, error), false);
  EXPECT_EQ(parseSyncVariable("", error), false);
  EXPECT_EQ(parseSyncVariable("0", error), false);
  EXPECT_EQ(parseSyncVariable("1", error), true);
  EXPECT_EQ(error, "");
}

TEST(DebugModeTest, OtherSyncValuesAreErrors) {
  for (const char *value : {"yes", "true", "2", " 1", "1 ", "01", "on"}) {
    std::string error;
    EXPECT_EQ(parseSyncVariable(value, error), std::nullopt) << value;
    EXPECT_EQ(error,
              std::string("MPC_CUDA_SYNC must be 0 or 1, got '") + value + "'");
  }
}

/// The runs of `steps` training steps, as the executor makes them: a
/// capture leaves the graph captured.
std::vector<StepRun> runs(bool debug, int steps) {
  std::vector<StepRun> result;
  bool captured = false;
  for (int step = 0; step < steps; ++step) {
    result.push_back(trainStepRun(debug, uint64_t(step), captured));
    captured = captured || result.back() == StepRun::Capture;
  }
  return result;
}

TEST(DebugModeTest, FirstStepIsCheckedSecondCapturedThenReplayed) {
  EXPECT_EQ(
      runs(false, 5),
      (std::vector<StepRun>{StepRun::Checked, StepRun::Capture, StepRun::Replay,
                            StepRun::Replay, StepRun::Replay}));
  EXPECT_EQ(runs(false, 1), std::vector<StepRun>{StepRun::Checked});
  // A graph is captured once: a later step never captures again.
  EXPECT_EQ(trainStepRun(false, 1000, /*captured=*/true), StepRun::Replay);
  EXPECT_EQ(trainStepRun(false, 1, /*captured=*/false), StepRun::Capture);
}

TEST(DebugModeTest, DebugModeChecksEveryStepAndNeverCaptures) {
  EXPECT_EQ(runs(true, 4), std::vector<StepRun>(4, StepRun::Checked));
  EXPECT_EQ(trainStepRun(true, 7, /*captured=*/true), StepRun::Checked);
}

TEST(DebugModeTest, FirstEvaluationIsChecked) {
  EXPECT_TRUE(checkedEvaluation(false, 0));
  EXPECT_FALSE(checkedEvaluation(false, 1));
  EXPECT_FALSE(checkedEvaluation(false, 50));
  EXPECT_TRUE(checkedEvaluation(true, 0));
  EXPECT_TRUE(checkedEvaluation(true, 50));
}

} // namespace
