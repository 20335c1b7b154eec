//===- CudaArtifact.h - a train step as a CUDA artifact ---------*- C++ -*-===//
//
// Compiles a train-step module into a CUDA artifact directory (step.cu,
// manifest.json).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_TARGET_CUDA_CUDAARTIFACT_H
#define MPC_COMPILER_TARGET_CUDA_CUDAARTIFACT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mpc {

/// Runs mpc-fuse and mpc-plan-memory on `module` (changing it) and writes
/// step.cu and manifest.json into `directory`, creating it if needed; each
/// file appears whole or not at all. On failure returns false with a
/// one-line message in `error`.
bool writeCudaArtifact(mlir::ModuleOp module, llvm::StringRef directory,
                       std::string &error);

} // namespace mpc

#endif // MPC_COMPILER_TARGET_CUDA_CUDAARTIFACT_H
