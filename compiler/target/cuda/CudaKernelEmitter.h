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

/// Writes the __global__ kernel `name` of `op`: its parameters are a typed
/// device pointer per input, then per result; a grid-stride loop evaluates
/// the body per element of the iteration space in registers, rounding after
/// each op to its element type as the CPU reference does. A body op it
/// cannot lower is an error at that op, and nothing is written.
mlir::LogicalResult emitFusedKernel(FusedOp op, llvm::StringRef name,
                                    llvm::raw_ostream &os);

} // namespace mpc

#endif // MPC_COMPILER_TARGET_CUDA_CUDAKERNELEMITTER_H
