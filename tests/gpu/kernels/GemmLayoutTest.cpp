//===- GemmLayoutTest.cpp - the row-major -> cuBLASLt mapping -------------===//
//
// Checks the mapping by evaluating the column-major problem it describes on
// the host, with the layouts it returns, against a row-major product.
//
//===----------------------------------------------------------------------===//

#include "GemmLayout.h"

#include <gtest/gtest.h>

#include <vector>

using namespace mpc::cuda;

namespace {

/// Element (r, c) of op(M) for a column-major layout.
double at(const std::vector<double> &data, const LtMatrix &m, bool trans,
          int64_t batch, int64_t r, int64_t c) {
  int64_t row = trans ? c : r, col = trans ? r : c;
  EXPECT_LT(row, m.rows);
  EXPECT_LT(col, m.cols);
  return data[batch * m.batchStride + col * m.ld + row];
}

struct Case {
  int64_t batch, m, n, k;
  bool transA, transB;
  int64_t strideA, strideB;
};

class GemmLayout : public ::testing::TestWithParam<Case> {};

TEST_P(GemmLayout, ColumnMajorProblemEqualsRowMajorProduct) {
  Case c = GetParam();
  mpc_gemm_desc desc{};
  desc.batch = c.batch;
  desc.m = c.m;
  desc.n = c.n;
  desc.k = c.k;
  desc.trans_a = c.transA;
  desc.trans_b = c.transB;
  desc.stride_a = c.strideA;
  desc.stride_b = c.strideB;
  desc.stride_c = c.m * c.n;
  std::vector<double> a(c.m * c.k * (c.strideA ? c.batch : 1));
  std::vector<double> b(c.k * c.n * (c.strideB ? c.batch : 1));
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = static_cast<double>((i * 7) % 11) - 5;
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = static_cast<double>((i * 5) % 13) - 6;
  LtGemm lt = ltGemmFor(desc);
  EXPECT_EQ(lt.m, c.n);
  EXPECT_EQ(lt.n, c.m);
  EXPECT_EQ(lt.k, c.k);
  EXPECT_EQ(lt.biasLength, c.n);
  EXPECT_EQ(lt.d.rows, c.n);
  EXPECT_EQ(lt.d.cols, c.m);
  for (int64_t p = 0; p < c.batch; ++p)
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t j = 0; j < c.n; ++j) {
        double want = 0, got = 0;
        for (int64_t q = 0; q < c.k; ++q) {
          double av = c.transA ? a[p * c.strideA + q * c.m + i]
                               : a[p * c.strideA + i * c.k + q];
          double bv = c.transB ? b[p * c.strideB + j * c.k + q]
                               : b[p * c.strideB + q * c.n + j];
          want += av * bv;
          // Column-major D[j, i] = sum_q op(A)[j, q] op(B)[q, i].
          got +=
              at(b, lt.a, lt.transA, p, j, q) * at(a, lt.b, lt.transB, p, q, i);
        }
        // D is column-major [n, m] with ld n: the row-major c.
        EXPECT_EQ(lt.d.ld * i + j, i * c.n + j);
        ASSERT_EQ(got, want) << "batch " << p << " at " << i << ", " << j;
      }
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

} // namespace
