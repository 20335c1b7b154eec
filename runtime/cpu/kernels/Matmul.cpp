//===- Matmul.cpp - blocked matrix product --------------------------------===//
//
// A Goto-style blocked GEMM. A [KC x NC] block of B is packed into strips of
// NR columns and an [MC x KC] block of A into strips of MR rows, each strip
// stored k-major so the micro-kernel reads both contiguously. The
// micro-kernel keeps an MR x NR tile of C in local accumulators; its inner
// loop over the NR columns has a constant trip count and no dependences, so
// the compiler vectorizes it. Transposed operands only change how the
// packing reads them.
//
// Summation order: every C element starts at 0 and adds a[m][k] * b[k][n] for
// k = 0, 1, ... in turn (across KC blocks the partial sum goes through C), so
// the result is independent of the blocking and equals a naive loop.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Indexing.h"

#include <algorithm>
#include <memory>

namespace mpc::cpu {

namespace {

// A 4 x 8 tile is 8 SSE registers of accumulators (x86-64 baseline), leaving
// room for the B row and the broadcast A values; GCC keeps it in registers
// (taller tiles made it vectorize the k loop instead, at a third the speed).
constexpr int64_t kMR = 4;
constexpr int64_t kNR = 8;
// A KC x NR strip of B stays in L1, an MC x KC block of A in L2.
constexpr int64_t kKC = 256;
constexpr int64_t kMC = 128;
constexpr int64_t kNC = 2048;

/// A matrix operand: element (r, c) is data[r * rowStride + c * colStride].
struct MatrixView {
  const float *data;
  int64_t rowStride;
  int64_t colStride;
};

/// Packs rows [0, rows) x columns [0, cols) of `src` k-major into `dst`:
/// dst[c * width + r], zero-padding rows [rows, width). The loop order follows
/// whichever stride of `src` is unit so the reads stay sequential.
void packStrip(MatrixView src, int64_t rows, int64_t cols, int64_t width,
               float *dst) {
  if (src.colStride == 1) {
    for (int64_t r = 0; r < rows; ++r) {
      const float *row = src.data + r * src.rowStride;
      for (int64_t c = 0; c < cols; ++c)
        dst[c * width + r] = row[c];
    }
  } else {
    for (int64_t c = 0; c < cols; ++c) {
      const float *col = src.data + c * src.colStride;
      for (int64_t r = 0; r < rows; ++r)
        dst[c * width + r] = col[r * src.rowStride];
    }
  }
  if (rows < width)
    for (int64_t c = 0; c < cols; ++c)
      std::fill(dst + c * width + rows, dst + (c + 1) * width, 0.0f);
}

/// C[0:rows, 0:cols] (+)= Apack * Bpack over `kc` steps, where Apack holds an
/// MR-row strip and Bpack an NR-column strip, both k-major. With `accumulate`
/// the tile continues the partial sums already in C.
void microKernel(int64_t kc, const float *ap, const float *bp, float *c,
                 int64_t ldc, int64_t rows, int64_t cols, bool accumulate) {
  float acc[kMR][kNR] = {};
  if (accumulate)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < cols; ++j)
        acc[r][j] = c[r * ldc + j];
  for (int64_t k = 0; k < kc; ++k) {
    const float *a = ap + k * kMR;
    const float *b = bp + k * kNR;
    for (int64_t r = 0; r < kMR; ++r)
      for (int64_t j = 0; j < kNR; ++j)
        acc[r][j] += a[r] * b[j];
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j)
      c[r * ldc + j] = acc[r][j];
}

int64_t roundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

/// C[M, N] (row-major, contiguous) = A[M, K] * B[K, N].
void gemm(int64_t m, int64_t n, int64_t k, MatrixView a, MatrixView b, float *c,
          float *aPack, float *bPack) {
  if (k == 0) {
    std::fill(c, c + m * n, 0.0f);
    return;
  }
  for (int64_t jc = 0; jc < n; jc += kNC) {
    int64_t nc = std::min(kNC, n - jc);
    for (int64_t pc = 0; pc < k; pc += kKC) {
      int64_t kc = std::min(kKC, k - pc);
      // B's strips are its columns, so pack the transposed view.
      for (int64_t js = 0; js < nc; js += kNR) {
        MatrixView strip{b.data + pc * b.rowStride + (jc + js) * b.colStride,
                         b.colStride, b.rowStride};
        packStrip(strip, std::min(kNR, nc - js), kc, kNR, bPack + js * kc);
      }
      for (int64_t ic = 0; ic < m; ic += kMC) {
        int64_t mc = std::min(kMC, m - ic);
        for (int64_t is = 0; is < mc; is += kMR) {
          MatrixView strip{a.data + (ic + is) * a.rowStride + pc * a.colStride,
                           a.rowStride, a.colStride};
          packStrip(strip, std::min(kMR, mc - is), kc, kMR, aPack + is * kc);
        }
        for (int64_t js = 0; js < nc; js += kNR)
          for (int64_t is = 0; is < mc; is += kMR)
            microKernel(kc, aPack + is * kc, bPack + js * kc,
                        c + (ic + is) * n + jc + js, n, std::min(kMR, mc - is),
                        std::min(kNR, nc - js), pc > 0);
      }
    }
  }
}

/// The offset of batch number `index` (row-major over `batchShape`) in an
/// operand with the given per-dimension batch `strides`.
int64_t batchOffset(int64_t index, const Shape &batchShape,
                    const Shape &strides) {
  int64_t offset = 0;
  for (size_t d = batchShape.size(); d-- > 0;) {
    offset += (index % batchShape[d]) * strides[d];
    index /= batchShape[d];
  }
  return offset;
}

} // namespace

void matmul(const float *a, const Shape &aShape, bool transposeA,
            const float *b, const Shape &bShape, bool transposeB, float *out,
            const Shape &outShape) {
  assert(aShape.size() >= 2 && bShape.size() >= 2 && outShape.size() >= 2 &&
         "matmul operands need rank >= 2");
  size_t ra = aShape.size(), rb = bShape.size(), ro = outShape.size();
  int64_t m = outShape[ro - 2], n = outShape[ro - 1];
  int64_t k = aShape[ra - (transposeA ? 2 : 1)];
  assert(aShape[ra - (transposeA ? 1 : 2)] == m && "M mismatch");
  assert(bShape[rb - (transposeB ? 1 : 2)] == k && "K mismatch");
  assert(bShape[rb - (transposeB ? 2 : 1)] == n && "N mismatch");
  (void)rb;

  Shape outBatch(outShape.begin(), outShape.end() - 2);
  Shape aBatch(aShape.begin(), aShape.end() - 2);
  Shape bBatch(bShape.begin(), bShape.end() - 2);
  int64_t batches = numElements(outBatch);
  if (batches == 0 || m == 0 || n == 0)
    return;

  // Element (r, c) of the logical [M, K] and [K, N] matrices.
  MatrixView aView = transposeA ? MatrixView{a, 1, m} : MatrixView{a, k, 1};
  MatrixView bView = transposeB ? MatrixView{b, 1, k} : MatrixView{b, n, 1};

  // A stack of row-major A matrices times one shared B is a single GEMM with
  // batches * M rows: B is packed once and the micro-tiles stay full.
  bool fold =
      !transposeA && numElements(bBatch) == 1 && numElements(aBatch) == batches;
  int64_t rows = fold ? batches * m : m;

  // Packing buffers sized for this product (small ones are common), left
  // uninitialized: packing writes every element the micro-kernel reads.
  int64_t kc = std::min(k, kKC);
  std::unique_ptr<float[]> aPack(
      new float[kc * roundUp(std::min(rows, kMC), kMR)]);
  std::unique_ptr<float[]> bPack(
      new float[kc * roundUp(std::min(n, kNC), kNR)]);
  if (fold) {
    gemm(rows, n, k, aView, bView, out, aPack.get(), bPack.get());
    return;
  }

  Shape aStrides = detail::broadcastStrides(aBatch, outBatch);
  Shape bStrides = detail::broadcastStrides(bBatch, outBatch);
  for (int64_t &stride : aStrides)
    stride *= m * k;
  for (int64_t &stride : bStrides)
    stride *= k * n;
  for (int64_t batch = 0; batch < batches; ++batch) {
    MatrixView aMat = aView, bMat = bView;
    aMat.data += batchOffset(batch, outBatch, aStrides);
    bMat.data += batchOffset(batch, outBatch, bStrides);
    gemm(m, n, k, aMat, bMat, out + batch * m * n, aPack.get(), bPack.get());
  }
}

} // namespace mpc::cpu
