//===- AttentionTest.cpp - fused causal attention vs the CPU reference ----===//
//
// mpc_rt_causal_attention and its gradient against runtime/cpu/kernels'
// causalAttention and causalAttentionGrad on the same rounded inputs, for
// head dims that fill an instance exactly (16, 64) and that are padded
// (24, 100), and lengths that end inside a block of 64 rows and a key tile.
//
//===----------------------------------------------------------------------===//

#include "GpuTestUtil.h"

#include "runtime/cpu/kernels/Kernels.h"

#include <algorithm>
#include <cmath>

using namespace mpc::gputest;
namespace cpu = mpc::cpu;

namespace {

class Attention : public GpuTest,
                  public ::testing::WithParamInterface<mpc_dtype> {
protected:
  /// Runs both entry points on several shapes and compares them with the
  /// reference.
  void expectMatchesReference(mpc_dtype type);
};

/// Per element: `tolerance` for a reduction over `k` terms whose magnitude
/// is bounded by `bound`, plus the element's own rounding.
std::vector<double> bounds(const std::vector<float> &want, mpc_dtype type,
                           int64_t k, double bound) {
  std::vector<double> tol(want.size());
  for (size_t i = 0; i < want.size(); ++i)
    tol[i] = tolerance(type, k, std::fabs(want[i]) + bound);
  return tol;
}

double maxAbs(const std::vector<float> &values) {
  double max = 0;
  for (float value : values)
    max = std::max(max, double(std::fabs(value)));
  return max;
}

void Attention::expectMatchesReference(mpc_dtype type) {
  for (auto [heads, length, dim] :
       {std::tuple<int64_t, int64_t, int64_t>{3, 70, 16},
        {2, 130, 24},
        {2, 65, 64},
        {1, 40, 100}}) {
    int64_t n = heads * length * dim, rows = heads * length;
    float scale = static_cast<float>(1.0 / std::sqrt(double(dim)));
    std::vector<float> q = randomValues(n, -2, 2, 1, type);
    std::vector<float> k = randomValues(n, -2, 2, 2, type);
    std::vector<float> v = randomValues(n, -1, 1, 3, type);
    std::vector<float> dout = randomValues(n, -1, 1, 4, type);
    std::vector<float> out(n), lse(rows), dq(n), dk(n), dv(n);
    cpu::causalAttention(q.data(), k.data(), v.data(), out.data(), lse.data(),
                         heads, length, dim, scale);
    out = roundedTo(out, type);
    cpu::causalAttentionGrad(dout.data(), q.data(), k.data(), v.data(),
                             lse.data(), dq.data(), dk.data(), dv.data(), heads,
                             length, dim, scale);
    DeviceBuffer dQ = upload(q, type), dK = upload(k, type),
                 dV = upload(v, type), dDout = upload(dout, type);
    DeviceBuffer dLse = upload(lse, MPC_F32);
    DeviceBuffer gOut(n * 4), gLse(rows * 4), gDq(n * 4), gDk(n * 4),
        gDv(n * 4);
    ok(mpc_rt_causal_attention(rt, dQ.get(), dK.get(), dV.get(), gOut.get(),
                               gLse.as<float>(), type, heads, length, dim,
                               scale));
    // The gradient reads the reference's statistics, so that it is checked
    // alone.
    ok(mpc_rt_causal_attention_grad(
        rt, dDout.get(), dQ.get(), dK.get(), dV.get(), dLse.as<float>(),
        gDq.get(), gDk.get(), gDv.get(), type, heads, length, dim, scale));
    sync();
    std::string what = std::string(typeName(type)) + " " +
                       std::to_string(heads) + "x" + std::to_string(length) +
                       "x" + std::to_string(dim);
    // The output is a convex combination of values in [-1, 1]; the scores
    // are at most dim * 4 * scale in magnitude, the log-sum-exp sums up to
    // `length` terms.
    expectClose(download(gOut.get(), type, n), out,
                bounds(out, type, length, 1), "out " + what);
    expectClose(download(gLse.get(), MPC_F32, rows), lse,
                bounds(lse, MPC_F32, dim + length, 4 * dim * scale),
                "lse " + what);
    // Each gradient sums up to `length` terms of at most the largest
    // reference magnitude.
    expectClose(download(gDq.get(), type, n), roundedTo(dq, type),
                bounds(dq, type, length * dim, maxAbs(dq)), "dq " + what);
    expectClose(download(gDk.get(), type, n), roundedTo(dk, type),
                bounds(dk, type, length * dim, maxAbs(dk)), "dk " + what);
    expectClose(download(gDv.get(), type, n), roundedTo(dv, type),
                bounds(dv, type, length, maxAbs(dv)), "dv " + what);
  }
}

TEST_P(Attention, ForwardAndGradientMatchTheReference) {
  expectMatchesReference(GetParam());
}

// A scratch of 130 rows' D: the gradient runs one head per launch pair.
TEST_P(Attention, GradientInChunksOfHeadsMatchesTheReference) {
  useScratchBytes(130 * sizeof(float));
  expectMatchesReference(GetParam());
}

TEST_P(Attention, RejectsAHeadDimBeyondTheKernels) {
  mpc_dtype type = GetParam();
  DeviceBuffer buffer(129 * 4 * 4);
  EXPECT_NE(mpc_rt_causal_attention(rt, buffer.get(), buffer.get(),
                                    buffer.get(), buffer.get(),
                                    buffer.as<float>(), type, 1, 4, 129, 1.0),
            0);
  EXPECT_NE(std::string(mpc_rt_last_error(rt)).find("head dim 129"),
            std::string::npos)
      << mpc_rt_last_error(rt);
}

INSTANTIATE_TEST_SUITE_P(Types, Attention,
                         ::testing::Values(MPC_F32, MPC_F16, MPC_BF16));

} // namespace
