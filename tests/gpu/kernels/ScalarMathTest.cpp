//===- ScalarMathTest.cpp - device and CPU scalar maths agree -------------===//
//
// Every elementwise op, rounding, cast, dropout and loss-scale formula run on
// the device (with the spelling generated code uses) against the CPU
// reference kernels, over sweeps: every f16 and bf16 value as f32, special
// values, and random floats of every magnitude.
//
// Exact rows must agree bit for bit (a NaN only by being a NaN: the device
// makes the canonical NaN, the CPU keeps the payload). Libm rows cannot:
// glibc's tanhf/expf/logf and CUDA's libdevice ones are different
// implementations with different last-bit errors (CUDA documents at most
// 2 ulp for tanhf and expf and 1 ulp for logf; glibc at most 2 ulp for
// tanhf and under 1 ulp for expf and logf). So tanh, exp and log are held to
// the sum of the two bounds, and the ops that call one of them inside a
// formula (gelu, sigmoid, silu, gelu_grad, silu_grad) to two facts: the
// device's result is the CPU formula evaluated exactly on the device's libm
// value, and that value is within the bound of the CPU's. The formula around a
// libm call can cancel (1 + tanh near -1), so an ulp bound on the op's own
// result would say nothing.
//
//===----------------------------------------------------------------------===//

#include "GpuTestUtil.h"
#include "ScalarMathKernels.h"

#include "runtime/core/ScalarMath.h"
#include "runtime/cpu/kernels/Kernels.h"
#include "runtime/cpu/kernels/Precision.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <string>

namespace mpc::gputest {
namespace {

using math::bitsOf;
using math::floatOf;

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

std::vector<float> specials() {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> values = {0.0f,
                               1.0f,
                               0.5f,
                               2.0f,
                               3.0f,
                               inf,
                               std::numeric_limits<float>::quiet_NaN(),
                               floatOf(0x7fc12345u), // NaN with a payload
                               std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::min(),
                               std::numeric_limits<float>::denorm_min(),
                               65504.0f,
                               65520.0f,
                               0x1p-14f,
                               0x1p-24f,
                               0x1p-25f,
                               2147483520.0f,
                               2147483648.0f,
                               1e-6f,
                               88.72f,
                               89.0f,
                               10.0f,
                               20.0f};
  std::vector<float> both = values;
  for (float value : values)
    both.push_back(-value);
  return both;
}

/// Every f16 and bf16 value as f32, the specials, `randomBits` random bit
/// patterns (all magnitudes, NaNs included) and `randomSmall` uniform values
/// in [-10, 10), where the activations do their work.
std::vector<float> sweep(size_t randomBits = 300000,
                         size_t randomSmall = 100000) {
  std::vector<float> x = specials();
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    x.push_back(cpu::halfBitsToFloat(static_cast<uint16_t>(bits)));
    x.push_back(cpu::bfloat16BitsToFloat(static_cast<uint16_t>(bits)));
  }
  for (size_t i = 0; i < randomBits; ++i)
    x.push_back(floatOf(static_cast<uint32_t>(random::hash(1, 2, i) >> 32)));
  for (size_t i = 0; i < randomSmall; ++i)
    x.push_back(static_cast<float>(
        -10.0 + 20.0 * random::uniform01(random::hash(3, 4, i))));
  return x;
}

/// The same values in another order, for the second operand of a pair.
std::vector<float> shuffled(std::vector<float> x, uint64_t seed) {
  for (size_t i = x.size(); i > 1; --i)
    std::swap(x[i - 1], x[random::below(random::hash(seed, 0, i), i)]);
  return x;
}

/// Pairs: (sweep, shuffled sweep) and every pair of specials.
std::pair<std::vector<float>, std::vector<float>> pairs() {
  std::vector<float> x = sweep(), y = shuffled(x, 7);
  std::vector<float> s = specials();
  for (float a : s)
    for (float b : s) {
      x.push_back(a);
      y.push_back(b);
    }
  return {x, y};
}

//===----------------------------------------------------------------------===//
// Comparisons
//===----------------------------------------------------------------------===//

bool sameBits(float a, float b) {
  return std::isnan(a) ? std::isnan(b) : bitsOf(a) == bitsOf(b);
}

/// The number of f32 values between a and b (0 for equal values, infinities
/// of one sign and NaNs); max for a NaN against a number.
uint64_t ulpDistance(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b)
               ? 0
               : std::numeric_limits<uint64_t>::max();
  auto ordered = [](float v) {
    int64_t bits = bitsOf(v);
    return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
  };
  int64_t d = ordered(a) - ordered(b);
  return static_cast<uint64_t>(d < 0 ? -d : d);
}

std::string hex(float v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9g (0x%08x)", v, bitsOf(v));
  return text;
}

/// Reports the first few i where ok(i) fails, with the input and both
/// results; one failure for the whole check.
void expectAll(size_t n, const std::function<bool(size_t)> &ok,
               const std::function<std::string(size_t)> &describe,
               const std::string &what) {
  size_t bad = 0;
  std::string first;
  for (size_t i = 0; i < n; ++i)
    if (!ok(i) && bad++ < 8)
      first += "\n  " + describe(i);
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << n
                     << " elements differ, first:" << first;
}

void expectSameBits(const std::vector<float> &in, const std::vector<float> &got,
                    const std::vector<float> &want, const std::string &what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  expectAll(
      got.size(), [&](size_t i) { return sameBits(got[i], want[i]); },
      [&](size_t i) {
        return "x " + hex(in[i]) + ": device " + hex(got[i]) + ", cpu " +
               hex(want[i]);
      },
      what);
}

void expectWithinUlps(const std::vector<float> &in,
                      const std::vector<float> &got,
                      const std::vector<float> &want, uint64_t ulps,
                      const std::string &what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  expectAll(
      got.size(),
      [&](size_t i) { return ulpDistance(got[i], want[i]) <= ulps; },
      [&](size_t i) {
        return "x " + hex(in[i]) + ": device " + hex(got[i]) + ", cpu " +
               hex(want[i]);
      },
      what + " within " + std::to_string(ulps) + " ulp");
}

/// The sum of CUDA's and glibc's documented maximum errors, rounded up
/// (powf: CUDA 4 ulp, glibc under 1).
constexpr uint64_t kTanhUlps = 4, kExpUlps = 3, kLogUlps = 2, kPowUlps = 5;

class ScalarMath : public ::testing::Test {
protected:
  void SetUp() override {
    if (!haveCudaDevice())
      GTEST_SKIP() << "no CUDA device";
  }
};

/// `f` of each element on the host.
std::vector<float> hostMap(const std::vector<float> &x,
                           const std::function<float(float)> &f) {
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = f(x[i]);
  return y;
}

//===----------------------------------------------------------------------===//
// Elementwise ops, row by row
//===----------------------------------------------------------------------===//

/// How a Libm unary row is held to the CPU, given the inputs and both
/// results.
using LibmCheck = std::function<void(const std::vector<float> &x,
                                     const std::vector<float> &device,
                                     const std::vector<float> &cpu)>;

/// Holds a libm call's device value to the CPU's, and the op's device
/// result to the CPU formula evaluated on that value.
void expectFormulaOfLibm(const std::vector<float> &x,
                         const std::vector<float> &device, LibmTerm term,
                         const std::function<float(float)> &hostTerm,
                         uint64_t ulps,
                         const std::function<float(size_t, float)> &formula,
                         const std::string &what) {
  std::vector<float> deviceTerm = deviceLibmTerm(term, x);
  expectWithinUlps(x, deviceTerm, hostMap(x, hostTerm), ulps,
                   what + "'s libm term");
  std::vector<float> fromDeviceTerm(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    fromDeviceTerm[i] = formula(i, deviceTerm[i]);
  expectSameBits(x, device, fromDeviceTerm,
                 what + " from the device's libm term");
}

const std::map<std::string, LibmCheck> &unaryLibmChecks() {
  static const std::map<std::string, LibmCheck> checks = {
      {"tanh",
       [](const auto &x, const auto &device, const auto &cpu) {
         expectWithinUlps(x, device, cpu, kTanhUlps, "tanh");
       }},
      {"exp",
       [](const auto &x, const auto &device, const auto &cpu) {
         expectWithinUlps(x, device, cpu, kExpUlps, "exp");
       }},
      {"log",
       [](const auto &x, const auto &device, const auto &cpu) {
         expectWithinUlps(x, device, cpu, kLogUlps, "log");
       }},
      {"gelu",
       [](const auto &x, const auto &device, const auto &) {
         expectFormulaOfLibm(
             x, device, LibmTerm::GeluTanh,
             [](float v) { return math::tanh(math::geluTanhArgument(v)); },
             kTanhUlps,
             [&](size_t i, float t) { return math::geluOfTanh(x[i], t); },
             "gelu");
       }},
      {"sigmoid",
       [](const auto &x, const auto &device, const auto &) {
         expectFormulaOfLibm(
             x, device, LibmTerm::SigmoidExp,
             [](float v) { return math::exp(-v); }, kExpUlps,
             [](size_t, float e) { return math::sigmoidOfExp(e); }, "sigmoid");
       }},
      {"silu",
       [](const auto &x, const auto &device, const auto &) {
         expectFormulaOfLibm(
             x, device, LibmTerm::SigmoidExp,
             [](float v) { return math::exp(-v); }, kExpUlps,
             [&](size_t i, float e) { return math::siluOfExp(x[i], e); },
             "silu");
       }},
  };
  return checks;
}

/// The bound of each Libm activation gradient row, given dy and the saved
/// values: its libm term on the device within a few ulps of the host's,
/// and the device's result the CPU formula of that term.
using LibmGradCheck = std::function<void(const std::vector<float> &dy,
                                         const std::vector<float> &saved,
                                         const std::vector<float> &device)>;

const std::map<std::string, LibmGradCheck> &gradLibmChecks() {
  static const std::map<std::string, LibmGradCheck> checks = {
      {"gelu_grad",
       [](const auto &dy, const auto &saved, const auto &device) {
         expectFormulaOfLibm(
             saved, device, LibmTerm::GeluGradTanh,
             [](float v) { return math::tanh(math::geluGradTanhArgument(v)); },
             kTanhUlps,
             [&](size_t i, float t) {
               return math::geluGradOfTanh(dy[i], saved[i], t);
             },
             "gelu_grad");
       }},
      {"silu_grad",
       [](const auto &dy, const auto &saved, const auto &device) {
         expectFormulaOfLibm(
             saved, device, LibmTerm::SigmoidExp,
             [](float v) { return math::exp(-v); }, kExpUlps,
             [&](size_t i, float e) {
               return math::siluGradOfExp(dy[i], saved[i], e);
             },
             "silu_grad");
       }},
  };
  return checks;
}

TEST_F(ScalarMath, UnaryOpsMatchTheCpu) {
  std::vector<float> x = sweep();
#define MPC_TEST_ROW(Name, mnemonic, function, cuda, accuracy)                 \
  {                                                                            \
    SCOPED_TRACE(#mnemonic " as " #cuda);                                      \
    std::vector<float> cpu(x.size());                                          \
    cpu::unary(cpu::UnaryOp::Name, x.data(), cpu.data(),                       \
               static_cast<int64_t>(x.size()));                                \
    std::vector<float> device = deviceUnary(cpu::UnaryOp::Name, x);            \
    if (math::Accuracy::accuracy == math::Accuracy::Exact) {                   \
      expectSameBits(x, device, cpu, #mnemonic);                               \
    } else {                                                                   \
      auto check = unaryLibmChecks().find(#mnemonic);                          \
      ASSERT_NE(check, unaryLibmChecks().end())                                \
          << #mnemonic " is a Libm row without a stated bound";                \
      check->second(x, device, cpu);                                           \
    }                                                                          \
  }
  MPC_UNARY_OPS(MPC_TEST_ROW)
#undef MPC_TEST_ROW
}

TEST_F(ScalarMath, BinaryOpsMatchTheCpuBitForBit) {
  auto [x, y] = pairs();
#define MPC_TEST_ROW(Name, mnemonic, function, cuda, accuracy)                 \
  {                                                                            \
    SCOPED_TRACE(#mnemonic " as " #cuda);                                      \
    static_assert(math::Accuracy::accuracy == math::Accuracy::Exact);          \
    std::vector<float> cpu(x.size());                                          \
    cpu::Shape shape = {static_cast<int64_t>(x.size())};                       \
    cpu::binary(cpu::BinaryOp::Name, x.data(), shape, y.data(), shape,         \
                cpu.data(), shape);                                            \
    expectSameBits(x, deviceBinary(cpu::BinaryOp::Name, x, y), cpu,            \
                   #mnemonic);                                                 \
  }
  MPC_BINARY_OPS(MPC_TEST_ROW)
#undef MPC_TEST_ROW
}

TEST_F(ScalarMath, ActivationGradientsMatchTheCpu) {
  auto [dy, saved] = pairs();
  // Saved tanh and sigmoid outputs are in [-1, 1] and [0, 1]: include such
  // values too, where 1 - y^2 and 1 - y cancel.
  for (size_t i = 0; i < 100000; ++i) {
    dy.push_back(static_cast<float>(
        -4.0 + 8.0 * random::uniform01(random::hash(5, 6, i))));
    saved.push_back(static_cast<float>(
        -1.0 + 2.0 * random::uniform01(random::hash(5, 7, i))));
  }
#define MPC_TEST_ROW(Name, mnemonic, function, cuda, accuracy)                 \
  {                                                                            \
    SCOPED_TRACE(#mnemonic " as " #cuda);                                      \
    std::vector<float> cpu(dy.size());                                         \
    cpu::unaryGrad(cpu::UnaryGradOp::Name, dy.data(), saved.data(),            \
                   cpu.data(), static_cast<int64_t>(dy.size()));               \
    std::vector<float> device =                                                \
        deviceUnaryGrad(cpu::UnaryGradOp::Name, dy, saved);                    \
    if (math::Accuracy::accuracy == math::Accuracy::Exact) {                   \
      expectSameBits(saved, device, cpu, #mnemonic);                           \
    } else {                                                                   \
      auto check = gradLibmChecks().find(#mnemonic);                           \
      ASSERT_NE(check, gradLibmChecks().end())                                 \
          << #mnemonic " is a Libm row without a stated bound";                \
      check->second(dy, saved, device);                                        \
    }                                                                          \
  }
  MPC_UNARY_GRAD_OPS(MPC_TEST_ROW)
#undef MPC_TEST_ROW
}

/// mpc.pow (not a row of the lists: its exponent is an attribute) over the
/// sweep, for a few exponents, negative bases and special values included.
TEST_F(ScalarMath, PowMatchesTheCpuWithinItsBound) {
  std::vector<float> x = sweep();
  for (float exponent : {1.5f, -2.5f, 0.3f, 3.0f, -1.0f, 0.0f}) {
    SCOPED_TRACE(exponent);
    std::vector<float> cpu(x.size());
    cpu::power(x.data(), cpu.data(), static_cast<int64_t>(x.size()), exponent);
    expectWithinUlps(x, devicePower(x, exponent), cpu, kPowUlps, "pow");
  }
}

//===----------------------------------------------------------------------===//
// Rounding and casts
//===----------------------------------------------------------------------===//

/// Every 64th f32 pattern in [begin, end).
std::vector<float> stridedPatterns(uint64_t begin, uint64_t end) {
  std::vector<float> x;
  for (uint64_t bits = begin; bits < end; bits += 64)
    x.push_back(floatOf(static_cast<uint32_t>(bits)));
  return x;
}

/// The f32 values around each midpoint between neighbouring finite values
/// of `type`: the midpoint itself (a tie) and its two f32 neighbours.
std::vector<float> midpointProbes(DType type) {
  std::vector<float> x;
  auto value = [&](uint32_t bits) {
    return type == DType::F16
               ? cpu::halfBitsToFloat(static_cast<uint16_t>(bits))
               : cpu::bfloat16BitsToFloat(static_cast<uint16_t>(bits));
  };
  uint32_t infinity = type == DType::F16 ? 0x7c00u : 0x7f80u;
  for (uint32_t sign : {0u, 0x8000u})
    for (uint32_t bits = 0; bits + 1 < infinity; ++bits) {
      float low = value(sign | bits), high = value(sign | (bits + 1));
      // Both 16-bit formats have fewer significand bits than f32, so the
      // midpoint is an f32 value.
      auto middle = static_cast<float>((double(low) + double(high)) / 2);
      for (float v : {middle, std::nextafter(middle, -INFINITY),
                      std::nextafter(middle, INFINITY)})
        x.push_back(v);
    }
  return x;
}

void expectRoundsLikeTheCpu(DType type, const std::vector<float> &x,
                            const std::string &what) {
  std::vector<float> cpu = x;
  cpu::roundToPrecision(type, cpu.data(), static_cast<int64_t>(cpu.size()));
  expectSameBits(x, deviceRound(type, x), cpu, what + " round");
  std::vector<uint16_t> deviceBits = deviceToBits(type, x);
  expectAll(
      x.size(),
      [&](size_t i) {
        uint16_t want = type == DType::F16 ? cpu::floatToHalfBits(x[i])
                                           : cpu::floatToBFloat16Bits(x[i]);
        // A NaN by class: exponent all ones, mantissa not zero.
        uint16_t exponent = type == DType::F16 ? 0x7c00 : 0x7f80;
        auto isNaN = [&](uint16_t b) {
          return (b & exponent) == exponent && (b & ~exponent & 0x7fff);
        };
        return isNaN(want) ? isNaN(deviceBits[i]) : deviceBits[i] == want;
      },
      [&](size_t i) {
        return "x " + hex(x[i]) + ": device bits " +
               std::to_string(deviceBits[i]);
      },
      what + " bits");
}

TEST_F(ScalarMath, RoundingMatchesTheCpuBitForBit) {
  for (DType type : {DType::F16, DType::BF16}) {
    std::string name = dtypeName(type);
    SCOPED_TRACE(name);
    expectRoundsLikeTheCpu(type, midpointProbes(type), name + " midpoints");
    expectRoundsLikeTheCpu(type, sweep(), name + " sweep");
    // 2^26 patterns of all 2^32, in chunks of 2^24.
    for (uint64_t begin = 0; begin < (1ull << 32); begin += 1ull << 30)
      expectRoundsLikeTheCpu(type, stridedPatterns(begin, begin + (1ull << 30)),
                             name + " strided");
  }
}

// The generated kernels' 16-byte loads and stores keep every bit of the
// one-element ones: each value stored and loaded back is the CPU's rounding
// of it to the storage type, whichever way it moved.
TEST_F(ScalarMath, VectorAccessRoundsLikeTheScalarAccess) {
  for (DType type : {DType::F32, DType::F16, DType::BF16}) {
    std::string name = dtypeName(type);
    SCOPED_TRACE(name);
    std::vector<float> x = sweep();
    if (type != DType::F32) {
      std::vector<float> midpoints = midpointProbes(type);
      x.insert(x.end(), midpoints.begin(), midpoints.end());
    }
    std::vector<float> cpu = x;
    cpu::roundToPrecision(type, cpu.data(), static_cast<int64_t>(cpu.size()));
    expectSameBits(x, deviceStoreLoad(type, x, /*vector=*/true), cpu,
                   name + " vector");
    expectSameBits(x, deviceStoreLoad(type, x, /*vector=*/false), cpu,
                   name + " scalar");
  }
}

TEST_F(ScalarMath, SixteenBitValuesWidenExactly) {
  std::vector<uint16_t> bits(0x10000);
  for (uint32_t b = 0; b < 0x10000; ++b)
    bits[b] = static_cast<uint16_t>(b);
  for (DType type : {DType::F16, DType::BF16}) {
    std::vector<float> want(bits.size());
    for (size_t i = 0; i < bits.size(); ++i)
      want[i] = type == DType::F16 ? cpu::halfBitsToFloat(bits[i])
                                   : cpu::bfloat16BitsToFloat(bits[i]);
    expectSameBits(want, deviceFromBits(type, bits), want, dtypeName(type));
  }
}

TEST_F(ScalarMath, FloatToIntMatchesTheCpuCast) {
  std::vector<float> x = sweep();
  for (float edge : {2147483520.0f, 2147483648.0f, -2147483648.0f,
                     -2147483904.0f, 0.999999f, -0.999999f, 1.5f, -1.5f})
    x.push_back(edge);
  std::vector<int32_t> device = deviceToInt(x);
  ASSERT_EQ(device.size(), x.size());
  expectAll(
      x.size(), [&](size_t i) { return device[i] == math::toInt32(x[i]); },
      [&](size_t i) {
        return "x " + hex(x[i]) + ": device " + std::to_string(device[i]) +
               ", cpu " + std::to_string(math::toInt32(x[i]));
      },
      "mpc_to_int");
}

//===----------------------------------------------------------------------===//
// Dropout, loss scaling, clipping
//===----------------------------------------------------------------------===//

TEST_F(ScalarMath, DropoutKeysBitsAndMasksMatchTheCpu) {
  const int64_t n = int64_t(1) << 20, steps = 4096;
  struct Case {
    uint64_t runSeed, opSeed, step;
  };
  for (Case c : {Case{0, 0, 0}, Case{1234, 7, 1}, Case{~0ull, 99, 123456789}}) {
    std::string what = "run seed " + std::to_string(c.runSeed) + " op seed " +
                       std::to_string(c.opSeed) + " step " +
                       std::to_string(c.step);
    // The key of (run seed, op seed, step), computed on the device.
    std::vector<uint64_t> keys = deviceDropoutKeys(c.runSeed, c.opSeed, steps);
    ASSERT_EQ(keys.size(), size_t(steps));
    int64_t badKeys = 0;
    for (int64_t s = 0; s < steps; ++s)
      badKeys +=
          keys[s] != random::dropoutKey(c.runSeed, c.opSeed, uint64_t(s));
    EXPECT_EQ(badKeys, 0) << what;

    uint64_t key = random::dropoutKey(c.runSeed, c.opSeed, c.step);
    std::vector<uint64_t> device = deviceDropoutBits(key, n);
    ASSERT_EQ(device.size(), size_t(n));
    int64_t bad = 0;
    for (int64_t i = 0; i < n; ++i)
      bad += device[i] !=
             cpu::dropoutBits(c.runSeed, c.opSeed, c.step, uint64_t(i));
    EXPECT_EQ(bad, 0) << what;

    std::vector<float> x = sweep(100000, 100000);
    for (double rate : {0.1, 0.5, 0.9}) {
      std::vector<float> cpu(x.size());
      cpu::dropout(x.data(), cpu.data(), int64_t(x.size()), rate, c.runSeed,
                   c.opSeed, c.step);
      auto scale = static_cast<float>(1.0 / (1.0 - rate));
      expectSameBits(x, deviceDropout(x, key, rate, scale), cpu,
                     "dropout rate " + std::to_string(rate));
    }
  }
}

TEST_F(ScalarMath, InverseScaleAndClipCoefficientMatchTheCpu) {
  std::vector<float> x = sweep();
  expectSameBits(x, deviceInverseLossScale(x),
                 hostMap(x, [](float s) { return cpu::inverseLossScale(s); }),
                 "inverseLossScale");
  std::vector<float> maxNorm = shuffled(x, 11);
  std::vector<float> cpu(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    cpu[i] = cpu::clipCoefficient(x[i], maxNorm[i]);
  expectSameBits(x, deviceClipCoefficient(x, maxNorm), cpu, "clipCoefficient");
}

TEST_F(ScalarMath, LossScaleTrajectoriesMatchTheCpu) {
  const float inf = std::numeric_limits<float>::infinity();
  // Growth into a cap, to infinity (kept at the last finite scale), backoff
  // to a floor, hysteresis, odd factors whose products round.
  const math::LossScaleConfig configs[] = {
      {2.0, 3, 0.5, 1, 1.0, 65536.0 * 4},
      {2.0, 2, 0.5, 3, 0.0, inf},
      {1e10, 1, 1e-10, 2, 1e-30, 3e38},
      {1.1, 5, 0.3, 1, 0.001, 1e6},
  };
  for (const math::LossScaleConfig &config : configs) {
    std::vector<uint8_t> flags;
    for (uint64_t i = 0; i < 4000; ++i)
      // Runs of clean steps broken by bursts of overflows.
      flags.push_back(random::hash(9, config.growthInterval, i / 7) % 5 == 0 &&
                      random::hash(9, 1, i) % 2 == 0);
    LossScaleState initial{65536.0f, 0.0f, float(config.hysteresis)};
    std::vector<LossScaleState> device =
        deviceLossScaleTrajectory(config, initial, flags);
    ASSERT_EQ(device.size(), flags.size());
    LossScaleState cpu = initial;
    for (size_t i = 0; i < flags.size(); ++i) {
      cpu::updateLossScale(cpu.scale, cpu.goodSteps, cpu.hysteresisLeft,
                           flags[i] != 0, config);
      ASSERT_TRUE(sameBits(device[i].scale, cpu.scale) &&
                  sameBits(device[i].goodSteps, cpu.goodSteps) &&
                  sameBits(device[i].hysteresisLeft, cpu.hysteresisLeft))
          << "step " << i << ": device scale " << hex(device[i].scale)
          << ", cpu " << hex(cpu.scale);
    }
  }
}

} // namespace
} // namespace mpc::gputest
