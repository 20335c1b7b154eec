//===- InitValues.h - the initial values an artifact carries ----*- C++ -*-===//
//
// A param that holds its initial value (InitSpec::Kind::Values: an imported
// model's pretrained weights) travels in a CUDA artifact as a .npy file
// beside manifest.json, named by its manifest entry. The compiler writes
// the files with the artifact; the CUDA executor reads them when it opens
// the artifact, so a missing or damaged file fails before any step.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_INITVALUES_H
#define MPC_RUNTIME_DRIVER_INITVALUES_H

#include "runtime/core/StepContract.h"

#include <string>

namespace mpc::driver {

/// Writes the values of every Kind::Values state tensor of `contract` to
/// its file under `directory` (creating the folders). False with a one-line
/// `error` naming the file.
bool writeInitValues(const StepContract &contract, const std::string &directory,
                     std::string &error);

/// Reads the values of every Kind::Values state tensor of `contract` from
/// its file under `directory` into its InitSpec, checking that the array
/// has the tensor's shape and holds floats. False with a one-line `error`
/// naming the file.
bool loadInitValues(StepContract &contract, const std::string &directory,
                    std::string &error);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_INITVALUES_H
