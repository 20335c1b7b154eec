//===- ManifestWriter.h - the manifest of a compiled CUDA step --*- C++ -*-===//
//
// The JSON document that tells the host runtime what a step library holds:
// the state tensors in the order of mpc_step_args::state with their
// initializers, each function's entry point, arena size, inputs and outputs,
// the label input and the loss scaler. docs/cuda-backend.md gives the format.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_TARGET_CUDA_MANIFESTWRITER_H
#define MPC_COMPILER_TARGET_CUDA_MANIFESTWRITER_H

#include "dialects/mpc/MpcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace mpc {

/// The version of the manifest and of the generated code's ABI.
constexpr int kCudaAbiVersion = 2;

/// The parameters and state of `module` in the order of the manifest's
/// "state" list and of mpc_step_args::state: module order.
llvm::SmallVector<ParamOp> manifestState(mlir::ModuleOp module);

/// The functions a step library exports: every function with a body, in
/// module order.
llvm::SmallVector<mlir::func::FuncOp> manifestFunctions(mlir::ModuleOp module);

/// The C name of the entry point of function `name`: "mpc_fn_" and the name
/// with every character that cannot be in a C identifier replaced by '_'.
std::string entryPointName(llvm::StringRef name);

/// The manifest's name of an element type: f32, f16, bf16, i32 (every
/// integer type but i1, which is int32 on the device) or i1.
llvm::StringRef manifestDtype(mlir::Type elementType);

/// The manifest of a module whose functions mpc-plan-memory has planned; a
/// function without a plan is an error at its location.
mlir::FailureOr<llvm::json::Value> buildManifest(mlir::ModuleOp module);

} // namespace mpc

#endif // MPC_COMPILER_TARGET_CUDA_MANIFESTWRITER_H
