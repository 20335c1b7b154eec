//===- DeviceMath.cuh - typed loads, stores and activations -----*- CUDA
//-*-===//
//
// Kernels compute in f32 whatever the storage type: they load an element of
// a runtime dtype as float and round a float to the dtype once on store
// (round to nearest even, as runtime/cpu/kernels/Precision.h does). The
// 8-wide forms move 16-byte vectors of 16-bit types (two for f32); callers
// use them only on 16-byte aligned bases at indices that are multiples of 8.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_DEVICEMATH_CUH
#define MPC_RUNTIME_CUDA_DEVICEMATH_CUH

#include "mpc_cuda_runtime.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace mpc::cuda {

__device__ inline float loadAs(const void *base, mpc_dtype type, int64_t i) {
  switch (type) {
  case MPC_F16:
    return __half2float(static_cast<const __half *>(base)[i]);
  case MPC_BF16:
    return __bfloat162float(static_cast<const __nv_bfloat16 *>(base)[i]);
  default:
    return static_cast<const float *>(base)[i];
  }
}

__device__ inline void storeAs(void *base, mpc_dtype type, int64_t i,
                               float value) {
  switch (type) {
  case MPC_F16:
    static_cast<__half *>(base)[i] = __float2half_rn(value);
    return;
  case MPC_BF16:
    static_cast<__nv_bfloat16 *>(base)[i] = __float2bfloat16_rn(value);
    return;
  default:
    static_cast<float *>(base)[i] = value;
    return;
  }
}

/// v[0..8) = base[i..i+8) as float with 16-byte loads.
__device__ inline void load8(const void *base, mpc_dtype type, int64_t i,
                             float (&v)[8]) {
  switch (type) {
  case MPC_F16: {
    uint4 raw =
        *reinterpret_cast<const uint4 *>(static_cast<const __half *>(base) + i);
    const auto *pairs = reinterpret_cast<const __half2 *>(&raw);
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      float2 f = __half22float2(pairs[k]);
      v[2 * k] = f.x;
      v[2 * k + 1] = f.y;
    }
    return;
  }
  case MPC_BF16: {
    uint4 raw = *reinterpret_cast<const uint4 *>(
        static_cast<const __nv_bfloat16 *>(base) + i);
    const auto *pairs = reinterpret_cast<const __nv_bfloat162 *>(&raw);
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      float2 f = __bfloat1622float2(pairs[k]);
      v[2 * k] = f.x;
      v[2 * k + 1] = f.y;
    }
    return;
  }
  default: {
    const auto *p =
        reinterpret_cast<const float4 *>(static_cast<const float *>(base) + i);
    float4 a = p[0], b = p[1];
    v[0] = a.x, v[1] = a.y, v[2] = a.z, v[3] = a.w;
    v[4] = b.x, v[5] = b.y, v[6] = b.z, v[7] = b.w;
    return;
  }
  }
}

/// base[i..i+8) = v rounded to `type`, with 16-byte stores.
__device__ inline void store8(void *base, mpc_dtype type, int64_t i,
                              const float (&v)[8]) {
  switch (type) {
  case MPC_F16: {
    uint4 raw;
    auto *pairs = reinterpret_cast<__half2 *>(&raw);
#pragma unroll
    for (int k = 0; k < 4; ++k)
      pairs[k] = __floats2half2_rn(v[2 * k], v[2 * k + 1]);
    *reinterpret_cast<uint4 *>(static_cast<__half *>(base) + i) = raw;
    return;
  }
  case MPC_BF16: {
    uint4 raw;
    auto *pairs = reinterpret_cast<__nv_bfloat162 *>(&raw);
#pragma unroll
    for (int k = 0; k < 4; ++k)
      pairs[k] = __floats2bfloat162_rn(v[2 * k], v[2 * k + 1]);
    *reinterpret_cast<uint4 *>(static_cast<__nv_bfloat16 *>(base) + i) = raw;
    return;
  }
  default: {
    auto *p = reinterpret_cast<float4 *>(static_cast<float *>(base) + i);
    p[0] = make_float4(v[0], v[1], v[2], v[3]);
    p[1] = make_float4(v[4], v[5], v[6], v[7]);
    return;
  }
  }
}

// sqrt(2 / pi) and the cubic coefficient of the tanh approximation of gelu,
// the constants of the CPU reference.
constexpr float kGeluScale = 0.7978845608028654f;
constexpr float kGeluCubic = 0.044715f;

/// relu keeping NaN and mapping -0 to +0, as the CPU reference.
__device__ inline float reluOf(float x) {
  return x > 0.0f || x != x ? x : 0.0f;
}

/// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), evaluated in the CPU
/// reference's order.
__device__ inline float geluOf(float x) {
  float inner = kGeluScale * (x + kGeluCubic * x * x * x);
  return 0.5f * x * (1.0f + tanhf(inner));
}

/// dy * gelu'(x), the CPU reference's unaryGrad(Gelu).
__device__ inline float geluGradOf(float dy, float x) {
  float x2 = x * x;
  float t = tanhf(kGeluScale * (x + kGeluCubic * x2 * x));
  float du = kGeluScale * (1.0f + 3.0f * kGeluCubic * x2);
  return dy * (0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du);
}

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_DEVICEMATH_CUH
