//===- MultiTensorTest.cpp - unscale, clip and loss-scale update vs CPU ---===//

#include "GpuTestUtil.h"

#include "runtime/cpu/kernels/Kernels.h"

#include <cmath>
#include <limits>

using namespace mpc::gputest;
namespace cpu = mpc::cpu;

namespace {

/// Tensors of assorted sizes (vector bodies, scalar tails, several chunks,
/// more tensors than one launch takes) in `type`.
std::vector<std::vector<float>> gradients(mpc_dtype type, int count) {
  std::vector<std::vector<float>> grads;
  for (int t = 0; t < count; ++t)
    grads.push_back(
        randomValues((t * 2731) % 20011 + 1, -100, 100, 100 + t, type));
  return grads;
}

class MultiTensor : public GpuTest,
                    public ::testing::WithParamInterface<mpc_dtype> {};

TEST_P(MultiTensor, UnscaleAndCheckIsExact) {
  mpc_dtype type = GetParam();
  auto grads = gradients(type, 60);
  for (float scale : {65536.0f, 3000.0f}) {
    for (bool poison : {false, true}) {
      std::vector<DeviceBuffer> ins, outs;
      std::vector<mpc_tensor_ref> refs;
      for (size_t t = 0; t < grads.size(); ++t) {
        std::vector<float> g = grads[t];
        if (poison && t == 41)
          g[g.size() / 2] = std::numeric_limits<float>::infinity();
        ins.push_back(upload(g, type));
        outs.emplace_back(g.size() * 4);
        refs.push_back({ins.back().get(), outs.back().get(), type, MPC_F32,
                        static_cast<int64_t>(g.size())});
      }
      DeviceBuffer dScale = upload({scale}, MPC_F32), found(1);
      ok(mpc_rt_unscale_and_check(rt, refs.data(),
                                  static_cast<int>(refs.size()),
                                  dScale.as<float>(), found.as<uint8_t>()));
      sync();
      EXPECT_EQ(downloadBytes(found.get(), 1)[0], poison ? 1 : 0);
      float inverse = cpu::inverseLossScale(scale);
      for (size_t t = 0; t < grads.size(); ++t) {
        if (poison && t == 41)
          continue;
        std::vector<float> want(grads[t].size());
        cpu::unscaleAndCheck(grads[t].data(), want.data(),
                             static_cast<int64_t>(want.size()), inverse);
        expectBitEqual(download(outs[t].get(), MPC_F32, want.size()), want,
                       "unscale tensor " + std::to_string(t));
      }
    }
  }
}

TEST_P(MultiTensor, ClipByGlobalNorm) {
  mpc_dtype type = GetParam();
  auto grads = gradients(type, 53);
  std::vector<const float *> pointers;
  std::vector<int64_t> sizes;
  std::vector<DeviceBuffer> buffers;
  std::vector<mpc_tensor_ref> refs;
  for (auto &g : grads) {
    pointers.push_back(g.data());
    sizes.push_back(static_cast<int64_t>(g.size()));
    buffers.push_back(upload(g, type));
    refs.push_back({buffers.back().get(), buffers.back().get(), type, type,
                    static_cast<int64_t>(g.size())});
  }
  float norm = cpu::globalNorm(pointers, sizes);
  float maxNorm = 1.0f;
  float coefficient = cpu::clipCoefficient(norm, maxNorm);
  DeviceBuffer dNorm(4);
  ok(mpc_rt_clip_by_global_norm(rt, refs.data(), static_cast<int>(refs.size()),
                                maxNorm, dNorm.as<float>()));
  sync();
  // Sums of squares in double on both sides: the norm and so the
  // coefficient agree to the last f32 rounding.
  float gotNorm = download(dNorm.get(), MPC_F32, 1)[0];
  EXPECT_NEAR(gotNorm, norm, std::ldexp(norm, -23));
  for (size_t t = 0; t < grads.size(); ++t) {
    std::vector<float> want = grads[t];
    cpu::scaleInPlace(want.data(), sizes[t], coefficient);
    std::vector<double> tol(want.size());
    for (size_t i = 0; i < want.size(); ++i)
      tol[i] = tolerance(type, 1, std::fabs(want[i]));
    expectClose(download(buffers[t].get(), type, want.size()),
                roundedTo(want, type), tol, "clip tensor " + std::to_string(t));
  }
}

INSTANTIATE_TEST_SUITE_P(Types, MultiTensor,
                         ::testing::Values(MPC_F32, MPC_F16, MPC_BF16));

TEST_F(GpuTest, LossScaleUpdateFollowsTheCpuExactly) {
  cpu::LossScaleConfig config{2.0, 3, 0.5, 2, 1.0, 65536.0 * 4};
  float scale = 65536.0f, good = 0.0f, hysteresis = 2.0f;
  float state[3] = {scale, good, hysteresis};
  DeviceBuffer dState = uploadBytes(state, sizeof state), flag(1);
  // Overflows, clean runs long enough to grow into the cap, more overflows
  // down to the floor.
  std::vector<bool> pattern;
  for (int i = 0; i < 12; ++i)
    pattern.push_back(false);
  for (int i = 0; i < 40; ++i)
    pattern.push_back(i % 7 != 3);
  for (bool overflow : pattern) {
    uint8_t value = overflow;
    ASSERT_EQ(
        cudaMemcpyAsync(flag.get(), &value, 1, cudaMemcpyHostToDevice, stream),
        cudaSuccess);
    float *s = dState.as<float>();
    ok(mpc_rt_update_loss_scale(rt, s, s + 1, s + 2, flag.as<uint8_t>(),
                                config.growthFactor, config.growthInterval,
                                config.backoffFactor, config.hysteresis,
                                config.minScale, config.maxScale));
    sync();
    cpu::updateLossScale(scale, good, hysteresis, overflow, config);
    expectBitEqual(download(dState.get(), MPC_F32, 3),
                   {scale, good, hysteresis}, "loss scale state");
  }
}

} // namespace
