//===- ScalarMath.h - every scalar formula, for the host and the device ---===//
//
// The element maths of mpc, defined once: f16/bf16 rounding, the
// elementwise ops and their gradients, dropout, loss scaling and the
// optimizer updates. The CPU reference kernels, the CUDA library and the
// generated step (through runtime/cuda/mpc_step.cuh) all call these
// functions, so the two backends compute the same bits.
//
// Bit-identity rests on two rules:
// - No contraction. On the device, add/sub/mul/div/sqrt are the _rn
//   intrinsics, which nvcc never fuses into a multiply-add whatever its
//   flags; on the host the consumers are built with -ffp-contract=off.
// - Single-precision libm, called explicitly (::tanhf, not tanh, which
//   could resolve to the double overload). These are the only functions
//   whose results may differ between glibc and CUDA's libdevice: the rows
//   below mark the ops that use them `Libm`, the others `Exact`.
//
// The X-macro lists at the end are the one list of elementwise ops: the CPU
// kernel enums and switches, the interpreter, the importer, the CUDA kernel
// emitter and the device wrappers of mpc_step.cuh are expanded from them.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_SCALARMATH_H
#define MPC_RUNTIME_CORE_SCALARMATH_H

#include "HostDevice.h"
#include "LrSchedule.h"
#include "Random.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__CUDACC__)
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#endif

namespace mpc::math {

//===----------------------------------------------------------------------===//
// Arithmetic rounded to nearest even, never contracted
//===----------------------------------------------------------------------===//

#if defined(__CUDA_ARCH__)
MPC_HD float add(float x, float y) { return __fadd_rn(x, y); }
MPC_HD float sub(float x, float y) { return __fsub_rn(x, y); }
MPC_HD float mul(float x, float y) { return __fmul_rn(x, y); }
MPC_HD float div(float x, float y) { return __fdiv_rn(x, y); }
MPC_HD float sqrt(float x) { return __fsqrt_rn(x); }
MPC_HD double add(double x, double y) { return __dadd_rn(x, y); }
MPC_HD double sub(double x, double y) { return __dsub_rn(x, y); }
MPC_HD double mul(double x, double y) { return __dmul_rn(x, y); }
MPC_HD double div(double x, double y) { return __ddiv_rn(x, y); }
#else
MPC_HD float add(float x, float y) { return x + y; }
MPC_HD float sub(float x, float y) { return x - y; }
MPC_HD float mul(float x, float y) { return x * y; }
MPC_HD float div(float x, float y) { return x / y; }
MPC_HD float sqrt(float x) { return ::sqrtf(x); }
MPC_HD double add(double x, double y) { return x + y; }
MPC_HD double sub(double x, double y) { return x - y; }
MPC_HD double mul(double x, double y) { return x * y; }
MPC_HD double div(double x, double y) { return x / y; }
#endif

/// std::max and std::min's semantics (the first argument when unordered),
/// which fmax/fmin do not have for NaN.
MPC_HD double maxOf(double a, double b) { return a < b ? b : a; }
MPC_HD double minOf(double a, double b) { return b < a ? b : a; }
MPC_HD float minOf(float a, float b) { return b < a ? b : a; }

//===----------------------------------------------------------------------===//
// Bits of f32, f16 and bf16
//===----------------------------------------------------------------------===//

MPC_HD uint32_t bitsOf(float value) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(value);
#else
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bits;
#endif
}

MPC_HD float floatOf(uint32_t bits) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(bits);
#else
  float value;
  memcpy(&value, &bits, sizeof value);
  return value;
#endif
}

/// Neither an infinity nor a NaN.
MPC_HD bool isFinite(float x) {
  return (bitsOf(x) & 0x7f800000u) != 0x7f800000u;
}

namespace detail {

inline constexpr uint32_t kF32Inf = 0x7f800000u;
inline constexpr uint32_t kF32Abs = 0x7fffffffu;

/// `value >> shift` rounded to nearest, ties to even (1 <= shift <= 31).
MPC_HD uint32_t shiftRightRoundEven(uint32_t value, unsigned shift) {
  uint32_t kept = value >> shift;
  uint32_t rest = value & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (kept & 1)))
    ++kept;
  return kept;
}

} // namespace detail

// The host converts with integer code, so it rounds alike on every machine
// whatever its floating-point hardware; the device with its conversion
// instructions. Both round to nearest even. A NaN stays a NaN; its sign and
// payload bits may differ (the host keeps them, the device makes the
// canonical NaN).

/// The binary16 bits nearest to `value`: overflow gives infinities of the
/// sign, tiny values (signed) subnormals or zeros.
MPC_HD uint16_t floatToHalfBits(float value) {
#if defined(__CUDA_ARCH__)
  return __half_as_ushort(__float2half_rn(value));
#else
  using namespace detail;
  uint32_t bits = bitsOf(value);
  uint32_t sign = (bits >> 16) & 0x8000u;
  uint32_t abs = bits & kF32Abs;
  if (abs > kF32Inf) // NaN: keep the top payload bits, set the quiet bit.
    return static_cast<uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  // 65520 is halfway between 65504 (the largest half) and 65536; the tie goes
  // to the even neighbour 65536, which overflows.
  if (abs >= 0x477ff000u)
    return static_cast<uint16_t>(sign | 0x7c00u);
  if (abs >= 0x38800000u) {
    // Normal half: rebias the exponent (127 -> 15) and drop 13 mantissa
    // bits. A carry out of the mantissa correctly bumps the exponent.
    uint32_t rebiased = abs - ((127u - 15u) << 23);
    return static_cast<uint16_t>(sign | shiftRightRoundEven(rebiased, 13));
  }
  // Below 2^-14: a subnormal half m * 2^-24. Everything up to and including
  // 2^-25 (half the smallest subnormal; the tie goes to even 0) is zero.
  if (abs <= 0x33000000u)
    return static_cast<uint16_t>(sign);
  // abs = 1.f * 2^(e-127) with 102 < e < 113, so m = 1.f * 2^(e-103) and the
  // 24-bit significand is shifted right by 126 - e, between 14 and 23.
  uint32_t exponent = abs >> 23;
  uint32_t significand = (abs & 0x7fffffu) | 0x800000u;
  // Rounding 1023.5 up gives 0x400, the smallest normal half: still right.
  return static_cast<uint16_t>(
      sign | shiftRightRoundEven(significand, 126u - exponent));
#endif
}

/// The f32 value of binary16 `bits` (exact: every binary16 value is an f32
/// value).
MPC_HD float halfBitsToFloat(uint16_t bits) {
#if defined(__CUDA_ARCH__)
  return __half2float(__ushort_as_half(bits));
#else
  using namespace detail;
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0x1f) // Infinity or NaN (payload kept).
    return floatOf(sign | kF32Inf | (mantissa << 13));
  if (exponent == 0) {
    // Zero or subnormal: m * 2^-24, exact in f32.
    float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return floatOf(sign | bitsOf(magnitude));
  }
  return floatOf(sign | ((exponent + (127u - 15u)) << 23) | (mantissa << 13));
#endif
}

/// The bfloat16 bits nearest to `value`; overflow gives infinities.
MPC_HD uint16_t floatToBFloat16Bits(float value) {
#if defined(__CUDA_ARCH__)
  return __bfloat16_as_ushort(__float2bfloat16_rn(value));
#else
  using namespace detail;
  uint32_t bits = bitsOf(value);
  if ((bits & kF32Abs) > kF32Inf)
    return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  // bfloat16 is the top half of f32, so rounding is on the low 16 bits; an
  // overflow of the largest finite values carries into infinity as IEEE
  // rounding requires.
  return static_cast<uint16_t>(shiftRightRoundEven(bits, 16));
#endif
}

/// The f32 value of bfloat16 `bits` (exact: bfloat16 is the top half of f32).
MPC_HD float bfloat16BitsToFloat(uint16_t bits) {
  return floatOf(static_cast<uint32_t>(bits) << 16);
}

/// `x` rounded to the nearest f16 / bf16 value, as f32: what storing it
/// keeps.
MPC_HD float roundF16(float x) { return halfBitsToFloat(floatToHalfBits(x)); }
MPC_HD float roundBF16(float x) {
  return bfloat16BitsToFloat(floatToBFloat16Bits(x));
}

/// mpc.cast of a float to i32: toward zero, NaN to 0, saturating.
MPC_HD int32_t toInt32(float x) {
  if (x != x)
    return 0;
  float t = ::truncf(x);
  if (t <= -2147483648.0f)
    return -2147483647 - 1;
  if (t >= 2147483648.0f)
    return 2147483647;
  return static_cast<int32_t>(t);
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

// The single-precision libm functions (glibc on the host, libdevice on the
// device): the only source of differences between the backends.
MPC_HD float tanh(float x) { return ::tanhf(x); }
MPC_HD float exp(float x) { return ::expf(x); }
MPC_HD float log(float x) { return ::logf(x); }

// sqrt(2 / pi) and the cubic coefficient of the tanh approximation of gelu.
inline constexpr float kGeluScale = 0.7978845608028654f;
inline constexpr float kGeluCubic = 0.044715f;

/// relu keeping NaN (which fails x > 0 but must propagate); -0 becomes +0.
MPC_HD float relu(float x) { return x > 0.0f || x != x ? x : 0.0f; }

/// The argument of gelu's tanh: sqrt(2/pi) (x + 0.044715 x^3).
MPC_HD float geluTanhArgument(float x) {
  float cube = mul(mul(mul(kGeluCubic, x), x), x);
  return mul(kGeluScale, add(x, cube));
}
/// gelu given t = tanh(geluTanhArgument(x)): 0.5 x (1 + t).
MPC_HD float geluOfTanh(float x, float t) {
  return mul(mul(0.5f, x), add(1.0f, t));
}
/// The tanh approximation of gelu.
MPC_HD float gelu(float x) { return geluOfTanh(x, tanh(geluTanhArgument(x))); }

/// sigmoid given e = exp(-x): 1 / (1 + e).
MPC_HD float sigmoidOfExp(float e) { return div(1.0f, add(1.0f, e)); }
MPC_HD float sigmoid(float x) { return sigmoidOfExp(exp(-x)); }

/// silu (swish) given e = exp(-x): x sigmoid(x).
MPC_HD float siluOfExp(float x, float e) { return mul(x, sigmoidOfExp(e)); }
MPC_HD float silu(float x) { return siluOfExp(x, exp(-x)); }

MPC_HD float rsqrt(float x) { return div(1.0f, sqrt(x)); }
MPC_HD float neg(float x) { return -x; }

/// x to a constant exponent, C's powf: a negative x with a non-integer
/// exponent gives NaN, a zero x with a negative exponent an infinity, any x
/// with exponent 0 gives 1. A libm function (the backends may differ).
MPC_HD float power(float x, float exponent) { return ::powf(x, exponent); }

//===----------------------------------------------------------------------===//
// Activation gradients: dx from dy and the saved forward input x (relu,
// gelu, silu) or output y (tanh, sigmoid)
//===----------------------------------------------------------------------===//

MPC_HD float reluGrad(float dy, float x) { return x > 0.0f ? dy : 0.0f; }

/// The argument of tanh in gelu's gradient, s (x + (c x^2) x); it rounds
/// differently from geluTanhArgument's s (x + ((c x) x) x).
MPC_HD float geluGradTanhArgument(float x) {
  float x2 = mul(x, x);
  return mul(kGeluScale, add(x, mul(mul(kGeluCubic, x2), x)));
}
/// gelu = 0.5 x (1 + t), t = tanh(u), u = s (x + c x^3):
/// dy gelu' = dy (0.5 (1 + t) + 0.5 x (1 - t^2) s (1 + 3 c x^2)), given t.
MPC_HD float geluGradOfTanh(float dy, float x, float t) {
  float x2 = mul(x, x);
  float du = mul(kGeluScale, add(1.0f, mul(mul(3.0f, kGeluCubic), x2)));
  float left = mul(0.5f, add(1.0f, t));
  float right = mul(mul(mul(0.5f, x), sub(1.0f, mul(t, t))), du);
  return mul(dy, add(left, right));
}
MPC_HD float geluGrad(float dy, float x) {
  return geluGradOfTanh(dy, x, tanh(geluGradTanhArgument(x)));
}

MPC_HD float tanhGrad(float dy, float y) {
  return mul(dy, sub(1.0f, mul(y, y)));
}
MPC_HD float sigmoidGrad(float dy, float y) {
  return mul(mul(dy, y), sub(1.0f, y));
}

/// silu = x s, s = sigmoid(x): dy silu' = dy (s (1 + x (1 - s))), given
/// e = exp(-x).
MPC_HD float siluGradOfExp(float dy, float x, float e) {
  float s = sigmoidOfExp(e);
  return mul(dy, mul(s, add(1.0f, mul(x, sub(1.0f, s)))));
}
MPC_HD float siluGrad(float dy, float x) {
  return siluGradOfExp(dy, x, exp(-x));
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

/// Element `index` of inverted dropout under mask `key`
/// (random::dropoutKey): 0 when uniform01(dropoutBits(key, index)) < rate,
/// else x * scale with scale = float(1 / (1 - rate)).
MPC_HD float dropout(float x, uint64_t key, uint64_t index, double rate,
                     float scale) {
  bool dropped = random::uniform01(random::dropoutBits(key, index)) < rate;
  return dropped ? 0.0f : mul(x, scale);
}

//===----------------------------------------------------------------------===//
// Loss scaling (PyTorch's GradScaler, DeepSpeed's hysteresis and floor)
//===----------------------------------------------------------------------===//

/// The factor gradients are unscaled by: 1 / scale in double, rounded to
/// f32 once, so a power-of-two scale unscales exactly.
MPC_HD float inverseLossScale(float scale) {
  return static_cast<float>(div(1.0, static_cast<double>(scale)));
}

/// The hyperparameters of dynamic loss scaling.
struct LossScaleConfig {
  double growthFactor;
  int64_t growthInterval;
  double backoffFactor;
  int64_t hysteresis;
  double minScale, maxScale;
};

/// One step of dynamic loss scaling on its state: the scale, the clean steps
/// since the last change and the overflows still tolerated before backing
/// off. On overflow: goodSteps = 0; if hysteresisLeft > 1 it is decremented
/// and the scale kept, else scale = max(scale * backoffFactor, minScale). On
/// a clean step: ++goodSteps; when it reaches growthInterval, goodSteps = 0,
/// hysteresisLeft = hysteresis and scale = min(scale * growthFactor,
/// maxScale) if that is finite in f32. Products are taken in double and
/// rounded to f32 once.
MPC_HD void updateLossScale(float &scale, float &goodSteps,
                            float &hysteresisLeft, bool foundInf,
                            const LossScaleConfig &config) {
  if (foundInf) {
    goodSteps = 0;
    if (hysteresisLeft > 1) {
      hysteresisLeft = sub(hysteresisLeft, 1.0f);
      return;
    }
    scale = static_cast<float>(
        maxOf(mul(static_cast<double>(scale), config.backoffFactor),
              config.minScale));
    return;
  }
  goodSteps = add(goodSteps, 1.0f);
  if (goodSteps < static_cast<float>(config.growthInterval))
    return;
  goodSteps = 0;
  hysteresisLeft = static_cast<float>(config.hysteresis);
  auto grown = static_cast<float>(minOf(
      mul(static_cast<double>(scale), config.growthFactor), config.maxScale));
  if (isFinite(grown))
    scale = grown;
}

//===----------------------------------------------------------------------===//
// Optimizers (PyTorch's single-tensor SGD and AdamW, clip_grad_norm_)
//===----------------------------------------------------------------------===//

/// The factor of the peak learning rate after `completed` optimizer steps,
/// as torch.optim.lr_scheduler.LambdaLR's lambda: the first update uses 0.
/// With W = warmup_steps, D = decay_steps, r = min_ratio:
///   s < W:    (s + 1) / W                     (linear warmup)
///   constant: 1
///   cosine:   r + (1 - r) (1 + cos(pi q)) / 2 with q = min((s - W) / (D - W),
///   1) linear:   r + (1 - r) (1 - q) step:     gamma^floor((s - W) /
///   step_size)
/// In double, as Python computes it; cos and pow are libm's (the device's
/// may differ in the last bit of a double, which rounding the rate to f32
/// almost always hides).
MPC_HD double learningRateFactor(const mpc_lr_schedule &schedule,
                                 double completed) {
  auto warmup = static_cast<double>(schedule.warmup_steps);
  if (completed < warmup)
    return div(add(completed, 1.0), warmup);
  double sinceWarmup = sub(completed, warmup);
  switch (schedule.kind) {
  case MPC_LR_COSINE:
  case MPC_LR_LINEAR: {
    double length = sub(static_cast<double>(schedule.decay_steps), warmup);
    double progress = minOf(div(sinceWarmup, length), 1.0);
    double shape =
        schedule.kind == MPC_LR_COSINE
            ? mul(0.5, add(1.0, ::cos(mul(3.141592653589793, progress))))
            : sub(1.0, progress);
    return add(schedule.min_ratio, mul(sub(1.0, schedule.min_ratio), shape));
  }
  case MPC_LR_STEP:
    return ::pow(
        schedule.gamma,
        ::floor(div(sinceWarmup, static_cast<double>(schedule.step_size))));
  default:
    return 1.0;
  }
}

/// The learning rate of optimizer step number `step` (1-based: the step
/// count after this step's increment, which AdamW reads too) for the peak
/// rate `lr`: lr times the factor after step - 1 completed steps.
MPC_HD double scheduledLearningRate(double lr, const mpc_lr_schedule &schedule,
                                    double step) {
  return mul(lr, learningRateFactor(schedule, sub(step, 1.0)));
}

/// The factor clip_grad_norm_ scales gradients by:
/// min(1, maxNorm / (norm + 1e-6)).
MPC_HD float clipCoefficient(float norm, float maxNorm) {
  return minOf(1.0f, div(maxNorm, add(norm, 1e-6f)));
}

/// Plain SGD: p - lr (g + weightDecay p).
MPC_HD float sgdStep(float p, float g, float lr, float weightDecay) {
  return sub(p, mul(lr, add(g, mul(weightDecay, p))));
}

/// SGD with momentum (dampening 0, not Nesterov): g' = g + weightDecay p;
/// buffer = momentum buffer + g'; p -= lr buffer.
MPC_HD void momentumStep(float &p, float &buffer, float g, float lr,
                         float momentum, float weightDecay) {
  float decayed = add(g, mul(weightDecay, p));
  buffer = add(mul(momentum, buffer), decayed);
  p = sub(p, mul(lr, buffer));
}

/// AdamW's scalars for one step. PyTorch computes each in double from the
/// hyperparameters the user gave (Python floats) and rounds it to f32 once,
/// where the tensor op takes it: 1 - beta2 is 1 - 0.999 in double, not
/// 1 - f32(0.999), which would make the second moment 1.3e-5 low.
struct AdamwFactors {
  float decay;           ///< 1 - lr weightDecay
  float beta1, oneMinusBeta1;
  float beta2, oneMinusBeta2;
  float eps;
  float stepSize;        ///< lr / (1 - beta1^step)
  float correction2Sqrt; ///< sqrt(1 - beta2^step)
};

/// The factors of AdamW step number `step` (1-based). pow is libm's (the
/// device's may differ in the last bit of a double).
MPC_HD AdamwFactors adamwFactors(double step, double lr, double beta1,
                                 double beta2, double eps,
                                 double weightDecay) {
  double biasCorrection1 = sub(1.0, ::pow(beta1, step));
  double biasCorrection2 = sub(1.0, ::pow(beta2, step));
  return {static_cast<float>(sub(1.0, mul(lr, weightDecay))),
          static_cast<float>(beta1),
          static_cast<float>(sub(1.0, beta1)),
          static_cast<float>(beta2),
          static_cast<float>(sub(1.0, beta2)),
          static_cast<float>(eps),
          static_cast<float>(div(lr, biasCorrection1)),
          static_cast<float>(::sqrt(biasCorrection2))};
}

/// One AdamW element, as torch.optim.AdamW's single-tensor step:
/// p *= decay; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g g;
/// p -= (stepSize m) / (sqrt(v) / sqrt(1 - b2^step) + eps).
MPC_HD void adamwStep(float &p, float &m, float &v, float g,
                      const AdamwFactors &f) {
  p = mul(p, f.decay);
  m = add(mul(f.beta1, m), mul(f.oneMinusBeta1, g));
  v = add(mul(f.beta2, v), mul(mul(f.oneMinusBeta2, g), g));
  float denom = add(div(sqrt(v), f.correction2Sqrt), f.eps);
  p = sub(p, div(mul(f.stepSize, m), denom));
}

//===----------------------------------------------------------------------===//
// The elementwise ops, one row each
//===----------------------------------------------------------------------===//

/// Whether the CPU and the GPU agree bit for bit on an op (NaN by class):
/// Exact ops are IEEE operations and comparisons only; Libm ops call
/// tanhf/expf/logf, whose glibc and libdevice results may differ by a few
/// ulp.
enum class Accuracy { Exact, Libm };

} // namespace mpc::math

// X(Name, mnemonic, function, cuda, accuracy):
//   Name      the enumerator of the CPU kernel enum; the mpc dialect's op
//             class is Name##Op (unary, binary) or Name##GradOp (gradients)
//   mnemonic  the op's name in the dialect and in JSON graphs
//   function  the mpc::math function above
//   cuda      what the CUDA kernel emitter prints for it in step.cu
//   accuracy  Exact or Libm (mpc::math::Accuracy)
// Rows keep the importer's order, which its "known ops" message lists.

#define MPC_BINARY_OPS(X)                                                      \
  X(Add, add, add, __fadd_rn, Exact)                                           \
  X(Sub, sub, sub, __fsub_rn, Exact)                                           \
  X(Mul, mul, mul, __fmul_rn, Exact)                                           \
  X(Div, div, div, __fdiv_rn, Exact)

#define MPC_UNARY_OPS(X)                                                       \
  X(Relu, relu, relu, mpc_relu, Exact)                                         \
  X(Gelu, gelu, gelu, mpc_gelu, Libm)                                          \
  X(Tanh, tanh, tanh, tanhf, Libm)                                             \
  X(Sigmoid, sigmoid, sigmoid, mpc_sigmoid, Libm)                              \
  X(Silu, silu, silu, mpc_silu, Libm)                                          \
  X(Exp, exp, exp, expf, Libm)                                                 \
  X(Log, log, log, logf, Libm)                                                 \
  X(Sqrt, sqrt, sqrt, __fsqrt_rn, Exact)                                       \
  X(Rsqrt, rsqrt, rsqrt, mpc_rsqrt, Exact)                                     \
  X(Neg, neg, neg, mpc_neg, Exact)

// f(dy, saved): saved is the forward input for relu, gelu and silu, the
// forward output for tanh and sigmoid.
#define MPC_UNARY_GRAD_OPS(X)                                                  \
  X(Relu, relu_grad, reluGrad, mpc_relu_grad, Exact)                           \
  X(Gelu, gelu_grad, geluGrad, mpc_gelu_grad, Libm)                            \
  X(Tanh, tanh_grad, tanhGrad, mpc_tanh_grad, Exact)                           \
  X(Sigmoid, sigmoid_grad, sigmoidGrad, mpc_sigmoid_grad, Exact)               \
  X(Silu, silu_grad, siluGrad, mpc_silu_grad, Libm)

#endif // MPC_RUNTIME_CORE_SCALARMATH_H
