//===- MetricsLogTest.cpp - a run's metrics as JSON Lines -----------------===//

#include "runtime/train/MetricsLog.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace mpc::train {
namespace {

namespace fs = std::filesystem;

class MetricsLogTest : public ::testing::Test {
protected:
  void SetUp() override {
    directory = fs::temp_directory_path() /
                ("mpc-metrics-test." + std::to_string(getpid()));
    fs::create_directories(directory);
    path = (directory / "m.jsonl").string();
    run.graph = "mlp";
    run.device = "cpu";
    run.precision = "f16";
    run.batch = 32;
    run.steps = 100;
    run.items = "samples";
    run.learningRate = 1e-3;
  }
  void TearDown() override { fs::remove_all(directory); }

  std::string read() const {
    std::ifstream file(path, std::ios::binary);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }
  void write(const std::string &text) const {
    std::ofstream(path, std::ios::binary) << text;
  }
  std::vector<nlohmann::json> records() const {
    std::vector<nlohmann::json> parsed;
    std::istringstream lines(read());
    for (std::string line; std::getline(lines, line);)
      parsed.push_back(nlohmann::json::parse(line));
    return parsed;
  }
  void appendStep(MetricsLog &log, int64_t step) {
    MetricsRecord record;
    record.step = step;
    record.loss = 1.0 / double(step);
    std::string error;
    ASSERT_TRUE(log.append(record, error)) << error;
  }

  fs::path directory;
  std::string path;
  MetricsRunInfo run;
};

TEST_F(MetricsLogTest, NonFiniteValuesAreNull) {
  std::string error;
  std::unique_ptr<MetricsLog> log =
      MetricsLog::open(path, run, 0, /*resumed=*/false, error);
  ASSERT_TRUE(log) << error;
  MetricsRecord record;
  record.step = 5;
  record.loss = std::numeric_limits<double>::quiet_NaN();
  record.lossScale = std::numeric_limits<double>::infinity();
  record.skippedSteps = 2;
  record.gradNorm = 0.5;
  ASSERT_TRUE(log->append(record, error)) << error;
  std::vector<nlohmann::json> lines = records();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["event"], "start");
  EXPECT_EQ(lines[0]["version"], kMetricsVersion);
  EXPECT_EQ(lines[0]["learning_rate"], 1e-3);
  EXPECT_TRUE(lines[1]["loss"].is_null());
  EXPECT_TRUE(lines[1]["loss_scale"].is_null());
  EXPECT_TRUE(lines[1]["val_loss"].is_null());
  EXPECT_EQ(lines[1]["skipped_steps"], 2);
  EXPECT_EQ(lines[1]["grad_norm"], 0.5);
  EXPECT_EQ(lines[1]["device"], "cpu");
}

TEST_F(MetricsLogTest, ANewRunReplacesTheFile) {
  write("{\"event\":\"step\",\"step\":7}\nnot json\n");
  std::string error;
  ASSERT_TRUE(MetricsLog::open(path, run, 0, /*resumed=*/false, error))
      << error;
  std::vector<nlohmann::json> lines = records();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["event"], "start");
}

TEST_F(MetricsLogTest, AResumedRunDropsLaterStepsAndACutLine) {
  std::string error;
  {
    std::unique_ptr<MetricsLog> log =
        MetricsLog::open(path, run, 0, false, error);
    ASSERT_TRUE(log) << error;
    for (int64_t step : {10, 20, 30, 40})
      appendStep(*log, step);
  }
  write(read() + "{\"event\":\"step\",\"st");
  std::unique_ptr<MetricsLog> log =
      MetricsLog::open(path, run, 20, /*resumed=*/true, error);
  ASSERT_TRUE(log) << error;
  appendStep(*log, 30);
  std::vector<int64_t> steps;
  std::vector<std::string> events;
  for (const nlohmann::json &record : records()) {
    steps.push_back(record["step"]);
    events.push_back(record["event"]);
  }
  EXPECT_EQ(steps, (std::vector<int64_t>{0, 10, 20, 20, 30}));
  EXPECT_EQ(events, (std::vector<std::string>{"start", "step", "step", "start",
                                              "step"}));
}

TEST_F(MetricsLogTest, AResumedRunRefusesAnotherFile) {
  std::string error;
  write("{\"event\":\"start\",\"format\":\"mpc-metrics\",\"version\":2,"
        "\"step\":0,\"graph\":\"mlp\"}\n");
  EXPECT_FALSE(MetricsLog::open(path, run, 0, true, error));
  EXPECT_EQ(error, path + ":1: metrics format version 2, but mpc-run writes "
                          "version 1; give another --metrics file");

  write("{\"event\":\"start\",\"format\":\"mpc-metrics\",\"version\":1,"
        "\"step\":0,\"graph\":\"gpt\"}\n");
  EXPECT_FALSE(MetricsLog::open(path, run, 0, true, error));
  EXPECT_EQ(error, path + ":1: metrics of graph \"gpt\", but the model is "
                          "'mlp'; give another --metrics file");

  std::string before = "{\"event\":\"start\",\"format\":\"mpc-metrics\","
                       "\"version\":1,\"step\":0,\"graph\":\"mlp\"}\n"
                       "{\"event\":\"step\",\"step\":-4}\n";
  write(before);
  EXPECT_FALSE(MetricsLog::open(path, run, 0, true, error));
  EXPECT_EQ(error, path + ":2: \"step\" must be a non-negative integer");
  // A refused file is left as it was.
  EXPECT_EQ(read(), before);
}

} // namespace
} // namespace mpc::train
