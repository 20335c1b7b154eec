//===- LossTest.cpp - cross-entropy and MSE against the CPU ---------------===//

#include "GpuTestUtil.h"

#include "runtime/cpu/kernels/Kernels.h"

#include <cmath>
#include <string>

using namespace mpc::gputest;
namespace cpu = mpc::cpu;

namespace {

/// The row options of a cross-entropy case: labels with some rows ignored
/// (every third row, ignore_index -100 or class 7) and the reduction.
struct XentCase {
  mpc_dtype type;
  int64_t ignoreIndex;
  mpc_loss_reduction reduction;
};

class Loss : public GpuTest, public ::testing::WithParamInterface<mpc_dtype> {};
class Xent : public GpuTest, public ::testing::WithParamInterface<XentCase> {};

/// 37 rows of 1003 random logits, labels (every third row ignored when the
/// case has an ignore_index) and the CPU reference's loss and gradient for
/// the seed 1024.
struct XentReference {
  static constexpr int64_t rows = 37, classes = 1003;
  static constexpr float dloss = 1024.0f;
  std::vector<float> logits;
  std::vector<int64_t> labels;
  std::vector<int32_t> labels32;
  float want = 0;
  std::vector<float> wantGrad;
  int64_t bad = -1;

  XentReference(const XentCase &param, uint64_t seed, int64_t labelStride)
      : logits(randomValues(rows * classes, -5, 5, seed, param.type)),
        labels(rows), labels32(rows), wantGrad(rows * classes) {
    for (int64_t r = 0; r < rows; ++r) {
      int64_t label = (r * labelStride) % classes;
      if (param.ignoreIndex != MPC_NO_IGNORE_INDEX && r % 3 == 1)
        label = param.ignoreIndex;
      labels[r] = labels32[r] = static_cast<int32_t>(label);
    }
    cpu::CrossEntropyOptions options{param.ignoreIndex, param.reduction};
    want = cpu::softmaxCrossEntropy(logits.data(), labels.data(), rows, classes,
                                    options, &bad);
    cpu::softmaxCrossEntropyGrad(dloss, logits.data(), labels.data(), rows,
                                 classes, options, wantGrad.data(), &bad);
  }

  /// The loss's tolerance: per-row logsumexp in f32 (a sum of `classes`
  /// terms), the rows summed in double.
  static double lossTolerance(mpc_loss_reduction reduction) {
    return tolerance(MPC_F32, classes,
                     reduction == MPC_LOSS_SUM ? 10.0 * rows : 10.0);
  }

  /// The gradient's per-element tolerance in `type`.
  std::vector<double> gradTolerance(mpc_dtype type) const {
    std::vector<double> tol(wantGrad.size());
    for (size_t i = 0; i < tol.size(); ++i)
      tol[i] = tolerance(type, classes,
                         std::fabs(wantGrad[i]) + dloss / rows * 1e-3);
    return tol;
  }
};

/// Logits (in `type`), labels and the loss's gradient on the device.
struct XentInputs {
  XentInputs(const std::vector<float> &logitValues,
             const std::vector<int32_t> &labelValues, float dloss,
             mpc_dtype type)
      : logits(upload(logitValues, type)),
        labels(uploadBytes(labelValues.data(), labelValues.size() * 4)),
        seed(upload({dloss}, MPC_F32)) {}
  DeviceBuffer logits, labels, seed;
};

TEST_P(Xent, SoftmaxCrossEntropyAndGradient) {
  XentCase param = GetParam();
  mpc_dtype type = param.type;
  XentReference ref(param, 11, 131);
  ASSERT_EQ(ref.bad, -1);
  constexpr int64_t rows = XentReference::rows,
                    classes = XentReference::classes;
  XentInputs in(ref.logits, ref.labels32, XentReference::dloss, type);
  DeviceBuffer dLoss(4), dGrad(rows * classes * 4);
  ok(mpc_rt_softmax_xent(rt, in.logits.get(), type, in.labels.as<int32_t>(),
                         dLoss.as<float>(), rows, classes, param.ignoreIndex,
                         param.reduction));
  ok(mpc_rt_softmax_xent_grad(rt, in.seed.get(), MPC_F32, in.logits.get(), type,
                              in.labels.as<int32_t>(), dGrad.get(), type, rows,
                              classes, param.ignoreIndex, param.reduction));
  sync();
  expectClose(download(dLoss.get(), MPC_F32, 1), {ref.want},
              XentReference::lossTolerance(param.reduction), "softmax_xent");
  expectClose(download(dGrad.get(), type, rows * classes),
              roundedTo(ref.wantGrad, type), ref.gradTolerance(type),
              "softmax_xent_grad");
}

/// The loss and its gradient in one launch: the CPU reference's loss and
/// gradient within the tolerances above, and the gradient's bits those of
/// mpc_rt_softmax_xent_grad (the same row statistics and elements).
TEST_P(Xent, LossWithGradientInOneLaunch) {
  XentCase param = GetParam();
  mpc_dtype type = param.type;
  XentReference ref(param, 13, 97);
  ASSERT_EQ(ref.bad, -1);
  constexpr int64_t rows = XentReference::rows,
                    classes = XentReference::classes;
  XentInputs in(ref.logits, ref.labels32, XentReference::dloss, type);
  DeviceBuffer dLoss(4), dGrad(rows * classes * 4), dApart(rows * classes * 4);
  ok(mpc_rt_softmax_xent_with_grad(
      rt, in.logits.get(), type, in.labels.as<int32_t>(), dLoss.as<float>(),
      in.seed.get(), MPC_F32, dGrad.get(), type, rows, classes,
      param.ignoreIndex, param.reduction));
  ok(mpc_rt_softmax_xent_grad(rt, in.seed.get(), MPC_F32, in.logits.get(), type,
                              in.labels.as<int32_t>(), dApart.get(), type, rows,
                              classes, param.ignoreIndex, param.reduction));
  sync();
  expectClose(download(dLoss.get(), MPC_F32, 1), {ref.want},
              XentReference::lossTolerance(param.reduction),
              "softmax_xent_with_grad loss");
  std::vector<float> grad = download(dGrad.get(), type, rows * classes);
  expectBitEqual(grad, download(dApart.get(), type, rows * classes),
                 "softmax_xent_with_grad gradient");
  expectClose(grad, roundedTo(ref.wantGrad, type), ref.gradTolerance(type),
              "softmax_xent_with_grad gradient");
}

INSTANTIATE_TEST_SUITE_P(
    Rows, Xent,
    ::testing::Values(XentCase{MPC_F32, MPC_NO_IGNORE_INDEX, MPC_LOSS_MEAN},
                      XentCase{MPC_F16, MPC_NO_IGNORE_INDEX, MPC_LOSS_MEAN},
                      XentCase{MPC_BF16, MPC_NO_IGNORE_INDEX, MPC_LOSS_MEAN},
                      XentCase{MPC_F32, -100, MPC_LOSS_MEAN},
                      XentCase{MPC_BF16, -100, MPC_LOSS_MEAN},
                      XentCase{MPC_F32, -100, MPC_LOSS_SUM},
                      XentCase{MPC_F16, 7, MPC_LOSS_MEAN},
                      XentCase{MPC_F32, MPC_NO_IGNORE_INDEX, MPC_LOSS_SUM}));

/// The gradient written over its logits (as mpc-plan-memory plans it when
/// they die there) has the bits of the gradient written elsewhere, in
/// every 16-bit type and in f32, on GPT-sized rows (50304 classes, logits
/// rising along part of each row so that the online max moves often, and
/// an ignored row).
class XentInPlace : public GpuTest,
                    public ::testing::WithParamInterface<mpc_dtype> {};

/// Five rows of GPT-2's 50304 classes in `type`: the first row's first 4096
/// logits rise, the third row is ignored (-100).
struct GptRows {
  static constexpr int64_t rows = 5, classes = 50304;
  static constexpr float dloss = 2.0f;
  static constexpr cpu::CrossEntropyOptions options{-100, MPC_LOSS_MEAN};
  std::vector<float> logits;
  std::vector<int64_t> labels{3, 50303, -100, 0, 4095};
  std::vector<int32_t> labels32{labels.begin(), labels.end()};

  explicit GptRows(mpc_dtype type)
      : logits(randomValues(rows * classes, -6, 6, 17, type)) {
    for (int64_t c = 0; c < 4096; ++c)
      logits[c] = -8.0f + 16.0f * static_cast<float>(c) / 4096;
    logits = roundedTo(logits, type);
  }
};

TEST_P(XentInPlace, GradientOverTheLogitsIsTheGradient) {
  mpc_dtype type = GetParam();
  GptRows gpt(type);
  constexpr int64_t rows = GptRows::rows, classes = GptRows::classes;
  float dloss = GptRows::dloss;
  int64_t bad;
  std::vector<float> wantGrad(rows * classes);
  cpu::softmaxCrossEntropyGrad(dloss, gpt.logits.data(), gpt.labels.data(),
                               rows, classes, GptRows::options, wantGrad.data(),
                               &bad);
  ASSERT_EQ(bad, -1);
  XentInputs in(gpt.logits, gpt.labels32, dloss, type);
  DeviceBuffer dGrad(rows * classes * 4), dInPlace = upload(gpt.logits, type);
  ok(mpc_rt_softmax_xent_grad(rt, in.seed.get(), MPC_F32, in.logits.get(), type,
                              in.labels.as<int32_t>(), dGrad.get(), type, rows,
                              classes, -100, MPC_LOSS_MEAN));
  ok(mpc_rt_softmax_xent_grad(rt, in.seed.get(), MPC_F32, dInPlace.get(), type,
                              in.labels.as<int32_t>(), dInPlace.get(), type,
                              rows, classes, -100, MPC_LOSS_MEAN));
  sync();
  std::vector<float> apart = download(dGrad.get(), type, rows * classes);
  expectBitEqual(download(dInPlace.get(), type, rows * classes), apart,
                 "softmax_xent_grad in place");
  std::vector<double> tol(wantGrad.size());
  for (size_t i = 0; i < tol.size(); ++i)
    tol[i] =
        tolerance(type, classes, std::fabs(wantGrad[i]) + dloss / rows * 1e-3);
  expectClose(apart, roundedTo(wantGrad, type), tol, "softmax_xent_grad");
}

/// The same rows through the one-launch loss and gradient, in place: the
/// gradient has the bits of mpc_rt_softmax_xent_grad's written elsewhere,
/// the ignored row is zero, and the loss (read before the row is
/// overwritten) is the CPU reference's.
TEST_P(XentInPlace, LossWithGradientOverTheLogits) {
  mpc_dtype type = GetParam();
  GptRows gpt(type);
  constexpr int64_t rows = GptRows::rows, classes = GptRows::classes;
  int64_t bad;
  float want = cpu::softmaxCrossEntropy(gpt.logits.data(), gpt.labels.data(),
                                        rows, classes, GptRows::options, &bad);
  ASSERT_EQ(bad, -1);
  XentInputs in(gpt.logits, gpt.labels32, GptRows::dloss, type);
  DeviceBuffer dGrad(rows * classes * 4), dInPlace = upload(gpt.logits, type),
                                          dLoss(4);
  ok(mpc_rt_softmax_xent_grad(rt, in.seed.get(), MPC_F32, in.logits.get(), type,
                              in.labels.as<int32_t>(), dGrad.get(), type, rows,
                              classes, -100, MPC_LOSS_MEAN));
  ok(mpc_rt_softmax_xent_with_grad(rt, dInPlace.get(), type,
                                   in.labels.as<int32_t>(), dLoss.as<float>(),
                                   in.seed.get(), MPC_F32, dInPlace.get(), type,
                                   rows, classes, -100, MPC_LOSS_MEAN));
  sync();
  std::vector<float> inPlace = download(dInPlace.get(), type, rows * classes);
  expectBitEqual(inPlace, download(dGrad.get(), type, rows * classes),
                 "softmax_xent_with_grad in place");
  for (int64_t c = 0; c < classes; ++c)
    ASSERT_EQ(inPlace[2 * classes + c], 0.0f) << "ignored row, class " << c;
  expectClose(download(dLoss.get(), MPC_F32, 1), {want},
              tolerance(MPC_F32, classes, 10.0),
              "softmax_xent_with_grad loss in place");
}

INSTANTIATE_TEST_SUITE_P(Types, XentInPlace,
                         ::testing::Values(MPC_F32, MPC_F16, MPC_BF16));

/// The one-pass loss on GPT-sized rows with a moving max, against the CPU
/// reference's two passes.
TEST_F(GpuTest, CrossEntropyOnWideRowsMatchesTheTwoPassReference) {
  int64_t rows = 6, classes = 50304;
  std::vector<float> logits = randomValues(rows * classes, -6, 6, 19, MPC_BF16);
  for (int64_t c = 0; c < classes; ++c)
    logits[classes + c] = roundedTo({-8.0f + 16.0f * c / classes}, MPC_BF16)[0];
  std::vector<int64_t> labels{1, 50303, 7, 0, 25000, 12};
  std::vector<int32_t> labels32(labels.begin(), labels.end());
  int64_t bad;
  float want = cpu::softmaxCrossEntropy(logits.data(), labels.data(), rows,
                                        classes, {}, &bad);
  ASSERT_EQ(bad, -1);
  DeviceBuffer dLogits = upload(logits, MPC_BF16);
  DeviceBuffer dLabels = uploadBytes(labels32.data(), rows * 4), dLoss(4);
  ok(mpc_rt_softmax_xent(rt, dLogits.get(), MPC_BF16, dLabels.as<int32_t>(),
                         dLoss.as<float>(), rows, classes, MPC_NO_IGNORE_INDEX,
                         MPC_LOSS_MEAN));
  sync();
  expectClose(download(dLoss.get(), MPC_F32, 1), {want},
              tolerance(MPC_F32, classes, 20.0), "softmax_xent");
}

TEST_F(GpuTest, CrossEntropyWithEveryRowIgnored) {
  std::vector<float> logits(8, 0.5f);
  std::vector<int32_t> labels{-100, -100};
  DeviceBuffer dLogits = upload(logits, MPC_F32);
  DeviceBuffer dLabels = uploadBytes(labels.data(), 8), dLoss(4), dSum(4);
  DeviceBuffer dGrad = upload(std::vector<float>(8, 7.0f), MPC_F32);
  DeviceBuffer dSeed = upload({1.0f}, MPC_F32);
  ok(mpc_rt_softmax_xent(rt, dLogits.get(), MPC_F32, dLabels.as<int32_t>(),
                         dLoss.as<float>(), 2, 4, -100, MPC_LOSS_MEAN));
  ok(mpc_rt_softmax_xent(rt, dLogits.get(), MPC_F32, dLabels.as<int32_t>(),
                         dSum.as<float>(), 2, 4, -100, MPC_LOSS_SUM));
  ok(mpc_rt_softmax_xent_grad(rt, dSeed.get(), MPC_F32, dLogits.get(), MPC_F32,
                              dLabels.as<int32_t>(), dGrad.get(), MPC_F32, 2, 4,
                              -100, MPC_LOSS_MEAN));
  sync();
  // The mean of no rows is 0/0; the sum is 0; no row has a gradient.
  EXPECT_TRUE(std::isnan(download(dLoss.get(), MPC_F32, 1)[0]));
  EXPECT_EQ(download(dSum.get(), MPC_F32, 1)[0], 0.0f);
  for (float g : download(dGrad.get(), MPC_F32, 8))
    EXPECT_EQ(g, 0.0f);
}

TEST_F(GpuTest, CrossEntropyKeptRowsAreCountedWhenAGraphReplays) {
  // Captured once with every row kept, replayed after half the labels are
  // set to ignore_index: the count of kept rows is made on the device.
  int64_t rows = 4, classes = 3;
  std::vector<float> logits = randomValues(rows * classes, -2, 2, 21, MPC_F32);
  std::vector<int32_t> labels32{0, 1, 2, 1};
  DeviceBuffer dLogits = upload(logits, MPC_F32);
  DeviceBuffer dLabels = uploadBytes(labels32.data(), rows * 4);
  DeviceBuffer dLoss(4), dGrad(rows * classes * 4);
  DeviceBuffer dSeed = upload({1.0f}, MPC_F32);
  cudaGraph_t graph;
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal),
            cudaSuccess);
  ok(mpc_rt_softmax_xent(rt, dLogits.get(), MPC_F32, dLabels.as<int32_t>(),
                         dLoss.as<float>(), rows, classes, -100,
                         MPC_LOSS_MEAN));
  ok(mpc_rt_softmax_xent_grad(rt, dSeed.get(), MPC_F32, dLogits.get(), MPC_F32,
                              dLabels.as<int32_t>(), dGrad.get(), MPC_F32, rows,
                              classes, -100, MPC_LOSS_MEAN));
  ASSERT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  cudaGraphExec_t exec;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  std::vector<int32_t> ignored{0, -100, 2, -100};
  ASSERT_EQ(cudaMemcpy(dLabels.get(), ignored.data(), rows * 4,
                       cudaMemcpyHostToDevice),
            cudaSuccess);
  ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
  sync();
  std::vector<int64_t> labels(ignored.begin(), ignored.end());
  cpu::CrossEntropyOptions options{-100, MPC_LOSS_MEAN};
  int64_t bad;
  float want = cpu::softmaxCrossEntropy(logits.data(), labels.data(), rows,
                                        classes, options, &bad);
  std::vector<float> wantGrad(rows * classes);
  cpu::softmaxCrossEntropyGrad(1.0f, logits.data(), labels.data(), rows,
                               classes, options, wantGrad.data(), &bad);
  expectClose(download(dLoss.get(), MPC_F32, 1), {want},
              tolerance(MPC_F32, classes, 10.0), "replayed softmax_xent");
  std::vector<double> tol(wantGrad.size());
  for (size_t i = 0; i < tol.size(); ++i)
    tol[i] = tolerance(MPC_F32, classes, std::fabs(wantGrad[i]) + 1e-3);
  expectClose(download(dGrad.get(), MPC_F32, rows * classes), wantGrad, tol,
              "replayed softmax_xent_grad");
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
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
                         dLoss.as<float>(), 2, 4, -100, MPC_LOSS_MEAN));
  sync();
  EXPECT_TRUE(std::isnan(download(dLoss.get(), MPC_F32, 1)[0]));
}

/// The one-launch loss and gradient: NaN for a bad label, as the loss;
/// the last-block counter is reset, so a second launch gives the same
/// loss; and the row losses must fit in the scratch after the kept rows'
/// count, else the call fails cleanly, naming the rows.
TEST_F(GpuTest, LossWithGradientBadLabelsRepeatsAndScratch) {
  std::vector<float> logits{1.0f, 2.0f, 3.0f, 4.0f, 0.5f, 0.5f, 0.5f, 0.5f};
  std::vector<int32_t> labels{2, 1};
  DeviceBuffer dLogits = upload(logits, MPC_F32), dGrad(32);
  DeviceBuffer dLabels = uploadBytes(labels.data(), 8), dLoss(4);
  DeviceBuffer dSeed = upload({1.0f}, MPC_F32);
  auto call = [&] {
    return mpc_rt_softmax_xent_with_grad(
        rt, dLogits.get(), MPC_F32, dLabels.as<int32_t>(), dLoss.as<float>(),
        dSeed.get(), MPC_F32, dGrad.get(), MPC_F32, 2, 4, -100, MPC_LOSS_MEAN);
  };
  std::vector<int64_t> labels64(labels.begin(), labels.end());
  int64_t bad;
  float want = cpu::softmaxCrossEntropy(
      logits.data(), labels64.data(), 2, 4,
      cpu::CrossEntropyOptions{-100, MPC_LOSS_MEAN}, &bad);
  ok(call());
  sync();
  float first = download(dLoss.get(), MPC_F32, 1)[0];
  expectClose({first}, {want}, tolerance(MPC_F32, 4, 10.0),
              "softmax_xent_with_grad loss");
  ok(call());
  sync();
  expectBitEqual(download(dLoss.get(), MPC_F32, 1), {first},
                 "softmax_xent_with_grad loss, launched again");

  labels[1] = 9;
  DeviceBuffer dBad = uploadBytes(labels.data(), 8);
  ok(mpc_rt_softmax_xent_with_grad(
      rt, dLogits.get(), MPC_F32, dBad.as<int32_t>(), dLoss.as<float>(),
      dSeed.get(), MPC_F32, dGrad.get(), MPC_F32, 2, 4, -100, MPC_LOSS_MEAN));
  sync();
  EXPECT_TRUE(std::isnan(download(dLoss.get(), MPC_F32, 1)[0]));

  useScratchBytes(sizeof(int64_t) + 2 * sizeof(float) - 1);
  EXPECT_EQ(call(), -1);
  EXPECT_NE(std::string(mpc_rt_last_error(rt))
                .find("mpc_rt_softmax_xent_with_grad: 2 rows exceed the "
                      "context scratch"),
            std::string::npos)
      << mpc_rt_last_error(rt);
  useScratchBytes(sizeof(int64_t) + 2 * sizeof(float));
  ok(call());
  sync();
  expectBitEqual(download(dLoss.get(), MPC_F32, 1), {first},
                 "softmax_xent_with_grad loss, smallest scratch");
}

} // namespace
