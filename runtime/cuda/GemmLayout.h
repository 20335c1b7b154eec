//===- GemmLayout.h - row-major GEMMs as cuBLASLt sees them -----*- C++ -*-===//
//
// cuBLASLt is column-major. A row-major [r, c] matrix with leading dimension
// c is, read column-major, its transpose [c, r]; so the row-major product
// C = op(A) op(B) is computed as the column-major C^T = op(B)^T op(A)^T:
// cuBLASLt's first operand is our b, its second our a, and its m and n are
// our n and m. This pure mapping is kept apart from the cuBLASLt calls so it
// can be tested without a GPU.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_GEMMLAYOUT_H
#define MPC_RUNTIME_CUDA_GEMMLAYOUT_H

#include "mpc_cuda_runtime.h"

#include <cstdint>

namespace mpc::cuda {

/// A column-major matrix layout of cuBLASLt (rows and columns as stored,
/// before the operation's transpose).
struct LtMatrix {
  int64_t rows, cols, ld, batchStride;
};

/// The column-major problem D = op(A) op(B), D [m, n], k the inner size.
struct LtGemm {
  int64_t m, n, k, batch;
  bool transA, transB;
  LtMatrix a;         ///< the row-major b operand
  LtMatrix b;         ///< the row-major a operand
  LtMatrix d;         ///< the row-major c, also the layout of aux
  int64_t biasLength; ///< rows of D: one bias per column of the row-major c
};

/// The cuBLASLt view of the row-major GEMM `desc`.
LtGemm ltGemmFor(const mpc_gemm_desc &desc);

/// The cuBLASLt view of `batch` matrices of `desc` restricted to `rows` rows
/// of c (and of op(a)) each, as a GemmChunk describes: the leading
/// dimensions and batch strides stay those of the whole call.
LtGemm ltGemmFor(const mpc_gemm_desc &desc, int64_t batch, int64_t rows);

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_GEMMLAYOUT_H
