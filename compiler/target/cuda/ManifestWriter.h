//===- ManifestWriter.h - the manifest of a compiled CUDA step --*- C++ -*-===//
//
// The JSON document that tells the host runtime what a step library holds:
// the step contract (runtime/core/StepContract.h) as the module describes
// it, which the runtime reads back with parseManifest. docs/cuda-backend.md
// gives the format.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_TARGET_CUDA_MANIFESTWRITER_H
#define MPC_COMPILER_TARGET_CUDA_MANIFESTWRITER_H

#include "dialects/mpc/StepContract.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

namespace mpc {

/// The ABI version the generated code is written for.
constexpr int kCudaAbiVersion = step::kAbiVersion;

/// The manifest of `contract`. llvm::json prints numbers as the manifest's
/// readers and tests expect ("floor": 1, not 1.0) and keys in order.
llvm::json::Value toJson(const StepContract &contract);

/// The manifest of a module whose functions mpc-plan-memory has planned; a
/// function without a plan is an error at its location.
mlir::FailureOr<llvm::json::Value> buildManifest(mlir::ModuleOp module);

} // namespace mpc

#endif // MPC_COMPILER_TARGET_CUDA_MANIFESTWRITER_H
