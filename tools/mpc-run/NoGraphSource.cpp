//===- NoGraphSource.cpp - No model files without the compiler ------------===//
//
// A build without the compiler (MPC_BUILD_COMPILER=OFF, and mpc-run-runtime)
// runs artifact directories only: a model file is refused with one line
// saying where an artifact comes from.
//
//===----------------------------------------------------------------------===//

#include "tools/mpc-run/ModelSource.h"

namespace mpc::run {

GraphArtifact loadGraphArtifact(const Flags &flags) {
  fail(flags.model +
       ": not an artifact directory (this mpc-run was built without the "
       "compiler; write one with mpc-run --artifact)");
}

void writeArtifactAndExit(const Flags &flags) {
  failCannotWriteArtifact(flags);
}

} // namespace mpc::run
