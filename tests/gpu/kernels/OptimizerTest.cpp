//===- OptimizerTest.cpp - SGD, momentum and AdamW vs the CPU -------------===//
//
// The updates are elementwise f32 arithmetic without fused multiply-adds on
// both sides, so they agree bit for bit (AdamW's double scalar factors use
// the device's pow, which may differ in the last double bit: a few f32 ulp
// are allowed there). A set skip_if flag must leave every array untouched.
// A learning-rate schedule is followed on the device from the step count.
// The multi-tensor AdamW computes each tensor's update with the same
// functions as the one-tensor kernel, so their params agree bit for bit and
// their moments are the CPU's; its copies are the updated masters rounded
// to their dtype.
//
//===----------------------------------------------------------------------===//

#include "GpuTestUtil.h"

#include "runtime/core/ScalarMath.h"
#include "runtime/cpu/kernels/Kernels.h"

#include <cmath>

using namespace mpc::gputest;
namespace cpu = mpc::cpu;

namespace {

constexpr mpc_lr_schedule kConstant{MPC_LR_CONSTANT, 0, 0, 0.0, 0, 1.0};

class Optimizer : public GpuTest,
                  public ::testing::WithParamInterface<mpc_dtype> {
protected:
  // 8-aligned bodies with a tail, and an odd start for the scalar path.
  static constexpr int64_t kN = 10007;
};

TEST_P(Optimizer, SgdAndMomentumAreExact) {
  mpc_dtype type = GetParam();
  std::vector<float> param = randomValues(kN, -1, 1, 20);
  std::vector<float> grad = randomValues(kN, -1, 1, 21, type);
  std::vector<float> buffer = randomValues(kN, -1, 1, 22);
  for (int64_t offset : {0, 1}) {
    int64_t n = kN - offset;
    std::vector<float> p(param.begin() + offset, param.end());
    std::vector<float> b(buffer.begin() + offset, buffer.end());
    std::vector<float> g(grad.begin() + offset, grad.end());
    DeviceBuffer dp = upload(param, MPC_F32), dg = upload(grad, type);
    DeviceBuffer dp2 = upload(param, MPC_F32), db = upload(buffer, MPC_F32);
    float *pp = dp.as<float>() + offset, *pp2 = dp2.as<float>() + offset;
    const char *gp = dg.as<char>() + offset * sizeOf(type);
    ok(mpc_rt_sgd(rt, pp, gp, type, n, nullptr, 0.01, kConstant, 0.1, nullptr));
    ok(mpc_rt_momentum(rt, pp2, gp, type, db.as<float>() + offset, n, nullptr,
                       0.01, kConstant, 0.9, 0.1, nullptr));
    sync();
    std::vector<float> p2 = p;
    cpu::sgdUpdate(p.data(), g.data(), n, 0.01f, 0.1f);
    cpu::momentumUpdate(p2.data(), g.data(), b.data(), n, 0.01f, 0.9f, 0.1f);
    std::string what =
        std::string(typeName(type)) + " offset " + std::to_string(offset);
    expectBitEqual(download(pp, MPC_F32, n), p, "sgd " + what);
    expectBitEqual(download(pp2, MPC_F32, n), p2, "momentum param " + what);
    expectBitEqual(download(db.as<float>() + offset, MPC_F32, n), b,
                   "momentum buffer " + what);
  }
}

TEST_P(Optimizer, AdamwMatchesAndSkipLeavesStateUntouched) {
  mpc_dtype type = GetParam();
  std::vector<float> param = randomValues(kN, -1, 1, 23);
  std::vector<float> m = randomValues(kN, -0.1f, 0.1f, 24);
  std::vector<float> v = randomValues(kN, 0, 0.01f, 25);
  std::vector<float> grad = randomValues(kN, -1, 1, 26, type);
  DeviceBuffer dp = upload(param, MPC_F32), dm = upload(m, MPC_F32);
  DeviceBuffer dv = upload(v, MPC_F32), dg = upload(grad, type);
  DeviceBuffer dStep = upload({5.0f}, MPC_F32);
  uint8_t flags[2] = {1, 0};
  DeviceBuffer dFlags = uploadBytes(flags, 2);
  // Skipped: every array keeps its bits, for all three optimizers.
  ok(mpc_rt_adamw(rt, dp.as<float>(), dg.get(), type, dm.as<float>(),
                  dv.as<float>(), kN, dStep.as<float>(), 1e-3, kConstant, 0.9,
                  0.999, 1e-8, 0.01, dFlags.as<uint8_t>()));
  ok(mpc_rt_sgd(rt, dp.as<float>(), dg.get(), type, kN, nullptr, 0.1, kConstant,
                0.0, dFlags.as<uint8_t>()));
  ok(mpc_rt_momentum(rt, dp.as<float>(), dg.get(), type, dm.as<float>(), kN,
                     nullptr, 0.1, kConstant, 0.9, 0.0, dFlags.as<uint8_t>()));
  sync();
  expectBitEqual(download(dp.get(), MPC_F32, kN), param, "skipped param");
  expectBitEqual(download(dm.get(), MPC_F32, kN), m, "skipped m");
  expectBitEqual(download(dv.get(), MPC_F32, kN), v, "skipped v");
  // Not skipped (flag 0).
  ok(mpc_rt_adamw(rt, dp.as<float>(), dg.get(), type, dm.as<float>(),
                  dv.as<float>(), kN, dStep.as<float>(), 1e-3, kConstant, 0.9,
                  0.999, 1e-8, 0.01, dFlags.as<uint8_t>() + 1));
  sync();
  cpu::adamwUpdate(param.data(), grad.data(), m.data(), v.data(), kN, 5, 1e-3,
                   0.9, 0.999, 1e-8, 0.01);
  std::vector<double> tol(kN);
  for (int64_t i = 0; i < kN; ++i)
    tol[i] = std::ldexp(std::fabs(param[i]) + 1e-3, -21);
  expectClose(download(dp.get(), MPC_F32, kN), param, tol, "adamw param");
  expectBitEqual(download(dm.get(), MPC_F32, kN), m, "adamw m");
  expectBitEqual(download(dv.get(), MPC_F32, kN), v, "adamw v");
}

TEST_P(Optimizer, ScheduledRatesFollowTheDeviceStepCount) {
  mpc_dtype type = GetParam();
  std::vector<float> param = randomValues(kN, -1, 1, 30);
  std::vector<float> grad = randomValues(kN, -1, 1, 31, type);
  std::vector<float> m = randomValues(kN, -0.1f, 0.1f, 32);
  std::vector<float> v = randomValues(kN, 0, 0.01f, 33);
  // Step 7 of a cosine schedule after 3 warmup steps: a rate below the peak.
  const mpc_lr_schedule cosine{MPC_LR_COSINE, 3, 20, 0.1, 0, 1.0};
  double rate = mpc::math::scheduledLearningRate(0.1, cosine, 7.0);
  ASSERT_LT(rate, 0.1);
  DeviceBuffer dStep = upload({7.0f}, MPC_F32);
  DeviceBuffer dp = upload(param, MPC_F32), dg = upload(grad, type);
  DeviceBuffer dp2 = upload(param, MPC_F32), db = upload(m, MPC_F32);
  DeviceBuffer dp3 = upload(param, MPC_F32), dm = upload(m, MPC_F32);
  DeviceBuffer dv = upload(v, MPC_F32);
  ok(mpc_rt_sgd(rt, dp.as<float>(), dg.get(), type, kN, dStep.as<float>(), 0.1,
                cosine, 0.01, nullptr));
  ok(mpc_rt_momentum(rt, dp2.as<float>(), dg.get(), type, db.as<float>(), kN,
                     dStep.as<float>(), 0.1, cosine, 0.9, 0.01, nullptr));
  ok(mpc_rt_adamw(rt, dp3.as<float>(), dg.get(), type, dm.as<float>(),
                  dv.as<float>(), kN, dStep.as<float>(), 0.1, cosine, 0.9,
                  0.999, 1e-8, 0.01, nullptr));
  sync();
  std::vector<float> p = param, p2 = param, p3 = param, b = m, m3 = m, v3 = v;
  cpu::sgdUpdate(p.data(), grad.data(), kN, static_cast<float>(rate), 0.01f);
  cpu::momentumUpdate(p2.data(), grad.data(), b.data(), kN,
                      static_cast<float>(rate), 0.9f, 0.01f);
  cpu::adamwUpdate(p3.data(), grad.data(), m3.data(), v3.data(), kN, 7, rate,
                   0.9, 0.999, 1e-8, 0.01);
  expectBitEqual(download(dp.get(), MPC_F32, kN), p, "scheduled sgd");
  expectBitEqual(download(dp2.get(), MPC_F32, kN), p2, "scheduled momentum");
  std::vector<double> tol(kN);
  for (int64_t i = 0; i < kN; ++i)
    tol[i] = std::ldexp(std::fabs(p3[i]) + 1e-3, -21);
  expectClose(download(dp3.get(), MPC_F32, kN), p3, tol, "scheduled adamw");
  // A schedule without the step count is refused.
  EXPECT_EQ(mpc_rt_sgd(rt, dp.as<float>(), dg.get(), type, kN, nullptr, 0.1,
                       cosine, 0.0, nullptr),
            -1);
}

TEST_P(Optimizer, MultiTensorAdamwMatchesPerTensorAndWritesCopies) {
  mpc_dtype type = GetParam();
  // One chunk with a tail, one element, several chunks, an empty tensor;
  // the second starts at an odd element for the scalar path.
  const int64_t sizes[] = {kN, 1, 3 * 8192 + 5, 0};
  const int64_t offsets[] = {0, 1, 0, 0};
  const double decays[] = {0.01, 0.0, 0.1, 0.0};
  const mpc_dtype copyTypes[] = {MPC_BF16, MPC_F32, MPC_F16, MPC_F32};
  const bool hasCopy[] = {true, false, true, false};
  constexpr int kTensors = 4;
  struct Arrays {
    DeviceBuffer p, m, v, g, copy;
  };
  std::vector<Arrays> single, multi;
  // The CPU's moments and gradients, from each tensor's first element.
  std::vector<std::vector<float>> cpuM, cpuV, cpuG, cpuP;
  for (int t = 0; t < kTensors; ++t) {
    size_t n = static_cast<size_t>(sizes[t] + offsets[t]) + 1;
    std::vector<float> p = randomValues(n, -1, 1, 40 + t);
    std::vector<float> m = randomValues(n, -0.1f, 0.1f, 50 + t);
    std::vector<float> v = randomValues(n, 0, 0.01f, 60 + t);
    std::vector<float> g = randomValues(n, -1, 1, 70 + t, type);
    auto from = static_cast<std::ptrdiff_t>(offsets[t]);
    cpuP.emplace_back(p.begin() + from, p.begin() + from + sizes[t]);
    cpuM.emplace_back(m.begin() + from, m.begin() + from + sizes[t]);
    cpuV.emplace_back(v.begin() + from, v.begin() + from + sizes[t]);
    cpuG.emplace_back(g.begin() + from, g.begin() + from + sizes[t]);
    for (auto *set : {&single, &multi})
      set->push_back({upload(p, MPC_F32), upload(m, MPC_F32),
                      upload(v, MPC_F32), upload(g, type),
                      upload(std::vector<float>(n, 0.0f), copyTypes[t])});
  }
  auto at = [&](DeviceBuffer &buffer, int t, mpc_dtype dtype) {
    return buffer.as<char>() + offsets[t] * sizeOf(dtype);
  };
  std::vector<mpc_adamw_tensor> table;
  for (int t = 0; t < kTensors; ++t) {
    Arrays &a = multi[t];
    table.push_back({reinterpret_cast<float *>(at(a.p, t, MPC_F32)),
                     reinterpret_cast<float *>(at(a.m, t, MPC_F32)),
                     reinterpret_cast<float *>(at(a.v, t, MPC_F32)),
                     at(a.g, t, type),
                     hasCopy[t] ? at(a.copy, t, copyTypes[t]) : nullptr, type,
                     copyTypes[t], sizes[t], decays[t]});
  }
  const mpc_lr_schedule cosine{MPC_LR_COSINE, 1, 10, 0.1, 0, 1.0};
  uint8_t flags[2] = {0, 1};
  DeviceBuffer dFlags = uploadBytes(flags, 2);
  // Three steps, then one skipped: the copies follow the masters, and a
  // skipped step leaves masters, moments and copies as they were.
  for (float step : {1.0f, 2.0f, 3.0f, 4.0f}) {
    bool skipped = step == 4.0f;
    const uint8_t *skip = dFlags.as<uint8_t>() + (skipped ? 1 : 0);
    DeviceBuffer dStep = upload({step}, MPC_F32);
    for (int t = 0; t < kTensors; ++t) {
      Arrays &a = single[t];
      ok(mpc_rt_adamw(
          rt, reinterpret_cast<float *>(at(a.p, t, MPC_F32)), at(a.g, t, type),
          type, reinterpret_cast<float *>(at(a.m, t, MPC_F32)),
          reinterpret_cast<float *>(at(a.v, t, MPC_F32)), sizes[t],
          dStep.as<float>(), 1e-3, cosine, 0.9, 0.999, 1e-8, decays[t], skip));
    }
    ok(mpc_rt_adamw_multi(rt, table.data(), kTensors, dStep.as<float>(), 1e-3,
                          cosine, 0.9, 0.999, 1e-8, skip));
    sync();
    if (!skipped)
      for (int t = 0; t < kTensors; ++t)
        cpu::adamwUpdate(cpuP[t].data(), cpuG[t].data(), cpuM[t].data(),
                         cpuV[t].data(), sizes[t], static_cast<int64_t>(step),
                         mpc::math::scheduledLearningRate(1e-3, cosine, step),
                         0.9, 0.999, 1e-8, decays[t]);
    for (int t = 0; t < kTensors; ++t) {
      if (sizes[t] == 0)
        continue;
      std::string what = std::string(typeName(type)) + " tensor " +
                         std::to_string(t) + " step " +
                         std::to_string(static_cast<int>(step));
      auto n = static_cast<size_t>(sizes[t]);
      std::vector<float> p = download(at(single[t].p, t, MPC_F32), MPC_F32, n);
      expectBitEqual(download(at(multi[t].p, t, MPC_F32), MPC_F32, n), p,
                     "param " + what);
      // The moments do not depend on the device's pow: the CPU's bits.
      expectBitEqual(download(at(multi[t].m, t, MPC_F32), MPC_F32, n), cpuM[t],
                     "m " + what);
      expectBitEqual(download(at(multi[t].v, t, MPC_F32), MPC_F32, n), cpuV[t],
                     "v " + what);
      std::vector<float> copy =
          download(at(multi[t].copy, t, copyTypes[t]), copyTypes[t], n);
      if (hasCopy[t])
        expectBitEqual(copy, roundedTo(p, copyTypes[t]), "copy " + what);
      else
        expectBitEqual(copy, std::vector<float>(n, 0.0f), "no copy " + what);
    }
  }
  // Bad tables are refused before anything runs.
  mpc_adamw_tensor broken = table[0];
  broken.m = nullptr;
  EXPECT_EQ(mpc_rt_adamw_multi(rt, &broken, 1, nullptr, 1e-3, cosine, 0.9,
                               0.999, 1e-8, nullptr),
            -1);
  EXPECT_EQ(mpc_rt_adamw_multi(rt, &broken, 1, table[0].param, 1e-3, cosine,
                               0.9, 0.999, 1e-8, nullptr),
            -1);
}

INSTANTIATE_TEST_SUITE_P(Types, Optimizer,
                         ::testing::Values(MPC_F32, MPC_F16, MPC_BF16));

} // namespace
