//===- CudaEmitterPrelude.cpp - the fixed head of a generated step --------===//
//
// Every formula here is the CPU reference's (runtime/cpu/kernels), written
// with the _rn intrinsics so that no multiply-add is contracted whatever
// flags the file is built with: each result rounds exactly as on the CPU.
//
//===----------------------------------------------------------------------===//

#include "compiler/target/cuda/CudaEmitterPrelude.h"

namespace mpc {

static const char kPrelude[] = R"mpc_prelude(#include "mpc_cuda_runtime.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <math.h>
#include <stdint.h>

//===----------------------------------------------------------------------===//
// Elements: loaded as the value kernels compute with, stored rounded to
// nearest even.
//===----------------------------------------------------------------------===//

__device__ __forceinline__ float mpc_load(const float *p, int64_t i) { return p[i]; }
__device__ __forceinline__ float mpc_load(const __half *p, int64_t i) { return __half2float(p[i]); }
__device__ __forceinline__ float mpc_load(const __nv_bfloat16 *p, int64_t i) { return __bfloat162float(p[i]); }
__device__ __forceinline__ int32_t mpc_load(const int32_t *p, int64_t i) { return p[i]; }
__device__ __forceinline__ bool mpc_load(const uint8_t *p, int64_t i) { return p[i] != 0; }

__device__ __forceinline__ void mpc_store(float *p, int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void mpc_store(__half *p, int64_t i, float v) { p[i] = __float2half_rn(v); }
__device__ __forceinline__ void mpc_store(__nv_bfloat16 *p, int64_t i, float v) { p[i] = __float2bfloat16_rn(v); }
__device__ __forceinline__ void mpc_store(int32_t *p, int64_t i, int32_t v) { p[i] = v; }
__device__ __forceinline__ void mpc_store(uint8_t *p, int64_t i, bool v) { p[i] = v ? 1 : 0; }

// A value rounded to a 16-bit type and back: what storing it would keep.
__device__ __forceinline__ float mpc_round_f16(float x) { return __half2float(__float2half_rn(x)); }
__device__ __forceinline__ float mpc_round_bf16(float x) { return __bfloat162float(__float2bfloat16_rn(x)); }

// Float to integer: toward zero, NaN to 0, saturating (mpc.cast).
__device__ __forceinline__ int32_t mpc_to_int(float x) {
  if (x != x)
    return 0;
  float t = truncf(x);
  if (t <= -2147483648.0f)
    return INT32_MIN;
  if (t >= 2147483648.0f)
    return INT32_MAX;
  return (int32_t)t;
}

//===----------------------------------------------------------------------===//
// Activations and their gradients (runtime/cpu/kernels/Elementwise.cpp)
//===----------------------------------------------------------------------===//

// sqrt(2 / pi) and the cubic coefficient of gelu's tanh approximation.
#define MPC_GELU_SCALE 0.7978845608028654f
#define MPC_GELU_CUBIC 0.044715f

// NaN fails x > 0 but must propagate; -0 becomes +0.
__device__ __forceinline__ float mpc_relu(float x) { return x > 0.0f || x != x ? x : 0.0f; }

__device__ __forceinline__ float mpc_gelu(float x) {
  float cube = __fmul_rn(__fmul_rn(__fmul_rn(MPC_GELU_CUBIC, x), x), x);
  float inner = __fmul_rn(MPC_GELU_SCALE, __fadd_rn(x, cube));
  return __fmul_rn(__fmul_rn(0.5f, x), __fadd_rn(1.0f, tanhf(inner)));
}

__device__ __forceinline__ float mpc_sigmoid(float x) {
  return __fdiv_rn(1.0f, __fadd_rn(1.0f, expf(-x)));
}

__device__ __forceinline__ float mpc_rsqrt(float x) { return __fdiv_rn(1.0f, __fsqrt_rn(x)); }

__device__ __forceinline__ float mpc_relu_grad(float dy, float x) { return x > 0.0f ? dy : 0.0f; }

// gelu' = 0.5 (1 + t) + 0.5 x (1 - t^2) s (1 + 3 c x^2), t = tanh(s (x + c x^3)).
__device__ __forceinline__ float mpc_gelu_grad(float dy, float x) {
  float x2 = __fmul_rn(x, x);
  float t = tanhf(__fmul_rn(MPC_GELU_SCALE,
                            __fadd_rn(x, __fmul_rn(__fmul_rn(MPC_GELU_CUBIC, x2), x))));
  float du = __fmul_rn(MPC_GELU_SCALE,
                       __fadd_rn(1.0f, __fmul_rn(__fmul_rn(3.0f, MPC_GELU_CUBIC), x2)));
  float left = __fmul_rn(0.5f, __fadd_rn(1.0f, t));
  float right = __fmul_rn(__fmul_rn(__fmul_rn(0.5f, x), __fsub_rn(1.0f, __fmul_rn(t, t))), du);
  return __fmul_rn(dy, __fadd_rn(left, right));
}

__device__ __forceinline__ float mpc_tanh_grad(float dy, float y) {
  return __fmul_rn(dy, __fsub_rn(1.0f, __fmul_rn(y, y)));
}

__device__ __forceinline__ float mpc_sigmoid_grad(float dy, float y) {
  return __fmul_rn(__fmul_rn(dy, y), __fsub_rn(1.0f, y));
}

//===----------------------------------------------------------------------===//
// Host helpers
//===----------------------------------------------------------------------===//

// Threads per block of every generated kernel.
#define MPC_BLOCK 256

// Blocks for n elements: enough to fill the device, the grid-stride loops
// do the rest. (Host helpers may go unused in a small step: no warning.)
[[maybe_unused]] static inline unsigned mpc_grid(int64_t n) {
  int device = 0, sms = 0;
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device) != cudaSuccess ||
      sms <= 0)
    sms = 132;
  int64_t blocks = (n + MPC_BLOCK - 1) / MPC_BLOCK;
  int64_t limit = (int64_t)sms * 8;
  return (unsigned)(blocks < limit ? blocks : limit);
}

// A device-to-device copy on the step's stream; nothing when dst is src.
[[maybe_unused]] static inline int mpc_copy(mpc_rt *rt, void *dst, const void *src, size_t bytes, const char *what) {
  if (dst == src)
    return 0;
  cudaError_t status =
      cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, mpc_rt_stream(rt));
  if (status != cudaSuccess)
    return mpc_rt_fail(rt, "%s: %s", what, cudaGetErrorString(status));
  return 0;
}

// out[i] = in[i] converted (16-bit floats to f32, flags to int32): results
// are handed to the host in f32 and int32.
template <typename From, typename To>
__global__ void __launch_bounds__(MPC_BLOCK) mpc_convert(const From *in, To *out, int64_t n) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    mpc_store(out, i, mpc_load(in, i));
}

// out[i] = relu(in[i]): the relu epilogue of a GEMM whose pre-activation is
// kept (cuBLASLt has no relu form that also writes it). Rounding commutes
// with relu, so this equals rounding relu(acc) once.
template <typename From, typename To>
__global__ void __launch_bounds__(MPC_BLOCK) mpc_relu_kernel(const From *in, To *out, int64_t n) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    mpc_store(out, i, mpc_relu(mpc_load(in, i)));
}
)mpc_prelude";

void emitCudaPrelude(llvm::raw_ostream &os) { os << kPrelude; }

} // namespace mpc
