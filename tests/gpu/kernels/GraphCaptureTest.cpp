//===- GraphCaptureTest.cpp - runtime calls inside a CUDA graph -----------===//
//
// A step's calls are captured into a CUDA graph and replayed; the replay
// must give what direct calls give, which fails if any call synchronizes,
// allocates or reads host memory after returning.
//
//===----------------------------------------------------------------------===//

#include "GpuTestUtil.h"

using namespace mpc::gputest;

namespace {

TEST_F(GpuTest, CapturedCallsReplayLikeDirectCalls) {
  int64_t m = 32, n = 64, k = 48;
  std::vector<float> a = randomValues(m * k, -1, 1, 30, MPC_F16);
  std::vector<float> b = randomValues(k * n, -1, 1, 31, MPC_F16);
  std::vector<float> bias = randomValues(n, -1, 1, 32, MPC_F16);
  DeviceBuffer da = upload(a, MPC_F16), db = upload(b, MPC_F16);
  DeviceBuffer dbias = upload(bias, MPC_F16);
  DeviceBuffer c(m * n * 2), aux(m * n * 2), probs(m * n * 4), grads(m * n * 4);
  DeviceBuffer dScale = upload({1024.0f}, MPC_F32), found(1);
  uint64_t seedStep[2] = {7, 1};
  DeviceBuffer dSeed = uploadBytes(seedStep, sizeof seedStep);
  mpc_gemm_desc desc{};
  desc.batch = 1;
  desc.m = m;
  desc.n = n;
  desc.k = k;
  desc.a_type = desc.b_type = desc.c_type = MPC_F16;
  desc.bias_type = desc.aux_type = MPC_F16;
  desc.epilogue = MPC_EPILOGUE_GELU_AUX_BIAS;
  mpc_tensor_ref ref{probs.get(), grads.get(), MPC_F32, MPC_F32, m * n};
  auto step = [&] {
    ok(mpc_rt_gemm(rt, &desc, da.get(), db.get(), c.get(), dbias.get(),
                   aux.get()));
    ok(mpc_rt_dropout(rt, c.get(), c.get(), MPC_F16, m * n, 0.25, 3,
                      dSeed.as<uint64_t>()));
    ok(mpc_rt_softmax(rt, c.get(), MPC_F16, probs.get(), MPC_F32, 1, m * n, 1));
    ok(mpc_rt_unscale_and_check(rt, &ref, 1, dScale.as<float>(),
                                found.as<uint8_t>()));
  };
  step();
  sync();
  std::vector<float> direct = download(grads.get(), MPC_F32, m * n);
  ASSERT_EQ(cudaMemset(grads.get(), 0, m * n * 4), cudaSuccess);

  cudaGraph_t graph;
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal),
            cudaSuccess);
  step();
  ASSERT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  cudaGraphExec_t exec;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
  sync();
  expectBitEqual(download(grads.get(), MPC_F32, m * n), direct, "replay");
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
}

TEST_F(GpuTest, ReplaysOfLastBlockSumsRepeatDirectCalls) {
  // Layer norm backward and a bias gradient, each one launch whose last
  // block adds the partials: every replay must reset the counter.
  int64_t rows = 600, cols = 96;
  std::vector<float> x = randomValues(rows * cols, -2, 2, 33, MPC_BF16);
  std::vector<float> dy = randomValues(rows * cols, -1, 1, 34, MPC_BF16);
  std::vector<float> gamma = randomValues(cols, 0.5, 1.5, 35, MPC_F32);
  DeviceBuffer dX = upload(x, MPC_BF16), dDy = upload(dy, MPC_BF16);
  DeviceBuffer dGamma = upload(gamma, MPC_F32);
  DeviceBuffer dx(rows * cols * 2), dgamma(cols * 4), dbeta(cols * 4),
      bias(cols * 4);
  auto step = [&] {
    ok(mpc_rt_layer_norm_grad(rt, dDy.get(), dX.get(), MPC_BF16, dGamma.get(),
                              MPC_F32, dx.get(), MPC_BF16, dgamma.get(),
                              dbeta.get(), rows, cols, 1e-5));
    ok(mpc_rt_reduce(rt, dDy.get(), MPC_BF16, bias.get(), MPC_F32, 1, rows,
                     cols, 1.0));
  };
  auto results = [&] {
    std::vector<float> all = download(dgamma.get(), MPC_F32, cols);
    for (const DeviceBuffer *b : {&dbeta, &bias}) {
      std::vector<float> part = download(b->get(), MPC_F32, cols);
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  };
  step();
  sync();
  std::vector<float> direct = results();

  cudaGraph_t graph;
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal),
            cudaSuccess);
  step();
  ASSERT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  cudaGraphExec_t exec;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  for (int replay = 0; replay < 3; ++replay) {
    for (const DeviceBuffer *b : {&dgamma, &dbeta, &bias})
      ASSERT_EQ(cudaMemset(b->get(), 0xff, cols * 4), cudaSuccess);
    ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
    sync();
    expectBitEqual(results(), direct, "replay " + std::to_string(replay));
  }
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
}

} // namespace
