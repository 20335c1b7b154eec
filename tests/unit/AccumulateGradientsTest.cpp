//===- AccumulateGradientsTest.cpp - micro-batches on the CPU executor ----===//
//
// Compiles a small model with mpc-train-pipeline, with and without gradient
// accumulation, and runs it on the CPU reference executor: N micro-batches
// of B make the step that one batch of N x B makes, to rounding; nothing
// but the accumulation state changes before the last micro-batch; and an
// overflow in one micro-batch of an f16 step skips the whole step once.
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

#include <cmath>
#include <limits>

using namespace mlir;
using mpc::cpu::CpuStepExecutor;
using mpc::driver::HostTensor;

namespace {

/// A two-layer network with an MSE loss, for a batch of BATCH rows.
constexpr const char *kModel = R"mlir(
  module @mlp {
    mpc.param @w1 : tensor<4x6xf32> = #mpc.init<normal, mean = 0.0, std = 0.5, seed = 1>
    mpc.param @b1 : tensor<6xf32> = #mpc.init<uniform, low = -0.5, high = 0.5, seed = 2>
    mpc.param @w2 : tensor<6x3xf32> = #mpc.init<normal, mean = 0.0, std = 0.5, seed = 3>
    func.func @forward(%x: tensor<BATCHx4xf32>, %t: tensor<BATCHx3xf32>) -> (tensor<f32> {mpc.loss}) {
      %w1 = mpc.load @w1 : tensor<4x6xf32>
      %b1 = mpc.load @b1 : tensor<6xf32>
      %w2 = mpc.load @w2 : tensor<6x3xf32>
      %0 = mpc.matmul %x, %w1 : (tensor<BATCHx4xf32>, tensor<4x6xf32>) -> tensor<BATCHx6xf32>
      %1 = mpc.add %0, %b1 : (tensor<BATCHx6xf32>, tensor<6xf32>) -> tensor<BATCHx6xf32>
      %2 = mpc.tanh %1 : tensor<BATCHx6xf32>
      %3 = mpc.matmul %2, %w2 : (tensor<BATCHx6xf32>, tensor<6x3xf32>) -> tensor<BATCHx3xf32>
      %4 = mpc.mse_loss %3, %t : (tensor<BATCHx3xf32>, tensor<BATCHx3xf32>) -> tensor<f32>
      return %4 : tensor<f32>
    }
  }
)mlir";

constexpr int64_t kMicroBatches = 4;
constexpr int64_t kMicroBatch = 2;
constexpr int64_t kBatch = kMicroBatches * kMicroBatch;

using mpc::testing::State;

class AccumulateGradientsTest : public ::testing::Test {
protected:
  AccumulateGradientsTest() {
    DialectRegistry registry;
    mpc::registerGraphImportDialects(registry);
    context.appendDialectRegistry(registry);
  }

  /// The model for `batch` rows through mpc-train-pipeline with `options`,
  /// on a fresh executor initialized with seed 0.
  std::unique_ptr<CpuStepExecutor> compile(int64_t batch,
                                           llvm::StringRef options) {
    std::string text = kModel;
    for (size_t at = text.find("BATCH"); at != std::string::npos;
         at = text.find("BATCH", at))
      text.replace(at, 5, std::to_string(batch));
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
    EXPECT_TRUE(module);
    if (!module)
      return nullptr;
    mpc::TrainPipelineOptions pipeline;
    EXPECT_TRUE(succeeded(pipeline.parseFromString(options))) << options.str();
    PassManager pm(&context);
    mpc::buildTrainPipeline(pm, pipeline);
    EXPECT_TRUE(succeeded(pm.run(*module)));
    std::string error;
    auto executor = CpuStepExecutor::create(std::move(module), error);
    EXPECT_TRUE(executor) << error;
    if (executor)
      executor->initialize(0);
    return executor;
  }

  /// The large batch of optimizer step `step`: rows that vary with it.
  static std::vector<HostTensor> batchOf(int step) {
    HostTensor x, t;
    x.shape = {kBatch, 4};
    t.shape = {kBatch, 3};
    for (int i = 0; i < kBatch * 4; ++i)
      x.f32.push_back(std::sin(0.7f * float(i) + float(step)));
    for (int i = 0; i < kBatch * 3; ++i)
      t.f32.push_back(std::cos(0.3f * float(i)) - x.f32[i]);
    return {x, t};
  }

  /// Micro-batch `k` of `batch`: its rows k*B to k*B+B-1.
  static std::vector<HostTensor>
  microBatch(const std::vector<HostTensor> &batch, int64_t k) {
    std::vector<HostTensor> micro = batch;
    for (HostTensor &tensor : micro) {
      int64_t row = tensor.shape[1];
      tensor.shape[0] = kMicroBatch;
      tensor.f32.assign(tensor.f32.begin() + k * kMicroBatch * row,
                        tensor.f32.begin() + (k + 1) * kMicroBatch * row);
    }
    return micro;
  }

  /// Runs one call of @train_step; returns its loss.
  static float call(CpuStepExecutor &executor,
                    const std::vector<HostTensor> &inputs, uint64_t number) {
    std::vector<HostTensor> outputs;
    std::string error;
    EXPECT_TRUE(executor.trainStep(inputs, number, outputs, error)) << error;
    return outputs.empty() ? NAN : outputs[0].f32[0];
  }

  static State state(const CpuStepExecutor &executor) {
    return mpc::testing::stateOf(executor);
  }

  /// Whether `name` is state of the accumulation itself.
  static bool isAccumulation(llvm::StringRef name) {
    return name == mpc::step::kAccumulatePhase ||
           name.ends_with(mpc::step::kGradAccumSuffix);
  }

  /// Expects every tensor of `before` but the accumulation's own state, and
  /// those whose names start with `skipPrefix` when given, to be
  /// bit-identical in `after`.
  static void expectUnchanged(const State &before, const State &after,
                              llvm::StringRef skipPrefix = "") {
    mpc::testing::expectBitIdentical(before, after, [&](llvm::StringRef name) {
      return isAccumulation(name) ||
             (!skipPrefix.empty() && name.starts_with(skipPrefix));
    });
  }

  MLIRContext context;
};

// K optimizer steps of 4 micro-batches of 2 rows train as K steps on the 8
// rows. The two compute the same sums in another order: a matmul's weight
// gradient sums 8 rows in one f32 accumulation, or 2 rows per micro-batch
// then 4 partial sums; the mean divides by 8 once, or by 2 and then by 4
// (exact: powers of two). Each order rounds each addition by at most 2^-24
// relative, about 8 * 6e-8 = 5e-7 of a gradient's magnitude over 8 terms,
// and three steps with AdamW's normalisation or SGD's lr 0.1 carry no more
// than a few times that into the parameters. 1e-5 relative (to the larger
// of |value| and 1, as the values are of order 1) leaves a margin of 20 over
// that, while a lost micro-batch or a missing division by 4 moves the
// parameters by 1e-2 or more.
TEST_F(AccumulateGradientsTest, MicroBatchesMatchTheLargeBatch) {
  constexpr float kTolerance = 1e-5f;
  constexpr int kSteps = 3;
  for (const char *optimizer :
       {"optimizer=sgd learning-rate=0.1", "optimizer=adamw learning-rate=0.01",
        "optimizer=momentum learning-rate=0.05 clip-norm=0.5"}) {
    SCOPED_TRACE(optimizer);
    auto large = compile(kBatch, optimizer);
    auto micro = compile(kMicroBatch, std::string(optimizer) + " accumulate=" +
                                          std::to_string(kMicroBatches));
    ASSERT_TRUE(large && micro);
    EXPECT_EQ(large->microBatches(), 1);
    EXPECT_EQ(micro->microBatches(), kMicroBatches);
    for (int step = 0; step < kSteps; ++step) {
      std::vector<HostTensor> batch = batchOf(step);
      float largeLoss = call(*large, batch, uint64_t(step));
      double microLoss = 0;
      for (int64_t k = 0; k < kMicroBatches; ++k)
        microLoss += call(*micro, microBatch(batch, k),
                          uint64_t(step * kMicroBatches + k));
      microLoss /= double(kMicroBatches);
      EXPECT_NEAR(microLoss, largeLoss, kTolerance * std::fabs(largeLoss))
          << "step " << step;
    }
    State expected = state(*large), actual = state(*micro);
    EXPECT_EQ(actual.at("step")[0], float(kSteps));
    EXPECT_EQ(actual.at(mpc::step::kAccumulatePhase)[0], 0.0f);
    for (const auto &[name, values] : actual) {
      if (!isAccumulation(name))
        continue;
      // Reset by each step's last micro-batch.
      for (float value : values)
        EXPECT_EQ(value, 0.0f) << name;
    }
    for (const auto &[name, values] : expected) {
      ASSERT_TRUE(actual.count(name)) << name;
      for (size_t i = 0; i < values.size(); ++i)
        EXPECT_NEAR(actual[name][i], values[i],
                    kTolerance * std::max(1.0f, std::fabs(values[i])))
            << name << "[" << i << "]";
    }
    // The updates moved the parameters well beyond the tolerance.
    auto fresh = compile(kBatch, optimizer);
    ASSERT_TRUE(fresh);
    EXPECT_GT(std::fabs(state(*fresh)["w1"][0] - expected["w1"][0]), 1e-3f);
  }
}

// Before the last micro-batch nothing but the sums and the phase changes.
TEST_F(AccumulateGradientsTest, OnlyTheLastMicroBatchUpdates) {
  auto micro = compile(kMicroBatch, "optimizer=adamw accumulate=4");
  ASSERT_TRUE(micro);
  std::vector<HostTensor> batch = batchOf(0);
  State before = state(*micro);
  for (int64_t k = 0; k + 1 < kMicroBatches; ++k) {
    call(*micro, microBatch(batch, k), uint64_t(k));
    State now = state(*micro);
    expectUnchanged(before, now);
    EXPECT_EQ(now.at(mpc::step::kAccumulatePhase)[0], float(k + 1));
    EXPECT_NE(now.at(std::string("w1") + mpc::step::kGradAccumSuffix),
              before.at(std::string("w1") + mpc::step::kGradAccumSuffix));
  }
  call(*micro, microBatch(batch, kMicroBatches - 1), kMicroBatches - 1);
  State after = state(*micro);
  EXPECT_EQ(after.at("step")[0], 1.0f);
  EXPECT_NE(after.at("w1"), before.at("w1"));
  EXPECT_EQ(after.at(mpc::step::kAccumulatePhase)[0], 0.0f);
}

// f16 with dynamic loss scaling: an infinity in the third micro-batch
// reaches the f32 sums, so the step's last micro-batch skips the update:
// the parameters, their moments and the step count stay, the skipped count
// grows by one and the scale halves once. The sums are reset, so the next
// step trains again.
TEST_F(AccumulateGradientsTest, AnOverflowInOneMicroBatchSkipsTheStep) {
  auto micro = compile(kMicroBatch, "dtype=f16 accumulate=4");
  ASSERT_TRUE(micro);
  ASSERT_TRUE(micro->lossScaleStatus());
  // One clean step first, so that the moments and the step count have
  // moved and keeping them is a check.
  std::vector<HostTensor> batch = batchOf(0);
  for (int64_t k = 0; k < kMicroBatches; ++k)
    call(*micro, microBatch(batch, k), uint64_t(k));
  State before = state(*micro);
  EXPECT_EQ(before.at("step")[0], 1.0f);
  EXPECT_EQ(before.at("loss_scale")[0], 65536.0f);
  EXPECT_EQ(before.at("loss_scale.skipped_steps")[0], 0.0f);

  batch = batchOf(1);
  for (int64_t k = 0; k < kMicroBatches; ++k) {
    std::vector<HostTensor> inputs = microBatch(batch, k);
    if (k == 2)
      inputs[0].f32[3] = std::numeric_limits<float>::infinity();
    call(*micro, inputs, uint64_t(kMicroBatches + k));
    if (k + 1 < kMicroBatches)
      // The scale and the count wait for the step's end.
      EXPECT_EQ(state(*micro).at("loss_scale")[0], 65536.0f);
  }
  State after = state(*micro);
  expectUnchanged(before, after, "loss_scale");
  EXPECT_EQ(after.at("step")[0], 1.0f);
  EXPECT_EQ(micro->lossScaleStatus()->skippedSteps, 1);
  EXPECT_EQ(micro->lossScaleStatus()->scale, 32768.0);
  EXPECT_EQ(after.at(mpc::step::kAccumulatePhase)[0], 0.0f);
  for (const auto &[name, values] : after)
    if (llvm::StringRef(name).ends_with(mpc::step::kGradAccumSuffix))
      for (float value : values)
        EXPECT_EQ(value, 0.0f) << name;

  batch = batchOf(2);
  for (int64_t k = 0; k < kMicroBatches; ++k)
    call(*micro, microBatch(batch, k), uint64_t(2 * kMicroBatches + k));
  State next = state(*micro);
  EXPECT_EQ(next.at("step")[0], 2.0f);
  EXPECT_NE(next.at("w1"), before.at("w1"));
  EXPECT_EQ(micro->lossScaleStatus()->skippedSteps, 1);
}

// accumulate=1 is the step without accumulation, op for op.
TEST_F(AccumulateGradientsTest, OneMicroBatchChangesNothing) {
  auto plain = compile(kBatch, "dtype=f16");
  auto one = compile(kBatch, "dtype=f16 accumulate=1");
  ASSERT_TRUE(plain && one);
  EXPECT_EQ(one->microBatches(), 1);
  for (int step = 0; step < 2; ++step) {
    std::vector<HostTensor> batch = batchOf(step);
    EXPECT_EQ(call(*plain, batch, step), call(*one, batch, step));
  }
  expectUnchanged(state(*plain), state(*one));
  EXPECT_EQ(state(*plain).size(), state(*one).size());
}

} // namespace
