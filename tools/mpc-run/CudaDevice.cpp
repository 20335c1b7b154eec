//===- CudaDevice.cpp - Training on the GPU -------------------------------===//
//
// With the CUDA toolkit: the model runs as a CUDA artifact, either MODEL
// itself or the one a model file compiles to in the artifact cache. Its
// step library is the one prebuilt for the GPU in the artifact, or step.cu
// compiled with nvcc (cached too). Nothing is written before MODEL, the
// GPU and nvcc are checked.
//
//===----------------------------------------------------------------------===//

#include "tools/mpc-run/Device.h"

#include "runtime/cuda/executor/CudaStepExecutor.h"
#include "runtime/cuda/executor/DebugMode.h"
#include "runtime/cuda/executor/DeviceProbe.h"
#include "runtime/cuda/executor/Manifest.h"
#include "runtime/cuda/executor/StepCompiler.h"

#include <cstdio>
#include <cstdlib>

namespace mpc::run {

namespace {

/// Whether the CUDA executor runs in debug mode: --cuda-sync or
/// MPC_CUDA_SYNC=1.
bool debugMode(const Flags &flags) {
  std::string error;
  std::optional<bool> fromEnvironment =
      cuda::parseSyncVariable(std::getenv(cuda::kSyncVariable), error);
  if (!fromEnvironment)
    fail(error);
  return *fromEnvironment || flags.switches.count("cuda-sync") != 0;
}

/// The manifest of the artifact in `directory`.
cuda::Manifest readArtifactManifest(const std::string &directory) {
  std::string error;
  std::optional<cuda::Manifest> manifest =
      cuda::readManifest(directory + "/manifest.json", error);
  if (!manifest)
    fail(error);
  return std::move(*manifest);
}

} // namespace

Model openOnCuda(const Flags &flags) {
  bool debug = debugMode(flags);
  Model model;
  std::string directory = flags.model;
  std::optional<cuda::Manifest> manifest;
  GraphArtifact graph;
  if (isArtifactDirectory(directory)) {
    checkArtifactFlags(flags);
    manifest = readArtifactManifest(directory);
  } else {
    graph = loadGraphArtifact(flags);
    model.steps = graph.steps;
    model.seed = graph.seed;
    model.precision = graph.precision;
    model.learningRate = graph.learningRate;
  }
  std::string error;
  std::optional<cuda::DeviceInfo> device = cuda::probeDevice(error);
  if (!device)
    fail("--device cuda: " + error);
  // A step library prebuilt for this device needs no compiler; any other is
  // compiled, so nvcc must be there before anything is written.
  if (!cuda::hasPrebuiltLibrary(directory, device->sm()) &&
      !cuda::findNvcc(error))
    fail("--device cuda: " + error);
  if (graph.publish) {
    directory = graph.publish();
    manifest = readArtifactManifest(directory);
  }
  model.executor = cuda::CudaStepExecutor::create(
      directory, std::move(*manifest), *device, debug, error);
  if (!model.executor)
    fail("--device cuda: " + error);
  std::printf("mpc-run: --device cuda: %s (sm_%d), %.1f GiB free\n",
              device->name.c_str(), device->sm(),
              double(device->freeBytes) / double(1ull << 30));
  if (debug)
    std::printf("mpc-run: debug mode: every step runs op by op, each op "
                "checked, without a CUDA graph\n");
  return model;
}

StepLibraryBuilder prepareStepLibrary(const Flags &flags) {
  if (!flags.values.count("arch"))
    return nullptr;
  const std::string &name = flags.values.at("arch");
  std::optional<int> arch = cuda::parseArch(name);
  if (!arch)
    fail("--arch must name a GPU architecture such as sm_90, got '" + name +
         "'");
  std::string error;
  std::optional<std::string> nvcc = cuda::findNvcc(error);
  if (!nvcc)
    fail("--arch: " + error);
  return [arch = *arch, nvcc = *nvcc](
             const std::string &directory, const std::string &logPath,
             std::string &error) -> std::optional<std::string> {
    std::string library = cuda::prebuiltLibraryName(arch);
    if (!cuda::compileStepLibrary(directory, nvcc, {arch},
                                  directory + "/" + library, logPath, error))
      return std::nullopt;
    std::remove(logPath.c_str());
    return library;
  };
}

} // namespace mpc::run
