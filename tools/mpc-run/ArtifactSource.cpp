//===- ArtifactSource.cpp - MODEL as a compiled artifact directory --------===//
//
// In every build: a directory given as MODEL is a CUDA artifact (step.cu
// and manifest.json, as --artifact writes them). It is compiled already, so
// it runs only on the GPU and takes no precision or schedule flags.
//
//===----------------------------------------------------------------------===//

#include "tools/mpc-run/ModelSource.h"

#include <sys/stat.h>

namespace mpc::run {

bool isArtifactDirectory(const std::string &model) {
  struct stat info;
  return stat(model.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

void checkArtifactFlags(const Flags &flags) {
  for (const char *flag :
       {"dtype", "policy", "loss-scaling", "init-scale", "precision-report",
        "lr-schedule", "warmup-steps", "decay-steps", "min-lr-ratio",
        "lr-step-size", "lr-gamma", "training"})
    if (flags.values.count(flag))
      fail(std::string("--") + flag + " applies when compiling a model; " +
           flags.model + " is a compiled artifact");
  if (flags.switches.count("grad-norm"))
    fail("--grad-norm applies when compiling a model; " + flags.model +
         " is a compiled artifact");
}

void failArtifactOnCpu(const Flags &flags) {
  fail(flags.model + ": a CUDA artifact directory runs with --device cuda");
}

void failCannotWriteArtifact(const Flags &flags) {
  fail("--artifact " + flags.values.at("artifact") +
       ": this build of mpc-run cannot compile models for CUDA");
}

} // namespace mpc::run
