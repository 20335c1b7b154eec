//===- CudaEmitterNumerics.h - --check-numerics in the CUDA step -*- C++
//-*-===//
//
// The calls that gather the statistics of an op that mpc-check-numerics
// probed (mpc.numerics_probe): its float inputs are measured before it runs
// (its outputs may overwrite them) and its float outputs after, each into
// the probe's slot of the step's counts (mpc_check_probe, mpc_step.cuh).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_TARGET_CUDA_CUDAEMITTERNUMERICS_H
#define MPC_COMPILER_TARGET_CUDA_CUDAEMITTERNUMERICS_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>
#include <vector>

namespace mpc {

/// Which values of a probed op a call measures.
enum class ProbedValues { Inputs, Outputs };

/// The mpc_check_probe calls measuring `op`'s float operands or results,
/// one per distinct value, whose device pointers `pointer` spells; none
/// when `op` has no probe.
std::vector<std::string>
probeCalls(mlir::Operation *op, ProbedValues which,
           llvm::function_ref<std::string(mlir::Value)> pointer);

} // namespace mpc

#endif // MPC_COMPILER_TARGET_CUDA_CUDAEMITTERNUMERICS_H
