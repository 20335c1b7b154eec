//===- mpc_step.cuh - what every generated step.cu includes -----*- CUDA
//-*-===//
//
// The fixed head of a generated training step: typed loads and stores,
// rounding to 16-bit types, the device spellings of the elementwise ops
// (mpc_relu, mpc_gelu, ...), the grid size and the device copy. Every
// formula is runtime/core/ScalarMath.h's, the CPU reference's, so each
// result rounds exactly as on the CPU.
//
// Included as "mpc_step.cuh" with nvcc's single -I of this folder; it
// reaches runtime/core by a relative path, so a copy of the runtime headers
// keeps cuda/ and core/ side by side.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_MPC_STEP_CUH
#define MPC_RUNTIME_CUDA_MPC_STEP_CUH

#include "../core/ElementwiseAccess.h"
#include "../core/NumericsCheck.h"
#include "../core/ScalarMath.h"
#include "DeviceMath.cuh"
#include "mpc_cuda_runtime.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

//===----------------------------------------------------------------------===//
// Elements: loaded as the value kernels compute with (f32, int32 or bool),
// stored rounded to nearest even
//===----------------------------------------------------------------------===//

template <typename T>
__device__ __forceinline__ auto mpc_load(const T *p, int64_t i) {
  return ::mpc::cuda::load(p, i);
}

template <typename T, typename V>
__device__ __forceinline__ void mpc_store(T *p, int64_t i, V v) {
  ::mpc::cuda::store(p, i, v);
}

// W consecutive elements as one aligned access of W * sizeof(T) bytes, at
// most 16 (the vector loads and stores of the generated kernels).
template <typename T, int W> struct alignas(sizeof(T) * W) mpc_vec { T e[W]; };

// v[0..W) = the W elements of vector `j` of p (elements j*W .. j*W+W-1),
// each loaded as mpc_load does; p is aligned to W * sizeof(T).
template <typename T, typename V, int W, typename I>
__device__ __forceinline__ void mpc_load_vec(const T *p, I j, V (&v)[W]) {
  static_assert(sizeof(mpc_vec<T, W>) <= ::mpc::access::kVectorBytes,
                "one access of at most 16 bytes");
  const mpc_vec<T, W> raw = reinterpret_cast<const mpc_vec<T, W> *>(p)[j];
#pragma unroll
  for (int k = 0; k < W; ++k)
    v[k] = ::mpc::cuda::load(raw.e, k);
}

// Vector `j` of p = v, each element rounded as mpc_store does.
template <typename T, typename V, int W, typename I>
__device__ __forceinline__ void mpc_store_vec(T *p, I j, const V (&v)[W]) {
  static_assert(sizeof(mpc_vec<T, W>) <= ::mpc::access::kVectorBytes,
                "one access of at most 16 bytes");
  mpc_vec<T, W> raw;
#pragma unroll
  for (int k = 0; k < W; ++k)
    ::mpc::cuda::store(raw.e, k, v[k]);
  reinterpret_cast<mpc_vec<T, W> *>(p)[j] = raw;
}

// A value rounded to a 16-bit type and back: what storing it would keep.
__device__ __forceinline__ float mpc_round_f16(float x) {
  return ::mpc::math::roundF16(x);
}
__device__ __forceinline__ float mpc_round_bf16(float x) {
  return ::mpc::math::roundBF16(x);
}

// Float to integer: toward zero, NaN to 0, saturating (mpc.cast).
__device__ __forceinline__ int32_t mpc_to_int(float x) {
  return ::mpc::math::toInt32(x);
}

// x to a constant exponent (mpc.pow), C's powf.
__device__ __forceinline__ float mpc_pow(float x, float exponent) {
  return ::mpc::math::power(x, exponent);
}

//===----------------------------------------------------------------------===//
// The elementwise ops: mpc_<mnemonic> for every row of ScalarMath.h's lists
// (the emitter prints a row's own spelling, e.g. __fadd_rn or tanhf, where
// CUDA has one)
//===----------------------------------------------------------------------===//

#define MPC_STEP_BINARY(Name, mnemonic, function, cuda, accuracy)              \
  __device__ __forceinline__ float mpc_##mnemonic(float x, float y) {          \
    return ::mpc::math::function(x, y);                                        \
  }
#define MPC_STEP_UNARY(Name, mnemonic, function, cuda, accuracy)               \
  __device__ __forceinline__ float mpc_##mnemonic(float x) {                   \
    return ::mpc::math::function(x);                                           \
  }
MPC_BINARY_OPS(MPC_STEP_BINARY)
MPC_UNARY_OPS(MPC_STEP_UNARY)
MPC_UNARY_GRAD_OPS(MPC_STEP_BINARY)
#undef MPC_STEP_BINARY
#undef MPC_STEP_UNARY

//===----------------------------------------------------------------------===//
// Host helpers and the generic kernels
//===----------------------------------------------------------------------===//

// Threads per block of every generated kernel.
#define MPC_BLOCK 256

// Whether `p` may be accessed with vectors of `bytes` bytes: the launch of
// a vectorized kernel tests its pointers, as the step's caller provides the
// arena, state and input buffers.
[[maybe_unused]] static inline bool mpc_aligned(const void *p, int64_t bytes) {
  return ::mpc::access::alignedFor((uintptr_t)p, bytes);
}

// Blocks for n elements (or vectors): enough to fill the device, the
// grid-stride loops do the rest; never more than kMaxGridThreads threads,
// which the kernels' int32 indexing relies on. (Host helpers may go unused
// in a small step: no warning.)
[[maybe_unused]] static inline unsigned mpc_grid(int64_t n) {
  int device = 0, sms = 0;
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device) !=
          cudaSuccess ||
      sms <= 0)
    sms = 132;
  int64_t blocks = (n + MPC_BLOCK - 1) / MPC_BLOCK;
  int64_t limit = (int64_t)sms * 8;
  if (limit > ::mpc::access::kMaxGridThreads / MPC_BLOCK)
    limit = ::mpc::access::kMaxGridThreads / MPC_BLOCK;
  return (unsigned)(blocks < limit ? blocks : limit);
}

// A device-to-device copy on the step's stream; nothing when dst is src.
[[maybe_unused]] static inline int mpc_copy(mpc_rt *rt, void *dst,
                                            const void *src, size_t bytes,
                                            const char *what) {
  if (dst == src)
    return 0;
  cudaError_t status = cudaMemcpyAsync(
      dst, src, bytes, cudaMemcpyDeviceToDevice, mpc_rt_stream(rt));
  if (status != cudaSuccess)
    return mpc_rt_fail(rt, "%s: %s", what, cudaGetErrorString(status));
  return 0;
}

// --check-numerics: adds the statistics of n values of `type` at `value` to
// probe `probe`'s counts of its op's inputs (MPC_PROBE_INPUTS, measured
// before the op runs) or outputs (MPC_PROBE_OUTPUTS); nothing when the
// caller gathers none (args->numerics is NULL).
#define MPC_PROBE_INPUTS 1
#define MPC_PROBE_OUTPUTS 0
[[maybe_unused]] static inline int
mpc_check_probe(mpc_rt *rt, const mpc_step_args *args, int64_t probe,
                int inputs, const void *value, mpc_dtype type, int64_t n) {
  if (!args->numerics)
    return 0;
  ::mpc::numerics::ProbeCounts *counts =
      (::mpc::numerics::ProbeCounts *)args->numerics + probe;
  return mpc_rt_check_numerics(rt, value, type, n,
                               inputs ? &counts->inputs : &counts->outputs);
}

// out[i] = in[i] converted (16-bit floats to f32, flags to int32): results
// are handed to the host in f32 and int32.
template <typename From, typename To>
__global__ void __launch_bounds__(MPC_BLOCK)
    mpc_convert(const From *in, To *out, int64_t n) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    mpc_store(out, i, mpc_load(in, i));
}

// out[i] = relu(in[i]): the relu epilogue of a GEMM whose pre-activation is
// kept (cuBLASLt has no relu form that also writes it). Rounding commutes
// with relu, so this equals rounding relu(acc) once.
template <typename From, typename To>
__global__ void __launch_bounds__(MPC_BLOCK)
    mpc_relu_kernel(const From *in, To *out, int64_t n) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x)
    mpc_store(out, i, mpc_relu(mpc_load(in, i)));
}

#endif // MPC_RUNTIME_CUDA_MPC_STEP_CUH
