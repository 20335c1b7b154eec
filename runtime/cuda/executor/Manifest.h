//===- Manifest.h - what a CUDA step artifact holds -------------*- C++ -*-===//
//
// The manifest.json of a CUDA artifact is the step contract as JSON
// (runtime/core/StepContract.h, docs/cuda-backend.md): parameters and state
// with their initializers, the functions of the step library with their
// inputs and outputs, the arena size and the loss scaling. These are the
// CUDA executor's names for it.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_EXECUTOR_MANIFEST_H
#define MPC_RUNTIME_CUDA_EXECUTOR_MANIFEST_H

#include "runtime/core/StepContract.h"
#include "runtime/driver/ParamInit.h"

namespace mpc::cuda {

/// Element types on the device: f32, f16, bf16, and i32 for integer
/// tensors, i1 for flags (never i64).
using DType = ::mpc::DType;
using ::mpc::dtypeName;
using ::mpc::elementSize;
using ::mpc::isFloat;

using Manifest = ::mpc::StepContract;
using ::mpc::FunctionSpec;
using ::mpc::LossScalingSpec;
using ::mpc::StateSpec;
using ::mpc::TensorSpec;

/// The functions every step artifact has.
using ::mpc::step::kForward;
using ::mpc::step::kTrainStep;

using ::mpc::parseManifest;
using ::mpc::readManifest;

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_EXECUTOR_MANIFEST_H
