//===- NoCudaDevice.cpp - No GPU without the CUDA toolkit -----------------===//
//
// A build without the CUDA toolkit has no CUDA backend: --device cuda and
// --artifact are refused with one line rather than run on the CPU.
//
//===----------------------------------------------------------------------===//

#include "tools/mpc-run/Device.h"

namespace mpc::run {

Model openOnCuda(const Flags &) {
  fail("--device cuda: this build of mpc-run has no CUDA backend");
}

StepLibraryBuilder prepareStepLibrary(const Flags &flags) {
  failCannotWriteArtifact(flags);
}

} // namespace mpc::run
