//===- GemmTest.cpp - mpc_rt_gemm against the CPU matmul ------------------===//
//
// Every epilogue, every transpose combination, single, batched and
// broadcast-batch products, 16-bit and f32 inputs with every output type,
// against cpu::matmul followed by the CPU unary ops, each step rounded to the
// tensor types as the CPU executor rounds them.
//
//===----------------------------------------------------------------------===//

#include "GpuTestUtil.h"

#include "runtime/cpu/kernels/Kernels.h"

#include <cmath>
#include <tuple>

using namespace mpc::gputest;
namespace cpu = mpc::cpu;

namespace {

bool hasBias(mpc_epilogue e) {
  return e == MPC_EPILOGUE_BIAS || e == MPC_EPILOGUE_RELU_BIAS ||
         e == MPC_EPILOGUE_GELU_BIAS || e == MPC_EPILOGUE_GELU_AUX_BIAS;
}
bool writesAux(mpc_epilogue e) {
  return e == MPC_EPILOGUE_GELU_AUX || e == MPC_EPILOGUE_GELU_AUX_BIAS;
}

/// The batch layouts: one matrix pair, a batch of pairs, a batch sharing
/// one a, a batch sharing one b.
enum class Batching { Single, Batched, BroadcastA, BroadcastB };

struct GemmCase {
  mpc_epilogue epilogue;
  mpc_dtype inType, outType, biasType, auxType;
  int64_t m, n, k;
};

class GemmTest : public GpuTest {
protected:
  void run(const GemmCase &c, bool transA, bool transB, Batching batching);
};

void GemmTest::run(const GemmCase &c, bool transA, bool transB,
                   Batching batching) {
  int64_t batch = batching == Batching::Single ? 1 : 3;
  bool shareA = batching == Batching::BroadcastA;
  bool shareB = batching == Batching::BroadcastB;
  int64_t aBatch = shareA ? 1 : batch, bBatch = shareB ? 1 : batch;
  int64_t m = c.m, n = c.n, k = c.k;
  std::vector<float> a = randomValues(aBatch * m * k, -1, 1, 1, c.inType);
  std::vector<float> b = randomValues(bBatch * k * n, -1, 1, 2, c.inType);
  std::vector<float> bias = randomValues(n, -1, 1, 3, c.biasType);
  std::vector<float> auxIn = randomValues(batch * m * n, -2, 2, 4, c.auxType);

  // CPU: the f32 product, its magnitude bound, then the epilogue.
  cpu::Shape aShape = transA ? cpu::Shape{k, m} : cpu::Shape{m, k};
  cpu::Shape bShape = transB ? cpu::Shape{n, k} : cpu::Shape{k, n};
  if (!shareA)
    aShape.insert(aShape.begin(), batch);
  if (!shareB)
    bShape.insert(bShape.begin(), batch);
  cpu::Shape outShape{batch, m, n};
  std::vector<float> acc(batch * m * n), magnitude(batch * m * n);
  cpu::matmul(a.data(), aShape, transA, b.data(), bShape, transB, acc.data(),
              outShape);
  std::vector<float> absA(a), absB(b);
  for (float &v : absA)
    v = std::fabs(v);
  for (float &v : absB)
    v = std::fabs(v);
  cpu::matmul(absA.data(), aShape, transA, absB.data(), bShape, transB,
              magnitude.data(), outShape);
  int64_t total = batch * m * n;
  if (hasBias(c.epilogue)) {
    cpu::binary(cpu::BinaryOp::Add, acc.data(), outShape, bias.data(), {n},
                acc.data(), outShape);
    for (int64_t i = 0; i < total; ++i)
      magnitude[i] += std::fabs(bias[i % n]);
  }
  std::vector<float> wantAux = roundedTo(acc, c.auxType);
  std::vector<float> want(total);
  switch (c.epilogue) {
  case MPC_EPILOGUE_RELU:
  case MPC_EPILOGUE_RELU_BIAS:
    cpu::unary(cpu::UnaryOp::Relu, acc.data(), want.data(), total);
    break;
  case MPC_EPILOGUE_GELU:
  case MPC_EPILOGUE_GELU_BIAS:
  case MPC_EPILOGUE_GELU_AUX:
  case MPC_EPILOGUE_GELU_AUX_BIAS:
    cpu::unary(cpu::UnaryOp::Gelu, acc.data(), want.data(), total);
    break;
  case MPC_EPILOGUE_DGELU:
    cpu::unaryGrad(cpu::UnaryGradOp::Gelu, acc.data(), auxIn.data(),
                   want.data(), total);
    break;
  default:
    want = acc;
    break;
  }
  want = roundedTo(want, c.outType);

  DeviceBuffer da = upload(a, c.inType), db = upload(b, c.inType);
  DeviceBuffer dbias = upload(bias, c.biasType);
  DeviceBuffer daux =
      upload(c.epilogue == MPC_EPILOGUE_DGELU ? auxIn
                                              : std::vector<float>(total, 0.0f),
             c.auxType);
  DeviceBuffer dc(total * sizeOf(c.outType));
  mpc_gemm_desc desc{};
  desc.batch = batch;
  desc.m = m;
  desc.n = n;
  desc.k = k;
  desc.trans_a = transA;
  desc.trans_b = transB;
  desc.stride_a = shareA ? 0 : m * k;
  desc.stride_b = shareB ? 0 : k * n;
  desc.stride_c = m * n;
  desc.a_type = desc.b_type = c.inType;
  desc.c_type = c.outType;
  desc.bias_type = c.biasType;
  desc.aux_type = c.auxType;
  desc.epilogue = c.epilogue;
  bool usesAux = writesAux(c.epilogue) || c.epilogue == MPC_EPILOGUE_DGELU;
  // Twice: the second call runs the cached plan.
  for (int call = 0; call < 2; ++call)
    ok(mpc_rt_gemm(rt, &desc, da.get(), db.get(), dc.get(),
                   hasBias(c.epilogue) ? dbias.get() : nullptr,
                   usesAux ? daux.get() : nullptr));
  sync();

  std::string what = std::string("gemm ") + typeName(c.inType) + "->" +
                     typeName(c.outType) + " epilogue " +
                     std::to_string(c.epilogue) + " trans " +
                     std::to_string(transA) + std::to_string(transB) +
                     " batching " + std::to_string(static_cast<int>(batching));
  // The activations' slopes are at most ~1.13 (gelu), so the product's bound
  // carries over; the inputs are exact in both computations.
  std::vector<double> tol(total), auxTol(total);
  for (int64_t i = 0; i < total; ++i) {
    double slope = c.epilogue == MPC_EPILOGUE_DGELU ? 1.2 : 1.0;
    tol[i] =
        tolerance(c.outType, k, slope * magnitude[i] + std::fabs(want[i]), 8.0);
    auxTol[i] = tolerance(c.auxType, k, magnitude[i] + std::fabs(acc[i]), 8.0);
  }
  expectClose(download(dc.get(), c.outType, total), want, tol, what);
  if (writesAux(c.epilogue))
    expectClose(download(daux.get(), c.auxType, total), wantAux, auxTol,
                what + " aux");
}

using Params = std::tuple<mpc_epilogue, mpc_dtype, mpc_dtype>;

class GemmEpilogues : public GemmTest,
                      public ::testing::WithParamInterface<Params> {};

TEST_P(GemmEpilogues, MatchesCpuForEveryTransposeAndBatching) {
  auto [epilogue, inType, outType] = GetParam();
  // bias and aux of c's type: the fused cuBLASLt path where it exists.
  GemmCase c{epilogue, inType, outType, outType, outType, 24, 40, 72};
  for (bool transA : {false, true})
    for (bool transB : {false, true})
      for (Batching batching : {Batching::Single, Batching::Batched,
                                Batching::BroadcastA, Batching::BroadcastB})
        run(c, transA, transB, batching);
}

INSTANTIATE_TEST_SUITE_P(
    All, GemmEpilogues,
    ::testing::Combine(
        ::testing::Values(MPC_EPILOGUE_NONE, MPC_EPILOGUE_BIAS,
                          MPC_EPILOGUE_RELU, MPC_EPILOGUE_RELU_BIAS,
                          MPC_EPILOGUE_GELU, MPC_EPILOGUE_GELU_BIAS,
                          MPC_EPILOGUE_GELU_AUX, MPC_EPILOGUE_GELU_AUX_BIAS,
                          MPC_EPILOGUE_DGELU),
        ::testing::Values(MPC_F16, MPC_BF16, MPC_F32),
        ::testing::Values(MPC_F16, MPC_BF16, MPC_F32)));

// Bias and aux types other than c's, and an aux leading dimension cuBLASLt
// rejects (n = 20): the unfused path through the epilogue kernel.
TEST_F(GemmTest, MixedEpilogueTypesAndOddSizes) {
  for (mpc_epilogue e : {MPC_EPILOGUE_BIAS, MPC_EPILOGUE_GELU_AUX_BIAS,
                         MPC_EPILOGUE_DGELU, MPC_EPILOGUE_RELU_BIAS}) {
    run({e, MPC_F16, MPC_F16, MPC_F32, MPC_F32, 17, 20, 33}, false, true,
        Batching::Batched);
    run({e, MPC_BF16, MPC_F32, MPC_BF16, MPC_F16, 9, 24, 40}, true, false,
        Batching::BroadcastB);
  }
}

TEST_F(GemmTest, RejectsMissingBias) {
  mpc_gemm_desc desc{};
  desc.batch = 1;
  desc.m = desc.n = desc.k = 8;
  desc.a_type = desc.b_type = desc.c_type = MPC_F16;
  desc.epilogue = MPC_EPILOGUE_BIAS;
  DeviceBuffer buffer(1024);
  EXPECT_EQ(mpc_rt_gemm(rt, &desc, buffer.get(), buffer.get(), buffer.get(),
                        nullptr, nullptr),
            -1);
  EXPECT_NE(std::string(mpc_rt_last_error(rt)).find("without a bias"),
            std::string::npos);
}

} // namespace
