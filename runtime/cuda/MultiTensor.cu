//===- MultiTensor.cu - unscaling and clipping over many tensors ----------===//
//
// One launch covers up to kTensorsPerLaunch tensors: their pointers, sizes
// and types travel by value in the kernel parameters (nothing is read from
// host memory after the call returns, nothing is allocated), and each block
// processes one chunk of kChunk elements of one tensor, 8 elements per
// thread with 16-byte vectors where the tensor's pointers are aligned. A
// block picks the loop instantiated for its tensor's storage types once.
//
//===----------------------------------------------------------------------===//

#include "BlockReduce.cuh"
#include "Context.h"
#include "Elementwise.cuh"
#include "runtime/core/ScalarMath.h"

#include <vector>

namespace mpc::cuda {
namespace {

constexpr int kTensorsPerLaunch = 48;
constexpr int64_t kChunk = 8192;
constexpr int kThreads = 256;

/// The tensors of one launch; block b works on chunk b - blockStart[t] of
/// the tensor t with blockStart[t] <= b < blockStart[t + 1].
struct TensorTable {
  const void *in[kTensorsPerLaunch];
  void *out[kTensorsPerLaunch];
  int64_t n[kTensorsPerLaunch];
  mpc_dtype inType[kTensorsPerLaunch], outType[kTensorsPerLaunch];
  bool vectorized[kTensorsPerLaunch];
  int64_t blockStart[kTensorsPerLaunch + 1];
  int count;
  int64_t firstBlock; ///< blocks of the earlier launches of the same call
};

/// The tensor and element range of this block.
struct Chunk {
  int t;
  int64_t begin, end;
};

__device__ Chunk chunkOf(const TensorTable &table) {
  int t = 0;
  while (blockIdx.x >= table.blockStart[t + 1])
    ++t;
  int64_t begin = (blockIdx.x - table.blockStart[t]) * kChunk;
  return {t, begin, min(table.n[t], begin + kChunk)};
}

/// mapGroups over this block's chunk, instantiated for the storage types of
/// its tensor: one switch per block, none per element.
template <typename F>
__device__ void mapChunk(const TensorTable &table, const Chunk &c, F &&f) {
  withFloatType(table.inType[c.t], [&](auto in) {
    using In = typename decltype(in)::type;
    withFloatType(table.outType[c.t], [&](auto out) {
      using Out = typename decltype(out)::type;
      mapGroups(static_cast<const In *>(table.in[c.t]),
                static_cast<Out *>(table.out[c.t]), c.begin, c.end,
                table.vectorized[c.t], threadIdx.x, blockDim.x, f);
    });
  });
}

__global__ void unscaleKernel(TensorTable table, const float *scale,
                              uint8_t *foundInf) {
  float inverse = math::inverseLossScale(*scale);
  bool nonFinite = false;
  mapChunk(table, chunkOf(table), [&](int64_t, float x) {
    // x - x is NaN exactly when x is an infinity or a NaN.
    nonFinite |= isnan(x - x);
    return math::mul(x, inverse);
  });
  if (nonFinite)
    *foundInf = 1;
}

__global__ void sumSquaresKernel(TensorTable table, double *partials) {
  Chunk c = chunkOf(table);
  double sum = 0;
  withFloatType(table.inType[c.t], [&](auto tag) {
    using In = typename decltype(tag)::type;
    const auto *in = static_cast<const In *>(table.in[c.t]);
    for (int64_t i = c.begin + threadIdx.x; i < c.end; i += blockDim.x) {
      double g = load(in, i);
      sum += g * g;
    }
  });
  sum = blockSum(sum);
  if (threadIdx.x == 0)
    partials[table.firstBlock + blockIdx.x] = sum;
}

/// The global norm from the partial sums, and clipCoefficient of it.
__global__ void clipCoefficientKernel(const double *partials, int64_t blocks,
                                      float maxNorm, float *norm,
                                      float *coefficient) {
  double sum = 0;
  for (int64_t i = threadIdx.x; i < blocks; i += blockDim.x)
    sum += partials[i];
  sum = blockSum(sum);
  if (threadIdx.x != 0)
    return;
  auto global = static_cast<float>(sqrt(sum));
  if (norm)
    *norm = global;
  *coefficient = math::clipCoefficient(global, maxNorm);
}

__global__ void scaleKernel(TensorTable table, const float *coefficient) {
  float factor = *coefficient;
  mapChunk(table, chunkOf(table),
           [=](int64_t, float x) { return math::mul(x, factor); });
}

/// Splits the tensors into launch tables; fails on a bad tensor.
int buildTables(mpc_rt *rt, const char *what, const mpc_tensor_ref *tensors,
                int count, std::vector<TensorTable> &tables) {
  if (count < 0 || (count > 0 && !tensors))
    return mpc_rt_fail(rt, "%s: invalid tensor list", what);
  int64_t blocks = 0;
  for (int i = 0; i < count; ++i) {
    const mpc_tensor_ref &ref = tensors[i];
    if (ref.n < 0 || (ref.n > 0 && (!ref.in || !ref.out)))
      return mpc_rt_fail(rt, "%s: tensor %d has n %lld and a null pointer",
                         what, i, static_cast<long long>(ref.n));
    if (checkFloat(rt, what, "an input", ref.in_type) ||
        checkFloat(rt, what, "an output", ref.out_type))
      return -1;
    if (ref.n == 0)
      continue;
    if (tables.empty() || tables.back().count == kTensorsPerLaunch) {
      TensorTable table{};
      table.firstBlock = blocks;
      tables.push_back(table);
    }
    TensorTable &table = tables.back();
    int t = table.count++;
    table.in[t] = ref.in;
    table.out[t] = ref.out;
    table.n[t] = ref.n;
    table.inType[t] = ref.in_type;
    table.outType[t] = ref.out_type;
    table.vectorized[t] = aligned16(ref.in) && aligned16(ref.out);
    int64_t chunks = (ref.n + kChunk - 1) / kChunk;
    table.blockStart[t + 1] = table.blockStart[t] + chunks;
    blocks += chunks;
  }
  for (const TensorTable &table : tables)
    if (table.blockStart[table.count] > 0x7fffffff)
      return mpc_rt_fail(rt, "%s: the tensors exceed the grid", what);
  return 0;
}

unsigned blocksOf(const TensorTable &table) {
  return static_cast<unsigned>(table.blockStart[table.count]);
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_unscale_and_check(mpc_rt *rt, const mpc_tensor_ref *tensors,
                             int count, const float *scale,
                             uint8_t *found_inf) {
  const char *what = "mpc_rt_unscale_and_check";
  std::vector<TensorTable> tables;
  if (buildTables(rt, what, tensors, count, tables))
    return -1;
  if (cudaMemsetAsync(found_inf, 0, 1, rt->stream) != cudaSuccess)
    return mpc_rt_fail(rt, "%s: cannot clear found_inf", what);
  for (const TensorTable &table : tables) {
    unscaleKernel<<<blocksOf(table), kThreads, 0, rt->stream>>>(table, scale,
                                                                found_inf);
    if (mpc_rt_check_launch(rt, what))
      return -1;
  }
  return 0;
}

int mpc_rt_clip_by_global_norm(mpc_rt *rt, const mpc_tensor_ref *tensors,
                               int count, double max_norm, float *norm) {
  const char *what = "mpc_rt_clip_by_global_norm";
  std::vector<TensorTable> tables;
  if (buildTables(rt, what, tensors, count, tables))
    return -1;
  int64_t blocks = 0;
  for (const TensorTable &table : tables)
    blocks += blocksOf(table);
  // Scratch: the coefficient, then one double per block.
  constexpr size_t kPartialsOffset = 256;
  if (kPartialsOffset + blocks * sizeof(double) > rt->scratchBytes)
    return mpc_rt_fail(rt, "%s: %lld chunks exceed the context scratch", what,
                       static_cast<long long>(blocks));
  auto *coefficient = static_cast<float *>(rt->scratch);
  auto *partials = reinterpret_cast<double *>(static_cast<char *>(rt->scratch) +
                                              kPartialsOffset);
  for (const TensorTable &table : tables) {
    sumSquaresKernel<<<blocksOf(table), kThreads, 0, rt->stream>>>(table,
                                                                   partials);
    if (mpc_rt_check_launch(rt, what))
      return -1;
  }
  clipCoefficientKernel<<<1, 1024, 0, rt->stream>>>(
      partials, blocks, static_cast<float>(max_norm), norm, coefficient);
  if (mpc_rt_check_launch(rt, what))
    return -1;
  for (const TensorTable &table : tables) {
    scaleKernel<<<blocksOf(table), kThreads, 0, rt->stream>>>(table,
                                                              coefficient);
    if (mpc_rt_check_launch(rt, what))
      return -1;
  }
  return 0;
}

} // extern "C"
