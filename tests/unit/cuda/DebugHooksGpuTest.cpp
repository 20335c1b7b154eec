//===- DebugHooksGpuTest.cpp - debug mode and capture on a device ---------===//
//
// The per-op hook on a GPU: outside debug mode it leaves a stream capture
// valid; in debug mode it refuses a capture, and names the op of a failed
// launch and of a kernel that faults while running. Every test skips with
// "no CUDA device" without one.
//
//===----------------------------------------------------------------------===//

#include "mpc_cuda_runtime.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr char kOp[] = "node 'c' at a.json:1:2 (mpc.constant)";

bool haveDevice() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

class DebugHooksGpuTest : public testing::Test {
protected:
  void SetUp() override {
    if (!haveDevice())
      GTEST_SKIP() << "no CUDA device";
    ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking),
              cudaSuccess);
    char error[256] = "";
    rt = mpc_rt_create(stream, 0, error, sizeof error);
    ASSERT_NE(rt, nullptr) << error;
    ASSERT_EQ(cudaMalloc(&buffer, kCount * sizeof(float)), cudaSuccess);
  }
  void TearDown() override {
    if (buffer)
      cudaFree(buffer);
    if (rt)
      mpc_rt_destroy(rt);
    if (stream)
      cudaStreamDestroy(stream);
  }
  std::vector<float> download() {
    std::vector<float> values(kCount);
    EXPECT_EQ(cudaMemcpy(values.data(), buffer, kCount * sizeof(float),
                         cudaMemcpyDeviceToHost),
              cudaSuccess);
    return values;
  }

  static constexpr int64_t kCount = 1000;
  cudaStream_t stream = nullptr;
  mpc_rt *rt = nullptr;
  void *buffer = nullptr;
};

TEST_F(DebugHooksGpuTest, OutsideDebugModeTheHookKeepsTheCaptureValid) {
  cudaGraph_t graph = nullptr;
  // Global mode forbids the most: any unsafe call would fail the capture.
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal),
            cudaSuccess);
  ASSERT_EQ(mpc_rt_fill(rt, buffer, MPC_F32, kCount, 3.0), 0);
  EXPECT_EQ(mpc_rt_op_done(rt, kOp), 0);
  ASSERT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  cudaGraphExec_t exec = nullptr;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  EXPECT_EQ(download(), std::vector<float>(kCount, 3.0f));
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
}

TEST_F(DebugHooksGpuTest, DebugModeWaitsForTheOp) {
  mpc_rt_set_debug(rt, 1);
  ASSERT_EQ(mpc_rt_fill(rt, buffer, MPC_F32, kCount, 5.0), 0);
  EXPECT_EQ(mpc_rt_op_done(rt, kOp), 0) << mpc_rt_last_error(rt);
  // The op has run: the stream has nothing left.
  EXPECT_EQ(cudaStreamQuery(stream), cudaSuccess);
  EXPECT_EQ(download(), std::vector<float>(kCount, 5.0f));
}

TEST_F(DebugHooksGpuTest, DebugModeRefusesACaptureAndLeavesItValid) {
  mpc_rt_set_debug(rt, 1);
  cudaGraph_t graph = nullptr;
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal),
            cudaSuccess);
  ASSERT_EQ(mpc_rt_fill(rt, buffer, MPC_F32, kCount, 1.0), 0);
  EXPECT_EQ(mpc_rt_op_done(rt, kOp), -1);
  EXPECT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  EXPECT_EQ(std::string(mpc_rt_last_error(rt)),
            std::string(kOp) + ": debug mode while the stream is captured");
  if (graph)
    cudaGraphDestroy(graph);
}

TEST_F(DebugHooksGpuTest, DebugModeNamesTheOpOfAFailedCall) {
  mpc_rt_set_debug(rt, 1);
  // A call the op made without checking its status; the error it leaves is
  // not sticky.
  int devices = 0;
  ASSERT_EQ(cudaGetDeviceCount(&devices), cudaSuccess);
  ASSERT_EQ(cudaSetDevice(devices), cudaErrorInvalidDevice);
  EXPECT_EQ(mpc_rt_op_done(rt, kOp), -1);
  EXPECT_EQ(std::string(mpc_rt_last_error(rt)),
            std::string(kOp) + ": " +
                cudaGetErrorString(cudaErrorInvalidDevice));
  // The hook consumed it: the next op is fine.
  EXPECT_EQ(mpc_rt_op_done(rt, kOp), 0) << mpc_rt_last_error(rt);
}

/// In a fresh process (a fault ends the context): a fill into memory that
/// is not mapped launches fine and faults while running. Exits 3 when the
/// hook returned -1, after printing the error.
[[noreturn]] void faultAndReport() {
  cudaStream_t stream = nullptr;
  char message[256] = "";
  if (cudaStreamCreate(&stream) != cudaSuccess)
    std::exit(1);
  mpc_rt *rt = mpc_rt_create(stream, 0, message, sizeof message);
  if (!rt)
    std::exit(1);
  mpc_rt_set_debug(rt, 1);
  // The first pages of the address space: nothing maps them.
  void *unmapped = reinterpret_cast<void *>(uintptr_t(64));
  if (mpc_rt_fill(rt, unmapped, MPC_F32, 1 << 20, 1.0) != 0)
    std::exit(2);
  int status = mpc_rt_op_done(rt, kOp);
  std::fprintf(stderr, "%s\n", mpc_rt_last_error(rt));
  std::exit(status == -1 ? 3 : 4);
}

TEST_F(DebugHooksGpuTest, DebugModeNamesTheOpOfAFaultingKernel) {
  // Re-executes the test binary for the child: a fork would share this
  // process's CUDA context.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(faultAndReport(), testing::ExitedWithCode(3),
              "node 'c' at a\\.json:1:2 \\(mpc\\.constant\\): .+");
}

} // namespace
