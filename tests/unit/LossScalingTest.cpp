//===- LossScalingTest.cpp - loss-scaled steps on the CPU executor --------===//
//
// Compiles a small model with mpc-build-train-step and mpc-loss-scaling and
// runs its steps: a step that overflows changes nothing but the scaler's
// state, the scale follows its schedule, and scaling by a power of two
// changes no bit of an f32 model's training.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/json/GraphImporter.h"
#include "compiler/reference/CpuStepExecutor.h"
#include "passes/Passes.h"
#include "tests/unit/StepState.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>

using namespace mlir;
using mpc::cpu::CpuStepExecutor;
using mpc::driver::HostTensor;

namespace {

/// A linear model with an MSE loss; the graph's defaults train it with
/// AdamW.
constexpr const char *kModel = R"mlir(
  module @linear {
    mpc.param @w : tensor<4x3xf32> = #mpc.init<normal, mean = 0.0, std = 0.5, seed = 1>
    mpc.param @b : tensor<3xf32> = #mpc.init<uniform, low = -0.5, high = 0.5, seed = 2>
    func.func @forward(%x: tensor<8x4xf32>, %t: tensor<8x3xf32>) -> (tensor<f32> {mpc.loss}) {
      %w = mpc.load @w : tensor<4x3xf32>
      %b = mpc.load @b : tensor<3xf32>
      %0 = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
      %1 = mpc.add %0, %b : (tensor<8x3xf32>, tensor<3xf32>) -> tensor<8x3xf32>
      %2 = mpc.mse_loss %1, %t : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<f32>
      return %2 : tensor<f32>
    }
  }
)mlir";

constexpr float kInf = std::numeric_limits<float>::infinity();

using mpc::testing::State;

class LossScalingTest : public ::testing::Test {
protected:
  LossScalingTest() {
    DialectRegistry registry;
    mpc::registerGraphImportDialects(registry);
    context.appendDialectRegistry(registry);
  }

  /// The model's training step built with `trainStep` options and scaled
  /// with `scaling` options (none: not scaled), on a fresh executor.
  std::unique_ptr<CpuStepExecutor> compile(llvm::StringRef scaling,
                                           llvm::StringRef trainStep = "") {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(kModel, &context);
    EXPECT_TRUE(module);
    if (!module)
      return nullptr;
    PassManager pm(&context);
    auto addPass = [&](std::unique_ptr<Pass> pass, llvm::StringRef options) {
      EXPECT_TRUE(succeeded(pass->initializeOptions(options, [](const Twine &) {
        return failure();
      }))) << options.str();
      pm.addPass(std::move(pass));
    };
    addPass(mpc::createBuildTrainStep(), trainStep);
    if (!scaling.empty())
      addPass(mpc::createLossScaling(), scaling);
    EXPECT_TRUE(succeeded(pm.run(*module)));
    std::string error;
    auto executor = CpuStepExecutor::create(std::move(module), error);
    EXPECT_TRUE(executor) << error;
    if (executor)
      executor->initialize(0);
    return executor;
  }

  /// Inputs that vary with `step`; the targets are a fixed map of x.
  static std::vector<HostTensor> inputs(int step) {
    HostTensor x, t;
    x.shape = {8, 4};
    t.shape = {8, 3};
    for (int i = 0; i < 32; ++i)
      x.f32.push_back(std::sin(0.7f * float(i) + float(step)));
    for (int i = 0; i < 24; ++i)
      t.f32.push_back(std::cos(0.3f * float(i)) - x.f32[i % 32]);
    return {x, t};
  }

  /// One step; the inputs with an infinity when `overflow`.
  static void step(CpuStepExecutor &executor, int number,
                   bool overflow = false) {
    std::vector<HostTensor> in = inputs(number);
    if (overflow)
      in[0].f32[5] = kInf;
    std::vector<HostTensor> out;
    std::string error;
    ASSERT_TRUE(executor.trainStep(in, uint64_t(number), out, error)) << error;
  }

  static State state(const CpuStepExecutor &executor) {
    return mpc::testing::stateOf(executor);
  }

  static float scalar(const CpuStepExecutor &executor,
                      const std::string &name) {
    State values = state(executor);
    EXPECT_TRUE(values.count(name)) << name;
    return values.count(name) ? values[name].at(0) : NAN;
  }

  /// Expects every symbol but the scaler's own state to be bit-identical.
  static void expectModelUnchanged(const State &before, const State &after) {
    ASSERT_EQ(before.size(), after.size());
    mpc::testing::expectBitIdentical(before, after, [](llvm::StringRef name) {
      return name.starts_with("loss_scale");
    });
  }

  MLIRContext context;
};

TEST_F(LossScalingTest, AnOverflowSkipsTheWholeStep) {
  auto executor = compile("mode=dynamic init-scale=1024 growth-interval=1000");
  ASSERT_TRUE(executor);
  for (int i = 0; i < 3; ++i)
    step(*executor, i);
  State before = state(*executor);
  // The moments and the step count have moved, so keeping them is a check.
  EXPECT_EQ(before["step"][0], 3.0f);
  EXPECT_NE(before["w.m"][0], 0.0f);
  EXPECT_EQ(before["loss_scale.good_steps"][0], 3.0f);

  step(*executor, 3, /*overflow=*/true);
  State after = state(*executor);
  expectModelUnchanged(before, after);
  EXPECT_EQ(after["step"][0], 3.0f);
  EXPECT_EQ(after["loss_scale"][0], 512.0f);
  EXPECT_EQ(after["loss_scale.good_steps"][0], 0.0f);
  EXPECT_EQ(after["loss_scale.hysteresis_left"][0], 1.0f);
  EXPECT_EQ(after["loss_scale.skipped_steps"][0], 1.0f);

  std::optional<mpc::train::LossScaleStatus> status =
      executor->lossScaleStatus();
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->dynamic);
  EXPECT_EQ(status->scale, 512.0);
  EXPECT_EQ(status->floor, 1.0);
  EXPECT_EQ(status->skippedSteps, 1);

  // The next clean step trains again, from where the model was.
  step(*executor, 4);
  EXPECT_EQ(scalar(*executor, "step"), 4.0f);
  EXPECT_NE(state(*executor)["w"], before["w"]);
}

TEST_F(LossScalingTest, EveryOptimizerSkipsItsState) {
  for (const char *optimizer :
       {"optimizer=sgd", "optimizer=momentum", "optimizer=sgd clip-norm=0.1"}) {
    auto executor = compile("mode=dynamic init-scale=256", optimizer);
    ASSERT_TRUE(executor);
    step(*executor, 0);
    step(*executor, 1);
    State before = state(*executor);
    step(*executor, 2, /*overflow=*/true);
    expectModelUnchanged(before, state(*executor));
    EXPECT_EQ(scalar(*executor, "loss_scale"), 128.0f) << optimizer;
    EXPECT_EQ(scalar(*executor, "loss_scale.skipped_steps"), 1.0f);
  }
}

TEST_F(LossScalingTest, GrowsAfterExactlyGrowthIntervalCleanSteps) {
  auto executor = compile("mode=dynamic init-scale=1024 growth-interval=3");
  ASSERT_TRUE(executor);
  step(*executor, 0);
  step(*executor, 1);
  EXPECT_EQ(scalar(*executor, "loss_scale"), 1024.0f);
  EXPECT_EQ(scalar(*executor, "loss_scale.good_steps"), 2.0f);
  step(*executor, 2);
  EXPECT_EQ(scalar(*executor, "loss_scale"), 2048.0f);
  EXPECT_EQ(scalar(*executor, "loss_scale.good_steps"), 0.0f);
  // An overflow restarts the count.
  step(*executor, 3);
  step(*executor, 4, /*overflow=*/true);
  EXPECT_EQ(scalar(*executor, "loss_scale"), 1024.0f);
  step(*executor, 5);
  step(*executor, 6);
  EXPECT_EQ(scalar(*executor, "loss_scale"), 1024.0f);
  step(*executor, 7);
  EXPECT_EQ(scalar(*executor, "loss_scale"), 2048.0f);
  EXPECT_EQ(scalar(*executor, "loss_scale.skipped_steps"), 1.0f);
}

TEST_F(LossScalingTest, HysteresisKeepsTheScaleOnTheFirstOverflow) {
  auto executor = compile("mode=dynamic init-scale=1024 hysteresis=2");
  ASSERT_TRUE(executor);
  EXPECT_EQ(scalar(*executor, "loss_scale.hysteresis_left"), 2.0f);
  State before = state(*executor);
  step(*executor, 0, /*overflow=*/true);
  // Skipped all the same.
  expectModelUnchanged(before, state(*executor));
  EXPECT_EQ(scalar(*executor, "loss_scale"), 1024.0f);
  EXPECT_EQ(scalar(*executor, "loss_scale.hysteresis_left"), 1.0f);
  step(*executor, 1, /*overflow=*/true);
  EXPECT_EQ(scalar(*executor, "loss_scale"), 512.0f);
  EXPECT_EQ(scalar(*executor, "loss_scale.skipped_steps"), 2.0f);
}

TEST_F(LossScalingTest, AnOverflowAtTheFloorKeepsTheScale) {
  auto executor = compile("mode=dynamic init-scale=4 min-scale=2");
  ASSERT_TRUE(executor);
  step(*executor, 0, /*overflow=*/true);
  EXPECT_EQ(scalar(*executor, "loss_scale"), 2.0f);
  step(*executor, 1, /*overflow=*/true);
  EXPECT_EQ(scalar(*executor, "loss_scale"), 2.0f);
  EXPECT_EQ(scalar(*executor, "loss_scale.skipped_steps"), 2.0f);
  EXPECT_EQ(executor->lossScaleStatus()->floor, 2.0);
}

TEST_F(LossScalingTest, TheScaleStopsAtTheCeilingAndStaysFinite) {
  auto executor =
      compile("mode=dynamic init-scale=1024 max-scale=2048 growth-interval=1");
  ASSERT_TRUE(executor);
  step(*executor, 0);
  EXPECT_EQ(scalar(*executor, "loss_scale"), 2048.0f);
  step(*executor, 1);
  EXPECT_EQ(scalar(*executor, "loss_scale"), 2048.0f);

  // A ceiling beyond f32: growing 2^127 would give infinity, so the scale
  // stays. Zero gradients (x = 0, targets = the bias) keep the steps clean
  // at such a scale.
  executor =
      compile("mode=dynamic init-scale=1.7014118346046923e38 max-scale=1e300 "
              "growth-interval=1");
  ASSERT_TRUE(executor);
  float big = std::ldexp(1.0f, 127);
  EXPECT_EQ(scalar(*executor, "loss_scale"), big);
  std::vector<HostTensor> in = inputs(0);
  std::fill(in[0].f32.begin(), in[0].f32.end(), 0.0f);
  std::vector<float> bias = state(*executor)["b"];
  for (size_t i = 0; i < in[1].f32.size(); ++i)
    in[1].f32[i] = bias[i % 3];
  std::vector<HostTensor> out;
  std::string error;
  for (uint64_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(executor->trainStep(in, i, out, error)) << error;
    EXPECT_EQ(scalar(*executor, "loss_scale"), big);
    EXPECT_EQ(scalar(*executor, "loss_scale.good_steps"), 0.0f);
    EXPECT_EQ(scalar(*executor, "loss_scale.skipped_steps"), 0.0f);
  }
}

TEST_F(LossScalingTest, StaticScalingSkipsWithoutChangingTheScale) {
  auto executor = compile("mode=static init-scale=1024");
  ASSERT_TRUE(executor);
  EXPECT_FALSE(state(*executor).count("loss_scale"));
  step(*executor, 0);
  State before = state(*executor);
  step(*executor, 1, /*overflow=*/true);
  expectModelUnchanged(before, state(*executor));
  EXPECT_EQ(scalar(*executor, "loss_scale.skipped_steps"), 1.0f);
  std::optional<mpc::train::LossScaleStatus> status =
      executor->lossScaleStatus();
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->dynamic);
  EXPECT_FALSE(status->floor);
  EXPECT_EQ(status->scale, 1024.0);
  EXPECT_EQ(status->skippedSteps, 1);
  step(*executor, 2);
  EXPECT_EQ(scalar(*executor, "step"), 2.0f);
}

TEST_F(LossScalingTest, APowerOfTwoScaleChangesNoBitOfAnF32Model) {
  for (const char *optimizer : {"", "optimizer=sgd", "optimizer=momentum"}) {
    auto plain = compile("", optimizer);
    auto scaled = compile("mode=static init-scale=65536", optimizer);
    auto dynamic =
        compile("mode=dynamic init-scale=1024 growth-interval=2", optimizer);
    ASSERT_TRUE(plain && scaled && dynamic);
    EXPECT_FALSE(plain->lossScaleStatus());
    for (int i = 0; i < 6; ++i) {
      step(*plain, i);
      step(*scaled, i);
      step(*dynamic, i);
    }
    State reference = state(*plain);
    for (State other : {state(*scaled), state(*dynamic)})
      for (const auto &[name, values] : reference)
        EXPECT_EQ(values, other[name]) << optimizer << " " << name;
    EXPECT_EQ(scalar(*dynamic, "loss_scale"), 8192.0f);
  }
}

TEST_F(LossScalingTest, TheExecutorCountsStepsStuckAtTheFloor) {
  // At its floor from the start, every overflow is a stuck step; a clean
  // step ends the run. The count is per step, whenever it is read.
  auto executor = compile("mode=dynamic init-scale=1 min-scale=1");
  ASSERT_TRUE(executor);
  for (int i = 0; i < 3; ++i)
    step(*executor, i, /*overflow=*/true);
  EXPECT_EQ(executor->lossScaleStatus()->stuckSteps, 3);
  step(*executor, 3);
  step(*executor, 4, /*overflow=*/true);
  EXPECT_EQ(executor->lossScaleStatus()->stuckSteps, 1);
  EXPECT_EQ(executor->lossScaleStatus()->skippedSteps, 4);

  // Restored state (a checkpoint with 4 skipped steps) starts a new count,
  // so its skipped steps are not taken for new ones.
  std::vector<HostTensor> saved = executor->state();
  auto resumed = compile("mode=dynamic init-scale=1 min-scale=1");
  ASSERT_TRUE(resumed);
  resumed->setState(saved);
  EXPECT_EQ(resumed->lossScaleStatus()->stuckSteps, 0);
  step(*resumed, 5);
  EXPECT_EQ(resumed->lossScaleStatus()->stuckSteps, 0);
  step(*resumed, 6, /*overflow=*/true);
  EXPECT_EQ(resumed->lossScaleStatus()->stuckSteps, 1);
}

TEST_F(LossScalingTest, OverflowsAboveTheFloorAreNotStuck) {
  // From 1024 the scale halves on each overflow: above the floor of 1 the
  // run can still recover, so those steps do not count.
  auto executor = compile("mode=dynamic init-scale=1024 min-scale=1");
  ASSERT_TRUE(executor);
  for (int i = 0; i < 10; ++i)
    step(*executor, i, /*overflow=*/true);
  EXPECT_EQ(scalar(*executor, "loss_scale"), 1.0f);
  // Steps 1-9 backed off from 1024 to 2; the 10th reached the floor.
  EXPECT_EQ(executor->lossScaleStatus()->stuckSteps, 1);
  // A static scale cannot go lower: every overflow counts.
  auto fixed = compile("mode=static init-scale=1024");
  ASSERT_TRUE(fixed);
  for (int i = 0; i < 4; ++i)
    step(*fixed, i, /*overflow=*/true);
  EXPECT_EQ(fixed->lossScaleStatus()->stuckSteps, 4);
}

} // namespace
