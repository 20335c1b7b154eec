//===- FuseExecutorTest.cpp - fused steps on the CPU executor -------------===//
//
// mpc-fuse must not change what a training step computes: with elementwise
// fusion and skip_if alone every loss and parameter stays bit for bit; GEMM
// epilogues round once instead of twice, so they agree within the rounding
// of the step's precision. The loss merged with its gradient gives the bits
// of the two ops, ignored rows and refused labels included.
// mpc-multi-tensor-adamw and mpc-weight-copies
// after it change no bit either, overflowed (skipped) steps included. Also
// the executor's semantics of the new ops.
//
//===----------------------------------------------------------------------===//

#include "compiler/ModelLoader.h"
#include "compiler/import/json/GraphImporter.h"
#include "compiler/reference/Executor.h"
#include "dialects/mpc/MpcOps.h"
#include "passes/Passes.h"
#include "runtime/core/ScalarMath.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using mpc::driver::HostTensor;

namespace {

/// The losses of a few steps and the params and state after them.
struct Trace {
  std::vector<float> losses;
  std::vector<HostTensor> params;
};

/// Inputs that vary with `step`: floats in [-1, 1], integers (labels and
/// tokens) in [0, 10), which every example's vocabulary and classes hold.
std::vector<HostTensor> inputsFor(const mpc::cpu::Executor &executor,
                                  int step) {
  std::vector<HostTensor> inputs = executor.argumentSpecs("train_step");
  for (HostTensor &input : inputs) {
    int64_t n = input.numElements();
    for (int64_t i = 0; i < n; ++i) {
      if (input.dtype == HostTensor::DType::F32)
        input.f32.push_back(std::sin(0.37f * float(i) + float(step)));
      else
        input.i64.push_back((7 * i + 3 * step) % 10);
    }
  }
  return inputs;
}

/// Runs `steps` training steps of `module`; at `overflowStep` the first
/// float input holds an infinity.
Trace train(ModuleOp module, int steps, int overflowStep = -1) {
  Trace trace;
  std::string error;
  auto executor = mpc::cpu::Executor::create(module, error);
  EXPECT_TRUE(executor) << error;
  if (!executor)
    return trace;
  executor->initializeParams(7);
  for (int step = 0; step < steps; ++step) {
    std::vector<HostTensor> inputs = inputsFor(*executor, step);
    if (step == overflowStep)
      for (HostTensor &input : inputs)
        if (input.dtype == HostTensor::DType::F32) {
          input.f32[3] = std::numeric_limits<float>::infinity();
          break;
        }
    std::vector<HostTensor> results;
    EXPECT_TRUE(
        executor->run("train_step", inputs, uint64_t(step), results, error))
        << error;
    if (results.empty())
      return trace;
    trace.losses.push_back(results[0].f32[0]);
  }
  trace.params = executor->params();
  return trace;
}

bool sameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// The unit roundoff of the step's low precision.
double unitRoundoff(llvm::StringRef dtype) {
  if (dtype == "bf16")
    return std::ldexp(1.0, -8);
  if (dtype == "f16")
    return std::ldexp(1.0, -11);
  return std::ldexp(1.0, -24);
}

struct Case {
  const char *graph;
  const char *dtype;
};

class FuseExecutorTest : public ::testing::TestWithParam<Case> {
protected:
  FuseExecutorTest() {
    DialectRegistry registry;
    mpc::registerGraphImportDialects(registry);
    context.appendDialectRegistry(registry);
  }

  OwningOpRef<ModuleOp> load() {
    mpc::ModelLoadOptions options;
    options.dtype = GetParam().dtype;
    std::string error;
    OwningOpRef<ModuleOp> module = mpc::loadTrainingModule(
        std::string(MPC_EXAMPLES_DIR) + "/" + GetParam().graph + ".json",
        options, context, error);
    EXPECT_TRUE(module) << error;
    return module;
  }

  OwningOpRef<ModuleOp> fused(ModuleOp module, bool epilogues,
                              bool multiTensorAdamW = false,
                              bool weightCopies = false) {
    OwningOpRef<ModuleOp> copy = module.clone();
    PassManager pm(&context);
    pm.addPass(mpc::createFuse(mpc::FuseOptions{epilogues}));
    if (multiTensorAdamW)
      pm.addPass(mpc::createMultiTensorAdamW());
    if (weightCopies)
      pm.addPass(mpc::createWeightCopies());
    EXPECT_TRUE(succeeded(pm.run(*copy)));
    return copy;
  }

  /// Every loss and every param and state element of `trace` has the bits
  /// of `reference`'s.
  static void expectSameBits(const Trace &reference, const Trace &trace,
                             int steps) {
    ASSERT_EQ(reference.losses.size(), size_t(steps));
    ASSERT_EQ(trace.losses.size(), size_t(steps));
    for (int step = 0; step < steps; ++step)
      EXPECT_TRUE(sameBits(reference.losses[step], trace.losses[step]))
          << "step " << step << ": " << reference.losses[step] << " vs "
          << trace.losses[step];
    ASSERT_EQ(reference.params.size(), trace.params.size());
    for (size_t p = 0; p < reference.params.size(); ++p) {
      const HostTensor &want = reference.params[p], &got = trace.params[p];
      ASSERT_EQ(want.f32.size(), got.f32.size()) << want.name;
      size_t differing = 0;
      for (size_t i = 0; i < want.f32.size(); ++i)
        differing += !sameBits(want.f32[i], got.f32[i]);
      EXPECT_EQ(differing, 0u) << want.name;
    }
  }

  static int count(ModuleOp module, llvm::function_ref<bool(Operation *)> is) {
    int n = 0;
    module.walk([&](Operation *op) { n += is(op); });
    return n;
  }

  MLIRContext context;
  static constexpr int kSteps = 3;
};

TEST_P(FuseExecutorTest, ElementwiseFusionChangesNoBit) {
  OwningOpRef<ModuleOp> module = load();
  ASSERT_TRUE(module);
  OwningOpRef<ModuleOp> fusedModule = fused(*module, /*epilogues=*/false);
  // The fused module really is another program.
  EXPECT_GT(
      count(*fusedModule, [](Operation *op) { return isa<mpc::FusedOp>(op); }),
      0);
  EXPECT_EQ(count(*fusedModule,
                  [](Operation *op) {
                    return op->hasTrait<mpc::OpTrait::Elementwise>() &&
                           !op->getParentOfType<mpc::FusedOp>();
                  }),
            0);
  // The loss and its gradient are one op, and neither is left alone.
  EXPECT_EQ(count(*fusedModule,
                  [](Operation *op) {
                    return isa<mpc::SoftmaxCrossEntropyWithGradOp>(op);
                  }),
            1);
  EXPECT_EQ(count(*fusedModule,
                  [](Operation *op) {
                    return isa<mpc::SoftmaxCrossEntropyGradOp>(op) ||
                           (isa<mpc::SoftmaxCrossEntropyOp>(op) &&
                            op->getParentOfType<func::FuncOp>().getSymName() ==
                                "train_step");
                  }),
            0);

  expectSameBits(train(*module, kSteps), train(*fusedModule, kSteps), kSteps);
}

TEST_P(FuseExecutorTest, MultiTensorAdamWChangesNoBit) {
  OwningOpRef<ModuleOp> module = load();
  ASSERT_TRUE(module);
  OwningOpRef<ModuleOp> merged =
      fused(*module, /*epilogues=*/false, /*multiTensorAdamW=*/true);
  // Every AdamW update of the step is in the one merged op.
  EXPECT_EQ(
      count(*merged, [](Operation *op) { return isa<mpc::AdamWUpdateOp>(op); }),
      0);
  EXPECT_EQ(
      count(*merged,
            [](Operation *op) { return isa<mpc::AdamWMultiUpdateOp>(op); }),
      1);
  expectSameBits(train(*module, kSteps), train(*merged, kSteps), kSteps);
  // A step whose gradients overflow (skipped where a loss scaler runs, in
  // f16) leaves masters and moments as the single updates do.
  expectSameBits(train(*module, kSteps, /*overflowStep=*/1),
                 train(*merged, kSteps, /*overflowStep=*/1), kSteps);
}

TEST_P(FuseExecutorTest, WeightCopiesChangeNoBit) {
  OwningOpRef<ModuleOp> module = load();
  ASSERT_TRUE(module);
  OwningOpRef<ModuleOp> withCopies =
      fused(*module, /*epilogues=*/false, /*multiTensorAdamW=*/true,
            /*weightCopies=*/true);
  // The params copied, by index among the module's params, and the index
  // of each one's source.
  std::vector<std::pair<size_t, size_t>> copies;
  std::vector<mpc::ParamOp> params(withCopies->getOps<mpc::ParamOp>().begin(),
                                   withCopies->getOps<mpc::ParamOp>().end());
  for (size_t i = 0; i < params.size(); ++i)
    if (auto source = params[i].getCopyOf())
      for (size_t j = 0; j < params.size(); ++j)
        if (params[j].getSymName() == *source)
          copies.push_back({i, j});
  // 16-bit steps read copies of their weights; f32 steps cast nothing.
  if (llvm::StringRef(GetParam().dtype) == "f32")
    EXPECT_TRUE(copies.empty());
  else
    EXPECT_FALSE(copies.empty());

  for (int overflowStep : {-1, 1}) {
    Trace reference = train(*module, kSteps, overflowStep);
    Trace trace = train(*withCopies, kSteps, overflowStep);
    ASSERT_EQ(trace.params.size(), params.size());
    // After the steps, skipped one included, each copy is its source
    // rounded, as the casts it replaced would compute.
    for (auto [copy, source] : copies) {
      const HostTensor &got = trace.params[copy];
      bool half = params[copy].getTensorType().getElementType().isF16();
      size_t differing = 0;
      for (size_t i = 0; i < got.f32.size(); ++i) {
        float value = trace.params[source].f32[i];
        float want =
            half ? mpc::math::roundF16(value) : mpc::math::roundBF16(value);
        differing += !sameBits(want, got.f32[i]);
      }
      EXPECT_EQ(differing, 0u) << got.name;
    }
    // Without the copies, losses and every other tensor keep their bits.
    std::vector<HostTensor> kept;
    for (size_t i = 0; i < trace.params.size(); ++i)
      if (!params[i].getCopyOf())
        kept.push_back(trace.params[i]);
    trace.params = std::move(kept);
    expectSameBits(reference, trace, kSteps);
  }
}

TEST_P(FuseExecutorTest, EpiloguesAgreeWithinRounding) {
  OwningOpRef<ModuleOp> module = load();
  ASSERT_TRUE(module);
  OwningOpRef<ModuleOp> fusedModule = fused(*module, /*epilogues=*/true);
  EXPECT_GT(count(*fusedModule,
                  [](Operation *op) { return isa<mpc::FusedMatmulOp>(op); }),
            0);

  Trace reference = train(*module, kSteps);
  Trace trace = train(*fusedModule, kSteps);
  ASSERT_EQ(reference.losses.size(), size_t(kSteps));
  ASSERT_EQ(trace.losses.size(), size_t(kSteps));
  // Each epilogue skips one rounding of the product to the step's
  // precision; averaged through the loss this stays far below one unit
  // roundoff (measured: under u/25 over three steps). In f32 that rounding
  // is the identity, so nothing changes at all.
  double u = unitRoundoff(GetParam().dtype);
  for (int step = 0; step < kSteps; ++step) {
    if (llvm::StringRef(GetParam().dtype) == "f32") {
      EXPECT_TRUE(sameBits(trace.losses[step], reference.losses[step]))
          << "step " << step;
    }
    EXPECT_NEAR(trace.losses[step], reference.losses[step],
                u * std::fabs(reference.losses[step]))
        << "step " << step;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Examples, FuseExecutorTest,
    ::testing::Values(Case{"mlp", "f32"}, Case{"mlp", "bf16"},
                      Case{"mlp", "f16"}, Case{"gpt", "f32"},
                      Case{"gpt", "bf16"}, Case{"gpt", "f16"}),
    [](const ::testing::TestParamInfo<Case> &info) {
      return std::string(info.param.graph) + "_" + info.param.dtype;
    });

class FuseSemanticsTest : public ::testing::Test {
protected:
  FuseSemanticsTest() {
    DialectRegistry registry;
    mpc::registerGraphImportDialects(registry);
    context.appendDialectRegistry(registry);
  }
  MLIRContext context;
};

TEST_F(FuseSemanticsTest, OverflowedStepKeepsEveryParamThroughSkipIf) {
  mpc::ModelLoadOptions options;
  options.dtype = "f16";
  std::string error;
  OwningOpRef<ModuleOp> module = mpc::loadTrainingModule(
      std::string(MPC_EXAMPLES_DIR) + "/mlp.json", options, context, error);
  ASSERT_TRUE(module) << error;
  OwningOpRef<ModuleOp> fusedModule = module->clone();
  PassManager pm(&context);
  pm.addPass(mpc::createFuse(mpc::FuseOptions{/*epilogues=*/false}));
  ASSERT_TRUE(succeeded(pm.run(*fusedModule)));
  int skipping = 0, selects = 0;
  fusedModule->walk([&](Operation *op) {
    if (auto update = dyn_cast<mpc::AdamWUpdateOp>(op))
      skipping += bool(update.getSkipIf());
    selects += isa<mpc::SelectOp>(op);
  });
  EXPECT_EQ(skipping, 4);
  // Only the step counter's select is left.
  EXPECT_EQ(selects, 1);

  // Two clean steps, then one that overflows: it changes nothing but the
  // scaler's state, exactly as the selects of the unfused step do.
  Trace before = train(*fusedModule, 2);
  Trace after = train(*fusedModule, 3, /*overflowStep=*/2);
  Trace reference = train(*module, 3, /*overflowStep=*/2);
  ASSERT_EQ(after.losses.size(), 3u);
  EXPECT_TRUE(std::isinf(after.losses[2]) || std::isnan(after.losses[2]));
  ASSERT_EQ(before.params.size(), after.params.size());
  ASSERT_EQ(reference.params.size(), after.params.size());
  for (size_t p = 0; p < after.params.size(); ++p) {
    const HostTensor &got = after.params[p];
    for (size_t i = 0; i < got.f32.size(); ++i) {
      ASSERT_TRUE(sameBits(reference.params[p].f32[i], got.f32[i]))
          << got.name << "[" << i << "]";
      if (!llvm::StringRef(got.name).starts_with("loss_scale")) {
        ASSERT_TRUE(sameBits(before.params[p].f32[i], got.f32[i]))
            << got.name << "[" << i << "]";
      }
    }
  }
}

TEST_F(FuseSemanticsTest, EpiloguesRoundOnceAndSkipIfKeepsInputs) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"mlir(
    func.func @f(%x: tensor<1x2xf16>, %w: tensor<2x1xf16>, %b: tensor<1xf16>, %dy: tensor<1x2xf32>, %wg: tensor<2x2xf32>, %pre: tensor<1x2xf32>, %flag: tensor<i1>, %p: tensor<3xf32>, %g: tensor<3xf32>)
        -> (tensor<1x1xf16>, tensor<1x1xf16>, tensor<1x1xf16>, tensor<1x1xf16>, tensor<1x2xf32>, tensor<3xf32>, tensor<1x2xf32>) {
      %0 = mpc.fused_matmul %x, %w bias %b epilogue = bias : (tensor<1x2xf16>, tensor<2x1xf16>, tensor<1xf16>) -> tensor<1x1xf16>
      %1 = mpc.matmul %x, %w : (tensor<1x2xf16>, tensor<2x1xf16>) -> tensor<1x1xf16>
      %2 = mpc.add %1, %b : (tensor<1x1xf16>, tensor<1xf16>) -> tensor<1x1xf16>
      %3, %4 = mpc.fused_matmul %x, %w bias %b epilogue = gelu_bias : (tensor<1x2xf16>, tensor<2x1xf16>, tensor<1xf16>) -> (tensor<1x1xf16>, tensor<1x1xf16>)
      %5 = mpc.fused_matmul %dy, %wg aux %pre epilogue = dgelu : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
      %6 = mpc.sgd_update %p, %g lr = 1.000000e-01 weight_decay = 0.000000e+00 skip_if %flag : tensor<3xf32>
      %7 = mpc.matmul %dy, %wg : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
      %8 = mpc.gelu_grad %7, %pre : tensor<1x2xf32>
      return %0, %2, %3, %4, %5, %6, %8 : tensor<1x1xf16>, tensor<1x1xf16>, tensor<1x1xf16>, tensor<1x1xf16>, tensor<1x2xf32>, tensor<3xf32>, tensor<1x2xf32>
    }
  )mlir",
                                                             &context);
  ASSERT_TRUE(module);
  std::string error;
  auto executor = mpc::cpu::Executor::create(*module, error);
  ASSERT_TRUE(executor) << error;
  auto tensor = [](std::vector<int64_t> shape, std::vector<float> data) {
    HostTensor t;
    t.shape = std::move(shape);
    t.f32 = std::move(data);
    return t;
  };
  float tiny = std::ldexp(1.0f, -11);
  HostTensor flag;
  flag.dtype = HostTensor::DType::I64;
  for (int skip = 0; skip < 2; ++skip) {
    flag.i64 = {skip};
    std::vector<HostTensor> results;
    ASSERT_TRUE(executor->run(
        "f",
        {tensor({1, 2}, {1.0f, tiny}), tensor({2, 1}, {1.0f, 1.0f}),
         tensor({1}, {tiny}), tensor({1, 2}, {0.5f, -2.0f}),
         tensor({2, 2}, {1.0f, 2.0f, 3.0f, 4.0f}),
         tensor({1, 2}, {0.3f, -1.5f}), flag, tensor({3}, {1.0f, 2.0f, 3.0f}),
         tensor({3}, {1.0f, 1.0f, 1.0f})},
        0, results, error))
        << error;
    // 1 + 2^-11 + 2^-11 in f32 is 1 + 2^-10, an f16 value; unfused, each
    // 1 + 2^-11 ties to the even 1.
    EXPECT_EQ(results[0].f32[0], 1.0f + 2 * tiny);
    EXPECT_EQ(results[1].f32[0], 1.0f);
    EXPECT_EQ(results[3].f32[0], 1.0f + 2 * tiny);
    float x = 1.0f + 2 * tiny;
    float gelu =
        0.5f * x *
        (1.0f + std::tanh(0.7978845608f * (x + 0.044715f * x * x * x)));
    EXPECT_NEAR(results[2].f32[0], gelu, 1e-3);
    // dgelu is gelu_grad with the product for dy; in f32 the product's
    // rounding is the identity, so both agree bit for bit.
    EXPECT_EQ(results[4].f32, results[6].f32);
    EXPECT_NE(results[4].f32[0], 0.5f * 1.0f + -2.0f * 3.0f);
    if (skip)
      EXPECT_EQ(results[5].f32, std::vector<float>({1.0f, 2.0f, 3.0f}));
    else
      EXPECT_EQ(results[5].f32, std::vector<float>({0.9f, 1.9f, 2.9f}));
  }
}

TEST_F(FuseSemanticsTest, LossWithGradientHasTheBitsOfTheTwoOps) {
  // bf16 logits, 16-bit gradient, a mean skipping the rows labelled -100:
  // the merged op's loss and gradient against those of the two ops.
  const char *source = R"mlir(
    func.func @f(%z: tensor<2x3x5xbf16>, %y: tensor<2x3xi32>, %dl: tensor<f32>) -> (tensor<f32>, tensor<2x3x5xbf16>) {
      %l = mpc.softmax_cross_entropy %z, %y ignore_index = -100 : (tensor<2x3x5xbf16>, tensor<2x3xi32>) -> tensor<f32>
      %g = mpc.softmax_cross_entropy_grad %dl, %z, %y ignore_index = -100 : (tensor<f32>, tensor<2x3x5xbf16>, tensor<2x3xi32>) -> tensor<2x3x5xbf16>
      return %l, %g : tensor<f32>, tensor<2x3x5xbf16>
    }
  )mlir";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  ASSERT_TRUE(module);
  OwningOpRef<ModuleOp> fusedModule = module->clone();
  PassManager pm(&context);
  pm.addPass(mpc::createFuse(mpc::FuseOptions{/*epilogues=*/false}));
  ASSERT_TRUE(succeeded(pm.run(*fusedModule)));
  int merged = 0;
  fusedModule->walk([&](mpc::SoftmaxCrossEntropyWithGradOp) { ++merged; });
  ASSERT_EQ(merged, 1);

  std::string error;
  auto reference = mpc::cpu::Executor::create(*module, error);
  ASSERT_TRUE(reference) << error;
  auto executor = mpc::cpu::Executor::create(*fusedModule, error);
  ASSERT_TRUE(executor) << error;
  HostTensor logits, labels, seed;
  logits.shape = {2, 3, 5};
  for (int i = 0; i < 30; ++i)
    logits.f32.push_back(3.0f * std::sin(0.9f * float(i)));
  labels.dtype = HostTensor::DType::I64;
  labels.shape = {2, 3};
  seed.shape = {};
  seed.f32 = {1024.0f};
  for (std::vector<int64_t> rowLabels :
       {std::vector<int64_t>{0, 4, 2, 1, 3, 0},
        std::vector<int64_t>{-100, 4, -100, 1, 3, -100}}) {
    labels.i64 = rowLabels;
    std::vector<HostTensor> want, got;
    ASSERT_TRUE(reference->run("f", {logits, labels, seed}, 0, want, error))
        << error;
    ASSERT_TRUE(executor->run("f", {logits, labels, seed}, 0, got, error))
        << error;
    ASSERT_EQ(got.size(), 2u);
    EXPECT_TRUE(sameBits(want[0].f32[0], got[0].f32[0]))
        << want[0].f32[0] << " vs " << got[0].f32[0];
    ASSERT_EQ(want[1].f32.size(), got[1].f32.size());
    for (size_t i = 0; i < got[1].f32.size(); ++i)
      EXPECT_TRUE(sameBits(want[1].f32[i], got[1].f32[i]))
          << "dlogits[" << i << "]";
    // The ignored rows' gradient is zero, the kept rows' is not.
    if (rowLabels[0] == -100) {
      for (int c = 0; c < 5; ++c)
        EXPECT_EQ(got[1].f32[c], 0.0f);
      EXPECT_NE(got[1].f32[5], 0.0f);
    }
  }

  // A label neither ignored nor a class is refused as the loss refuses it.
  labels.i64 = {0, 4, 5, 1, 3, 0};
  std::vector<HostTensor> results;
  std::string referenceError;
  EXPECT_FALSE(
      reference->run("f", {logits, labels, seed}, 0, results, referenceError));
  EXPECT_FALSE(executor->run("f", {logits, labels, seed}, 0, results, error));
  EXPECT_NE(error.find("label 5 at position 2 is outside [0, 5)"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.substr(error.find("label")),
            referenceError.substr(referenceError.find("label")));
}

} // namespace
