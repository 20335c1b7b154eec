//===- CudaKernelEmitter.h - one CUDA kernel per mpc.fused ------*- C++ -*-===//

#ifndef MPC_COMPILER_TARGET_CUDA_CUDAKERNELEMITTER_H
#define MPC_COMPILER_TARGET_CUDA_CUDAKERNELEMITTER_H

#include "dialects/mpc/MpcOps.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mpc {

/// Whether an mpc.fused kernel lowers the body ops of `name`: the
/// elementwise ops and scalar constants.
bool lowersInFusedKernel(mlir::OperationName name);

/// The kernel name of the `index`th mpc.fused of a module: "fused_<index>"
/// and the node and mnemonic of its first body op ("fused_3_fc1_bias_add").
std::string fusedKernelName(FusedOp op, unsigned index);

/// How the kernels of one mpc.fused move their elements
/// (runtime/core/ElementwiseAccess.h).
struct FusedKernelPlan {
  /// Elements of the iteration space.
  int64_t count = 0;
  /// Elements per thread of the vector kernel; 1 when there is only the
  /// scalar loop (a count that is not a multiple of the width).
  int64_t width = 1;
  /// Whether the kernels index in int32 rather than int64.
  bool index32 = false;
  /// Per parameter (inputs, then results): the bytes of its vector access,
  /// which its pointer must be aligned to; 0 for one read per element (a
  /// broadcast or unused input) and for every parameter when width is 1.
  llvm::SmallVector<int64_t> vectorBytes;
};

/// The plan of `op`'s kernels.
FusedKernelPlan planFusedKernel(FusedOp op);

/// The scalar-loop fallback of vector kernel `name`.
std::string scalarKernelName(llvm::StringRef name);

/// Writes the __global__ kernel `name` of `op`: its parameters are a typed
/// device pointer per input, then per result, __restrict__ unless
/// `aliased` (one flag per parameter) says it shares a buffer with another
/// one; a grid-stride loop evaluates the body per element of the iteration
/// space in registers, rounding after each op to its element type as the
/// CPU reference does. When the plan vectorizes, `name` moves `width`
/// elements per thread and scalarKernelName(name), the same body one
/// element per thread, serves buffers not aligned for it. A body op it
/// cannot lower is an error at that op, and nothing is written.
mlir::FailureOr<FusedKernelPlan> emitFusedKernel(FusedOp op,
                                                 llvm::StringRef name,
                                                 llvm::ArrayRef<bool> aliased,
                                                 llvm::raw_ostream &os);

} // namespace mpc

#endif // MPC_COMPILER_TARGET_CUDA_CUDAKERNELEMITTER_H
