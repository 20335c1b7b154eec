//===- StepContractTest.cpp - the step contract, filled and read back -----===//
//
// describeStep fills the contract from a compiled module; the manifest
// writer and reader carry it through JSON unchanged, in each loss-scaling
// mode; and the runtime's initializer kinds name the dialect's.
//
//===----------------------------------------------------------------------===//

#include "dialects/mpc/StepContract.h"
#include "compiler/ModelLoader.h"
#include "compiler/import/json/GraphImporter.h"
#include "compiler/reference/CpuStepExecutor.h"
#include "compiler/target/cuda/ManifestWriter.h"
#include "passes/Passes.h"
#include "runtime/driver/InitValues.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

using mpc::StepContract;

class StepContractTest : public ::testing::Test {
protected:
  StepContractTest() {
    DialectRegistry registry;
    mpc::registerGraphImportDialects(registry);
    context.appendDialectRegistry(registry);
  }

  /// The MLP's training step compiled with `options`, fused and planned
  /// unless `plan` is false.
  OwningOpRef<ModuleOp> compileMlp(const mpc::ModelLoadOptions &options,
                                   bool plan = true) {
    std::string error;
    OwningOpRef<ModuleOp> module = mpc::loadTrainingModule(
        std::string(MPC_EXAMPLES_DIR) + "/mlp.json", options, context, error);
    EXPECT_TRUE(module) << error;
    if (!module || !plan)
      return module;
    PassManager pm(&context);
    pm.addPass(mpc::createFuse());
    pm.addPass(mpc::createPlanMemory());
    EXPECT_TRUE(succeeded(pm.run(*module)));
    return module;
  }

  /// `contract` written as the manifest and parsed back.
  static std::optional<StepContract> roundTrip(const StepContract &contract) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << mpc::toJson(contract);
    std::string error;
    std::optional<StepContract> parsed =
        mpc::parseManifest(os.str(), "manifest.json", error);
    EXPECT_TRUE(parsed) << error;
    return parsed;
  }

  MLIRContext context;
};

/// The facts every compiled MLP step has, whatever its loss scaling.
void expectMlpStep(const StepContract &contract) {
  EXPECT_EQ(contract.abi, MPC_CUDA_ABI_VERSION);
  EXPECT_EQ(contract.graph, "mlp");
  ASSERT_EQ(contract.functions.size(), 2u);
  const mpc::FunctionSpec *forward = contract.function("forward");
  const mpc::FunctionSpec *train = contract.function("train_step");
  ASSERT_TRUE(forward && train);
  EXPECT_EQ(train->entry, "mpc_fn_train_step");
  EXPECT_EQ(forward->entry, "mpc_fn_forward");
  ASSERT_EQ(train->inputs.size(), 2u);
  EXPECT_EQ(train->inputs[0].name, "x");
  EXPECT_EQ(train->inputs[0].shape, (std::vector<int64_t>{32, 64}));
  EXPECT_EQ(train->inputs[1].dtype, mpc::DType::I32);
  EXPECT_EQ(train->outputs[0].name, "loss");
  EXPECT_EQ(contract.labelInput, 1);
  EXPECT_EQ(contract.arenaBytes,
            std::max(forward->arenaBytes, train->arenaBytes));
  EXPECT_GT(train->arenaBytes, 0);
  std::optional<size_t> w1 = contract.stateIndex("w1");
  ASSERT_TRUE(w1);
  EXPECT_TRUE(contract.state[*w1].trainable);
  EXPECT_EQ(contract.state[*w1].init.kind, mpc::InitSpec::Kind::XavierUniform);
  std::optional<size_t> step = contract.stateIndex("step");
  ASSERT_TRUE(step);
  EXPECT_FALSE(contract.state[*step].trainable);
}

TEST_F(StepContractTest, DynamicScalingRoundTrips) {
  mpc::ModelLoadOptions options;
  options.dtype = "f16";
  OwningOpRef<ModuleOp> module = compileMlp(options);
  ASSERT_TRUE(module);
  FailureOr<StepContract> contract =
      mpc::describeStep(*module, /*requirePlan=*/true);
  ASSERT_TRUE(succeeded(contract));
  expectMlpStep(*contract);
  ASSERT_TRUE(contract->lossScaling);
  EXPECT_TRUE(contract->lossScaling->dynamic);
  EXPECT_EQ(contract->lossScaling->scale, "loss_scale");
  EXPECT_EQ(contract->lossScaling->skipped, "loss_scale.skipped_steps");
  EXPECT_EQ(contract->lossScaling->floor, 1.0);
  EXPECT_FALSE(contract->lossScaling->staticScale);
  std::optional<size_t> scale = contract->stateIndex("loss_scale");
  ASSERT_TRUE(scale);
  EXPECT_EQ(contract->state[*scale].init.kind, mpc::InitSpec::Kind::Constant);
  EXPECT_EQ(contract->state[*scale].init.first, 65536.0);

  std::optional<StepContract> parsed = roundTrip(*contract);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(*parsed == *contract);
}

TEST_F(StepContractTest, LearningRateScheduleRoundTrips) {
  mpc::ModelLoadOptions options;
  options.lrSchedule = "cosine";
  options.warmupSteps = 10;
  options.decaySteps = 110;
  options.minLrRatio = 0.1;
  OwningOpRef<ModuleOp> module = compileMlp(options);
  ASSERT_TRUE(module);
  FailureOr<StepContract> contract =
      mpc::describeStep(*module, /*requirePlan=*/true);
  ASSERT_TRUE(succeeded(contract));
  ASSERT_TRUE(contract->learningRate);
  const mpc::LearningRateSpec &rate = *contract->learningRate;
  EXPECT_EQ(rate.peak, 1e-3); // mlp.json's learning_rate
  EXPECT_EQ(rate.schedule.kind, MPC_LR_COSINE);
  EXPECT_EQ(rate.schedule.warmup_steps, 10);
  EXPECT_EQ(rate.schedule.decay_steps, 110);
  EXPECT_EQ(rate.schedule.min_ratio, 0.1);
  // Step 5 is in the warmup (5/10 of the peak); step 61 is halfway down
  // the cosine: 0.1 + 0.9 / 2 of the peak.
  EXPECT_EQ(rate.at(5), 1e-3 * 0.5);
  EXPECT_DOUBLE_EQ(rate.at(61), 1e-3 * 0.55);

  std::optional<StepContract> parsed = roundTrip(*contract);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(*parsed == *contract);
}

TEST_F(StepContractTest, StaticScalingRoundTrips) {
  mpc::ModelLoadOptions options;
  options.dtype = "bf16";
  options.lossScaling = "static";
  options.initScale = 1024;
  OwningOpRef<ModuleOp> module = compileMlp(options);
  ASSERT_TRUE(module);
  FailureOr<StepContract> contract =
      mpc::describeStep(*module, /*requirePlan=*/true);
  ASSERT_TRUE(succeeded(contract));
  expectMlpStep(*contract);
  ASSERT_TRUE(contract->lossScaling);
  EXPECT_FALSE(contract->lossScaling->dynamic);
  EXPECT_EQ(contract->lossScaling->staticScale, 1024.0);
  EXPECT_FALSE(contract->lossScaling->scale);
  EXPECT_FALSE(contract->lossScaling->floor);
  EXPECT_EQ(contract->lossScaling->skipped, "loss_scale.skipped_steps");

  std::optional<StepContract> parsed = roundTrip(*contract);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(*parsed == *contract);
}

TEST_F(StepContractTest, NoScalingRoundTrips) {
  mpc::ModelLoadOptions options;
  options.dtype = "f32";
  OwningOpRef<ModuleOp> module = compileMlp(options);
  ASSERT_TRUE(module);
  FailureOr<StepContract> contract =
      mpc::describeStep(*module, /*requirePlan=*/true);
  ASSERT_TRUE(succeeded(contract));
  expectMlpStep(*contract);
  EXPECT_FALSE(contract->lossScaling);
  EXPECT_FALSE(contract->stateIndex("loss_scale"));

  std::optional<StepContract> parsed = roundTrip(*contract);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(*parsed == *contract);
}

TEST_F(StepContractTest, AccumulationRoundTripsAndIsChecked) {
  mpc::ModelLoadOptions options;
  options.accumulate = 4;
  OwningOpRef<ModuleOp> module = compileMlp(options);
  ASSERT_TRUE(module);
  FailureOr<StepContract> contract =
      mpc::describeStep(*module, /*requirePlan=*/true);
  ASSERT_TRUE(succeeded(contract));
  expectMlpStep(*contract);
  EXPECT_EQ(contract->accumulate, 4);
  ASSERT_TRUE(contract->accumulatePhaseIndex());
  std::optional<size_t> sum = contract->stateIndex("w1.grad_accum");
  ASSERT_TRUE(sum);
  EXPECT_FALSE(contract->state[*sum].trainable);
  EXPECT_EQ(contract->state[*sum].shape, (std::vector<int64_t>{64, 128}));

  std::optional<StepContract> parsed = roundTrip(*contract);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(*parsed == *contract);

  // A count below 2 is never written, and a count needs the phase.
  std::string text;
  llvm::raw_string_ostream os(text);
  os << mpc::toJson(*contract);
  auto parse = [](std::string manifest, std::string &error) {
    return mpc::parseManifest(manifest, "m.json", error);
  };
  std::string error;
  std::string one = text;
  one.replace(one.find("\"accumulate\":4"), 14, "\"accumulate\":1");
  EXPECT_FALSE(parse(one, error));
  EXPECT_EQ(error,
            "m.json: accumulate: expected an integer >= 2, got a number");
  std::string noPhase = text;
  noPhase.replace(noPhase.find("\"accumulate.phase\""), 18,
                  "\"accumulate.other\"");
  EXPECT_FALSE(parse(noPhase, error));
  EXPECT_EQ(error, "m.json: accumulate: 4 micro-batches, but no f32 scalar "
                   "state 'accumulate.phase' holds the phase");
}

TEST_F(StepContractTest, WeightCopiesRoundTripAndAreChecked) {
  mpc::ModelLoadOptions options;
  options.dtype = "bf16";
  OwningOpRef<ModuleOp> module = compileMlp(options, /*plan=*/false);
  ASSERT_TRUE(module);
  PassManager pm(&context);
  mpc::buildCudaPipeline(pm, mpc::CudaPipelineOptions());
  ASSERT_TRUE(succeeded(pm.run(*module)));
  FailureOr<StepContract> contract =
      mpc::describeStep(*module, /*requirePlan=*/true);
  ASSERT_TRUE(succeeded(contract));
  expectMlpStep(*contract);
  std::optional<size_t> copy = contract->stateIndex("w1.bf16");
  ASSERT_TRUE(copy);
  const mpc::StateSpec &spec = contract->state[*copy];
  EXPECT_EQ(spec.copyOf, "w1");
  EXPECT_EQ(spec.dtype, mpc::DType::BF16);
  EXPECT_FALSE(spec.trainable);
  EXPECT_FALSE(contract->state[*contract->stateIndex("w1.m")].copyOf);

  std::optional<StepContract> parsed = roundTrip(*contract);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(*parsed == *contract);

  // A copy names an earlier trainable f32 tensor of its shape.
  std::string text;
  llvm::raw_string_ostream os(text);
  os << mpc::toJson(*contract);
  auto rejects = [&](std::string from, std::string to, std::string message) {
    std::string manifest = text;
    manifest.replace(manifest.find(from), from.size(), to);
    std::string error;
    EXPECT_FALSE(mpc::parseManifest(manifest, "m.json", error));
    EXPECT_NE(error.find(message), std::string::npos) << error;
  };
  rejects("\"copy_of\":\"w1\"", "\"copy_of\":\"w9\"",
          "copy_of: no earlier state tensor named 'w9'");
  rejects("\"copy_of\":\"w1\"", "\"copy_of\":\"step\"",
          "copy_of: 'step' must be a trainable f32 tensor of the "
          "copy's shape");
  rejects("\"copy_of\":\"w1\"", "\"copy_of\":7",
          "copy_of: expected a state name, got a number");
}

TEST_F(StepContractTest, NumericsProbesRoundTripAndAreChecked) {
  mpc::ModelLoadOptions options;
  options.dtype = "f16";
  options.checkNumerics = true;
  OwningOpRef<ModuleOp> module = compileMlp(options);
  ASSERT_TRUE(module);
  FailureOr<StepContract> contract =
      mpc::describeStep(*module, /*requirePlan=*/true);
  ASSERT_TRUE(succeeded(contract));
  ASSERT_TRUE(contract->numericsProbes);
  // The contract lists the module's probes, in probe order.
  auto listed = (*module)->getAttrOfType<ArrayAttr>(
      mpc::MpcDialect::kNumericsProbesAttrName);
  ASSERT_TRUE(listed);
  ASSERT_EQ(contract->numericsProbes->size(), listed.size());
  ASSERT_FALSE(listed.empty());
  for (auto [probe, entry] : llvm::zip(*contract->numericsProbes, listed)) {
    auto dict = cast<DictionaryAttr>(entry);
    EXPECT_EQ(probe.op, dict.getAs<StringAttr>("op").str());
    EXPECT_EQ(probe.location, dict.getAs<StringAttr>("location").str());
    EXPECT_EQ(probe.dtype, "f16");
    EXPECT_EQ(probe.function, "train_step");
  }
  EXPECT_TRUE(llvm::any_of(*contract->numericsProbes,
                           [](const auto &probe) { return probe.backward; }));

  std::optional<StepContract> parsed = roundTrip(*contract);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(*parsed == *contract);

  std::string text;
  llvm::raw_string_ostream os(text);
  os << mpc::toJson(*contract);
  std::string error;
  std::string badNodes = text;
  size_t nodes = badNodes.find("\"nodes\":[");
  ASSERT_NE(nodes, std::string::npos);
  badNodes.insert(nodes + 9, badNodes[nodes + 9] == ']' ? "7" : "7,");
  EXPECT_FALSE(mpc::parseManifest(badNodes, "m.json", error));
  EXPECT_EQ(error, "m.json: numerics_probes[0].nodes[0]: expected a "
                   "non-empty string, got a number");

  // An uninstrumented step lists none, and its manifest has no key.
  OwningOpRef<ModuleOp> plain = compileMlp(mpc::ModelLoadOptions{});
  ASSERT_TRUE(plain);
  FailureOr<StepContract> plainContract =
      mpc::describeStep(*plain, /*requirePlan=*/true);
  ASSERT_TRUE(succeeded(plainContract));
  EXPECT_FALSE(plainContract->numericsProbes);
  std::string plainText;
  llvm::raw_string_ostream plainOs(plainText);
  plainOs << mpc::toJson(*plainContract);
  EXPECT_EQ(plainText.find("numerics_probes"), std::string::npos);
  std::optional<StepContract> plainParsed = roundTrip(*plainContract);
  ASSERT_TRUE(plainParsed);
  EXPECT_FALSE(plainParsed->numericsProbes);
}

TEST_F(StepContractTest, SeedsAndStaticScalesRoundTrip) {
  // What the MLP does not exercise: an initializer with its own seed, a
  // static scale with a fraction, and a name that is no C identifier.
  std::optional<StepContract> contract;
  {
    mpc::ModelLoadOptions options;
    options.dtype = "f32";
    OwningOpRef<ModuleOp> module = compileMlp(options);
    ASSERT_TRUE(module);
    FailureOr<StepContract> described =
        mpc::describeStep(*module, /*requirePlan=*/true);
    ASSERT_TRUE(succeeded(described));
    contract = *described;
  }
  contract->state[0].init.seed = 12345;
  contract->state[0].init.second = 0.125;
  contract->lossScaling = mpc::LossScalingSpec{};
  contract->lossScaling->staticScale = 0.5;
  std::optional<StepContract> parsed = roundTrip(*contract);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(*parsed == *contract);
  EXPECT_EQ(mpc::entryPointName("my-step.2"), "mpc_fn_my_step_2");
}

TEST_F(StepContractTest, UnplannedStepHasNoArenas) {
  mpc::ModelLoadOptions options;
  options.dtype = "f16";
  OwningOpRef<ModuleOp> module = compileMlp(options, /*plan=*/false);
  ASSERT_TRUE(module);
  FailureOr<StepContract> contract =
      mpc::describeStep(*module, /*requirePlan=*/false);
  ASSERT_TRUE(succeeded(contract));
  EXPECT_EQ(contract->arenaBytes, 0);
  for (const mpc::FunctionSpec &function : contract->functions)
    EXPECT_EQ(function.arenaBytes, 0) << function.name;
  EXPECT_EQ(contract->labelInput, 1);
  EXPECT_TRUE(contract->lossScaling && contract->lossScaling->dynamic);

  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    message = diagnostic.str();
    return success();
  });
  EXPECT_TRUE(failed(mpc::describeStep(*module, /*requirePlan=*/true)));
  EXPECT_EQ(message,
            "function @forward has no memory plan (run mpc-plan-memory first)");
}

TEST_F(StepContractTest, IntegerInputsAreBoundedByWhatTheyIndex) {
  // The MLP's labels index its 10 classes, in both functions; its features
  // are not integers.
  mpc::ModelLoadOptions options;
  OwningOpRef<ModuleOp> mlp = compileMlp(options);
  ASSERT_TRUE(mlp);
  FailureOr<StepContract> contract =
      mpc::describeStep(*mlp, /*requirePlan=*/true);
  ASSERT_TRUE(succeeded(contract));
  for (const mpc::FunctionSpec &function : contract->functions) {
    ASSERT_EQ(function.inputs.size(), 2u) << function.name;
    EXPECT_FALSE(function.inputs[0].valueBound) << function.name;
    EXPECT_EQ(function.inputs[1].valueBound, 10) << function.name;
  }
  std::optional<StepContract> parsed = roundTrip(*contract);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->function("train_step")->inputs[1].valueBound, 10);
  // The CPU executor hands them to the datasets with its input specs.
  std::string error;
  std::unique_ptr<mpc::cpu::CpuStepExecutor> executor =
      mpc::cpu::CpuStepExecutor::create(compileMlp(options, /*plan=*/false),
                                        error);
  ASSERT_TRUE(executor) << error;
  std::vector<mpc::driver::HostTensor> specs = executor->inputSpecs();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_FALSE(specs[0].valueBound);
  EXPECT_EQ(specs[1].valueBound, 10);

  // Through reshapes and transposes, the tightest of several uses; nothing
  // bounds an integer that indexes nothing.
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"mlir(
    func.func @f(%ids: tensor<2x3xi32>, %labels: tensor<3x2xi32>,
                 %free: tensor<4xi32>, %wide: tensor<50x8xf32>,
                 %narrow: tensor<20x8xf32>, %logits: tensor<6x7xf32>)
        -> (tensor<2x3x8xf32>, tensor<6x8xf32>, tensor<f32>, tensor<4xi32>) {
      %a = mpc.embedding %ids, %wide : (tensor<2x3xi32>, tensor<50x8xf32>) -> tensor<2x3x8xf32>
      %t = mpc.transpose %ids [1, 0] : tensor<2x3xi32> -> tensor<3x2xi32>
      %r = mpc.reshape %t : tensor<3x2xi32> -> tensor<6xi32>
      %b = mpc.embedding %r, %narrow : (tensor<6xi32>, tensor<20x8xf32>) -> tensor<6x8xf32>
      %flat = mpc.reshape %labels : tensor<3x2xi32> -> tensor<6xi32>
      %loss = mpc.softmax_cross_entropy %logits, %flat : (tensor<6x7xf32>, tensor<6xi32>) -> tensor<f32>
      return %a, %b, %loss, %free : tensor<2x3x8xf32>, tensor<6x8xf32>, tensor<f32>, tensor<4xi32>
    }
  )mlir",
                                                             &context);
  ASSERT_TRUE(module);
  FailureOr<StepContract> described =
      mpc::describeStep(*module, /*requirePlan=*/false);
  ASSERT_TRUE(succeeded(described));
  const std::vector<mpc::TensorSpec> &inputs = described->functions[0].inputs;
  ASSERT_EQ(inputs.size(), 6u);
  EXPECT_EQ(inputs[0].valueBound, 20);
  EXPECT_EQ(inputs[1].valueBound, 7);
  EXPECT_FALSE(inputs[2].valueBound);
  EXPECT_FALSE(inputs[3].valueBound);
}

TEST_F(StepContractTest, LabelsTakeTheIgnoreIndexOfTheirLosses) {
  // The labels of cross-entropies that share one ignore_index take it
  // besides their classes, through reshapes; a loss without one, another
  // ignore_index, or an embedding the value also indexes admit none.
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"mlir(
    func.func @f(%y: tensor<3x2xi32>, %class: tensor<6xi64>,
                 %mixed: tensor<6xi32>, %other: tensor<6xi32>,
                 %ids: tensor<6xi32>, %logits: tensor<6x7xf32>,
                 %dl: tensor<f32>, %table: tensor<9x7xf32>)
        -> (tensor<f32>, tensor<6x7xf32>, tensor<f32>, tensor<f32>,
            tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>,
            tensor<6x7xf32>) {
      %flat = mpc.reshape %y : tensor<3x2xi32> -> tensor<6xi32>
      %a = mpc.softmax_cross_entropy %logits, %flat ignore_index = -100 : (tensor<6x7xf32>, tensor<6xi32>) -> tensor<f32>
      %da = mpc.softmax_cross_entropy_grad %dl, %logits, %flat ignore_index = -100 : (tensor<f32>, tensor<6x7xf32>, tensor<6xi32>) -> tensor<6x7xf32>
      %b = mpc.softmax_cross_entropy %logits, %class ignore_index = 3 reduction = sum : (tensor<6x7xf32>, tensor<6xi64>) -> tensor<f32>
      %c = mpc.softmax_cross_entropy %logits, %mixed ignore_index = -100 : (tensor<6x7xf32>, tensor<6xi32>) -> tensor<f32>
      %d = mpc.softmax_cross_entropy %logits, %mixed : (tensor<6x7xf32>, tensor<6xi32>) -> tensor<f32>
      %e = mpc.softmax_cross_entropy %logits, %other ignore_index = -100 : (tensor<6x7xf32>, tensor<6xi32>) -> tensor<f32>
      %f = mpc.softmax_cross_entropy %logits, %other ignore_index = -1 : (tensor<6x7xf32>, tensor<6xi32>) -> tensor<f32>
      %g = mpc.softmax_cross_entropy %logits, %ids ignore_index = -100 : (tensor<6x7xf32>, tensor<6xi32>) -> tensor<f32>
      %h = mpc.embedding %ids, %table : (tensor<6xi32>, tensor<9x7xf32>) -> tensor<6x7xf32>
      return %a, %da, %b, %c, %d, %e, %f, %g, %h : tensor<f32>, tensor<6x7xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<6x7xf32>
    }
  )mlir",
                                                             &context);
  ASSERT_TRUE(module);
  FailureOr<StepContract> described =
      mpc::describeStep(*module, /*requirePlan=*/false);
  ASSERT_TRUE(succeeded(described));
  const std::vector<mpc::TensorSpec> &inputs = described->functions[0].inputs;
  ASSERT_EQ(inputs.size(), 8u);
  EXPECT_EQ(inputs[0].valueBound, 7);
  EXPECT_EQ(inputs[0].ignoredValue, -100);
  // A class may be the ignored value.
  EXPECT_EQ(inputs[1].ignoredValue, 3);
  EXPECT_FALSE(inputs[2].ignoredValue);
  EXPECT_FALSE(inputs[3].ignoredValue);
  EXPECT_EQ(inputs[4].valueBound, 7);
  EXPECT_FALSE(inputs[4].ignoredValue);
  EXPECT_FALSE(inputs[5].ignoredValue);
  // The manifest carries it, once (input 0) and only where there is one.
  std::string text;
  llvm::raw_string_ostream os(text);
  os << mpc::toJson(*described);
  size_t first = os.str().find("\"ignored_value\":-100");
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_EQ(text.find("\"ignored_value\":-100", first + 1), std::string::npos);
  EXPECT_NE(text.find("\"ignored_value\":3"), std::string::npos);
}

TEST_F(StepContractTest, CpuExecutorRefusesAStepItCannotDescribe) {
  // Both functions exist, but @train_step takes an i32 that no contract
  // (and no batch) can hold.
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"mlir(
    func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
      return %x : tensor<4xf32>
    }
    func.func @train_step(%n: i32, %x: tensor<4xf32>) -> tensor<4xf32> {
      return %x : tensor<4xf32>
    }
  )mlir",
                                                             &context);
  ASSERT_TRUE(module);
  std::string error;
  EXPECT_FALSE(mpc::cpu::CpuStepExecutor::create(std::move(module), error));
  EXPECT_EQ(error, "function @train_step: arg 0 is 'i32', not a ranked tensor");
}

/// A module whose params hold their values: a blob and a dense literal.
constexpr const char *kValueParams = R"mlir(
mpc.param @w : tensor<2x2xf32> = dense_resource<w> : tensor<2x2xf32>
mpc.param @b : tensor<2xf32> = dense<[5.0, 6.0]> : tensor<2xf32>
mpc.param state @m : tensor<2xf32> = #mpc.init<zeros>
func.func @forward(%x: tensor<2xf32>) -> (tensor<f32> {mpc.loss}) {
  %b = mpc.load @b : tensor<2xf32>
  %y = mpc.add %x, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %loss = mpc.reduce_sum %y [0] : tensor<2xf32> -> tensor<f32>
  return %loss : tensor<f32>
}
func.func @train_step(%x: tensor<2xf32>) -> (tensor<f32> {mpc.loss}) {
  %b = mpc.load @b : tensor<2xf32>
  %y = mpc.add %x, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %loss = mpc.reduce_sum %y [0] : tensor<2xf32> -> tensor<f32>
  return %loss : tensor<f32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F000000400000404000008040"
    }
  }
#-}
)mlir";

TEST_F(StepContractTest, ParamValuesTravelAsFilesBesideTheManifest) {
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(kValueParams, &context);
  ASSERT_TRUE(module);
  FailureOr<StepContract> contract =
      mpc::describeStep(*module, /*requirePlan=*/false);
  ASSERT_TRUE(succeeded(contract));
  ASSERT_EQ(contract->state.size(), 3u);
  const mpc::InitSpec &w = contract->state[0].init;
  EXPECT_EQ(w.kind, mpc::InitSpec::Kind::Values);
  ASSERT_TRUE(w.values);
  EXPECT_EQ(*w.values, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(w.file, "values/0.npy");
  ASSERT_TRUE(contract->state[1].init.values);
  EXPECT_EQ(*contract->state[1].init.values, (std::vector<float>{5, 6}));
  EXPECT_EQ(contract->state[2].init.kind, mpc::InitSpec::Kind::Zeros);

  llvm::SmallString<128> directory;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("mpc-values", directory));
  std::string error;
  ASSERT_TRUE(
      mpc::driver::writeInitValues(*contract, directory.str().str(), error))
      << error;
  std::optional<StepContract> parsed = roundTrip(*contract);
  ASSERT_TRUE(parsed);
  // The manifest names the files; the values come from them.
  EXPECT_FALSE(parsed->state[0].init.values);
  ASSERT_TRUE(
      mpc::driver::loadInitValues(*parsed, directory.str().str(), error))
      << error;
  EXPECT_TRUE(*parsed == *contract);

  // A file of the wrong shape is refused, naming it.
  llvm::SmallString<128> bias(directory);
  llvm::sys::path::append(bias, "values", "1.npy");
  llvm::SmallString<128> weight(directory);
  llvm::sys::path::append(weight, "values", "0.npy");
  ASSERT_FALSE(llvm::sys::fs::copy_file(weight, bias));
  std::optional<StepContract> again = roundTrip(*contract);
  ASSERT_TRUE(again);
  EXPECT_FALSE(
      mpc::driver::loadInitValues(*again, directory.str().str(), error));
  EXPECT_EQ(error, bias.str().str() +
                       ": the initial values of 'b' must be floats of shape "
                       "[2], got floats of shape [2, 2]");
  llvm::sys::fs::remove_directories(directory);
}

TEST_F(StepContractTest, ParamValueMustHaveTheParamsType) {
  std::string diagnostic;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    diagnostic = d.str();
    return success();
  });
  EXPECT_FALSE(parseSourceString<ModuleOp>(
      "mpc.param @w : tensor<2xf32> = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>",
      &context));
  EXPECT_EQ(diagnostic, "'mpc.param' op initial value of type "
                        "'tensor<3xf32>' differs from the param's type "
                        "'tensor<2xf32>'");
}

TEST(InitSpecTest, EveryDialectKindHasItsRuntimeNamesake) {
  MLIRContext context;
  context.loadDialect<mpc::MpcDialect>();
  for (unsigned value = 0; value <= mpc::getMaxEnumValForInitKind(); ++value) {
    std::optional<mpc::InitKind> kind = mpc::symbolizeInitKind(value);
    if (!kind)
      continue;
    SCOPED_TRACE(mpc::stringifyInitKind(*kind).str());
    std::optional<mpc::InitSpec::Kind> runtime =
        mpc::parseInitKind(mpc::stringifyInitKind(*kind));
    ASSERT_TRUE(runtime);
    EXPECT_EQ(mpc::initKindName(*runtime), mpc::stringifyInitKind(*kind));
    EXPECT_EQ(mpc::initSpecOf(mpc::InitAttr::getDefault(&context, *kind)).kind,
              *runtime);
  }
  // And the runtime has no kind the dialect lacks, but for the values a
  // param holds itself (an ElementsAttr in the dialect, not a rule).
  for (const mpc::InitKindName &entry : mpc::kInitKinds) {
    if (entry.kind != mpc::InitSpec::Kind::Values) {
      EXPECT_TRUE(mpc::symbolizeInitKind(entry.name)) << entry.name;
    }
  }
}

} // namespace
