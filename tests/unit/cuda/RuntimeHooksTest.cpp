//===- RuntimeHooksTest.cpp - the per-op hooks of generated code ----------===//
//
// mpc_rt_op_failed and mpc_rt_op_done outside debug mode touch no device, so
// they are tested here on a context made without one. What debug mode does
// on a device is tested by DebugHooksGpuTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "Context.h"

#include <cuda_runtime.h>
#include <gtest/gtest.h>

namespace {

constexpr char kOp[] = "node 'fc1' at mlp.json:17:5 (mpc.fused_matmul)";

TEST(RuntimeHooksTest, FailedCallIsPrefixedWithTheOp) {
  mpc_rt rt;
  // A runtime call that fails its argument checks before any CUDA call.
  ASSERT_EQ(mpc_rt_fill(&rt, nullptr, MPC_F32, -1, 0.0), -1);
  EXPECT_EQ(mpc_rt_op_failed(&rt, kOp), -1);
  EXPECT_EQ(std::string(mpc_rt_last_error(&rt)),
            std::string(kOp) + ": mpc_rt_fill: negative size -1");
}

TEST(RuntimeHooksTest, FailureWithoutMessageStillNamesTheOp) {
  mpc_rt rt;
  EXPECT_EQ(mpc_rt_op_failed(&rt, kOp), -1);
  EXPECT_EQ(std::string(mpc_rt_last_error(&rt)),
            std::string(kOp) + ": failed without a message");
}

TEST(RuntimeHooksTest, ContextsStartOutsideDebugMode) {
  mpc_rt rt;
  EXPECT_FALSE(rt.debug);
  mpc_rt_set_debug(&rt, 7);
  EXPECT_TRUE(rt.debug);
  mpc_rt_set_debug(&rt, 0);
  EXPECT_FALSE(rt.debug);
}

TEST(RuntimeHooksTest, OutsideDebugModeTheHookDoesNothing) {
  mpc_rt rt;
  rt.error = "earlier";
  // Even a pending CUDA error is left for the calls that check it: the hook
  // must not query anything while a stream may be captured.
  EXPECT_EQ(mpc_rt_op_done(&rt, kOp), 0);
  EXPECT_EQ(rt.error, "earlier");
}

TEST(RuntimeHooksTest, DebugModeReportsACudaErrorWithTheOp) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0)
    GTEST_SKIP() << "a CUDA device works here; DebugHooksGpuTest covers it";
  // Without a device every CUDA call fails: the hook reports that failure as
  // the op's.
  mpc_rt rt;
  mpc_rt_set_debug(&rt, 1);
  EXPECT_EQ(mpc_rt_op_done(&rt, kOp), -1);
  std::string error = mpc_rt_last_error(&rt);
  std::string prefix = std::string(kOp) + ": ";
  EXPECT_EQ(error.substr(0, prefix.size()), prefix);
  EXPECT_GT(error.size(), prefix.size());
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

} // namespace
