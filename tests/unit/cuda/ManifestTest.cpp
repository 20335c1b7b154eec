//===- ManifestTest.cpp - reading a CUDA artifact's manifest --------------===//

#include "runtime/cuda/executor/Manifest.h"

#include "runtime/core/NumericsCheck.h"
#include "runtime/cuda/executor/CudaStepExecutor.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using mpc::cuda::DType;
using mpc::cuda::Manifest;
using Json = nlohmann::json;

/// A valid manifest of a two-parameter MLP step with dynamic loss scaling.
Json validManifest() {
  return Json::parse(R"({
    "abi": 8, "graph": "mlp", "arena_bytes": 4096,
    "state": [
      {"name": "w1", "shape": [4, 3], "dtype": "f32", "trainable": true,
       "init": {"kind": "xavier_uniform", "first": 1.0, "second": 0.0,
                "seed": null}},
      {"name": "b1", "shape": [3], "dtype": "bf16", "trainable": true,
       "init": {"kind": "constant", "first": 0.5, "second": 0.0,
                "seed": 7}},
      {"name": "loss_scale", "shape": [], "dtype": "f32", "trainable": false,
       "init": {"kind": "constant", "first": 65536.0, "second": 0.0,
                "seed": null}},
      {"name": "loss_scale.skipped_steps", "shape": [], "dtype": "f32",
       "trainable": false,
       "init": {"kind": "zeros", "first": 0.0, "second": 0.0, "seed": null}}
    ],
    "functions": [
      {"name": "train_step", "entry": "mpc_fn_train_step",
       "arena_bytes": 4096, "peak_live_bytes": 2048,
       "inputs": [{"name": "x", "shape": [2, 4], "dtype": "f32"},
                  {"name": "y", "shape": [2], "dtype": "i32"}],
       "outputs": [{"name": "loss", "shape": [], "dtype": "f32"},
                   {"name": "logits", "shape": [2, 3], "dtype": "f16"}]},
      {"name": "forward", "entry": "mpc_fn_forward",
       "arena_bytes": 1024, "peak_live_bytes": 512,
       "inputs": [{"name": "x", "shape": [2, 4], "dtype": "f32"},
                  {"name": "y", "shape": [2], "dtype": "i32"}],
       "outputs": [{"name": "loss", "shape": [], "dtype": "f32"},
                   {"name": "logits", "shape": [2, 3], "dtype": "f16"}]}
    ],
    "label_input": 1,
    "loss_scaling": {"dynamic": true, "scale": "loss_scale",
                     "static_scale": null, "floor": 1.0,
                     "skipped": "loss_scale.skipped_steps"}
  })");
}

/// The error of parsing `manifest`, or "" when it parses.
std::string errorOf(const Json &manifest) {
  std::string error;
  std::optional<Manifest> parsed =
      mpc::cuda::parseManifest(manifest.dump(), "a/manifest.json", error);
  EXPECT_EQ(parsed.has_value(), error.empty());
  return error;
}

TEST(ManifestTest, ReadsEveryField) {
  std::string error;
  std::optional<Manifest> manifest = mpc::cuda::parseManifest(
      validManifest().dump(), "a/manifest.json", error);
  ASSERT_TRUE(manifest) << error;
  EXPECT_EQ(manifest->graph, "mlp");
  EXPECT_EQ(manifest->arenaBytes, 4096);
  ASSERT_EQ(manifest->state.size(), 4u);
  EXPECT_EQ(manifest->state[0].shape, (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(manifest->state[0].init.kind,
            mpc::driver::InitSpec::Kind::XavierUniform);
  EXPECT_FALSE(manifest->state[0].init.seed);
  EXPECT_EQ(manifest->state[1].dtype, DType::BF16);
  EXPECT_EQ(manifest->state[1].bytes(), 6u);
  EXPECT_EQ(manifest->state[1].init.first, 0.5);
  EXPECT_EQ(manifest->state[1].init.seed, 7u);
  const mpc::cuda::FunctionSpec *train = manifest->function("train_step");
  ASSERT_TRUE(train);
  EXPECT_EQ(train->entry, "mpc_fn_train_step");
  EXPECT_EQ(train->peakLiveBytes, 2048);
  EXPECT_EQ(train->inputs[1].dtype, DType::I32);
  EXPECT_EQ(train->outputs[1].dtype, DType::F16);
  EXPECT_EQ(manifest->labelInput, 1);
  ASSERT_TRUE(manifest->lossScaling);
  EXPECT_TRUE(manifest->lossScaling->dynamic);
  EXPECT_EQ(manifest->lossScaling->scale, "loss_scale");
  EXPECT_EQ(manifest->lossScaling->floor, 1.0);
  EXPECT_FALSE(manifest->lossScaling->staticScale);
}

TEST(ManifestTest, NoLossScalingIsNull) {
  Json manifest = validManifest();
  manifest["loss_scaling"] = nullptr;
  std::string error;
  auto parsed =
      mpc::cuda::parseManifest(manifest.dump(), "a/manifest.json", error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_FALSE(parsed->lossScaling);
}

TEST(ManifestTest, NumericsProbesAreOptionalAndGetDeviceCounts) {
  Json manifest = validManifest();
  std::string error;
  auto plain =
      mpc::cuda::parseManifest(manifest.dump(), "a/manifest.json", error);
  ASSERT_TRUE(plain) << error;
  EXPECT_FALSE(plain->numericsProbes);

  manifest["numerics_probes"] = Json::parse(R"json([
    {"function": "train_step", "op": "reduce_sum",
     "location": "ink_total (g.json:17:5)", "dtype": "f16",
     "backward": false, "nodes": ["ink_total"]},
    {"function": "train_step", "op": "cast", "location": "xent (g.json:24:5)",
     "dtype": "bf16", "backward": true, "nodes": []}
  ])json");
  auto probed =
      mpc::cuda::parseManifest(manifest.dump(), "a/manifest.json", error);
  ASSERT_TRUE(probed) << error;
  ASSERT_TRUE(probed->numericsProbes);
  ASSERT_EQ(probed->numericsProbes->size(), 2u);
  const mpc::numerics::NumericsProbe &sum = (*probed->numericsProbes)[0];
  EXPECT_EQ(sum.op, "reduce_sum");
  EXPECT_EQ(sum.location, "ink_total (g.json:17:5)");
  EXPECT_EQ(sum.dtype, "f16");
  EXPECT_FALSE(sum.backward);
  EXPECT_EQ(sum.nodes, std::vector<std::string>{"ink_total"});
  EXPECT_TRUE((*probed->numericsProbes)[1].backward);
  EXPECT_TRUE((*probed->numericsProbes)[1].nodes.empty());

  // The device holds one ProbeCounts per probe besides everything else.
  size_t extra = mpc::cuda::requiredDeviceBytes(*probed) -
                 mpc::cuda::requiredDeviceBytes(*plain);
  size_t counts = 2 * sizeof(mpc::numerics::ProbeCounts);
  EXPECT_GE(extra, counts);
  EXPECT_LT(extra, counts + 256);

  Json missing = manifest;
  missing["numerics_probes"][1].erase("op");
  EXPECT_EQ(errorOf(missing),
            "a/manifest.json: numerics_probes[1].op: missing");
  Json notList = manifest;
  notList["numerics_probes"] = "reduce_sum";
  EXPECT_EQ(errorOf(notList), "a/manifest.json: numerics_probes: expected an "
                              "array, got a string");
  Json badNodes = manifest;
  badNodes["numerics_probes"][0]["nodes"] = "ink_total";
  EXPECT_EQ(errorOf(badNodes), "a/manifest.json: numerics_probes[0].nodes: "
                               "expected an array, got a string");
}

TEST(ManifestTest, LearningRateIsOptionalAndChecked) {
  Json manifest = validManifest();
  std::string error;
  auto parsed =
      mpc::cuda::parseManifest(manifest.dump(), "a/manifest.json", error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_FALSE(parsed->learningRate);
  manifest["learning_rate"] = Json::parse(R"({"peak": 0.01, "kind": 3,
      "warmup_steps": 2, "decay_steps": 0, "min_ratio": 0, "step_size": 10,
      "gamma": 0.5})");
  parsed = mpc::cuda::parseManifest(manifest.dump(), "a/manifest.json", error);
  ASSERT_TRUE(parsed) << error;
  ASSERT_TRUE(parsed->learningRate);
  EXPECT_EQ(parsed->learningRate->schedule.kind, MPC_LR_STEP);
  // Step 23 follows 22 completed steps: two decays after the warmup.
  EXPECT_EQ(parsed->learningRate->at(23), 0.01 * 0.25);
  manifest["learning_rate"]["kind"] = 9;
  EXPECT_EQ(errorOf(manifest),
            "a/manifest.json: learning_rate.kind: unknown schedule kind 9");
  manifest["learning_rate"]["kind"] = 0;
  manifest["learning_rate"]["peak"] = 0;
  EXPECT_EQ(errorOf(manifest),
            "a/manifest.json: learning_rate.peak: the rate must be positive");
  manifest["learning_rate"].erase("peak");
  EXPECT_EQ(errorOf(manifest), "a/manifest.json: learning_rate.peak: missing");
}

TEST(ManifestTest, MalformedJsonNamesTheFile) {
  std::string error;
  EXPECT_FALSE(
      mpc::cuda::parseManifest("{\"abi\": 1,", "a/manifest.json", error));
  EXPECT_EQ(error.rfind("a/manifest.json: malformed JSON: ", 0), 0u) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(ManifestTest, MissingFieldsNameTheirPath) {
  Json manifest = validManifest();
  manifest["functions"][1].erase("entry");
  EXPECT_EQ(errorOf(manifest), "a/manifest.json: functions[1].entry: missing");
  manifest = validManifest();
  manifest["state"][0]["init"].erase("seed");
  EXPECT_EQ(errorOf(manifest), "a/manifest.json: state[0].init.seed: missing");
  manifest = validManifest();
  manifest.erase("label_input");
  EXPECT_EQ(errorOf(manifest), "a/manifest.json: label_input: missing");
}

TEST(ManifestTest, BadValuesNameTheirPath) {
  Json manifest = validManifest();
  manifest["state"][0]["shape"][1] = -3;
  EXPECT_EQ(errorOf(manifest), "a/manifest.json: state[0].shape[1]: expected "
                               "an integer >= 0, got a negative integer");
  manifest = validManifest();
  manifest["functions"][0]["inputs"][0]["dtype"] = "f64";
  EXPECT_EQ(errorOf(manifest),
            "a/manifest.json: functions[0].inputs[0].dtype: unknown dtype "
            "'f64' (expected f32, f16, bf16, i32 or i1)");
  manifest = validManifest();
  manifest["state"][1]["init"]["kind"] = "kaiming";
  EXPECT_EQ(errorOf(manifest),
            "a/manifest.json: state[1].init.kind: unknown initializer "
            "'kaiming'");
  manifest = validManifest();
  manifest["graph"] = 3;
  EXPECT_EQ(errorOf(manifest), "a/manifest.json: graph: expected a non-empty "
                               "string, got a number");
  manifest = validManifest();
  manifest["label_input"] = 2;
  EXPECT_EQ(errorOf(manifest), "a/manifest.json: label_input: input 2 of "
                               "'train_step', which has 2");
}

TEST(ManifestTest, InputBoundsAreOptionalPositiveIntegers) {
  // Manifests written before bounds were recorded have none.
  std::string error;
  std::optional<Manifest> manifest = mpc::cuda::parseManifest(
      validManifest().dump(), "a/manifest.json", error);
  ASSERT_TRUE(manifest) << error;
  EXPECT_FALSE(manifest->function("train_step")->inputs[1].valueBound);
  Json bounded = validManifest();
  bounded["functions"][0]["inputs"][1]["value_bound"] = 3;
  manifest = mpc::cuda::parseManifest(bounded.dump(), "a/manifest.json", error);
  ASSERT_TRUE(manifest) << error;
  EXPECT_EQ(manifest->function("train_step")->inputs[1].valueBound, 3);
  for (Json bad : {Json(0), Json(-2), Json("3"), Json(1.5)}) {
    bounded["functions"][0]["inputs"][1]["value_bound"] = bad;
    EXPECT_EQ(errorOf(bounded).rfind("a/manifest.json: functions[0].inputs[1]."
                                     "value_bound: expected an integer >= 1, "
                                     "got ",
                                     0),
              0u)
        << bad.dump();
  }
}

TEST(ManifestTest, IgnoredValuesAreOptional32BitIntegers) {
  // Manifests written before ignored values were recorded have none.
  std::string error;
  std::optional<Manifest> manifest = mpc::cuda::parseManifest(
      validManifest().dump(), "a/manifest.json", error);
  ASSERT_TRUE(manifest) << error;
  EXPECT_FALSE(manifest->function("train_step")->inputs[1].ignoredValue);
  Json ignoring = validManifest();
  ignoring["functions"][0]["inputs"][1]["value_bound"] = 3;
  for (int64_t value :
       {int64_t(-100), int64_t(0), int64_t(INT32_MAX), int64_t(INT32_MIN)}) {
    ignoring["functions"][0]["inputs"][1]["ignored_value"] = value;
    manifest =
        mpc::cuda::parseManifest(ignoring.dump(), "a/manifest.json", error);
    ASSERT_TRUE(manifest) << error;
    EXPECT_EQ(manifest->function("train_step")->inputs[1].ignoredValue, value);
  }
  for (Json bad : {Json(2147483648LL), Json(-2147483649LL),
                   Json(uint64_t(1) << 63), Json("-100"), Json(1.5)}) {
    ignoring["functions"][0]["inputs"][1]["ignored_value"] = bad;
    EXPECT_EQ(errorOf(ignoring).rfind("a/manifest.json: functions[0].inputs[1]."
                                      "ignored_value: expected a 32-bit "
                                      "integer, got ",
                                      0),
              0u)
        << bad.dump();
  }
}

TEST(ManifestTest, WrongAbiIsRefused) {
  Json manifest = validManifest();
  // A manifest of the ABI before the per-op hooks.
  manifest["abi"] = 1;
  EXPECT_EQ(errorOf(manifest),
            "a/manifest.json: abi: version 1, but this mpc runs version 8 "
            "(recompile the model)");
}

TEST(ManifestTest, CrossReferencesAreChecked) {
  Json manifest = validManifest();
  manifest["loss_scaling"]["scale"] = "scale";
  EXPECT_EQ(errorOf(manifest), "a/manifest.json: loss_scaling.scale: no state "
                               "tensor named 'scale'");
  manifest = validManifest();
  manifest["state"][1]["name"] = "w1";
  EXPECT_EQ(errorOf(manifest),
            "a/manifest.json: state[1].name: 'w1' named twice");
  manifest = validManifest();
  manifest["functions"][1]["name"] = "predict";
  EXPECT_EQ(errorOf(manifest),
            "a/manifest.json: functions: no function named 'forward'");
  manifest = validManifest();
  manifest["functions"][1]["inputs"][0]["shape"] = {4, 4};
  EXPECT_EQ(errorOf(manifest), "a/manifest.json: functions: the inputs of "
                               "'forward' differ from those of 'train_step'");
  manifest = validManifest();
  manifest["functions"][0]["arena_bytes"] = 8192;
  EXPECT_EQ(errorOf(manifest),
            "a/manifest.json: functions[0].arena_bytes: 8192 exceeds the "
            "arena_bytes 4096 of the module");
}

} // namespace
