//===- NormalizationTest.cpp - softmax family, layer and RMS norm vs CPU --===//

#include "GpuTestUtil.h"

#include "runtime/cpu/kernels/Kernels.h"

#include <cmath>

using namespace mpc::gputest;
namespace cpu = mpc::cpu;

namespace {

class Normalization : public GpuTest,
                      public ::testing::WithParamInterface<mpc_dtype> {};

std::vector<double> scaled(const std::vector<float> &want, mpc_dtype type,
                           int64_t k, double floor) {
  std::vector<double> tol(want.size());
  for (size_t i = 0; i < want.size(); ++i)
    tol[i] = tolerance(type, k, std::fabs(want[i]) + floor);
  return tol;
}

/// A buffer of `bytes` of NaNs (all bits set), so a result the kernel does
/// not write shows.
DeviceBuffer poisoned(size_t bytes) {
  DeviceBuffer buffer(bytes);
  EXPECT_EQ(cudaMemset(buffer.get(), 0xff, bytes), cudaSuccess);
  return buffer;
}

TEST_P(Normalization, SoftmaxFamilyAlongEveryAxis) {
  mpc_dtype type = GetParam();
  // [outer, axis, inner]: the last axis (inner 1, one block per row) and a
  // middle axis (one thread per column).
  for (auto [outer, axis, inner] :
       {std::tuple<int64_t, int64_t, int64_t>{6, 300, 1},
        {3, 17, 10},
        {4, 1000, 1}}) {
    cpu::Shape shape{outer, axis, inner};
    int64_t n = outer * axis * inner;
    std::vector<float> x = randomValues(n, -4, 4, 5, type);
    std::vector<float> dy = randomValues(n, -1, 1, 6, type);
    std::vector<float> y(n), logY(n), dx(n), dlx(n);
    cpu::softmax(x.data(), y.data(), shape, 1);
    cpu::logSoftmax(x.data(), logY.data(), shape, 1);
    y = roundedTo(y, type);
    logY = roundedTo(logY, type);
    cpu::softmaxGrad(dy.data(), y.data(), dx.data(), shape, 1);
    cpu::logSoftmaxGrad(dy.data(), logY.data(), dlx.data(), shape, 1);
    DeviceBuffer dX = upload(x, type), dDy = upload(dy, type);
    DeviceBuffer dY = upload(y, type), dLogY = upload(logY, type);
    DeviceBuffer out(n * 4), outLog(n * 4), grad(n * 4), gradLog(n * 4);
    ok(mpc_rt_softmax(rt, dX.get(), type, out.get(), MPC_F32, outer, axis,
                      inner));
    ok(mpc_rt_log_softmax(rt, dX.get(), type, outLog.get(), type, outer, axis,
                          inner));
    ok(mpc_rt_softmax_grad(rt, dDy.get(), dY.get(), grad.get(), type, outer,
                           axis, inner));
    ok(mpc_rt_log_softmax_grad(rt, dDy.get(), dLogY.get(), gradLog.get(), type,
                               outer, axis, inner));
    sync();
    std::vector<float> softmaxF32(n);
    cpu::softmax(x.data(), softmaxF32.data(), shape, 1);
    std::string what = std::string(typeName(type)) + " axis " +
                       std::to_string(axis) + " inner " + std::to_string(inner);
    expectClose(download(out.get(), MPC_F32, n), softmaxF32,
                scaled(softmaxF32, MPC_F32, axis, 0), "softmax " + what);
    expectClose(download(outLog.get(), type, n), logY,
                scaled(logY, type, axis, 8), "log_softmax " + what);
    // dx = y (dy - dot): dot is a sum of |dy y| <= 1.
    expectClose(download(grad.get(), type, n), roundedTo(dx, type),
                scaled(dx, type, axis, 1), "softmax_grad " + what);
    expectClose(download(gradLog.get(), type, n), roundedTo(dlx, type),
                scaled(dlx, type, axis, axis), "log_softmax_grad " + what);
  }
}

TEST_P(Normalization, LayerNormAndGradient) {
  mpc_dtype type = GetParam();
  // A row per block; several rows per block (more rows than the launch's
  // blocks); partials too wide for shared memory, accumulated in the scratch.
  for (auto [rows, cols] : {std::pair<int64_t, int64_t>{7, 96},
                            {33, 1000},
                            {1000, 768},
                            {5, 6000}}) {
    int64_t n = rows * cols;
    std::vector<float> x = randomValues(n, -3, 5, 7, type);
    std::vector<float> dy = randomValues(n, -1, 1, 8, type);
    std::vector<float> gamma = randomValues(cols, 0.5, 1.5, 9, MPC_F32);
    std::vector<float> beta = randomValues(cols, -0.5, 0.5, 10, MPC_F32);
    std::vector<float> y(n), dx(n), dgamma(cols), dbeta(cols);
    double eps = 1e-5;
    cpu::layerNorm(x.data(), gamma.data(), beta.data(), y.data(), rows, cols,
                   eps);
    cpu::layerNormGrad(dy.data(), x.data(), gamma.data(), dx.data(),
                       dgamma.data(), dbeta.data(), rows, cols, eps);
    DeviceBuffer dX = upload(x, type), dDy = upload(dy, type);
    DeviceBuffer dGamma = upload(gamma, MPC_F32), dBeta = upload(beta, MPC_F32);
    DeviceBuffer out(n * 4), grad(n * 4), gGamma(cols * 4), gBeta(cols * 4);
    ok(mpc_rt_layer_norm(rt, dX.get(), type, dGamma.get(), dBeta.get(), MPC_F32,
                         out.get(), type, rows, cols, eps));
    ok(mpc_rt_layer_norm_grad(rt, dDy.get(), dX.get(), type, dGamma.get(),
                              MPC_F32, grad.get(), type, gGamma.get(),
                              gBeta.get(), rows, cols, eps));
    // Again, into poisoned buffers: the launch before must have left the
    // last-block counter at zero, and the sums are deterministic.
    DeviceBuffer grad2 = poisoned(n * 4), gGamma2 = poisoned(cols * 4),
                 gBeta2 = poisoned(cols * 4);
    ok(mpc_rt_layer_norm_grad(rt, dDy.get(), dX.get(), type, dGamma.get(),
                              MPC_F32, grad2.get(), type, gGamma2.get(),
                              gBeta2.get(), rows, cols, eps));
    sync();
    std::string what = std::string(typeName(type)) + " " +
                       std::to_string(rows) + "x" + std::to_string(cols);
    // Row statistics are in double on both sides: y differs by the final
    // roundings only.
    expectClose(download(out.get(), type, n), roundedTo(y, type),
                scaled(y, type, 1, 1), "layer_norm " + what);
    expectClose(download(grad.get(), type, n), roundedTo(dx, type),
                scaled(dx, type, 1, 1), "layer_norm_grad dx " + what);
    // dgamma, dbeta: f32 column sums over the rows in another order.
    expectClose(download(gGamma.get(), MPC_F32, cols), dgamma,
                tolerance(MPC_F32, rows, 3.0 * rows), "dgamma " + what);
    expectClose(download(gBeta.get(), MPC_F32, cols), dbeta,
                tolerance(MPC_F32, rows, 1.0 * rows), "dbeta " + what);
    expectBitEqual(download(grad2.get(), type, n),
                   download(grad.get(), type, n),
                   "second layer_norm_grad dx " + what);
    expectBitEqual(download(gGamma2.get(), MPC_F32, cols),
                   download(gGamma.get(), MPC_F32, cols),
                   "second dgamma " + what);
    expectBitEqual(download(gBeta2.get(), MPC_F32, cols),
                   download(gBeta.get(), MPC_F32, cols),
                   "second dbeta " + what);
  }
}

// mpc-fuse's forms of the residual stream's layer norm: the add merged into
// it (mpc.add_layer_norm), and the 16-bit input read by f32 gradients.
TEST_P(Normalization, ResidualAddAndNarrowInputForms) {
  mpc_dtype type = GetParam();
  for (auto [rows, cols] :
       {std::pair<int64_t, int64_t>{7, 96}, {64, 768}, {3, 9000}}) {
    int64_t n = rows * cols;
    std::vector<float> a = randomValues(n, -3, 3, 11, type);
    std::vector<float> b = randomValues(n, -2, 4, 12, type);
    std::vector<float> dy = randomValues(n, -1, 1, 13, MPC_F32);
    std::vector<float> gamma = randomValues(cols, 0.5, 1.5, 14, MPC_F32);
    std::vector<float> beta = randomValues(cols, -0.5, 0.5, 15, MPC_F32);
    std::vector<float> sum(n), y(n), dx(n), dgamma(cols), dbeta(cols);
    for (int64_t i = 0; i < n; ++i)
      sum[i] = a[i] + b[i];
    sum = roundedTo(sum, type);
    double eps = 1e-5;
    cpu::layerNorm(sum.data(), gamma.data(), beta.data(), y.data(), rows, cols,
                   eps);
    cpu::layerNormGrad(dy.data(), sum.data(), gamma.data(), dx.data(),
                       dgamma.data(), dbeta.data(), rows, cols, eps);
    DeviceBuffer dA = upload(a, type), dB = upload(b, type);
    DeviceBuffer dDy = upload(dy, MPC_F32);
    DeviceBuffer dGamma = upload(gamma, MPC_F32), dBeta = upload(beta, MPC_F32);
    DeviceBuffer dSum = poisoned(n * 4), out = poisoned(n * 4),
                 alone = poisoned(n * 4), grad(n * 4), gGamma(cols * 4),
                 gBeta(cols * 4);
    ok(mpc_rt_add_layer_norm(rt, dA.get(), dB.get(), type, dSum.get(),
                             dGamma.get(), dBeta.get(), MPC_F32, out.get(),
                             type, rows, cols, eps));
    ok(mpc_rt_layer_norm(rt, dSum.get(), type, dGamma.get(), dBeta.get(),
                         MPC_F32, alone.get(), type, rows, cols, eps));
    ok(mpc_rt_layer_norm_grad(rt, dDy.get(), dSum.get(), type, dGamma.get(),
                              MPC_F32, grad.get(), MPC_F32, gGamma.get(),
                              gBeta.get(), rows, cols, eps));
    sync();
    std::string what = std::string(typeName(type)) + " " +
                       std::to_string(rows) + "x" + std::to_string(cols);
    // The sum is one rounded f32 add, as on the CPU; the merged op
    // normalizes it exactly as layer_norm does.
    expectBitEqual(download(dSum.get(), type, n), sum, "sum " + what);
    expectBitEqual(download(out.get(), type, n), download(alone.get(), type, n),
                   "add_layer_norm vs layer_norm " + what);
    expectClose(download(out.get(), type, n), roundedTo(y, type),
                scaled(y, type, 1, 1), "add_layer_norm " + what);
    expectClose(download(grad.get(), MPC_F32, n), dx, scaled(dx, MPC_F32, 1, 1),
                "narrow-input dx " + what);
    expectClose(download(gGamma.get(), MPC_F32, cols), dgamma,
                tolerance(MPC_F32, rows, 3.0 * rows), "dgamma " + what);
    expectClose(download(gBeta.get(), MPC_F32, cols), dbeta,
                tolerance(MPC_F32, rows, 1.0 * rows), "dbeta " + what);
  }
}

TEST_P(Normalization, RmsNormAndGradient) {
  mpc_dtype type = GetParam();
  // As for layer norm: a row per block, several, and partials in the scratch.
  for (auto [rows, cols] : {std::pair<int64_t, int64_t>{7, 96},
                            {33, 1000},
                            {1000, 768},
                            {5, 12000}}) {
    int64_t n = rows * cols;
    std::vector<float> x = randomValues(n, -3, 5, 11, type);
    std::vector<float> dy = randomValues(n, -1, 1, 12, type);
    std::vector<float> weight = randomValues(cols, 0.5, 1.5, 13, MPC_F32);
    std::vector<float> y(n), dx(n), dweight(cols);
    double eps = 1e-6;
    cpu::rmsNorm(x.data(), weight.data(), y.data(), rows, cols, eps);
    cpu::rmsNormGrad(dy.data(), x.data(), weight.data(), dx.data(),
                     dweight.data(), rows, cols, eps);
    DeviceBuffer dX = upload(x, type), dDy = upload(dy, type);
    DeviceBuffer dWeight = upload(weight, MPC_F32);
    DeviceBuffer out(n * 4), grad(n * 4), gWeight(cols * 4);
    ok(mpc_rt_rms_norm(rt, dX.get(), type, dWeight.get(), MPC_F32, out.get(),
                       type, rows, cols, eps));
    ok(mpc_rt_rms_norm_grad(rt, dDy.get(), dX.get(), type, dWeight.get(),
                            MPC_F32, grad.get(), type, gWeight.get(), rows,
                            cols, eps));
    DeviceBuffer grad2 = poisoned(n * 4), gWeight2 = poisoned(cols * 4);
    ok(mpc_rt_rms_norm_grad(rt, dDy.get(), dX.get(), type, dWeight.get(),
                            MPC_F32, grad2.get(), type, gWeight2.get(), rows,
                            cols, eps));
    sync();
    std::string what = std::string(typeName(type)) + " " +
                       std::to_string(rows) + "x" + std::to_string(cols);
    // The row statistic is in double on both sides (runtime/core/
    // RmsNormMath.h): y and dx differ by the final roundings only.
    expectClose(download(out.get(), type, n), roundedTo(y, type),
                scaled(y, type, 1, 1), "rms_norm " + what);
    expectClose(download(grad.get(), type, n), roundedTo(dx, type),
                scaled(dx, type, 1, 1), "rms_norm_grad dx " + what);
    // dweight: f32 column sums over the rows in another order.
    expectClose(download(gWeight.get(), MPC_F32, cols), dweight,
                tolerance(MPC_F32, rows, 3.0 * rows), "dweight " + what);
    expectBitEqual(download(grad2.get(), type, n),
                   download(grad.get(), type, n),
                   "second rms_norm_grad dx " + what);
    expectBitEqual(download(gWeight2.get(), MPC_F32, cols),
                   download(gWeight.get(), MPC_F32, cols),
                   "second dweight " + what);
  }
}

TEST_P(Normalization, GradientsFailCleanlyWhenOneBlockExceedsTheScratch) {
  mpc_dtype type = GetParam();
  // One block's partials: 2 x 96 f32 (768 bytes) for layer norm, 1 x 96
  // (384) for RMS norm; the scratch holds 300.
  useScratchBytes(300);
  int64_t rows = 4, cols = 96;
  DeviceBuffer buffer(rows * cols * 4), param(cols * 4), grad(cols * 4);
  EXPECT_NE(mpc_rt_layer_norm_grad(rt, buffer.get(), buffer.get(), type,
                                   param.get(), MPC_F32, buffer.get(), type,
                                   grad.get(), grad.get(), rows, cols, 1e-5),
            0);
  EXPECT_EQ(std::string(mpc_rt_last_error(rt)),
            "mpc_rt_layer_norm_grad: 4 x 96 needs 768 bytes of scratch, the "
            "context has 300");
  EXPECT_NE(mpc_rt_rms_norm_grad(rt, buffer.get(), buffer.get(), type,
                                 param.get(), MPC_F32, buffer.get(), type,
                                 grad.get(), rows, cols, 1e-6),
            0);
  EXPECT_EQ(std::string(mpc_rt_last_error(rt)),
            "mpc_rt_rms_norm_grad: 4 x 96 needs 384 bytes of scratch, the "
            "context has 300");
}

INSTANTIATE_TEST_SUITE_P(Types, Normalization,
                         ::testing::Values(MPC_F32, MPC_F16, MPC_BF16));

} // namespace
