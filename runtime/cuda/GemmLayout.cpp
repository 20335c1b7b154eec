//===- GemmLayout.cpp - row-major GEMMs as cuBLASLt sees them -------------===//

#include "GemmLayout.h"

namespace mpc::cuda {

LtGemm ltGemmFor(const mpc_gemm_desc &desc) {
  return ltGemmFor(desc, desc.batch, desc.m);
}

LtGemm ltGemmFor(const mpc_gemm_desc &desc, int64_t batch, int64_t rows) {
  LtGemm lt{};
  lt.m = desc.n;
  lt.n = rows;
  lt.k = desc.k;
  lt.batch = batch;
  // Our b is [k, n] row-major ([n, k] with trans_b): column-major [n, k]
  // (or [k, n]), which is op(A) = b^T directly, or after a transpose.
  lt.transA = desc.trans_b != 0;
  lt.a = lt.transA ? LtMatrix{desc.k, desc.n, desc.k, desc.stride_b}
                   : LtMatrix{desc.n, desc.k, desc.n, desc.stride_b};
  // Our a is [m, k] row-major ([k, m] with trans_a): column-major [k, m]
  // (or [m, k]). A row range of op(a) keeps a's leading dimension: k, or
  // the whole m with trans_a.
  lt.transB = desc.trans_a != 0;
  lt.b = lt.transB ? LtMatrix{rows, desc.k, desc.m, desc.stride_a}
                   : LtMatrix{desc.k, rows, desc.k, desc.stride_a};
  lt.d = LtMatrix{desc.n, rows, desc.n, desc.stride_c};
  lt.biasLength = desc.n;
  return lt;
}

} // namespace mpc::cuda
