//===- GemmLayout.cpp - row-major GEMMs as cuBLASLt sees them -------------===//

#include "GemmLayout.h"

namespace mpc::cuda {

LtGemm ltGemmFor(const mpc_gemm_desc &desc) {
  LtGemm lt{};
  lt.m = desc.n;
  lt.n = desc.m;
  lt.k = desc.k;
  lt.batch = desc.batch;
  // Our b is [k, n] row-major ([n, k] with trans_b): column-major [n, k]
  // (or [k, n]), which is op(A) = b^T directly, or after a transpose.
  lt.transA = desc.trans_b != 0;
  lt.a = lt.transA ? LtMatrix{desc.k, desc.n, desc.k, desc.stride_b}
                   : LtMatrix{desc.n, desc.k, desc.n, desc.stride_b};
  // Our a is [m, k] row-major ([k, m] with trans_a): column-major [k, m]
  // (or [m, k]).
  lt.transB = desc.trans_a != 0;
  lt.b = lt.transB ? LtMatrix{desc.m, desc.k, desc.m, desc.stride_a}
                   : LtMatrix{desc.k, desc.m, desc.k, desc.stride_a};
  lt.d = LtMatrix{desc.n, desc.m, desc.n, desc.stride_c};
  lt.biasLength = desc.n;
  return lt;
}

} // namespace mpc::cuda
