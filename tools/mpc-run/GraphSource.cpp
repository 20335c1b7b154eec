//===- GraphSource.cpp - MODEL as a JSON graph or an mpc module -----------===//
//
// With the compiler: a model file is loaded into a training-step module
// with the precision flags. The CPU device runs that module; the CUDA
// device runs the artifact it compiles to, kept in the artifact cache under
// a hash of the module; --artifact writes that artifact where it is told.
//
//===----------------------------------------------------------------------===//

#include "tools/mpc-run/GraphSource.h"

#include "runtime/core/Hash.h"

#include "tools/mpc-run/Device.h"
#include "tools/mpc-run/ModelSource.h"

#include "compiler/ModelLoader.h"
#include "compiler/target/cuda/CudaArtifact.h"
#include "dialects/mpc/MpcDialect.h"
#include "runtime/driver/ArtifactCache.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>

namespace mpc::run {

namespace {

/// An integer from the graph's training settings.
std::optional<int64_t> trainingSetting(mlir::ModuleOp module,
                                       llvm::StringRef key) {
  auto training = module->getAttrOfType<mlir::DictionaryAttr>(
      MpcDialect::kTrainingAttrName);
  if (training)
    if (auto value = training.getAs<mlir::IntegerAttr>(key))
      return value.getInt();
  return std::nullopt;
}

/// The cache key of a module's artifact: a hash of the module's text
/// (FNV-1a), as 16 hex digits.
std::string artifactKey(const std::string &moduleText) {
  return Fnv1a().add(moduleText).hex();
}

/// The artifact of `module` in the cache (artifacts/KEY), written first
/// unless it is there.
std::string cachedArtifact(mlir::ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  module->print(stream);
  stream.flush();
  std::string error;
  std::optional<std::string> directory = driver::cachedEntry(
      "artifacts", artifactKey(text),
      [module](const std::string &temporary, std::string &error) {
        return writeCudaArtifact(module, temporary, error);
      },
      error);
  if (!directory)
    fail(error);
  return *directory;
}

} // namespace

LoadedGraph loadGraph(const Flags &flags) {
  ModelLoadOptions loadOptions;
  if (flags.values.count("batch"))
    loadOptions.batchSize = integerFlag(flags, "batch", 0, 1);
  loadOptions.dtype = stringFlag(flags, "dtype", {"f32", "f16", "bf16"});
  loadOptions.lossScaling =
      stringFlag(flags, "loss-scaling", {"none", "static", "dynamic"});
  loadOptions.precisionReport =
      stringFlag(flags, "precision-report", {"table", "json"});
  if (flags.values.count("policy"))
    loadOptions.policyFile = flags.values.at("policy");
  if (flags.values.count("init-scale"))
    loadOptions.initScale = positiveFlag(flags, "init-scale");
  LoadedGraph graph;
  graph.context = std::make_shared<mlir::MLIRContext>();
  std::string error;
  graph.module =
      loadTrainingModule(flags.model, loadOptions, *graph.context, error);
  if (!graph.module)
    fail(error);
  graph.steps = trainingSetting(*graph.module, "steps");
  graph.seed = trainingSetting(*graph.module, "seed");
  return graph;
}

GraphArtifact loadGraphArtifact(const Flags &flags) {
  auto graph = std::make_shared<LoadedGraph>(loadGraph(flags));
  GraphArtifact artifact;
  artifact.steps = graph->steps;
  artifact.seed = graph->seed;
  artifact.publish = [graph] { return cachedArtifact(*graph->module); };
  return artifact;
}

void writeArtifactAndExit(const Flags &flags) {
  const std::string &directory = flags.values.at("artifact");
  // The architecture and nvcc are checked before anything is written.
  StepLibraryBuilder buildStepLibrary = prepareStepLibrary(flags);
  LoadedGraph graph = loadGraph(flags);
  std::string error;
  if (!writeCudaArtifact(*graph.module, directory, error))
    fail(error);
  std::string written = "step.cu, manifest.json";
  if (buildStepLibrary)
    written += ", " + buildStepLibrary(directory);
  std::printf("mpc-run: wrote %s (%s)\n", directory.c_str(), written.c_str());
  std::exit(0);
}

} // namespace mpc::run
