//===- GemmTest.cpp - mpc_rt_gemm against the CPU matmul ------------------===//
//
// Every epilogue, every transpose combination, single, batched and
// broadcast-batch products, 16-bit and f32 inputs with every output type,
// against cpu::matmul followed by the CPU unary ops, each step rounded to the
// tensor types as the CPU executor rounds them; the unfused path chunked
// through a small scratch and at GPT-2-small size, and inside a CUDA graph.
//
//===----------------------------------------------------------------------===//

#include "GpuTestUtil.h"

#include "Context.h"
#include "GemmChunks.h"
#include "GemmFusion.h"
#include "runtime/cpu/kernels/Kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

using namespace mpc::gputest;
namespace cpu = mpc::cpu;
using mpc::cuda::epilogueUsesAux;
using mpc::cuda::epilogueUsesBias;
using mpc::cuda::epilogueUsesGelu;

namespace {

bool writesAux(mpc_epilogue e) {
  return epilogueUsesAux(e) && e != MPC_EPILOGUE_DGELU;
}

const char *epilogueName(mpc_epilogue e) {
  static const char *const names[] = {"none",      "bias",          "relu",
                                      "relu_bias", "gelu",          "gelu_bias",
                                      "gelu_aux",  "gelu_aux_bias", "dgelu"};
  return names[e];
}

//===----------------------------------------------------------------------===//
// Tolerances
//===----------------------------------------------------------------------===//
//
// Every GEMM output may differ from the CPU reference by the order of its f32
// accumulation and by the final rounding to c's type: tolerance() in
// GpuTestUtil.h, with the product's magnitude sum_k |a_k b_k| (+ |bias|)
// times the epilogue's largest slope (gelu' <= 1.13) as scale.
//
// A gelu epilogue that cuBLASLt applies itself also differs by its gelu.
// cuBLASLt documents CUBLASLT_EPILOGUE_GELU(_AUX)(_BIAS) only as "apply GELU
// point-wise transform to the results (x := GELU(x))" and DGELU as "apply
// GELU gradient to matmul output" (cublasLt.h): no formula, no error bound.
// Its gelu is the tanh form of the CPU reference,
//   g(x) = 0.5 x (1 + t),  t = tanh(u),  u = s (x + c x^3),
//   s = sqrt(2 / pi),  c = 0.044715
// (PyTorch, which fuses this epilogue, defines the result as
// gelu(approximate="tanh")), but its tanh is the device's fast one, not the
// CPU's std::tanh. The PTX ISA bounds those: tanh.approx.f32 to a relative
// error of 2^-11 over the whole range, tanh.approx.f16 to an absolute error
// of 2^-10.987 and tanh.approx.bf16 to 2^-8. As |t| <= 1, the fused tanh is
// within
//   e = max(2^-10.987, u_out) + 8 u_f32
// of the true one, u_out the unit roundoff of c's type (allowing a tanh
// evaluated in bf16) and 8 u_f32 for the f32 arithmetic around it done in
// another order or with fused multiply-adds (an error of a few u_f32 in u
// moves t by at most (1 - t^2) |u| <= 0.45 times that). The output moves by
//   gelu:  |dg/dt| e = 0.5 |x| e                        (g is linear in t)
//   dgelu: |dy (g'(t + d) - g'(t))| <= |dy| (0.5 + |x| s (1 + 3c x^2)(1 + e)) e
// where g'(x) = 0.5 (1 + t) + 0.5 x (1 - t^2) s (1 + 3c x^2), |d| <= e, x is
// the pre-activation (gelu: the product + bias; dgelu: aux) and dy the
// product. Both sides then round once to c's type, which adds at most a
// factor (1 + u_out) to this difference (the rounding itself is in
// tolerance()). Relative to |x| (gelu) or |dy| (dgelu, |x| <= 1) that is
// about 2^-12 and 1.4 2^-11: around one unit of f16 roundoff, a fraction of
// bf16's, but 2^12 units and more of f32's, so mpc_rt_gemm gives f32 outputs
// the exact epilogue kernel instead (GemmFusion.h), and these tests hold
// them to tolerance() alone.

/// The part of the bound on |fused - CPU| that a gelu epilogue's fast tanh
/// adds, for pre-activation (or aux) `x` and product `dy` (dgelu only),
/// with c of type `out`; derivation above.
double fastTanhBound(mpc_epilogue e, mpc_dtype out, double x, double dy) {
  const double s = 0.7978845608028654, c = 0.044715;
  double tanhError = std::max(std::exp2(-10.987), unitRoundoff(out)) +
                     8 * unitRoundoff(MPC_F32);
  x = std::fabs(x);
  double perTanhError =
      e == MPC_EPILOGUE_DGELU
          ? std::fabs(dy) *
                (0.5 + x * s * (1 + 3 * c * x * x) * (1 + tanhError))
          : 0.5 * x;
  return (1 + unitRoundoff(out)) * perTanhError * tanhError;
}

/// The bound on |gpu - CPU| for one output of `desc`, whose CPU product
/// (+ bias) is `product` of magnitude `magnitude`, aux input `aux` (dgelu)
/// and reference output `want`.
double outputBound(const mpc_gemm_desc &desc, double magnitude, double product,
                   double aux, double want) {
  mpc_epilogue e = desc.epilogue;
  double slope = e == MPC_EPILOGUE_DGELU ? 1.2 : 1.0;
  double bound =
      tolerance(desc.c_type, desc.k, slope * magnitude + std::fabs(want), 8.0);
  // Only a gelu that cuBLASLt may fuse uses its fast tanh.
  if (epilogueUsesGelu(e) && !mpc::cuda::unfusableReason(desc))
    bound += e == MPC_EPILOGUE_DGELU
                 ? fastTanhBound(e, desc.c_type, aux, product)
                 : fastTanhBound(e, desc.c_type, product, 0);
  return bound;
}

/// The largest |got - want| of a comparison, its share of the bound and the
/// pre-activation (or aux) where it occurred.
struct WorstError {
  double error = 0, shareOfBound = 0, x = 0;

  void add(double gotValue, double wantValue, double bound, double at) {
    double difference = std::fabs(gotValue - wantValue);
    if (!(difference > error))
      return;
    error = difference;
    shareOfBound = difference / bound;
    x = at;
  }
  void add(const WorstError &other) {
    if (other.error > error)
      *this = other;
  }
};

//===----------------------------------------------------------------------===//
// The CPU reference
//===----------------------------------------------------------------------===//

/// The batch layouts: one matrix pair, a batch of pairs, a batch sharing
/// one a, a batch sharing one b.
enum class Batching { Single, Batched, BroadcastA, BroadcastB };

struct GemmCase {
  mpc_epilogue epilogue;
  mpc_dtype inType, outType, biasType, auxType;
  int64_t m, n, k;
};

mpc_gemm_desc descFor(const GemmCase &c, bool transA, bool transB,
                      Batching batching) {
  mpc_gemm_desc desc{};
  desc.batch = batching == Batching::Single ? 1 : 3;
  desc.m = c.m;
  desc.n = c.n;
  desc.k = c.k;
  desc.trans_a = transA;
  desc.trans_b = transB;
  desc.stride_a = batching == Batching::BroadcastA ? 0 : c.m * c.k;
  desc.stride_b = batching == Batching::BroadcastB ? 0 : c.k * c.n;
  desc.stride_c = c.m * c.n;
  desc.a_type = desc.b_type = c.inType;
  desc.c_type = c.outType;
  desc.bias_type = c.biasType;
  desc.aux_type = c.auxType;
  desc.epilogue = c.epilogue;
  return desc;
}

/// What the CPU executor computes for a GEMM, with what the bounds need.
struct Reference {
  std::vector<float> product;   ///< f32 product (+ bias): gelu's x, dgelu's dy
  std::vector<float> magnitude; ///< sum_k |a_k b_k| (+ |bias|)
  std::vector<float> want;      ///< c
  std::vector<float> wantAux;   ///< aux of the GELU_AUX forms
};

/// cpu::matmul of `a` [.., rows, k] (or transposed) and `b`, then the bias,
/// the epilogue and the roundings to c's and aux's types.
Reference cpuReference(const mpc_gemm_desc &d, const std::vector<float> &a,
                       const cpu::Shape &aShape, const std::vector<float> &b,
                       const cpu::Shape &bShape, const std::vector<float> &bias,
                       const std::vector<float> &auxIn,
                       const cpu::Shape &outShape) {
  int64_t total = cpu::numElements(outShape);
  Reference ref{std::vector<float>(total), std::vector<float>(total), {}, {}};
  cpu::matmul(a.data(), aShape, d.trans_a, b.data(), bShape, d.trans_b,
              ref.product.data(), outShape);
  std::vector<float> absA(a), absB(b);
  for (float &v : absA)
    v = std::fabs(v);
  for (float &v : absB)
    v = std::fabs(v);
  cpu::matmul(absA.data(), aShape, d.trans_a, absB.data(), bShape, d.trans_b,
              ref.magnitude.data(), outShape);
  if (epilogueUsesBias(d.epilogue)) {
    cpu::binary(cpu::BinaryOp::Add, ref.product.data(), outShape, bias.data(),
                {d.n}, ref.product.data(), outShape);
    for (int64_t i = 0; i < total; ++i)
      ref.magnitude[i] += std::fabs(bias[i % d.n]);
  }
  ref.wantAux = roundedTo(ref.product, d.aux_type);
  ref.want.resize(total);
  switch (d.epilogue) {
  case MPC_EPILOGUE_RELU:
  case MPC_EPILOGUE_RELU_BIAS:
    cpu::unary(cpu::UnaryOp::Relu, ref.product.data(), ref.want.data(), total);
    break;
  case MPC_EPILOGUE_GELU:
  case MPC_EPILOGUE_GELU_BIAS:
  case MPC_EPILOGUE_GELU_AUX:
  case MPC_EPILOGUE_GELU_AUX_BIAS:
    cpu::unary(cpu::UnaryOp::Gelu, ref.product.data(), ref.want.data(), total);
    break;
  case MPC_EPILOGUE_DGELU:
    cpu::unaryGrad(cpu::UnaryGradOp::Gelu, ref.product.data(), auxIn.data(),
                   ref.want.data(), total);
    break;
  default:
    ref.want = ref.product;
    break;
  }
  ref.want = roundedTo(ref.want, d.c_type);
  return ref;
}

/// Compares c (and a written aux) with the reference; returns the worst
/// error of c.
WorstError compare(const mpc_gemm_desc &d, const Reference &ref,
                   const std::vector<float> &auxIn,
                   const std::vector<float> &got,
                   const std::vector<float> &gotAux, const std::string &what) {
  size_t total = ref.want.size();
  bool dgelu = d.epilogue == MPC_EPILOGUE_DGELU;
  std::vector<double> bound(total), auxBound(total);
  WorstError worst;
  for (size_t i = 0; i < total; ++i) {
    double aux = dgelu ? auxIn[i] : 0.0;
    bound[i] =
        outputBound(d, ref.magnitude[i], ref.product[i], aux, ref.want[i]);
    auxBound[i] = tolerance(d.aux_type, d.k,
                            ref.magnitude[i] + std::fabs(ref.product[i]), 8.0);
    worst.add(got[i], ref.want[i], bound[i], dgelu ? aux : ref.product[i]);
  }
  expectClose(got, ref.want, bound, what);
  if (writesAux(d.epilogue))
    expectClose(gotAux, ref.wantAux, auxBound, what + " aux");
  return worst;
}

class GemmTest : public GpuTest {
protected:
  /// Runs one GEMM twice (the second call on the cached plans) against the
  /// CPU reference; returns the worst error of c.
  WorstError run(const GemmCase &c, bool transA, bool transB,
                 Batching batching);
};

WorstError GemmTest::run(const GemmCase &c, bool transA, bool transB,
                         Batching batching) {
  mpc_gemm_desc desc = descFor(c, transA, transB, batching);
  int64_t batch = desc.batch, m = c.m, n = c.n, k = c.k;
  bool shareA = desc.stride_a == 0, shareB = desc.stride_b == 0;
  int64_t aBatch = shareA ? 1 : batch, bBatch = shareB ? 1 : batch;
  std::vector<float> a = randomValues(aBatch * m * k, -1, 1, 1, c.inType);
  std::vector<float> b = randomValues(bBatch * k * n, -1, 1, 2, c.inType);
  std::vector<float> bias = randomValues(n, -1, 1, 3, c.biasType);
  std::vector<float> auxIn = randomValues(batch * m * n, -2, 2, 4, c.auxType);
  int64_t total = batch * m * n;

  cpu::Shape aShape = transA ? cpu::Shape{k, m} : cpu::Shape{m, k};
  cpu::Shape bShape = transB ? cpu::Shape{n, k} : cpu::Shape{k, n};
  if (!shareA)
    aShape.insert(aShape.begin(), batch);
  if (!shareB)
    bShape.insert(bShape.begin(), batch);
  Reference ref =
      cpuReference(desc, a, aShape, b, bShape, bias, auxIn, {batch, m, n});

  DeviceBuffer da = upload(a, c.inType), db = upload(b, c.inType);
  DeviceBuffer dbias = upload(bias, c.biasType);
  DeviceBuffer daux =
      upload(c.epilogue == MPC_EPILOGUE_DGELU ? auxIn
                                              : std::vector<float>(total, 0.0f),
             c.auxType);
  DeviceBuffer dc(total * sizeOf(c.outType));
  for (int call = 0; call < 2; ++call)
    ok(mpc_rt_gemm(rt, &desc, da.get(), db.get(), dc.get(),
                   epilogueUsesBias(c.epilogue) ? dbias.get() : nullptr,
                   epilogueUsesAux(c.epilogue) ? daux.get() : nullptr));
  sync();

  std::string what = std::string("gemm ") + typeName(c.inType) + "->" +
                     typeName(c.outType) + " epilogue " +
                     epilogueName(c.epilogue) + " trans " +
                     std::to_string(transA) + std::to_string(transB) +
                     " batching " + std::to_string(static_cast<int>(batching));
  return compare(desc, ref, auxIn, download(dc.get(), c.outType, total),
                 download(daux.get(), c.auxType, total), what);
}

//===----------------------------------------------------------------------===//
// Every epilogue, type pair, transpose and batching
//===----------------------------------------------------------------------===//

using Params = std::tuple<mpc_epilogue, mpc_dtype, mpc_dtype>;

class GemmEpilogues : public GemmTest,
                      public ::testing::WithParamInterface<Params> {};

TEST_P(GemmEpilogues, MatchesCpuForEveryTransposeAndBatching) {
  auto [epilogue, inType, outType] = GetParam();
  // bias and aux of c's type: the fused cuBLASLt path where it exists.
  GemmCase c{epilogue, inType, outType, outType, outType, 24, 40, 72};
  WorstError worst;
  for (bool transA : {false, true})
    for (bool transB : {false, true})
      for (Batching batching : {Batching::Single, Batching::Batched,
                                Batching::BroadcastA, Batching::BroadcastB})
        worst.add(run(c, transA, transB, batching));
  // The first GPU runs record how far cuBLASLt's gelu is from the CPU's.
  if (epilogueUsesGelu(epilogue))
    std::printf(
        "gemm %s -> %s, %s (%s): worst |gpu - cpu| %.3g at x = %.3g, "
        "%.3f of the bound\n",
        typeName(inType), typeName(outType), epilogueName(epilogue),
        mpc::cuda::unfusableReason(descFor(c, false, false, Batching::Single))
            ? "exact epilogue kernel"
            : "cuBLASLt may fuse",
        worst.error, worst.x, worst.shareOfBound);
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

//===----------------------------------------------------------------------===//
// Chunks of the f32 product through the scratch
//===----------------------------------------------------------------------===//

/// Unfused 16-bit GEMMs (bias or aux of another type than c): their f32
/// products go through the scratch.
const GemmCase kUnfusedCases[] = {
    {MPC_EPILOGUE_GELU_AUX_BIAS, MPC_F16, MPC_F16, MPC_F32, MPC_F16, 24, 40,
     72},
    {MPC_EPILOGUE_DGELU, MPC_BF16, MPC_BF16, MPC_BF16, MPC_F32, 24, 40, 72},
    {MPC_EPILOGUE_BIAS, MPC_BF16, MPC_F16, MPC_F32, MPC_F16, 24, 40, 72},
};

TEST_F(GemmTest, ChunksOfWholeMatricesMatchCpu) {
  // Two of the three [24 x 40] f32 products fit: chunks of 2 + 1 matrices.
  size_t scratchBytes = 2 * 24 * 40 * sizeof(float);
  useScratchBytes(scratchBytes);
  for (const GemmCase &c : kUnfusedCases)
    for (bool transA : {false, true})
      for (bool transB : {false, true})
        for (Batching batching :
             {Batching::Batched, Batching::BroadcastA, Batching::BroadcastB}) {
          mpc_gemm_desc desc = descFor(c, transA, transB, batching);
          ASSERT_NE(mpc::cuda::unfusableReason(desc), nullptr);
          ASSERT_EQ(mpc::cuda::planGemmChunks(desc, scratchBytes / 4).size(),
                    2u);
          run(c, transA, transB, batching);
        }
}

TEST_F(GemmTest, ChunksOfRowsMatchCpu) {
  // 10 rows of 40 fit: every [24 x 40] matrix in 3 chunks of 8 rows; with
  // trans_a the chunks are column ranges of a.
  size_t scratchBytes = 400 * sizeof(float);
  useScratchBytes(scratchBytes);
  for (const GemmCase &c : kUnfusedCases)
    for (bool transA : {false, true})
      for (bool transB : {false, true})
        for (Batching batching : {Batching::Single, Batching::Batched,
                                  Batching::BroadcastA, Batching::BroadcastB}) {
          mpc_gemm_desc desc = descFor(c, transA, transB, batching);
          ASSERT_EQ(mpc::cuda::planGemmChunks(desc, scratchBytes / 4).size(),
                    3u * desc.batch);
          run(c, transA, transB, batching);
        }
}

TEST_F(GemmTest, RowWiderThanTheScratchFails) {
  useScratchBytes(16 * sizeof(float));
  mpc_gemm_desc desc =
      descFor(kUnfusedCases[0], false, false, Batching::Single);
  DeviceBuffer buffer(1 << 16);
  EXPECT_EQ(mpc_rt_gemm(rt, &desc, buffer.get(), buffer.get(), buffer.get(),
                        buffer.get(), buffer.get()),
            -1);
  EXPECT_NE(std::string(mpc_rt_last_error(rt))
                .find("needs 160 bytes of f32 "
                      "scratch for one row"),
            std::string::npos)
      << mpc_rt_last_error(rt);
}

TEST_F(GemmTest, ChunkedGemmReplaysInAGraph) {
  // Captured first, as the executor captures its first step: the chunk
  // plans are made during the capture; the replay must equal a direct call.
  useScratchBytes(400 * sizeof(float));
  const GemmCase &c = kUnfusedCases[0];
  mpc_gemm_desc desc = descFor(c, true, false, Batching::Batched);
  int64_t total = desc.batch * c.m * c.n;
  DeviceBuffer da = upload(randomValues(total, -1, 1, 40, c.inType), c.inType);
  DeviceBuffer db = upload(randomValues(total, -1, 1, 41, c.inType), c.inType);
  DeviceBuffer dbias =
      upload(randomValues(c.n, -1, 1, 42, c.biasType), c.biasType);
  DeviceBuffer dc(total * 2), daux(total * 2);
  auto call = [&] {
    ok(mpc_rt_gemm(rt, &desc, da.get(), db.get(), dc.get(), dbias.get(),
                   daux.get()));
  };
  cudaGraph_t graph;
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal),
            cudaSuccess);
  call();
  ASSERT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  cudaGraphExec_t exec;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
  sync();
  std::vector<float> replayed = download(dc.get(), c.outType, total);
  std::vector<float> replayedAux = download(daux.get(), c.auxType, total);
  ASSERT_EQ(cudaMemset(dc.get(), 0, total * 2), cudaSuccess);
  ASSERT_EQ(cudaMemset(daux.get(), 0, total * 2), cudaSuccess);
  call();
  sync();
  expectBitEqual(replayed, download(dc.get(), c.outType, total), "replay");
  expectBitEqual(replayedAux, download(daux.get(), c.auxType, total),
                 "replay aux");
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
}

// GPT-2 small's MLP at batch 8, T = 1024: [8192 x 768] x [768 x 3072], a
// 96 MiB f32 product, through the default 64 MiB scratch in two chunks. The
// forward GEMM (gelu with the pre-activation, an f32 bias) and the backward
// one (gelu gradient, x W2^T with an f32 aux) in f16 and bf16. Every output
// is checked to be written; rows around the chunk boundaries and every 97th
// row are checked against the CPU reference.
TEST_F(GemmTest, GptSmallMlpThroughTwoChunks) {
  const int64_t m = 8192, n = 3072, k = 768;
  for (auto [type, epilogue, transB] :
       {std::tuple{MPC_F16, MPC_EPILOGUE_GELU_AUX_BIAS, false},
        std::tuple{MPC_BF16, MPC_EPILOGUE_DGELU, true},
        std::tuple{MPC_BF16, MPC_EPILOGUE_GELU_AUX_BIAS, false},
        std::tuple{MPC_F16, MPC_EPILOGUE_DGELU, true}}) {
    bool dgelu = epilogue == MPC_EPILOGUE_DGELU;
    GemmCase c{epilogue, type, type, MPC_F32, dgelu ? MPC_F32 : type, m, n, k};
    mpc_gemm_desc desc = descFor(c, false, transB, Batching::Single);
    ASSERT_NE(mpc::cuda::unfusableReason(desc), nullptr);
    std::vector<mpc::cuda::GemmChunk> chunks = mpc::cuda::planGemmChunks(
        desc, static_cast<int64_t>(mpc::cuda::kScratchBytes / 4));
    ASSERT_EQ(chunks.size(), 2u);

    std::vector<float> a = randomValues(m * k, -1, 1, 50, type);
    std::vector<float> b = randomValues(k * n, -1, 1, 51, type);
    std::vector<float> bias = randomValues(n, -1, 1, 52, MPC_F32);
    std::vector<float> auxIn =
        dgelu ? randomValues(m * n, -2, 2, 53, MPC_F32) : std::vector<float>();
    DeviceBuffer da = upload(a, type), db = upload(b, type);
    DeviceBuffer dbias = upload(bias, MPC_F32);
    DeviceBuffer daux =
        dgelu ? upload(auxIn, MPC_F32) : DeviceBuffer(m * n * 2);
    DeviceBuffer dc(m * n * 2);
    // All-ones bits are NaN in f16 and bf16: an output left unwritten shows.
    ASSERT_EQ(cudaMemset(dc.get(), 0xff, m * n * 2), cudaSuccess);
    if (!dgelu) {
      ASSERT_EQ(cudaMemset(daux.get(), 0xff, m * n * 2), cudaSuccess);
    }
    ok(mpc_rt_gemm(rt, &desc, da.get(), db.get(), dc.get(),
                   dgelu ? nullptr : dbias.get(), daux.get()));
    sync();
    std::vector<float> got = download(dc.get(), type, m * n);
    std::vector<float> gotAux =
        dgelu ? std::vector<float>() : download(daux.get(), type, m * n);
    std::string what = std::string("gpt-2 small ") + typeName(type) + " " +
                       epilogueName(epilogue);
    EXPECT_EQ(std::count_if(got.begin(), got.end(),
                            [](float v) { return std::isnan(v); }),
              0)
        << what;
    EXPECT_EQ(std::count_if(gotAux.begin(), gotAux.end(),
                            [](float v) { return std::isnan(v); }),
              0)
        << what << " aux";

    // The CPU reference of the checked rows.
    std::vector<int64_t> rows;
    for (int64_t row = 0; row < m; row += 97)
      rows.push_back(row);
    for (const mpc::cuda::GemmChunk &chunk : chunks) {
      int64_t first = chunk.cOffset / n;
      rows.insert(rows.end(), {first, first + 1, first + chunk.rows - 1});
    }
    int64_t count = static_cast<int64_t>(rows.size());
    std::vector<float> aRows, auxRows, gotRows, gotAuxRows;
    for (int64_t row : rows) {
      aRows.insert(aRows.end(), a.begin() + row * k, a.begin() + (row + 1) * k);
      auto rowOf = [&](const std::vector<float> &v, std::vector<float> &out) {
        if (!v.empty())
          out.insert(out.end(), v.begin() + row * n, v.begin() + (row + 1) * n);
      };
      rowOf(auxIn, auxRows);
      rowOf(got, gotRows);
      rowOf(gotAux, gotAuxRows);
    }
    cpu::Shape bShape = transB ? cpu::Shape{n, k} : cpu::Shape{k, n};
    Reference ref = cpuReference(desc, aRows, {count, k}, b, bShape, bias,
                                 auxRows, {count, n});
    compare(desc, ref, auxRows, gotRows, gotAuxRows, what);
  }
}

TEST_F(GemmTest, DebugLineNamesEachNewPlansRoute) {
  useScratchBytes(400 * sizeof(float));
  rt->debug = true;
  GemmCase fused{
      MPC_EPILOGUE_GELU_BIAS, MPC_F16, MPC_F16, MPC_F16, MPC_F16, 24, 40, 72};
  GemmCase exact = fused;
  exact.outType = exact.biasType = exact.auxType = MPC_F32;
  ::testing::internal::CaptureStderr();
  run(fused, false, false, Batching::Single);
  run(exact, false, false, Batching::Single);
  run(kUnfusedCases[0], false, false, Batching::Batched);
  std::string log = ::testing::internal::GetCapturedStderr();
  // One line per new plan: run() calls twice, the second on cached plans.
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 3) << log;
  EXPECT_NE(log.find("mpc: gemm batch 1 of [24 x 72] x [72 x 40] (trans_a 0, "
                     "trans_b 0), f16 x f16 -> f16, epilogue gelu_bias: fused "
                     "epilogue\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("f16 x f16 -> f32, epilogue gelu_bias: unfused: f32 "
                     "product in c, epilogue kernel (f32 gelu needs the exact "
                     "formula)\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("mpc: gemm batch 3 of [24 x 72] x [72 x 40] (trans_a 0, "
                     "trans_b 0), f16 x f16 -> f16, epilogue gelu_aux_bias: "
                     "unfused: f32 product in scratch, 9 chunks, epilogue "
                     "kernel (bias type differs from c)\n"),
            std::string::npos)
      << log;
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
