//===- CudaEmitter.h - a planned module as CUDA C++ -------------*- C++ -*-===//
//
// The translation behind `mpc-translate --mpc-to-cuda`: a module after
// mpc-fuse and mpc-plan-memory becomes one .cu file that includes
// mpc_cuda_runtime.h and exports an entry point per function, the ABI
// version and the manifest (docs/cuda-backend.md).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_TARGET_CUDA_CUDAEMITTER_H
#define MPC_COMPILER_TARGET_CUDA_CUDAEMITTER_H

#include "dialects/mpc/OpCoverage.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace mpc {

/// Writes the step file of `module` to `os`. An op the backend cannot lower,
/// an unfused elementwise op or an unplanned function is an error at its
/// location, and then nothing is written.
mlir::LogicalResult emitCudaStep(mlir::ModuleOp module, llvm::raw_ostream &os);

/// Writes the manifest of `module` (pretty JSON) to `os`; an unplanned
/// function is an error, and then nothing is written.
mlir::LogicalResult emitCudaManifest(mlir::ModuleOp module,
                                     llvm::raw_ostream &os);

/// Which ops the CUDA backend lowers (as a statement of the step or inside
/// an mpc.fused kernel), and which it declares it never lowers on their own
/// (tests/unit/OpCoverageTest.cpp).
Coverage cudaCoverage(mlir::OperationName name);

} // namespace mpc

#endif // MPC_COMPILER_TARGET_CUDA_CUDAEMITTER_H
