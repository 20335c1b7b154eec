//===- StepShapeTest.cpp - what the training loop can run -----------------===//
//
// stepProblem, the one rule the manifest reader and the CPU executor apply
// before a step runs, and the rule that counts steps stuck at the lowest
// loss scale, which the CPU executor and the CUDA kernel both follow.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/StepContract.h"
#include "runtime/core/StuckLossScale.h"

#include <gtest/gtest.h>

namespace {

using mpc::FunctionSpec;
using mpc::StepContract;
using mpc::TensorSpec;

TensorSpec tensor(std::string name, std::vector<int64_t> shape,
                  mpc::DType dtype = mpc::DType::F32) {
  return TensorSpec{std::move(name), std::move(shape), dtype};
}

/// A step of a batch-32 classifier: both functions take x and y and return
/// the loss first.
StepContract classifier() {
  StepContract contract;
  for (const char *name : {"train_step", "forward"}) {
    FunctionSpec function;
    function.name = name;
    function.inputs = {tensor("x", {32, 64}),
                       tensor("y", {32}, mpc::DType::I32)};
    function.outputs = {tensor("loss", {}), tensor("logits", {32, 10})};
    contract.functions.push_back(function);
  }
  return contract;
}

FunctionSpec &function(StepContract &contract, const char *name) {
  return *const_cast<FunctionSpec *>(contract.function(name));
}

TEST(StepProblemTest, AcceptsAClassifier) {
  EXPECT_EQ(mpc::stepProblem(classifier()), "");
}

TEST(StepProblemTest, NeedsBothFunctions) {
  StepContract contract = classifier();
  contract.functions.pop_back();
  EXPECT_EQ(mpc::stepProblem(contract), "no function named 'forward'");
}

TEST(StepProblemTest, NeedsTheLossFirst) {
  StepContract contract = classifier();
  function(contract, "train_step").outputs.clear();
  EXPECT_EQ(mpc::stepProblem(contract),
            "'train_step': a function returns the loss first");
  contract = classifier();
  function(contract, "forward").outputs[0] = tensor("loss", {4});
  EXPECT_EQ(mpc::stepProblem(contract),
            "'forward': the loss must be one float value, got 4 f32 values");
  contract = classifier();
  function(contract, "forward").outputs[0] =
      tensor("loss", {int64_t(1) << 40, int64_t(1) << 40});
  EXPECT_EQ(mpc::stepProblem(contract),
            "'forward': the loss must be one float value, got too many f32 "
            "values");
  contract = classifier();
  function(contract, "train_step").outputs[0] =
      tensor("loss", {}, mpc::DType::I32);
  EXPECT_EQ(mpc::stepProblem(contract),
            "'train_step': the loss must be one float value, got 1 i32 values");
}

TEST(StepProblemTest, NeedsTheSameInputsWithABatchDimension) {
  StepContract contract = classifier();
  function(contract, "forward").inputs.pop_back();
  EXPECT_EQ(mpc::stepProblem(contract),
            "the inputs of 'forward' differ from those of 'train_step'");
  contract = classifier();
  for (FunctionSpec &spec : contract.functions)
    spec.inputs.clear();
  EXPECT_EQ(mpc::stepProblem(contract),
            "'train_step' takes no inputs, but training feeds it batches of "
            "data: it needs an input with a batch dimension ([B, ...])");
  contract = classifier();
  for (FunctionSpec &spec : contract.functions)
    spec.inputs[0] = tensor("x", {});
  EXPECT_EQ(mpc::stepProblem(contract),
            "the first input of 'train_step', 'x', is a scalar, but training "
            "feeds it batches of data: it needs a batch dimension ([B, ...])");
}

TEST(StuckLossScaleTest, CountsConsecutiveOverflowsAtTheLowestScale) {
  mpc::StuckLossScaleRun run = mpc::startStuckLossScaleRun(0);
  // A dynamic scale backing off from 4 to its floor 1: only the steps that
  // end at the floor count.
  mpc::countStuckLossScaleStep(run, 1, 2, 1);
  EXPECT_EQ(run.steps, 0);
  mpc::countStuckLossScaleStep(run, 2, 1, 1);
  EXPECT_EQ(run.steps, 1);
  mpc::countStuckLossScaleStep(run, 3, 1, 1);
  EXPECT_EQ(run.steps, 2);
  // A clean step ends the run.
  mpc::countStuckLossScaleStep(run, 3, 1, 1);
  EXPECT_EQ(run.steps, 0);
  mpc::countStuckLossScaleStep(run, 4, 1, 1);
  EXPECT_EQ(run.steps, 1);
}

TEST(StuckLossScaleTest, AResumedRunCountsOnlyNewSkips) {
  // A checkpoint with 100 skipped steps: the first step after it that does
  // not overflow leaves the count at 100, and is no overflow.
  mpc::StuckLossScaleRun run = mpc::startStuckLossScaleRun(100);
  mpc::countStuckLossScaleStep(run, 100, 1, 1);
  EXPECT_EQ(run.steps, 0);
  mpc::countStuckLossScaleStep(run, 101, 1, 1);
  EXPECT_EQ(run.steps, 1);
}

TEST(StuckLossScaleTest, OnlyTheLastMicroBatchOfAStepCounts) {
  // Gradient accumulation with 3 micro-batches: the calls with the phase at
  // 1 and 2 after them are not optimizer steps, and their unchanged
  // skipped count does not end the run of overflows.
  mpc::StuckLossScaleRun run = mpc::startStuckLossScaleRun(0);
  mpc::countStuckLossScaleStep(run, 1, 1, 1, /*phase=*/0);
  EXPECT_EQ(run.steps, 1);
  mpc::countStuckLossScaleStep(run, 1, 1, 1, /*phase=*/1);
  mpc::countStuckLossScaleStep(run, 1, 1, 1, /*phase=*/2);
  EXPECT_EQ(run.steps, 1);
  mpc::countStuckLossScaleStep(run, 2, 1, 1, /*phase=*/0);
  EXPECT_EQ(run.steps, 2);
  // A clean optimizer step still ends it.
  mpc::countStuckLossScaleStep(run, 2, 1, 1, /*phase=*/1);
  mpc::countStuckLossScaleStep(run, 2, 1, 1, /*phase=*/2);
  mpc::countStuckLossScaleStep(run, 2, 1, 1, /*phase=*/0);
  EXPECT_EQ(run.steps, 0);
}

TEST(StuckLossScaleTest, TheScaleIsComparedAsAnF32) {
  // A floor that is no f32 value: the scale stored as f32 is at it.
  float floor = static_cast<float>(0.1);
  mpc::StuckLossScaleRun run = mpc::startStuckLossScaleRun(0);
  mpc::countStuckLossScaleStep(run, 1, floor, floor);
  EXPECT_EQ(run.steps, 1);
}

} // namespace
