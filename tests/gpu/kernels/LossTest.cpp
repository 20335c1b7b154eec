//===- LossTest.cpp - cross-entropy and MSE against the CPU ---------------===//

#include "GpuTestUtil.h"

#include "runtime/cpu/kernels/Kernels.h"

#include <cmath>

using namespace mpc::gputest;
namespace cpu = mpc::cpu;

namespace {

class Loss : public GpuTest, public ::testing::WithParamInterface<mpc_dtype> {};

TEST_P(Loss, SoftmaxCrossEntropyAndGradient) {
  mpc_dtype type = GetParam();
  int64_t rows = 37, classes = 1003;
  std::vector<float> logits = randomValues(rows * classes, -5, 5, 11, type);
  std::vector<int64_t> labels(rows);
  std::vector<int32_t> labels32(rows);
  for (int64_t r = 0; r < rows; ++r)
    labels[r] = labels32[r] = static_cast<int32_t>((r * 131) % classes);
  int64_t bad;
  float want = cpu::softmaxCrossEntropy(logits.data(), labels.data(), rows,
                                        classes, &bad);
  ASSERT_EQ(bad, -1);
  float dloss = 1024.0f;
  std::vector<float> wantGrad(rows * classes);
  cpu::softmaxCrossEntropyGrad(dloss, logits.data(), labels.data(), rows,
                               classes, wantGrad.data());
  DeviceBuffer dLogits = upload(logits, type);
  DeviceBuffer dLabels = uploadBytes(labels32.data(), rows * 4);
  DeviceBuffer dLoss(4), dGrad(rows * classes * 4);
  DeviceBuffer dSeed = upload({dloss}, MPC_F32);
  ok(mpc_rt_softmax_xent(rt, dLogits.get(), type, dLabels.as<int32_t>(),
                         dLoss.as<float>(), rows, classes));
  ok(mpc_rt_softmax_xent_grad(rt, dSeed.get(), MPC_F32, dLogits.get(), type,
                              dLabels.as<int32_t>(), dGrad.get(), type, rows,
                              classes));
  sync();
  // Per-row logsumexp in f32 (a sum of `classes` terms), mean in double.
  expectClose(download(dLoss.get(), MPC_F32, 1), {want},
              tolerance(MPC_F32, classes, 10.0), "softmax_xent");
  std::vector<double> tol(wantGrad.size());
  for (size_t i = 0; i < tol.size(); ++i)
    tol[i] =
        tolerance(type, classes, std::fabs(wantGrad[i]) + dloss / rows * 1e-3);
  expectClose(download(dGrad.get(), type, rows * classes),
              roundedTo(wantGrad, type), tol, "softmax_xent_grad");
}

TEST_P(Loss, MeanSquaredError) {
  mpc_dtype type = GetParam();
  int64_t n = 100003;
  std::vector<float> p = randomValues(n, -2, 2, 12, type);
  std::vector<float> t = randomValues(n, -2, 2, 13, type);
  float want = cpu::mseLoss(p.data(), t.data(), n);
  DeviceBuffer dp = upload(p, type), dt = upload(t, type), dLoss(4);
  ok(mpc_rt_mse_loss(rt, dp.get(), dt.get(), type, dLoss.as<float>(), n));
  sync();
  // Accumulated in double on both sides: at most the last f32 rounding.
  expectClose(download(dLoss.get(), MPC_F32, 1), {want},
              std::ldexp(std::fabs(want), -23), "mse_loss");
}

INSTANTIATE_TEST_SUITE_P(Types, Loss,
                         ::testing::Values(MPC_F32, MPC_F16, MPC_BF16));

TEST_F(GpuTest, CrossEntropyWithBadLabelIsNaN) {
  std::vector<float> logits(8, 0.0f);
  std::vector<int32_t> labels{0, 9};
  DeviceBuffer dLogits = upload(logits, MPC_F32);
  DeviceBuffer dLabels = uploadBytes(labels.data(), 8), dLoss(4);
  ok(mpc_rt_softmax_xent(rt, dLogits.get(), MPC_F32, dLabels.as<int32_t>(),
                         dLoss.as<float>(), 2, 4));
  sync();
  EXPECT_TRUE(std::isnan(download(dLoss.get(), MPC_F32, 1)[0]));
}

} // namespace
