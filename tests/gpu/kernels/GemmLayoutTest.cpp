//===- GemmLayoutTest.cpp - the row-major -> cuBLASLt mapping, chunks -----===//
//
// Checks the mapping by evaluating the column-major problem it describes on
// the host, with the layouts it returns, against a row-major product; then
// checks GEMM chunk plans the same way: every chunk, evaluated from its
// element offsets with the layouts of ltGemmFor(desc, batch, rows), writes
// its part of c, and together they write every element of c exactly once
// with the value of the whole product.
//
//===----------------------------------------------------------------------===//

#include "GemmLayout.h"
#include "GemmChunks.h"

#include <gtest/gtest.h>

#include <vector>

using namespace mpc::cuda;

namespace {

/// Element (r, c) of op(M) for a column-major layout whose matrix `batch`
/// starts at element `offset` of `data`.
double at(const std::vector<double> &data, int64_t offset, const LtMatrix &m,
          bool trans, int64_t batch, int64_t r, int64_t c) {
  int64_t row = trans ? c : r, col = trans ? r : c;
  EXPECT_LT(row, m.rows);
  EXPECT_LT(col, m.cols);
  EXPECT_LE(m.rows, m.ld);
  int64_t index = offset + batch * m.batchStride + col * m.ld + row;
  EXPECT_LT(index, static_cast<int64_t>(data.size()));
  return index < static_cast<int64_t>(data.size()) ? data[index] : 0.0;
}

/// The column-major D = op(A) op(B) of `lt` on the host, reading cuBLASLt's
/// A from our `b` at element `bOffset` and its B from our `a` at `aOffset`,
/// as cuBLASLt would. D is packed: batch, then column, then row.
std::vector<double> evaluate(const LtGemm &lt, const std::vector<double> &a,
                             int64_t aOffset, const std::vector<double> &b,
                             int64_t bOffset) {
  std::vector<double> d(lt.batch * lt.n * lt.m);
  for (int64_t p = 0; p < lt.batch; ++p)
    for (int64_t col = 0; col < lt.n; ++col)
      for (int64_t row = 0; row < lt.m; ++row) {
        double sum = 0;
        for (int64_t q = 0; q < lt.k; ++q)
          sum += at(b, bOffset, lt.a, lt.transA, p, row, q) *
                 at(a, aOffset, lt.b, lt.transB, p, q, col);
        d[(p * lt.n + col) * lt.m + row] = sum;
      }
  return d;
}

/// Operands for `desc` (a broadcast operand, stride 0, holds one matrix)
/// with small integer values, so every sum is exact.
std::vector<double> operand(const mpc_gemm_desc &desc, int64_t size,
                            int64_t stride, int64_t seed) {
  std::vector<double> values(size * (stride ? desc.batch : 1));
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<double>((i * seed) % 11) - 5;
  return values;
}

/// The row-major product c[p] = op(a[p]) op(b[p]), c with desc's stride.
std::vector<double> rowMajorProduct(const mpc_gemm_desc &d,
                                    const std::vector<double> &a,
                                    const std::vector<double> &b) {
  std::vector<double> c(d.batch * d.stride_c);
  for (int64_t p = 0; p < d.batch; ++p)
    for (int64_t i = 0; i < d.m; ++i)
      for (int64_t j = 0; j < d.n; ++j) {
        double sum = 0;
        for (int64_t q = 0; q < d.k; ++q) {
          double av = d.trans_a ? a[p * d.stride_a + q * d.m + i]
                                : a[p * d.stride_a + i * d.k + q];
          double bv = d.trans_b ? b[p * d.stride_b + j * d.k + q]
                                : b[p * d.stride_b + q * d.n + j];
          sum += av * bv;
        }
        c[p * d.stride_c + i * d.n + j] = sum;
      }
  return c;
}

mpc_gemm_desc descOf(int64_t batch, int64_t m, int64_t n, int64_t k,
                     bool transA, bool transB, bool broadcastA, bool broadcastB,
                     int64_t cPadding = 0) {
  mpc_gemm_desc desc{};
  desc.batch = batch;
  desc.m = m;
  desc.n = n;
  desc.k = k;
  desc.trans_a = transA;
  desc.trans_b = transB;
  desc.stride_a = broadcastA ? 0 : m * k;
  desc.stride_b = broadcastB ? 0 : k * n;
  desc.stride_c = m * n + cPadding;
  return desc;
}

struct Case {
  int64_t batch, m, n, k;
  bool transA, transB;
  int64_t strideA, strideB;
};

class GemmLayout : public ::testing::TestWithParam<Case> {};

TEST_P(GemmLayout, ColumnMajorProblemEqualsRowMajorProduct) {
  Case c = GetParam();
  mpc_gemm_desc desc = descOf(c.batch, c.m, c.n, c.k, c.transA, c.transB,
                              c.strideA == 0, c.strideB == 0);
  desc.stride_a = c.strideA;
  desc.stride_b = c.strideB;
  std::vector<double> a = operand(desc, c.m * c.k, c.strideA, 7);
  std::vector<double> b = operand(desc, c.k * c.n, c.strideB, 5);
  LtGemm lt = ltGemmFor(desc);
  EXPECT_EQ(lt.m, c.n);
  EXPECT_EQ(lt.n, c.m);
  EXPECT_EQ(lt.k, c.k);
  EXPECT_EQ(lt.batch, c.batch);
  EXPECT_EQ(lt.biasLength, c.n);
  // D is column-major [n, m] with ld n and c's batch stride: the row-major c.
  EXPECT_EQ(lt.d.rows, c.n);
  EXPECT_EQ(lt.d.cols, c.m);
  EXPECT_EQ(lt.d.ld, c.n);
  EXPECT_EQ(lt.d.batchStride, desc.stride_c);
  std::vector<double> got = evaluate(lt, a, 0, b, 0);
  std::vector<double> want = rowMajorProduct(desc, a, b);
  for (int64_t p = 0; p < c.batch; ++p)
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t j = 0; j < c.n; ++j)
        ASSERT_EQ(got[(p * c.m + i) * c.n + j],
                  want[p * desc.stride_c + i * c.n + j])
            << "batch " << p << " at " << i << ", " << j;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, GemmLayout,
    ::testing::Values(Case{1, 3, 5, 4, false, false, 12, 20},
                      Case{1, 3, 5, 4, true, false, 12, 20},
                      Case{1, 3, 5, 4, false, true, 12, 20},
                      Case{1, 3, 5, 4, true, true, 12, 20},
                      Case{2, 4, 6, 3, false, true, 12, 0},
                      Case{3, 2, 3, 5, true, false, 0, 15},
                      Case{2, 5, 2, 7, true, true, 35, 14}));

/// Plans the chunks of `desc` for `capacity` f32 elements and checks them
/// (each fits, together they write every element of c exactly once with
/// the product's value); returns them.
std::vector<GemmChunk> checkChunks(const mpc_gemm_desc &desc,
                                   int64_t capacity) {
  std::vector<GemmChunk> chunks = planGemmChunks(desc, capacity);
  std::vector<double> a = operand(desc, desc.m * desc.k, desc.stride_a, 7);
  std::vector<double> b = operand(desc, desc.k * desc.n, desc.stride_b, 5);
  std::vector<double> want = rowMajorProduct(desc, a, b);
  std::vector<double> c(want.size());
  std::vector<int> writes(want.size());
  for (const GemmChunk &chunk : chunks) {
    EXPECT_GE(chunk.batch, 1);
    EXPECT_GE(chunk.rows, 1);
    EXPECT_LE(chunk.batch * chunk.rows * desc.n, capacity);
    // A chunk spans either whole matrices or rows of one.
    EXPECT_TRUE(chunk.rows == desc.m || chunk.batch == 1);
    LtGemm lt = ltGemmFor(desc, chunk.batch, chunk.rows);
    EXPECT_EQ(lt.batch, chunk.batch);
    EXPECT_EQ(lt.n, chunk.rows);
    EXPECT_EQ(lt.d.ld, desc.n);
    std::vector<double> d = evaluate(lt, a, chunk.aOffset, b, chunk.bOffset);
    // Column i of D is row i of the chunk's part of c (and of aux).
    for (int64_t p = 0; p < chunk.batch; ++p)
      for (int64_t i = 0; i < chunk.rows; ++i)
        for (int64_t j = 0; j < desc.n; ++j) {
          int64_t index = chunk.cOffset + p * desc.stride_c + i * desc.n + j;
          EXPECT_GE(index, 0);
          EXPECT_LT(index, static_cast<int64_t>(c.size()));
          if (index < 0 || index >= static_cast<int64_t>(c.size()))
            continue;
          c[index] = d[(p * chunk.rows + i) * desc.n + j];
          ++writes[index];
        }
  }
  int reported = 0;
  for (int64_t p = 0; p < desc.batch; ++p)
    for (int64_t i = 0; i < desc.stride_c; ++i) {
      int64_t index = p * desc.stride_c + i;
      bool inC = i < desc.m * desc.n;
      if (writes[index] == (inC ? 1 : 0) && c[index] == want[index])
        continue;
      ADD_FAILURE() << "batch " << p << " element " << i << ": written "
                    << writes[index] << " times, " << c[index] << " vs "
                    << want[index];
      if (++reported == 5)
        return chunks;
    }
  return chunks;
}

TEST(GemmChunks, WholeCallWhenItFits) {
  mpc_gemm_desc desc = descOf(3, 4, 5, 2, false, false, false, false);
  std::vector<GemmChunk> chunks = checkChunks(desc, 60);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].batch, 3);
  EXPECT_EQ(chunks[0].rows, 4);
  EXPECT_EQ(chunks[0].aOffset, 0);
  EXPECT_EQ(chunks[0].bOffset, 0);
  EXPECT_EQ(chunks[0].cOffset, 0);
}

TEST(GemmChunks, WholeMatricesFirst) {
  // 20 elements per matrix, room for 2: 5 matrices as 2 + 2 + 1.
  mpc_gemm_desc desc = descOf(5, 4, 5, 3, false, true, false, false, 3);
  std::vector<GemmChunk> chunks = checkChunks(desc, 40);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[1].batch, 2);
  EXPECT_EQ(chunks[1].rows, 4);
  EXPECT_EQ(chunks[1].aOffset, 2 * desc.stride_a);
  EXPECT_EQ(chunks[1].bOffset, 2 * desc.stride_b);
  EXPECT_EQ(chunks[1].cOffset, 2 * desc.stride_c);
  EXPECT_EQ(chunks[2].batch, 1);
}

TEST(GemmChunks, BalancedMatrixChunks) {
  // Room for 3 of 4 matrices: 2 + 2, not 3 + 1.
  mpc_gemm_desc desc = descOf(4, 2, 3, 2, true, false, false, false);
  std::vector<GemmChunk> chunks = checkChunks(desc, 18);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].batch, 2);
  EXPECT_EQ(chunks[1].batch, 2);
}

TEST(GemmChunks, RowsOfOneMatrix) {
  // 10 x 3 does not fit 12: rows 4 + 4 + 2; row i of a starts at i * k.
  mpc_gemm_desc desc = descOf(1, 10, 3, 5, false, false, false, false);
  std::vector<GemmChunk> chunks = checkChunks(desc, 12);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[1].rows, 4);
  EXPECT_EQ(chunks[1].aOffset, 4 * 5);
  EXPECT_EQ(chunks[1].bOffset, 0);
  EXPECT_EQ(chunks[1].cOffset, 4 * 3);
  EXPECT_EQ(chunks[2].rows, 2);
}

TEST(GemmChunks, RowsOfATransposedA) {
  // With trans_a, a is [k, m]: rows of op(a) are columns of a, so the chunk
  // starts at column 4 and keeps the leading dimension m.
  mpc_gemm_desc desc = descOf(1, 10, 3, 5, true, false, false, false);
  std::vector<GemmChunk> chunks = checkChunks(desc, 12);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[1].aOffset, 4);
  EXPECT_EQ(ltGemmFor(desc, 1, 4).b.ld, 10);
}

TEST(GemmChunks, RowsOfEveryBatchMatrixWithBroadcastOperands) {
  for (bool transA : {false, true})
    for (bool transB : {false, true})
      for (bool broadcastA : {false, true}) {
        mpc_gemm_desc desc =
            descOf(3, 7, 4, 3, transA, transB, broadcastA, !broadcastA, 2);
        std::vector<GemmChunk> chunks = checkChunks(desc, 12);
        // 3 rows fit: each matrix as rows 3 + 3 + 1, matrix by matrix.
        ASSERT_EQ(chunks.size(), 9u);
        EXPECT_EQ(chunks[3].cOffset, desc.stride_c);
        EXPECT_EQ(chunks[3].aOffset, broadcastA ? 0 : desc.stride_a);
        EXPECT_EQ(chunks[3].bOffset, broadcastA ? desc.stride_b : 0);
      }
}

TEST(GemmChunks, RowChunksKeepA64RowGranuleWhenTheyCan) {
  // Up to 300 rows fit: 4 chunks; 250 rounded to 256 rows each, so every
  // chunk starts at a multiple of 64 rows.
  mpc_gemm_desc desc = descOf(1, 1000, 10, 1, false, false, false, false);
  std::vector<GemmChunk> chunks = checkChunks(desc, 3000);
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0].rows, 256);
  EXPECT_EQ(chunks[3].rows, 1000 - 3 * 256);
  for (const GemmChunk &chunk : chunks)
    EXPECT_EQ(chunk.cOffset % (64 * 10), 0);
}

TEST(GemmChunks, GptSmallMlpInTheDefaultScratch) {
  // [8192, 768] x [768, 3072]: 96 MiB of f32 products, 64 MiB of scratch.
  mpc_gemm_desc desc = descOf(1, 8192, 3072, 768, false, false, false, false);
  std::vector<GemmChunk> chunks = planGemmChunks(desc, (int64_t(64) << 20) / 4);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].rows, 4096);
  EXPECT_EQ(chunks[1].rows, 4096);
  EXPECT_EQ(chunks[1].aOffset, 4096 * 768);
  EXPECT_EQ(chunks[1].bOffset, 0);
  EXPECT_EQ(chunks[1].cOffset, 4096 * 3072);
}

TEST(GemmChunks, DegenerateSizes) {
  // One row does not fit: no plan.
  EXPECT_TRUE(planGemmChunks(descOf(1, 4, 5, 2, false, false, false, false), 4)
                  .empty());
  // Nothing to compute.
  EXPECT_TRUE(
      planGemmChunks(descOf(1, 0, 5, 2, false, false, false, false), 100)
          .empty());
  EXPECT_TRUE(
      planGemmChunks(descOf(1, 4, 0, 2, false, false, false, false), 100)
          .empty());
  // Exactly one row fits: a chunk per row.
  EXPECT_EQ(
      checkChunks(descOf(2, 3, 5, 2, true, false, false, false), 5).size(), 6u);
  // A single element.
  EXPECT_EQ(
      checkChunks(descOf(1, 1, 1, 1, false, false, false, false), 1).size(),
      1u);
}

TEST(GemmChunks, EveryCapacityCoversEveryElementOnce) {
  for (int64_t batch : {1, 2, 3})
    for (int64_t m : {1, 2, 5})
      for (int64_t n : {1, 3})
        for (int transposes = 0; transposes < 4; ++transposes)
          for (int broadcast = 0; broadcast < 3; ++broadcast) {
            // c's batch stride padded by 0, 1 or 2 elements.
            mpc_gemm_desc desc =
                descOf(batch, m, n, 2, transposes & 1, transposes & 2,
                       broadcast == 1, broadcast == 2, broadcast);
            for (int64_t capacity = n; capacity <= batch * m * n + 1;
                 ++capacity) {
              SCOPED_TRACE(::testing::Message()
                           << "batch " << batch << " m " << m << " n " << n
                           << " transposes " << transposes << " broadcast "
                           << broadcast << " capacity " << capacity);
              EXPECT_FALSE(checkChunks(desc, capacity).empty());
            }
          }
}

} // namespace
