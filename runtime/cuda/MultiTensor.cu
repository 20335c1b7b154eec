//===- MultiTensor.cu - unscaling and clipping over many tensors ----------===//
//
// One launch covers up to kTensorsPerLaunch tensors (TensorChunks.h): their
// pointers, sizes and types travel by value in the kernel parameters
// (nothing is read from host memory after the call returns, nothing is
// allocated), and each block processes one chunk of kTensorChunk elements of
// one tensor, 8 elements per thread with 16-byte vectors where the tensor's
// pointers are aligned. A block picks the loop instantiated for its tensor's
// storage types once.
//
//===----------------------------------------------------------------------===//

#include "BlockReduce.cuh"
#include "Context.h"
#include "Elementwise.cuh"
#include "TensorChunks.h"
#include "runtime/core/ScalarMath.h"

#include <vector>

namespace mpc::cuda {
namespace {

constexpr int kThreads = 256;

/// The tensors of one launch; block b works on chunkOf(blockStart, n, count,
/// b).
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

__device__ ChunkRange chunkOf(const TensorTable &table) {
  return mpc::cuda::chunkOf(table.blockStart, table.n, table.count, blockIdx.x);
}

/// mapGroups over this block's chunk, instantiated for the storage types of
/// its tensor: one switch per block, none per element.
template <typename F>
__device__ void mapChunk(const TensorTable &table, const ChunkRange &c, F &&f) {
  withFloatType(table.inType[c.tensor], [&](auto in) {
    using In = typename decltype(in)::type;
    withFloatType(table.outType[c.tensor], [&](auto out) {
      using Out = typename decltype(out)::type;
      mapGroups(static_cast<const In *>(table.in[c.tensor]),
                static_cast<Out *>(table.out[c.tensor]), c.begin, c.end,
                table.vectorized[c.tensor], threadIdx.x, blockDim.x, f);
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
  ChunkRange c = chunkOf(table);
  double sum = 0;
  withFloatType(table.inType[c.tensor], [&](auto tag) {
    using In = typename decltype(tag)::type;
    const auto *in = static_cast<const In *>(table.in[c.tensor]);
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
  std::vector<int64_t> sizes(count);
  for (int i = 0; i < count; ++i) {
    const mpc_tensor_ref &ref = tensors[i];
    if (ref.n < 0 || (ref.n > 0 && (!ref.in || !ref.out)))
      return mpc_rt_fail(rt, "%s: tensor %d has n %lld and a null pointer",
                         what, i, static_cast<long long>(ref.n));
    if (checkFloat(rt, what, "an input", ref.in_type) ||
        checkFloat(rt, what, "an output", ref.out_type))
      return -1;
    sizes[i] = ref.n;
  }
  for (const ChunkLaunch &launch : planChunkLaunches(sizes.data(), count)) {
    if (launch.blocks() > 0x7fffffff)
      return mpc_rt_fail(rt, "%s: the tensors exceed the grid", what);
    TensorTable table{};
    table.count = launch.count;
    table.firstBlock = launch.firstBlock;
    for (int t = 0; t <= launch.count; ++t)
      table.blockStart[t] = launch.blockStart[t];
    for (int t = 0; t < launch.count; ++t) {
      const mpc_tensor_ref &ref = tensors[launch.tensor[t]];
      table.in[t] = ref.in;
      table.out[t] = ref.out;
      table.n[t] = ref.n;
      table.inType[t] = ref.in_type;
      table.outType[t] = ref.out_type;
      table.vectorized[t] = aligned16(ref.in) && aligned16(ref.out);
    }
    tables.push_back(table);
  }
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
