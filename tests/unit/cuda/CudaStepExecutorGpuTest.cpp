//===- CudaStepExecutorGpuTest.cpp - checked, captured and replayed steps -===//
//
// The executor on a GPU with a hand-written step library (Inputs/counter):
// the first step runs checked op by op, the second is captured and the rest
// replay the graph, and that trains exactly as debug mode, which checks
// every step; a kernel that faults in the first step is named by its op.
// Every test skips with "no CUDA device" without one.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/executor/CudaStepExecutor.h"
#include "runtime/cuda/executor/DeviceProbe.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace {

using mpc::cuda::CudaStepExecutor;
using mpc::driver::HostTensor;

/// A directory the build names, unless the environment variable of the
/// same name moves it (the GPU kit runs this test far from the build).
std::string testDirectory(const char *variable, const char *built) {
  const char *moved = std::getenv(variable);
  return moved && *moved ? moved : built;
}

const std::string kInputs = testDirectory("MPC_TEST_INPUTS", MPC_TEST_INPUTS);
const std::string kCache = testDirectory("MPC_TEST_CACHE", MPC_TEST_CACHE);
const std::string kCounter = kInputs + "/counter";
constexpr int kSteps = 5;

std::string readText(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

void writeText(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// The input x [2, 4] of step `step`: row 0 drives the update and the
/// loss. Small dyadic values, so the host computes the losses exactly.
HostTensor input(int step) {
  HostTensor x;
  x.name = "x";
  x.shape = {2, 4};
  float s = float(step + 1);
  x.f32 = {s, -s, 0.5f, 2.0f, 0, 0, 0, 0};
  return x;
}

/// What one run computed.
struct TrainingRun {
  std::vector<double> losses;
  std::vector<float> w;
  std::vector<float> evaluations;
};

class CudaStepExecutorGpuTest : public testing::Test {
protected:
  void SetUp() override {
    std::string error;
    device = mpc::cuda::probeDevice(error);
    if (!device)
      GTEST_SKIP() << "no CUDA device";
    nvcc = mpc::cuda::findNvcc(error);
    ASSERT_TRUE(nvcc) << error;
    // Compiled libraries are kept between tests and test processes; their
    // key covers the source.
    setenv("MPC_CACHE_DIR", kCache.c_str(), 1);
  }

  std::unique_ptr<CudaStepExecutor> open(const std::string &directory,
                                         bool debug, std::string &error) {
    std::optional<mpc::cuda::Manifest> manifest =
        mpc::cuda::readManifest(directory + "/manifest.json", error);
    if (!manifest)
      return nullptr;
    return CudaStepExecutor::create(directory, std::move(*manifest), *device,
                                    debug, error);
  }

  /// kSteps training steps, evaluating after the second and at the end.
  TrainingRun train(bool debug) {
    TrainingRun run;
    std::string error;
    std::unique_ptr<CudaStepExecutor> executor = open(kCounter, debug, error);
    EXPECT_TRUE(executor) << error;
    if (!executor)
      return run;
    executor->initialize(0);
    for (int step = 0; step < kSteps; ++step) {
      EXPECT_TRUE(executor->trainStep({input(step)}, step, error)) << error;
      if (step == 1 || step == kSteps - 1) {
        std::vector<HostTensor> outputs;
        EXPECT_TRUE(executor->evaluate({input(0)}, outputs, error)) << error;
        if (!outputs.empty())
          run.evaluations.push_back(outputs[0].f32.at(0));
      }
    }
    EXPECT_TRUE(executor->takeLosses(run.losses, error)) << error;
    std::vector<HostTensor> state = executor->state();
    EXPECT_EQ(executor->deferredError(), "");
    if (!state.empty())
      run.w = state[0].f32;
    return run;
  }

  std::optional<mpc::cuda::DeviceInfo> device;
  std::optional<std::string> nvcc;
};

TEST_F(CudaStepExecutorGpuTest, GraphReplaysTrainLikeDebugModeAndTheHost) {
  TrainingRun graph = train(/*debug=*/false);
  TrainingRun debug = train(/*debug=*/true);
  // The host's computation: w -= 0.5 x0, loss = mean((w - x0)^2) + step.
  std::vector<double> w(4, 1.0), losses;
  auto mse = [&](const std::vector<float> &x) {
    double sum = 0;
    for (int i = 0; i < 4; ++i)
      sum += (w[i] - x[i]) * (w[i] - x[i]);
    return sum / 4;
  };
  for (int step = 0; step < kSteps; ++step) {
    std::vector<float> x = input(step).f32;
    for (int i = 0; i < 4; ++i)
      w[i] -= 0.5 * x[i];
    losses.push_back(mse(x) + step);
  }
  ASSERT_EQ(graph.losses.size(), size_t(kSteps));
  for (int step = 0; step < kSteps; ++step)
    EXPECT_NEAR(graph.losses[step], losses[step], 1e-4 * (1 + losses[step]))
        << "step " << step;
  EXPECT_EQ(graph.w, std::vector<float>(w.begin(), w.end()));
  EXPECT_NEAR(graph.evaluations.back(), mse(input(0).f32), 1e-4);
  // Bit for bit what debug mode computes.
  EXPECT_EQ(debug.losses, graph.losses);
  EXPECT_EQ(debug.w, graph.w);
  EXPECT_EQ(debug.evaluations, graph.evaluations);
}

/// In a fresh process (a fault ends the CUDA context): opens the counter
/// step built with COUNTER_FAULT in `directory` and runs its first step.
/// Exits 3 after printing the step's error when it failed, 4 when it ran.
[[noreturn]] void faultInFirstStep(const std::string &directory, bool debug) {
  std::string error;
  std::optional<mpc::cuda::DeviceInfo> device = mpc::cuda::probeDevice(error);
  std::optional<std::string> nvcc = mpc::cuda::findNvcc(error);
  std::optional<mpc::cuda::Manifest> manifest =
      mpc::cuda::readManifest(directory + "/manifest.json", error);
  if (!device || !nvcc || !manifest) {
    std::fprintf(stderr, "%s\n", error.c_str());
    std::exit(1);
  }
  std::unique_ptr<CudaStepExecutor> executor = CudaStepExecutor::create(
      directory, std::move(*manifest), *device, debug, error);
  if (!executor) {
    std::fprintf(stderr, "%s\n", error.c_str());
    std::exit(2);
  }
  executor->initialize(0);
  bool ran = executor->trainStep({input(0)}, 0, error);
  std::fprintf(stderr, "%s\n", error.c_str());
  std::exit(ran ? 4 : 3);
}

/// The counter artifact built with COUNTER_FAULT, written next to the
/// compiled libraries.
std::string faultArtifact() {
  std::string directory = kCache + "/counter-fault";
  mkdir(kCache.c_str(), 0755);
  mkdir(directory.c_str(), 0755);
  writeText(directory + "/manifest.json",
            readText(kCounter + "/manifest.json"));
  writeText(directory + "/step.cu",
            "#define COUNTER_FAULT\n" + readText(kCounter + "/step.cu"));
  return directory;
}

TEST_F(CudaStepExecutorGpuTest, FirstStepNamesTheOpOfAFaultingKernel) {
  std::string directory = faultArtifact();
  ASSERT_EQ(readText(directory + "/manifest.json"),
            readText(kCounter + "/manifest.json"));
  // Re-executes the test binary for the child: a fork would share this
  // process's CUDA state.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(faultInFirstStep(directory, /*debug=*/false),
              testing::ExitedWithCode(3),
              "mpc_fn_train_step failed: node 'step' at counter\\.json:4:5 "
              "\\(mpc\\.fused\\): .+");
  EXPECT_EXIT(faultInFirstStep(directory, /*debug=*/true),
              testing::ExitedWithCode(3),
              "mpc_fn_train_step failed: node 'step' at counter\\.json:4:5 "
              "\\(mpc\\.fused\\): .+");
}

} // namespace
