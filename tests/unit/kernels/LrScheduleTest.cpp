//===- LrScheduleTest.cpp - learning-rate schedules against hand arithmetic
//===//
//
// mpc::math::learningRateFactor, the one formula the CPU reference, the
// CUDA optimizer kernels and the driver's log share, at chosen steps of
// each kind, against values worked out by hand from the documented closed
// forms (docs/training.md).
//
//===----------------------------------------------------------------------===//

#include "runtime/core/ScalarMath.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using mpc::math::learningRateFactor;
using mpc::math::scheduledLearningRate;

mpc_lr_schedule schedule(mpc_lr_schedule_kind kind, int64_t warmup,
                         int64_t decay = 0, double minRatio = 0,
                         int64_t stepSize = 0, double gamma = 1) {
  return {kind, warmup, decay, minRatio, stepSize, gamma};
}

TEST(LrSchedule, ConstantKeepsTheRateBitForBit) {
  mpc_lr_schedule constant = schedule(MPC_LR_CONSTANT, 0);
  for (double step : {1.0, 2.0, 1000.0, 16777216.0})
    EXPECT_EQ(scheduledLearningRate(1e-3, constant, step), 1e-3) << step;
}

TEST(LrSchedule, WarmupIsLinearFromTheFirstStep) {
  // W = 4: completed steps 0, 1, 2, 3 give 1/4, 2/4, 3/4, 4/4.
  mpc_lr_schedule warmup = schedule(MPC_LR_CONSTANT, 4);
  EXPECT_EQ(learningRateFactor(warmup, 0), 0.25);
  EXPECT_EQ(learningRateFactor(warmup, 1), 0.5);
  EXPECT_EQ(learningRateFactor(warmup, 2), 0.75);
  EXPECT_EQ(learningRateFactor(warmup, 3), 1.0);
  EXPECT_EQ(learningRateFactor(warmup, 4), 1.0);
  EXPECT_EQ(learningRateFactor(warmup, 500), 1.0);
  // The first update (step count 1 after its increment) is 0 completed.
  EXPECT_EQ(scheduledLearningRate(0.1, warmup, 1), 0.1 * 0.25);
  EXPECT_EQ(scheduledLearningRate(0.1, warmup, 4), 0.1);
}

TEST(LrSchedule, CosineDecaysToItsFloorAfterTheWarmup) {
  // W = 10, D = 110, r = 0.1: q = (s - 10) / 100.
  mpc_lr_schedule cosine = schedule(MPC_LR_COSINE, 10, 110, 0.1);
  EXPECT_DOUBLE_EQ(learningRateFactor(cosine, 4), 0.5); // (4 + 1) / 10
  EXPECT_DOUBLE_EQ(learningRateFactor(cosine, 10), 1.0);
  // q = 1/4: 0.1 + 0.9 (1 + cos(pi/4)) / 2 = 0.1 + 0.45 (1 + sqrt(2)/2).
  EXPECT_DOUBLE_EQ(learningRateFactor(cosine, 35),
                   0.1 + 0.45 * (1 + std::sqrt(2.0) / 2));
  EXPECT_DOUBLE_EQ(learningRateFactor(cosine, 60), 0.55); // q = 1/2
  EXPECT_DOUBLE_EQ(learningRateFactor(cosine, 110), 0.1);
  EXPECT_DOUBLE_EQ(learningRateFactor(cosine, 5000), 0.1);
  // Without a floor it reaches 0.
  EXPECT_NEAR(learningRateFactor(schedule(MPC_LR_COSINE, 0, 100), 100), 0.0,
              1e-16);
}

TEST(LrSchedule, LinearDecaysOnAStraightLine) {
  mpc_lr_schedule linear = schedule(MPC_LR_LINEAR, 0, 100);
  EXPECT_EQ(learningRateFactor(linear, 0), 1.0);
  EXPECT_EQ(learningRateFactor(linear, 25), 0.75);
  EXPECT_EQ(learningRateFactor(linear, 50), 0.5);
  EXPECT_EQ(learningRateFactor(linear, 100), 0.0);
  EXPECT_EQ(learningRateFactor(linear, 150), 0.0);
  // r = 0.5 after a warmup of 20: s = 60 is q = 1/2, 0.5 + 0.5 * 0.5.
  EXPECT_EQ(learningRateFactor(schedule(MPC_LR_LINEAR, 20, 100, 0.5), 60),
            0.75);
}

TEST(LrSchedule, StepDecayMultipliesByGammaEveryStepSize) {
  // W = 2, step_size 10, gamma 0.5: decays at s = 12, 22, 32, ...
  mpc_lr_schedule step = schedule(MPC_LR_STEP, 2, 0, 0, 10, 0.5);
  EXPECT_EQ(learningRateFactor(step, 0), 0.5); // warmup (0 + 1) / 2
  EXPECT_EQ(learningRateFactor(step, 1), 1.0);
  EXPECT_EQ(learningRateFactor(step, 11), 1.0);
  EXPECT_EQ(learningRateFactor(step, 12), 0.5);
  EXPECT_EQ(learningRateFactor(step, 21), 0.5);
  EXPECT_EQ(learningRateFactor(step, 32), 0.125);
}

} // namespace
