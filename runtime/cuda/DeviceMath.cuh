//===- DeviceMath.cuh - typed loads and stores of device elements -*- CUDA
//-*-===//
//
// Kernels compute in f32 whatever the storage type: they load an element as
// float and round a float to the storage type once on store (round to
// nearest even, as runtime/core/ScalarMath.h's roundF16/roundBF16). The
// storage type is a template parameter wherever a kernel is instantiated per
// dtype (withFloatType picks the instance once per launch); loadAs/storeAs
// take it at run time, for the kernels that still do. The 8-wide forms move
// 16-byte vectors of 16-bit types (two for f32); callers use them only on
// 16-byte aligned bases at indices that are multiples of 8.
//
// Generated step code reads and writes its elements with these functions
// too (mpc_step.cuh's mpc_load/mpc_store).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_DEVICEMATH_CUH
#define MPC_RUNTIME_CUDA_DEVICEMATH_CUH

#include "mpc_cuda_runtime.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

namespace mpc::cuda {

//===----------------------------------------------------------------------===//
// One element, storage type known at compile time
//===----------------------------------------------------------------------===//

__device__ __forceinline__ float load(const float *p, int64_t i) {
  return p[i];
}
__device__ __forceinline__ float load(const __half *p, int64_t i) {
  return __half2float(p[i]);
}
__device__ __forceinline__ float load(const __nv_bfloat16 *p, int64_t i) {
  return __bfloat162float(p[i]);
}
__device__ __forceinline__ int32_t load(const int32_t *p, int64_t i) {
  return p[i];
}
__device__ __forceinline__ bool load(const uint8_t *p, int64_t i) {
  return p[i] != 0;
}

__device__ __forceinline__ void store(float *p, int64_t i, float v) {
  p[i] = v;
}
__device__ __forceinline__ void store(__half *p, int64_t i, float v) {
  p[i] = __float2half_rn(v);
}
__device__ __forceinline__ void store(__nv_bfloat16 *p, int64_t i, float v) {
  p[i] = __float2bfloat16_rn(v);
}
__device__ __forceinline__ void store(int32_t *p, int64_t i, int32_t v) {
  p[i] = v;
}
__device__ __forceinline__ void store(uint8_t *p, int64_t i, bool v) {
  p[i] = v ? 1 : 0;
}

//===----------------------------------------------------------------------===//
// Eight elements with 16-byte moves
//===----------------------------------------------------------------------===//

/// v[0..8) = base[i..i+8) as float.
__device__ __forceinline__ void load8(const float *base, int64_t i,
                                      float (&v)[8]) {
  const auto *p = reinterpret_cast<const float4 *>(base + i);
  float4 a = p[0], b = p[1];
  v[0] = a.x, v[1] = a.y, v[2] = a.z, v[3] = a.w;
  v[4] = b.x, v[5] = b.y, v[6] = b.z, v[7] = b.w;
}
__device__ __forceinline__ void load8(const __half *base, int64_t i,
                                      float (&v)[8]) {
  uint4 raw = *reinterpret_cast<const uint4 *>(base + i);
  const auto *pairs = reinterpret_cast<const __half2 *>(&raw);
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    float2 f = __half22float2(pairs[k]);
    v[2 * k] = f.x;
    v[2 * k + 1] = f.y;
  }
}
__device__ __forceinline__ void load8(const __nv_bfloat16 *base, int64_t i,
                                      float (&v)[8]) {
  uint4 raw = *reinterpret_cast<const uint4 *>(base + i);
  const auto *pairs = reinterpret_cast<const __nv_bfloat162 *>(&raw);
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    float2 f = __bfloat1622float2(pairs[k]);
    v[2 * k] = f.x;
    v[2 * k + 1] = f.y;
  }
}

/// base[i..i+8) = v rounded to the storage type.
__device__ __forceinline__ void store8(float *base, int64_t i,
                                       const float (&v)[8]) {
  auto *p = reinterpret_cast<float4 *>(base + i);
  p[0] = make_float4(v[0], v[1], v[2], v[3]);
  p[1] = make_float4(v[4], v[5], v[6], v[7]);
}
__device__ __forceinline__ void store8(__half *base, int64_t i,
                                       const float (&v)[8]) {
  uint4 raw;
  auto *pairs = reinterpret_cast<__half2 *>(&raw);
#pragma unroll
  for (int k = 0; k < 4; ++k)
    pairs[k] = __floats2half2_rn(v[2 * k], v[2 * k + 1]);
  *reinterpret_cast<uint4 *>(base + i) = raw;
}
__device__ __forceinline__ void store8(__nv_bfloat16 *base, int64_t i,
                                       const float (&v)[8]) {
  uint4 raw;
  auto *pairs = reinterpret_cast<__nv_bfloat162 *>(&raw);
#pragma unroll
  for (int k = 0; k < 4; ++k)
    pairs[k] = __floats2bfloat162_rn(v[2 * k], v[2 * k + 1]);
  *reinterpret_cast<uint4 *>(base + i) = raw;
}

//===----------------------------------------------------------------------===//
// Choosing the instance of a kernel
//===----------------------------------------------------------------------===//

/// A type as a value: what withFloatType hands its callback.
template <typename T> struct TypeTag { using type = T; };

/// Calls f(TypeTag<T>()) with T the storage type of float dtype `type`
/// (float, __half or __nv_bfloat16): the one run-time switch of a launch,
/// or of a block whose tensor is chosen at run time. Callers have checked
/// that `type` is a float type. (The pragma lets one template serve host
/// launches and device code, as CUDA's own libraries do: f is a host lambda
/// in one, a device lambda in the other.)
#pragma nv_exec_check_disable
template <typename F>
__host__ __device__ __forceinline__ void withFloatType(mpc_dtype type, F &&f) {
  switch (type) {
  case MPC_F16:
    f(TypeTag<__half>());
    return;
  case MPC_BF16:
    f(TypeTag<__nv_bfloat16>());
    return;
  default:
    f(TypeTag<float>());
    return;
  }
}

//===----------------------------------------------------------------------===//
// Storage type known at run time
//===----------------------------------------------------------------------===//

__device__ inline float loadAs(const void *base, mpc_dtype type, int64_t i) {
  switch (type) {
  case MPC_F16:
    return load(static_cast<const __half *>(base), i);
  case MPC_BF16:
    return load(static_cast<const __nv_bfloat16 *>(base), i);
  default:
    return load(static_cast<const float *>(base), i);
  }
}

__device__ inline void storeAs(void *base, mpc_dtype type, int64_t i,
                               float value) {
  switch (type) {
  case MPC_F16:
    return store(static_cast<__half *>(base), i, value);
  case MPC_BF16:
    return store(static_cast<__nv_bfloat16 *>(base), i, value);
  default:
    return store(static_cast<float *>(base), i, value);
  }
}

__device__ inline void load8(const void *base, mpc_dtype type, int64_t i,
                             float (&v)[8]) {
  switch (type) {
  case MPC_F16:
    return load8(static_cast<const __half *>(base), i, v);
  case MPC_BF16:
    return load8(static_cast<const __nv_bfloat16 *>(base), i, v);
  default:
    return load8(static_cast<const float *>(base), i, v);
  }
}

__device__ inline void store8(void *base, mpc_dtype type, int64_t i,
                              const float (&v)[8]) {
  switch (type) {
  case MPC_F16:
    return store8(static_cast<__half *>(base), i, v);
  case MPC_BF16:
    return store8(static_cast<__nv_bfloat16 *>(base), i, v);
  default:
    return store8(static_cast<float *>(base), i, v);
  }
}

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_DEVICEMATH_CUH
