//===- CpuDevice.cpp - Training on the CPU reference executor -------------===//
//
// With the compiler: the reference executor interprets the training-step
// module, so it runs model files; it is the device a run uses by default.
//
//===----------------------------------------------------------------------===//

#include "tools/mpc-run/Device.h"

#include "tools/mpc-run/GraphSource.h"

#include "compiler/reference/CpuStepExecutor.h"

namespace mpc::run {

const char *const kDefaultDevice = "cpu";

Model openOnCpu(const Flags &flags) {
  if (isArtifactDirectory(flags.model))
    failArtifactOnCpu(flags);
  LoadedGraph graph = loadGraph(flags);
  Model model;
  model.keepAlive = graph.context;
  model.steps = graph.steps;
  model.seed = graph.seed;
  model.precision = graph.precision;
  model.learningRate = graph.learningRate;
  std::string error;
  model.executor = cpu::CpuStepExecutor::create(std::move(graph.module), error);
  if (!model.executor)
    fail(flags.model + ": " + error);
  return model;
}

} // namespace mpc::run
