//===- ScalarMathKernels.h - the device's scalar maths, element by element ===//
//
// Host entry points that run runtime/core/ScalarMath.h's functions on the
// device over host vectors, each calling exactly what generated code or the
// CUDA library calls: an elementwise op's device spelling (the `cuda`
// column of its row, e.g. __fadd_rn, tanhf or mpc_gelu), mpc_round_f16,
// mpc_to_int, the dropout and loss-scale functions. Each copies its inputs
// to the device and its results back, and fails the current test on a CUDA
// error. They need a device; callers skip without one.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_TESTS_GPU_KERNELS_SCALARMATHKERNELS_H
#define MPC_TESTS_GPU_KERNELS_SCALARMATHKERNELS_H

#include "runtime/core/DType.h"
#include "runtime/core/ScalarMath.h"
#include "runtime/cpu/kernels/Kernels.h"

#include <cstdint>
#include <vector>

namespace mpc::gputest {

/// The device spelling of op `op` applied to each element (pairs for the
/// binary and gradient ops, which take (x, y) and (dy, saved)).
std::vector<float> deviceUnary(cpu::UnaryOp op, const std::vector<float> &x);
std::vector<float> deviceBinary(cpu::BinaryOp op, const std::vector<float> &x,
                                const std::vector<float> &y);
std::vector<float> deviceUnaryGrad(cpu::UnaryGradOp op,
                                   const std::vector<float> &dy,
                                   const std::vector<float> &saved);

/// The libm call inside a Libm op, evaluated on the device as the op
/// evaluates it: tanhf(geluTanhArgument(x)), tanhf(geluGradTanhArgument(x))
/// and expf(-x).
enum class LibmTerm { GeluTanh, GeluGradTanh, SigmoidExp };
std::vector<float> deviceLibmTerm(LibmTerm term, const std::vector<float> &x);

/// mpc_pow(x, exponent) of each element, as generated code calls it.
std::vector<float> devicePower(const std::vector<float> &x, float exponent);

/// mpc_round_f16 / mpc_round_bf16 of each element.
std::vector<float> deviceRound(DType type, const std::vector<float> &x);
/// math::floatToHalfBits / floatToBFloat16Bits of each element.
std::vector<uint16_t> deviceToBits(DType type, const std::vector<float> &x);
/// math::halfBitsToFloat / bfloat16BitsToFloat of each element.
std::vector<float> deviceFromBits(DType type,
                                  const std::vector<uint16_t> &bits);
/// Each element of `x` stored to a device buffer of float `type` and read
/// back, through the vector helpers of the generated kernels
/// (mpc_store_vec, mpc_load_vec: 16 bytes per access) when `vector`, else
/// through mpc_store and mpc_load.
std::vector<float> deviceStoreLoad(DType type, const std::vector<float> &x,
                                   bool vector);

/// mpc_to_int of each element.
std::vector<int32_t> deviceToInt(const std::vector<float> &x);

/// random::dropoutKey(runSeed, opSeed, step) for step in [0, steps).
std::vector<uint64_t> deviceDropoutKeys(uint64_t runSeed, uint64_t opSeed,
                                        int64_t steps);
/// random::dropoutBits(key, i) for i in [0, n).
std::vector<uint64_t> deviceDropoutBits(uint64_t key, int64_t n);
/// math::dropout(x[i], key, i, rate, scale) for each element.
std::vector<float> deviceDropout(const std::vector<float> &x, uint64_t key,
                                 double rate, float scale);

/// math::inverseLossScale of each element.
std::vector<float> deviceInverseLossScale(const std::vector<float> &scale);
/// math::clipCoefficient(norm[i], maxNorm[i]).
std::vector<float> deviceClipCoefficient(const std::vector<float> &norm,
                                         const std::vector<float> &maxNorm);

/// The state {scale, goodSteps, hysteresisLeft} after each step of
/// math::updateLossScale from `initial`, one step per element of
/// `foundInf`, run by one device thread.
struct LossScaleState {
  float scale, goodSteps, hysteresisLeft;
};
std::vector<LossScaleState>
deviceLossScaleTrajectory(const math::LossScaleConfig &config,
                          LossScaleState initial,
                          const std::vector<uint8_t> &foundInf);

} // namespace mpc::gputest

#endif // MPC_TESTS_GPU_KERNELS_SCALARMATHKERNELS_H
