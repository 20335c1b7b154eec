//===- GemmChunks.cpp - GEMMs split to fit an f32 scratch -----------------===//

#include "GemmChunks.h"

namespace mpc::cuda {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Splits `total` into the fewest parts of at most `limit`, as equal as
/// possible, preferring a part size that is a multiple of `granule` (row
/// offsets then keep the operands' alignment).
int64_t balancedPart(int64_t total, int64_t limit, int64_t granule) {
  int64_t part = ceilDiv(total, ceilDiv(total, limit));
  int64_t rounded = ceilDiv(part, granule) * granule;
  return rounded <= limit ? rounded : part;
}

} // namespace

std::vector<GemmChunk> planGemmChunks(const mpc_gemm_desc &d,
                                      int64_t capacity) {
  std::vector<GemmChunk> chunks;
  if (d.batch < 1 || d.m < 1 || d.n < 1 || d.n > capacity)
    return chunks;
  int64_t matrix = d.m * d.n;
  if (matrix <= capacity) {
    // Whole batch matrices: chunk q holds matrices [first, first + count).
    int64_t perChunk = balancedPart(d.batch, capacity / matrix, 1);
    for (int64_t first = 0; first < d.batch; first += perChunk) {
      int64_t count = d.batch - first < perChunk ? d.batch - first : perChunk;
      chunks.push_back({count, d.m, first * d.stride_a, first * d.stride_b,
                        first * d.stride_c});
    }
    return chunks;
  }
  // Row ranges of one matrix at a time. Row i of op(a) starts at element
  // i * k of a, or at column i of the [k, m] a with trans_a.
  int64_t perChunk = balancedPart(d.m, capacity / d.n, 64);
  for (int64_t p = 0; p < d.batch; ++p)
    for (int64_t row = 0; row < d.m; row += perChunk) {
      int64_t rows = d.m - row < perChunk ? d.m - row : perChunk;
      int64_t aRow = d.trans_a ? row : row * d.k;
      chunks.push_back({1, rows, p * d.stride_a + aRow, p * d.stride_b,
                        p * d.stride_c + row * d.n});
    }
  return chunks;
}

} // namespace mpc::cuda
