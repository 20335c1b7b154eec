//===- Embedding.cu - row gather and its gradient -------------------------===//
//
// The forward pass copies table rows, 8 elements per thread with 16-byte
// vectors when the row length and the pointers allow. An id outside
// [0, rows) gives a row of zeros (the host checks ids before upload).
//
// The gradient is deterministic and equals the CPU reference bit for bit in
// f32: the block of the first occurrence of an id sums the dy rows of every
// occurrence in increasing position order, starting from 0, and rounds the
// sum once to the table's type. Finding occurrences scans the ids, O(n^2)
// comparisons in all, which is cheap for the id counts of a training batch.
//
//===----------------------------------------------------------------------===//

#include "Context.h"
#include "DeviceMath.cuh"

namespace mpc::cuda {
namespace {

struct GatherArgs {
  const int32_t *ids;
  int64_t n;
  const void *table;
  mpc_dtype tableType;
  void *out;
  mpc_dtype outType;
  int64_t rows, dim;
  bool vectorized; ///< dim % 8 == 0 and both bases 16-byte aligned
};

__global__ void embeddingKernel(GatherArgs args) {
  int64_t width = args.vectorized ? 8 : 1;
  int64_t groupsPerRow = args.dim / width, total = args.n * groupsPerRow;
  for (int64_t g = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; g < total;
       g += int64_t(gridDim.x) * blockDim.x) {
    int64_t i = g / groupsPerRow, d = (g % groupsPerRow) * width;
    int64_t id = args.ids[i];
    bool valid = id >= 0 && id < args.rows;
    int64_t from = id * args.dim + d, to = i * args.dim + d;
    if (args.vectorized) {
      float v[8] = {};
      if (valid)
        load8(args.table, args.tableType, from, v);
      store8(args.out, args.outType, to, v);
    } else {
      storeAs(args.out, args.outType, to,
              valid ? loadAs(args.table, args.tableType, from) : 0.0f);
    }
  }
}

struct ScatterArgs {
  const void *dy;
  mpc_dtype dyType;
  const int32_t *ids;
  int64_t n;
  void *dtable;
  mpc_dtype dtableType;
  int64_t rows, dim;
};

/// Block (i, column tile): when position i holds the first occurrence of a
/// valid id, writes that id's row of dtable for the tile's columns.
__global__ void embeddingGradKernel(ScatterArgs args) {
  int64_t i = blockIdx.x;
  int32_t id = args.ids[i];
  if (id < 0 || id >= args.rows)
    return;
  int seenBefore = 0;
  for (int64_t j = threadIdx.x; j < i; j += blockDim.x)
    seenBefore |= args.ids[j] == id;
  if (__syncthreads_or(seenBefore))
    return;
  int64_t d = blockIdx.y * int64_t(blockDim.x) + threadIdx.x;
  if (d >= args.dim)
    return;
  float sum = 0.0f;
  for (int64_t j = i; j < args.n; ++j)
    if (args.ids[j] == id)
      sum += loadAs(args.dy, args.dyType, j * args.dim + d);
  storeAs(args.dtable, args.dtableType, id * args.dim + d, sum);
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_embedding(mpc_rt *rt, const int32_t *ids, int64_t n,
                     const void *table, mpc_dtype table_type, void *out,
                     mpc_dtype out_type, int64_t rows, int64_t dim) {
  const char *what = "mpc_rt_embedding";
  if (checkSizes(rt, what, {n, rows, dim}) ||
      checkFloat(rt, what, "the table", table_type) ||
      checkFloat(rt, what, "the output", out_type))
    return -1;
  if (n * dim == 0)
    return 0;
  bool vectorized = dim % 8 == 0 && aligned16(table) && aligned16(out);
  GatherArgs args{ids,      n,    table, table_type, out,
                  out_type, rows, dim,   vectorized};
  embeddingKernel<<<gridFor(n * dim / (vectorized ? 8 : 1), 256), 256, 0,
                    rt->stream>>>(args);
  return mpc_rt_check_launch(rt, what);
}

int mpc_rt_embedding_grad(mpc_rt *rt, const void *dy, mpc_dtype dy_type,
                          const int32_t *ids, int64_t n, void *dtable,
                          mpc_dtype dtable_type, int64_t rows, int64_t dim) {
  const char *what = "mpc_rt_embedding_grad";
  if (checkSizes(rt, what, {n, rows, dim}) ||
      checkFloat(rt, what, "dy", dy_type) ||
      checkFloat(rt, what, "dtable", dtable_type))
    return -1;
  if (rows * dim == 0)
    return 0;
  // All-zero bits are +0 in every float type.
  if (cudaMemsetAsync(dtable, 0, rows * dim * mpc::elementSize(dtable_type),
                      rt->stream) != cudaSuccess)
    return mpc_rt_fail(rt, "%s: cannot clear dtable", what);
  if (n == 0)
    return 0;
  constexpr int threads = 256;
  int64_t tiles = (dim + threads - 1) / threads;
  if (n > 0x7fffffff || tiles > 65535)
    return mpc_rt_fail(rt, "%s: %lld ids of %lld exceed the grid", what,
                       static_cast<long long>(n), static_cast<long long>(dim));
  ScatterArgs args{dy, dy_type, ids, n, dtable, dtable_type, rows, dim};
  embeddingGradKernel<<<dim3(static_cast<unsigned>(n),
                             static_cast<unsigned>(tiles)),
                        threads, 0, rt->stream>>>(args);
  return mpc_rt_check_launch(rt, what);
}

} // extern "C"
