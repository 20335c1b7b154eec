//===- PrecisionRepairTest.cpp - moving overflowing ops to f32 mid-run ----===//
//
// decideRepair on hand-made statistics (which findings move which nodes,
// which stop the run), the policy file it writes, and PrecisionRepair
// around a scripted executor: the repaired step runs again from the state
// before it, carried over by name, and its loss is counted once.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/PrecisionRepair.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace mpc::train {
namespace {

using numerics::NumericsCounts;

NumericsProbe probe(std::string op, std::string node, std::string dtype,
                    bool backward, std::vector<std::string> nodes = {}) {
  if (nodes.empty())
    nodes = {node};
  return {"train_step",     std::move(op), node + " (g.json:1:1)",
          std::move(dtype), backward,      std::move(nodes)};
}

NumericsCounts produced(uint64_t count) {
  NumericsCounts counts;
  counts.elements = counts.nonzero = 100;
  counts.nonFinite = counts.produced = count;
  return counts;
}

NumericsCounts flushed(uint64_t flushedCount, uint64_t nonzero) {
  NumericsCounts counts;
  counts.elements = counts.nonzero = nonzero;
  counts.flushed = flushedCount;
  return counts;
}

TEST(DecideRepairTest, MovesAForward16BitOverflow) {
  std::vector<NumericsProbe> probes = {probe("exp", "gate", "f16", false),
                                       probe("add", "bias", "f16", false)};
  std::vector<NumericsCounts> step = {produced(7), NumericsCounts{}};
  RepairDecision decision = decideRepair(probes, step, step, true, 4, {});
  EXPECT_TRUE(decision.stop.empty());
  ASSERT_EQ(decision.moves.size(), 1u);
  EXPECT_EQ(decision.moves[0].name, "gate");
  EXPECT_EQ(decision.moves[0].evidence,
            "step 4: forward exp gate (g.json:1:1) [f16] produced 7 inf/NaN "
            "from finite inputs");
}

TEST(DecideRepairTest, LeavesAScaledBackwardOverflowToTheLossScaler) {
  std::vector<NumericsProbe> probes = {probe("matmul", "fc", "f16", true)};
  std::vector<NumericsCounts> step = {produced(3)};
  RepairDecision scaled = decideRepair(probes, step, step, true, 0, {});
  EXPECT_TRUE(scaled.moves.empty());
  EXPECT_TRUE(scaled.stop.empty());
  // Without loss scaling nothing else skips the step: it is repaired.
  RepairDecision unscaled = decideRepair(probes, step, step, false, 0, {});
  ASSERT_EQ(unscaled.moves.size(), 1u);
  EXPECT_EQ(unscaled.moves[0].name, "fc");
}

TEST(DecideRepairTest, StopsWhenTheMovedNodeStillOverflowsInF32) {
  std::vector<NumericsProbe> probes = {probe("log", "bad_log", "f32", false)};
  std::vector<NumericsCounts> step = {produced(32)};
  RepairDecision decision =
      decideRepair(probes, step, step, true, 2, {{"bad_log", "step 1: ..."}});
  EXPECT_TRUE(decision.moves.empty());
  EXPECT_EQ(decision.stop,
            "promoting bad_log to f32 did not remove the non-finite values: "
            "the model itself overflows (step 2: forward log bad_log "
            "(g.json:1:1) [f32] produced 32 inf/NaN from finite inputs)");
}

TEST(DecideRepairTest, StopsAtAnF32OverflowOfTheModel) {
  std::vector<NumericsProbe> probes = {probe("div", "ratio", "f32", false)};
  std::vector<NumericsCounts> step = {produced(1)};
  RepairDecision decision = decideRepair(probes, step, step, false, 0, {});
  EXPECT_TRUE(decision.moves.empty());
  EXPECT_NE(decision.stop.find("the model itself overflows in f32"),
            std::string::npos)
      << decision.stop;
}

TEST(DecideRepairTest, StopsAt16BitOverflowWithNoNodeToMove) {
  std::vector<NumericsProbe> probes = {
      {"train_step", "cast", "unknown", "f16", false, {}}};
  std::vector<NumericsCounts> step = {produced(1)};
  RepairDecision decision = decideRepair(probes, step, step, false, 0, {});
  EXPECT_TRUE(decision.moves.empty());
  EXPECT_NE(decision.stop.find("no graph node of it can be moved"),
            std::string::npos)
      << decision.stop;
}

TEST(DecideRepairTest, MovesBeforeItStops) {
  // An f32 overflow in the same step as a 16-bit one is judged again once
  // the 16-bit one is repaired.
  std::vector<NumericsProbe> probes = {probe("exp", "gate", "f16", false),
                                       probe("div", "ratio", "f32", false)};
  std::vector<NumericsCounts> step = {produced(1), produced(1)};
  RepairDecision decision = decideRepair(probes, step, step, false, 0, {});
  ASSERT_EQ(decision.moves.size(), 1u);
  EXPECT_TRUE(decision.stop.empty());
}

TEST(DecideRepairTest, MovesTheConsumersOfAFlushingCast) {
  std::vector<NumericsProbe> probes = {
      probe("cast", "xent", "f16", true, {"fc2", "fc2_bias"})};
  std::vector<NumericsCounts> step = {flushed(50, 100)};
  RepairDecision decision = decideRepair(probes, step, step, false, 9, {});
  ASSERT_EQ(decision.moves.size(), 2u);
  EXPECT_EQ(decision.moves[0].name, "fc2");
  EXPECT_EQ(decision.moves[1].name, "fc2_bias");
  EXPECT_EQ(decision.moves[0].evidence,
            "by step 9: backward cast xent (g.json:1:1) [f16] flushed 50% of "
            "its nonzero values to zero or subnormals (50 of 100)");
}

TEST(DecideRepairTest, UnderflowCountsSinceTheStepWasCompiled) {
  std::vector<NumericsProbe> probes = {probe("mul", "scale", "f16", false)};
  // 1% exactly is not over the threshold.
  std::vector<NumericsCounts> step = {flushed(1, 100)};
  EXPECT_TRUE(decideRepair(probes, step, step, false, 0, {}).moves.empty());
  // Over it since the step was compiled, and flushing in this step.
  std::vector<NumericsCounts> total = {flushed(30, 1000)};
  EXPECT_EQ(decideRepair(probes, step, total, false, 5, {}).moves.size(), 1u);
  // Over it in the past, but nothing flushed in this step: it was judged
  // then.
  std::vector<NumericsCounts> none = {flushed(0, 100)};
  EXPECT_TRUE(decideRepair(probes, none, total, false, 5, {}).moves.empty());
  // f32 values are the reference: their subnormals are not a loss.
  std::vector<NumericsProbe> f32 = {probe("mul", "scale", "f32", false)};
  EXPECT_TRUE(decideRepair(f32, total, total, false, 5, {}).moves.empty());
}

TEST(RepairPolicyTextTest, ExtendsTheGivenPolicyWithTheMovedNodes) {
  std::string text, error;
  ASSERT_TRUE(
      repairPolicyText(R"({"deny": ["gelu"], "nodes": {"head": "bf16"}})",
                       {{"gate", "step 3: it overflowed"}}, text, error))
      << error;
  nlohmann::json policy = nlohmann::json::parse(text);
  EXPECT_EQ(policy["deny"], nlohmann::json::array({"gelu"}));
  EXPECT_EQ(policy["nodes"]["head"], "bf16");
  EXPECT_EQ(policy["nodes"]["gate"]["precision"], "f32");
  EXPECT_EQ(policy["nodes"]["gate"]["reason"], "repair: step 3: it overflowed");

  EXPECT_FALSE(repairPolicyText("[1, 2]", {}, text, error));
  EXPECT_EQ(error, "the policy file to extend is not a JSON object");
}

/// An executor whose step adds 1 to its one parameter and whose
/// statistics are scripted: the first plan's probe overflows at step 0,
/// a repaired plan's does not (or, with `alwaysOverflows`, does in f32).
class ScriptedStep : public StepExecutor {
public:
  ScriptedStep(int generation, bool alwaysOverflows)
      : generation(generation), alwaysOverflows(alwaysOverflows),
        report({probe("exp", "gate", generation == 0 ? "f16" : "f32", false)}) {
  }

  std::string graphName() const override { return "scripted"; }
  std::vector<HostTensor> inputSpecs() const override { return {}; }
  std::vector<HostTensor> outputSpecs() const override { return {}; }
  int labelInput() const override { return -1; }
  void initialize(uint64_t) override {
    weight = 100; // not what the run carries over
    scale = 1;
  }
  bool trainStep(const std::vector<HostTensor> &, uint64_t step,
                 std::string &) override {
    weight += 1;
    losses.push_back(double(generation));
    bool overflow =
        (generation == 0 && step == 0) || (alwaysOverflows && generation > 0);
    report.record(step, {overflow ? produced(2) : NumericsCounts{}});
    return true;
  }
  bool takeLosses(std::vector<double> &out, std::string &) override {
    out.insert(out.end(), losses.begin(), losses.end());
    losses.clear();
    return true;
  }
  bool evaluate(const std::vector<HostTensor> &, std::vector<HostTensor> &,
                std::string &) override {
    return true;
  }
  std::vector<HostTensor> state() const override {
    return {{"w", {1}, HostTensor::DType::F32, {weight}, {}, {}},
            {"loss_scale", {1}, HostTensor::DType::F32, {scale}, {}, {}}};
  }
  void setState(std::vector<HostTensor> values) override {
    weight = values[0].f32[0];
    scale = values[1].f32[0];
  }
  const NumericsReport *numericsReport() const override { return &report; }

  float weight = 0, scale = 1;

private:
  int generation;
  bool alwaysOverflows;
  NumericsReport report;
  std::vector<double> losses;
};

class PrecisionRepairTest : public ::testing::Test {
protected:
  void SetUp() override {
    directory = std::filesystem::temp_directory_path() /
                ("mpc-repair-test." + std::to_string(getpid()));
    std::filesystem::create_directories(directory);
    policyPath = (directory / "policy.json").string();
    log = std::tmpfile();
  }
  void TearDown() override {
    std::fclose(log);
    std::filesystem::remove_all(directory);
  }

  std::unique_ptr<PrecisionRepair> make(bool alwaysOverflows) {
    auto first = std::make_unique<ScriptedStep>(0, alwaysOverflows);
    first->initialize(0);
    first->weight = 5;
    first->scale = 1024;
    StepRecompiler recompile = [this, alwaysOverflows](const std::string &path,
                                                       std::string &) {
      EXPECT_EQ(path, policyPath);
      ++recompiles;
      auto next = std::make_unique<ScriptedStep>(recompiles, alwaysOverflows);
      latest = next.get();
      return RecompiledStep{nullptr, std::move(next)};
    };
    return std::make_unique<PrecisionRepair>(
        RecompiledStep{nullptr, std::move(first)}, recompile, policyPath, "",
        log);
  }

  std::string logText() {
    std::fflush(log);
    std::rewind(log);
    std::string text;
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, log))
      text += buffer;
    return text;
  }

  std::filesystem::path directory;
  std::string policyPath;
  std::FILE *log = nullptr;
  int recompiles = 0;
  ScriptedStep *latest = nullptr;
};

TEST_F(PrecisionRepairTest, RunsTheRepairedStepAgainFromTheStateBeforeIt) {
  std::unique_ptr<PrecisionRepair> repair = make(false);
  std::string error;
  ASSERT_TRUE(repair->trainStep({}, 0, error)) << error;
  ASSERT_EQ(recompiles, 1);
  // The state before step 0 (5, not the initializer's 100), then step 0
  // once more: 6, and the loss scale as it was.
  EXPECT_EQ(latest->weight, 6);
  EXPECT_EQ(latest->scale, 1024);
  ASSERT_TRUE(repair->trainStep({}, 1, error)) << error;
  EXPECT_EQ(recompiles, 1);
  EXPECT_EQ(latest->weight, 7);
  // One loss per step, from the plan that ran it.
  std::vector<double> losses;
  ASSERT_TRUE(repair->takeLosses(losses, error));
  EXPECT_EQ(losses, (std::vector<double>{1, 1}));

  ASSERT_EQ(repair->moved().size(), 1u);
  EXPECT_EQ(repair->moved()[0].name, "gate");
  std::ifstream file(policyPath);
  nlohmann::json policy = nlohmann::json::parse(file);
  EXPECT_EQ(policy["nodes"]["gate"]["precision"], "f32");
  std::string text = logText();
  EXPECT_NE(text.find("repair: moving gate to f32 (step 0: forward exp gate "
                      "(g.json:1:1) [f16] produced 2 inf/NaN from finite "
                      "inputs)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("repair: step recompiled with " + policyPath +
                      " (1 node(s) in f32); running step 0 again\n"),
            std::string::npos)
      << text;
}

TEST_F(PrecisionRepairTest, StopsWhenTheRepairDoesNotHelp) {
  std::unique_ptr<PrecisionRepair> repair = make(true);
  std::string error;
  EXPECT_FALSE(repair->trainStep({}, 0, error));
  EXPECT_EQ(recompiles, 1);
  EXPECT_EQ(error.rfind("promoting gate to f32 did not remove the non-finite "
                        "values: the model itself overflows",
                        0),
            0u)
      << error;
}

} // namespace
} // namespace mpc::train
