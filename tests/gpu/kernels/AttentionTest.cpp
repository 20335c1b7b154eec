//===- AttentionTest.cpp - fused causal attention vs the CPU reference ----===//
//
// mpc_rt_causal_attention and its gradient against runtime/cpu/kernels'
// causalAttention and causalAttentionGrad on the same rounded inputs, for
// head dims that fill an instance exactly (16, 64, 128) and that are padded
// (24, 100), and lengths that end inside a block of 64 rows and a key tile,
// in every layout: head-major [batch, heads, length, dim], sequence-major
// [batch, length, heads, dim], and q, k and v (dq, dk and dv) packed in one
// [batch, length, 3, heads, dim] tensor beside a sequence-major result,
// read and written in place (the reference, which computes the same bits
// in any order, runs head-major). f16 and bf16 run the tensor-core kernels
// (attention::usesTensorCores), f32 the CUDA-core ones.
//
//===----------------------------------------------------------------------===//

#include "GpuTestUtil.h"

#include "runtime/core/AttentionMath.h"
#include "runtime/cpu/kernels/Kernels.h"

#include <algorithm>
#include <cmath>

using namespace mpc::gputest;
namespace cpu = mpc::cpu;

namespace {

/// The order of the heads' rows in the device's operands and results:
/// q, k and v (and dq, dk and dv) three [batch, heads, length, dim] or
/// [batch, length, heads, dim] tensors, or packed in one
/// [batch, length, 3, heads, dim] tensor beside a sequence-major result.
enum class Order { HeadMajor, SequenceMajor, PackedQkv };

class Attention : public GpuTest,
                  public ::testing::WithParamInterface<mpc_dtype> {
protected:
  /// Runs both entry points on several shapes, their operands and results
  /// in `order`, and compares them with the reference.
  void expectMatchesReference(mpc_dtype type, Order order = Order::HeadMajor);
};

/// Where the device holds the elements of the operands and results of
/// `order`, written out index by index; q, k and v (parts 0, 1, 2) in one
/// buffer of 3 x batch x heads x length x dim elements, one after the
/// other unless packed.
struct DeviceOrder {
  Order order;
  int64_t batch, heads, length, dim;

  int64_t size() const { return batch * heads * length * dim; }
  bool sequenceMajor() const { return order != Order::HeadMajor; }

  /// Element c of row i of head h of batch element b of the result.
  int64_t resultAt(int64_t b, int64_t h, int64_t i, int64_t c) const {
    return sequenceMajor() ? ((b * length + i) * heads + h) * dim + c
                           : ((b * heads + h) * length + i) * dim + c;
  }
  /// The same element of operand `part`.
  int64_t operandAt(int part, int64_t b, int64_t h, int64_t i,
                    int64_t c) const {
    if (order == Order::PackedQkv)
      return (((b * length + i) * 3 + part) * heads + h) * dim + c;
    return part * size() + resultAt(b, h, i, c);
  }
  /// The entry points' strides.
  int64_t rowStride() const { return sequenceMajor() ? heads * dim : dim; }
  int64_t headStride() const { return sequenceMajor() ? dim : length * dim; }
  int64_t operandRowStride() const {
    return order == Order::PackedQkv ? 3 * heads * dim : rowStride();
  }

  /// Writes head-major `x` where `at` places its elements in `device`.
  template <typename At>
  void scatter(const std::vector<float> &x, std::vector<float> &device,
               At at) const {
    forEach(
        [&](int64_t headAt, int64_t deviceAt) { device[deviceAt] = x[headAt]; },
        at);
  }
  /// Reads head-major elements back from where `at` places them.
  template <typename At>
  std::vector<float> gather(const std::vector<float> &device, At at) const {
    std::vector<float> x(size());
    forEach(
        [&](int64_t headAt, int64_t deviceAt) { x[headAt] = device[deviceAt]; },
        at);
    return x;
  }

private:
  template <typename F, typename At> void forEach(F f, At at) const {
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < length; ++i)
          for (int64_t c = 0; c < dim; ++c)
            f(((b * heads + h) * length + i) * dim + c, at(b, h, i, c));
  }
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

namespace attention = mpc::attention;

/// Per element of dq, dk and dv the sum of the magnitudes of its terms,
/// sum_j |dS_ij k_jc|, sum_i |dS_ij q_ic| and sum_i p_ij |dO_ic|, from the
/// reference's statistics. The tensor-core kernels round each dS_ij and
/// p_ij to 16 bits as the reference does, but from f32 inputs that differ
/// in their last bits (the products sum in another order), so a rounding
/// may land on the neighbour of the reference's: each term may move by
/// 2 u relative, the element by 2 u times this sum.
struct TermScales {
  std::vector<float> dq, dk, dv;
};

TermScales termScales(const std::vector<float> &dout,
                      const std::vector<float> &q, const std::vector<float> &k,
                      const std::vector<float> &v,
                      const std::vector<float> &lse,
                      const std::vector<float> &rowGradDot, int64_t heads,
                      int64_t length, int64_t dim, float scale) {
  size_t n = static_cast<size_t>(heads * length * dim);
  TermScales scales{std::vector<float>(n), std::vector<float>(n),
                    std::vector<float>(n)};
  auto dot = [&](const std::vector<float> &a, const std::vector<float> &b,
                 int64_t i, int64_t j) {
    return attention::dot(
        dim, [&](int64_t c) { return a[i * dim + c]; },
        [&](int64_t c) { return b[j * dim + c]; });
  };
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = 0; i < length; ++i)
      for (int64_t j = 0; j <= i; ++j) {
        int64_t qi = h * length + i, kj = h * length + j;
        float p = attention::probability(
            attention::scaledScore(dot(q, k, qi, kj), scale), lse[qi]);
        float dS = std::fabs(attention::scoreGrad(p, dot(dout, v, qi, kj),
                                                  rowGradDot[qi], scale));
        for (int64_t c = 0; c < dim; ++c) {
          scales.dq[qi * dim + c] += dS * std::fabs(k[kj * dim + c]);
          scales.dk[kj * dim + c] += dS * std::fabs(q[qi * dim + c]);
          scales.dv[kj * dim + c] += p * std::fabs(dout[qi * dim + c]);
        }
      }
  return scales;
}

/// D_i = sum_j p_ij (dO_i . v_j) per row, as the reference sums it.
std::vector<float> rowGradDots(const std::vector<float> &dout,
                               const std::vector<float> &q,
                               const std::vector<float> &k,
                               const std::vector<float> &v,
                               const std::vector<float> &lse, int64_t heads,
                               int64_t length, int64_t dim, float scale) {
  std::vector<float> result(static_cast<size_t>(heads * length));
  auto dot = [&](const std::vector<float> &a, const std::vector<float> &b,
                 int64_t i, int64_t j) {
    return attention::dot(
        dim, [&](int64_t c) { return a[i * dim + c]; },
        [&](int64_t c) { return b[j * dim + c]; });
  };
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = 0; i < length; ++i) {
      int64_t qi = h * length + i;
      for (int64_t j = 0; j <= i; ++j) {
        int64_t kj = h * length + j;
        float p = attention::probability(
            attention::scaledScore(dot(q, k, qi, kj), scale), lse[qi]);
        result[qi] =
            attention::addToRowGradDot(result[qi], p, dot(dout, v, qi, kj));
      }
    }
  return result;
}

/// tolerance() per element for sums whose terms add up to `scales` in
/// magnitude, plus f32 noise on the largest reference magnitude `largest`:
/// where the terms vanish in exact arithmetic (a row that sees one key has
/// dS = 0) the kernels' scores, summed in another order, leave f32 noise.
std::vector<double> termBounds(const std::vector<float> &scales, mpc_dtype type,
                               int64_t k, double largest) {
  std::vector<double> tol(scales.size());
  for (size_t i = 0; i < scales.size(); ++i)
    tol[i] = tolerance(type, k, scales[i]) + tolerance(MPC_F32, k, largest);
  return tol;
}

void Attention::expectMatchesReference(mpc_dtype type, Order order) {
  for (auto [batch, groupHeads, length, dim] :
       {std::tuple<int64_t, int64_t, int64_t, int64_t>{1, 3, 70, 16},
        {2, 1, 130, 24},
        {1, 2, 65, 64},
        {1, 1, 40, 100},
        {1, 1, 97, 128}}) {
    int64_t heads = batch * groupHeads;
    int64_t n = heads * length * dim, rows = heads * length;
    float scale = static_cast<float>(1.0 / std::sqrt(double(dim)));
    // The reference's operands and results are head-major; the device's
    // are in `order`.
    DeviceOrder device{order, batch, groupHeads, length, dim};
    auto resultAt = [&](int64_t b, int64_t h, int64_t i, int64_t c) {
      return device.resultAt(b, h, i, c);
    };
    auto operandAt = [&](int part) {
      return [&device, part](int64_t b, int64_t h, int64_t i, int64_t c) {
        return device.operandAt(part, b, h, i, c);
      };
    };
    std::vector<float> q = randomValues(n, -2, 2, 1, type);
    std::vector<float> k = randomValues(n, -2, 2, 2, type);
    std::vector<float> v = randomValues(n, -1, 1, 3, type);
    std::vector<float> dout = randomValues(n, -1, 1, 4, type);
    std::vector<float> out(n), lse(rows), dq(n), dk(n), dv(n);
    attention::Layout layout =
        attention::headMajorLayout(batch, groupHeads, length, dim);
    cpu::causalAttention(q.data(), k.data(), v.data(), out.data(), lse.data(),
                         layout, layout, scale, type);
    out = roundedTo(out, type);
    cpu::causalAttentionGrad(dout.data(), q.data(), k.data(), v.data(),
                             lse.data(), dq.data(), dk.data(), dv.data(),
                             layout, layout, scale, type);
    std::vector<float> qkv(3 * n), deviceDout(n);
    device.scatter(q, qkv, operandAt(0));
    device.scatter(k, qkv, operandAt(1));
    device.scatter(v, qkv, operandAt(2));
    device.scatter(dout, deviceDout, resultAt);
    DeviceBuffer dQkv = upload(qkv, type), dDout = upload(deviceDout, type);
    DeviceBuffer dLse = upload(lse, MPC_F32);
    // NaN wherever the gradient writes nothing: dq, dk and dv must cover
    // their buffer exactly, packed or not.
    DeviceBuffer gOut(n * 4), gLse(rows * 4);
    DeviceBuffer gDqkv = upload(std::vector<float>(3 * n, NAN), type);
    // Part `part` (q, k, v; dq, dk, dv) of a buffer of three.
    auto part = [&](const DeviceBuffer &buffer, int part) {
      return static_cast<char *>(buffer.get()) +
             device.operandAt(part, 0, 0, 0, 0) * sizeOf(type);
    };
    ok(mpc_rt_causal_attention(rt, part(dQkv, 0), part(dQkv, 1), part(dQkv, 2),
                               gOut.get(), gLse.as<float>(), type, batch,
                               groupHeads, length, dim, device.rowStride(),
                               device.headStride(), device.operandRowStride(),
                               scale));
    // The gradient reads the reference's statistics, so that it is checked
    // alone.
    ok(mpc_rt_causal_attention_grad(
        rt, dDout.get(), part(dQkv, 0), part(dQkv, 1), part(dQkv, 2),
        dLse.as<float>(), part(gDqkv, 0), part(gDqkv, 1), part(gDqkv, 2), type,
        batch, groupHeads, length, dim, device.rowStride(), device.headStride(),
        device.operandRowStride(), scale));
    sync();
    std::vector<float> gradients = download(gDqkv.get(), type, 3 * n);
    auto gradient = [&](int part) {
      return device.gather(gradients, operandAt(part));
    };
    const char *orderName[] = {" ", " sequence-major ", " packed-qkv "};
    std::string what =
        std::string(typeName(type)) + orderName[static_cast<int>(order)] +
        std::to_string(batch) + "x" + std::to_string(groupHeads) + "x" +
        std::to_string(length) + "x" + std::to_string(dim);
    // The output is a convex combination of values in [-1, 1], so its terms
    // add up to at most 1 in magnitude; the tensor-core forward rounds each
    // weight exp(s - max) to 16 bits with its running max, the reference
    // with the row's, so they may differ by 2 u of each weight: 2 u in all,
    // within tolerance()'s 8 u. The scores are at most dim * 4 * scale in
    // magnitude, the log-sum-exp sums up to `length` terms.
    expectClose(device.gather(download(gOut.get(), type, n), resultAt), out,
                bounds(out, type, length, 1), "out " + what);
    expectClose(download(gLse.get(), MPC_F32, rows), lse,
                bounds(lse, MPC_F32, dim + length, 4 * dim * scale),
                "lse " + what);
    std::vector<double> dqBounds, dkBounds, dvBounds;
    if (attention::usesTensorCores(type, dim)) {
      // The tensor-core kernels: 2 u of each term's magnitude (termScales),
      // which tolerance()'s 4 x 2 u covers with the store's rounding.
      TermScales scales =
          termScales(dout, q, k, v, lse,
                     rowGradDots(dout, q, k, v, lse, heads, length, dim, scale),
                     heads, length, dim, scale);
      dqBounds = termBounds(scales.dq, type, length * dim, maxAbs(dq));
      dkBounds = termBounds(scales.dk, type, length * dim, maxAbs(dk));
      dvBounds = termBounds(scales.dv, type, length, maxAbs(dv));
    } else {
      // f32 arithmetic throughout: each gradient sums up to `length` terms
      // of at most the largest reference magnitude.
      EXPECT_EQ(type, MPC_F32);
      dqBounds = bounds(dq, type, length * dim, maxAbs(dq));
      dkBounds = bounds(dk, type, length * dim, maxAbs(dk));
      dvBounds = bounds(dv, type, length, maxAbs(dv));
    }
    expectClose(gradient(0), roundedTo(dq, type), dqBounds, "dq " + what);
    expectClose(gradient(1), roundedTo(dk, type), dkBounds, "dk " + what);
    expectClose(gradient(2), roundedTo(dv, type), dvBounds, "dv " + what);
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

// q, k, v and the results read and written in place as
// [batch, length, heads, dim].
TEST_P(Attention, SequenceMajorMatchesTheReference) {
  expectMatchesReference(GetParam(), Order::SequenceMajor);
}

// One head per launch pair, its offset found across batch elements.
TEST_P(Attention, SequenceMajorGradientInChunksOfHeadsMatchesTheReference) {
  useScratchBytes(130 * sizeof(float));
  expectMatchesReference(GetParam(), Order::SequenceMajor);
}

// q, k and v read in place from one [batch, length, 3, heads, dim] tensor,
// dq, dk and dv written into one, the result [batch, length, heads, dim].
TEST_P(Attention, PackedQkvMatchesTheReference) {
  expectMatchesReference(GetParam(), Order::PackedQkv);
}

TEST_P(Attention, PackedQkvGradientInChunksOfHeadsMatchesTheReference) {
  useScratchBytes(130 * sizeof(float));
  expectMatchesReference(GetParam(), Order::PackedQkv);
}

TEST_P(Attention, RejectsStridesOfNeitherOrder) {
  mpc_dtype type = GetParam();
  DeviceBuffer buffer(2 * 4 * 8 * 4);
  fails(mpc_rt_causal_attention(rt, buffer.get(), buffer.get(), buffer.get(),
                                buffer.get(), buffer.as<float>(), type, 1, 2, 4,
                                8, 9, 8, 9, 1.0),
        "result strides (row 9, head 8)");
}

// Operand rows closer together than heads * dim would overlap.
TEST_P(Attention, RejectsOperandRowsCloserThanTheirHeads) {
  mpc_dtype type = GetParam();
  DeviceBuffer buffer(3 * 2 * 4 * 8 * 4);
  fails(mpc_rt_causal_attention(rt, buffer.get(), buffer.get(), buffer.get(),
                                buffer.get(), buffer.as<float>(), type, 1, 2, 4,
                                8, 16, 8, 8, 1.0),
        "operand strides (row 8, head 8)");
  fails(mpc_rt_causal_attention_grad(
            rt, buffer.get(), buffer.get(), buffer.get(), buffer.get(),
            buffer.as<float>(), buffer.get(), buffer.get(), buffer.get(), type,
            1, 2, 4, 8, 16, 8, 15, 1.0),
        "operand strides (row 15, head 8)");
}

// A head-major result takes its own row stride for q, k and v.
TEST_P(Attention, RejectsWiderOperandRowsBesideAHeadMajorResult) {
  mpc_dtype type = GetParam();
  DeviceBuffer buffer(3 * 2 * 4 * 8 * 4);
  fails(mpc_rt_causal_attention(rt, buffer.get(), buffer.get(), buffer.get(),
                                buffer.get(), buffer.as<float>(), type, 1, 2, 4,
                                8, 8, 32, 48, 1.0),
        "operand strides (row 48, head 32)");
}

TEST_P(Attention, RejectsAHeadDimBeyondTheKernels) {
  mpc_dtype type = GetParam();
  DeviceBuffer buffer(129 * 4 * 4);
  fails(mpc_rt_causal_attention(rt, buffer.get(), buffer.get(), buffer.get(),
                                buffer.get(), buffer.as<float>(), type, 1, 1, 4,
                                129, 129, 4 * 129, 129, 1.0),
        "head dim 129");
}

INSTANTIATE_TEST_SUITE_P(Types, Attention,
                         ::testing::Values(MPC_F32, MPC_F16, MPC_BF16));

} // namespace
