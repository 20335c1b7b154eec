//===- CudaEmitterGemm.h - matmuls as strided batched GEMMs -----*- C++ -*-===//

#ifndef MPC_COMPILER_TARGET_CUDA_CUDAEMITTERGEMM_H
#define MPC_COMPILER_TARGET_CUDA_CUDAEMITTERGEMM_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>

namespace mpc {

/// The shape fields of an mpc_gemm_desc.
struct GemmLayout {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  int64_t strideA = 0, strideB = 0, strideC = 0;
};

/// How `op` (an mpc.matmul or mpc.fused_matmul) runs as one strided batched
/// GEMM: a broadcast 2-D right-hand side folds the batch into m, an operand
/// whose batch dims are all 1 gets stride 0, and batch dims matching the
/// result's get the matrix size. Batch dims that broadcast only partly
/// cannot be expressed: an error at `op`.
mlir::FailureOr<GemmLayout> gemmLayout(mlir::Operation *op, mlir::Value lhs,
                                       mlir::Value rhs, bool transposeA);

} // namespace mpc

#endif // MPC_COMPILER_TARGET_CUDA_CUDAEMITTERGEMM_H
