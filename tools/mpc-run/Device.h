//===- Device.h - Where mpc-run trains --------------------------*- C++ -*-===//
//
// The devices a model runs on: the CPU reference executor (CpuDevice.cpp,
// with the compiler) and the GPU (CudaDevice.cpp, with the CUDA toolkit).
// A build without one links NoCpuDevice.cpp or NoCudaDevice.cpp instead,
// which say so.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_TOOLS_MPC_RUN_DEVICE_H
#define MPC_TOOLS_MPC_RUN_DEVICE_H

#include "tools/mpc-run/Flags.h"
#include "tools/mpc-run/ModelSource.h"

#include <functional>
#include <optional>
#include <string>

namespace mpc::run {

/// The device without --device: cpu, or cuda in a build without the CPU
/// executor.
extern const char *const kDefaultDevice;

/// Opens MODEL on the CPU reference executor.
Model openOnCpu(const Flags &flags);

/// Opens MODEL on the CPU reference executor for --repair-precision: every
/// float op instrumented, and the step compiled again with a policy file
/// when the statistics ask for it (runtime/train/PrecisionRepair.h).
Model openForRepair(const Flags &flags);

/// Opens MODEL on the GPU, in debug mode with --cuda-sync or
/// MPC_CUDA_SYNC=1. MODEL is checked first, then that there is a GPU, nvcc
/// (unless the artifact holds a step library built for that GPU), and
/// enough free memory; each fails before anything is written.
Model openOnCuda(const Flags &flags);

/// --forward: evaluates @forward of MODEL once on the CPU reference
/// executor, on the --input files, writes every output to --output-dir and
/// exits (ForwardRun.cpp); fails in a build without the CPU executor.
[[noreturn]] void runForwardAndExit(const Flags &flags);

/// Builds the step library of the artifact in a directory and returns its
/// file name there, or none with a one-line `error` that names the log of
/// the compiler at `logPath` (removed after a build that succeeds).
using StepLibraryBuilder = std::function<std::optional<std::string>(
    const std::string &artifactDirectory, const std::string &logPath,
    std::string &error)>;

/// With --artifact: checks --arch and that nvcc is there, before anything
/// is written, and returns what builds the step library for that GPU
/// (nothing without --arch). Fails in a build without CUDA, which cannot
/// compile models for it.
StepLibraryBuilder prepareStepLibrary(const Flags &flags);

} // namespace mpc::run

#endif // MPC_TOOLS_MPC_RUN_DEVICE_H
