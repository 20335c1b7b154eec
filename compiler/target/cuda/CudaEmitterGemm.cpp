//===- CudaEmitterGemm.cpp - matmuls as strided batched GEMMs -------------===//

#include "compiler/target/cuda/CudaEmitterGemm.h"

#include "dialects/mpc/ShapeFunctions.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace mpc {

namespace {
int64_t product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t dim : dims)
    result *= dim;
  return result;
}
} // namespace

FailureOr<GemmLayout> gemmLayout(Operation *op, Value lhs, Value rhs,
                                 bool transposeA) {
  ArrayRef<int64_t> a = tensorType(lhs).getShape();
  ArrayRef<int64_t> b = tensorType(rhs).getShape();
  ArrayRef<int64_t> c = tensorType(op->getResult(0)).getShape();
  GemmLayout layout;
  layout.m = c[c.size() - 2];
  layout.n = c.back();
  layout.k = transposeA ? a[a.size() - 2] : a.back();
  ArrayRef<int64_t> batchA = a.drop_back(2), batchB = b.drop_back(2),
                    batchC = c.drop_back(2);
  int64_t batch = product(batchC);
  int64_t matrixA = layout.m * layout.k, matrixB = layout.k * layout.n;
  layout.strideC = layout.m * layout.n;
  // [B..., M, K] x [K, N]: the rows of every batch are one [B*M, K] matrix.
  if (product(batchB) == 1 && !transposeA) {
    layout.m *= batch;
    layout.strideA = layout.m * layout.k;
    layout.strideB = matrixB;
    layout.strideC = layout.m * layout.n;
    return layout;
  }
  layout.batch = batch;
  auto strideOf = [&](ArrayRef<int64_t> dims, int64_t matrix,
                      StringRef which) -> FailureOr<int64_t> {
    int64_t count = product(dims);
    if (count == 1)
      return 0;
    if (count == batch)
      return matrix;
    return op->emitOpError("cannot run as one strided batched GEMM: the ")
           << which << "'s batch dims " << formatShape(dims)
           << " broadcast only partly to " << formatShape(batchC);
  };
  FailureOr<int64_t> strideA = strideOf(batchA, matrixA, "lhs");
  if (failed(strideA))
    return failure();
  FailureOr<int64_t> strideB = strideOf(batchB, matrixB, "rhs");
  if (failed(strideB))
    return failure();
  layout.strideA = *strideA;
  layout.strideB = *strideB;
  return layout;
}

} // namespace mpc
