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
#include "runtime/core/OneLineText.h"

#include "tools/mpc-run/Device.h"
#include "tools/mpc-run/ModelSource.h"

#include "compiler/ModelLoader.h"
#include "compiler/target/cuda/CudaArtifact.h"
#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/MpcOps.h"
#include "runtime/driver/ArtifactCache.h"
#include "runtime/driver/OutputPath.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

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

/// The precision @train_step computes in: f16 or bf16 when any of its ops
/// yields that type (mpc-autocast ran), else f32.
std::string stepPrecision(mlir::ModuleOp module) {
  std::string precision = "f32";
  auto step =
      module.lookupSymbol<mlir::func::FuncOp>(MpcDialect::kTrainStepFuncName);
  if (!step)
    return precision;
  step.walk([&](mlir::Operation *op) {
    for (mlir::Type type : op->getResultTypes())
      if (auto tensor = mlir::dyn_cast<mlir::RankedTensorType>(type)) {
        if (tensor.getElementType().isF16())
          precision = "f16";
        else if (tensor.getElementType().isBF16())
          precision = "bf16";
      }
  });
  return precision;
}

/// The learning rate of @train_step's optimizer: the first update op's.
std::optional<double> stepLearningRate(mlir::ModuleOp module) {
  auto step =
      module.lookupSymbol<mlir::func::FuncOp>(MpcDialect::kTrainStepFuncName);
  std::optional<double> rate;
  if (!step)
    return rate;
  step.walk([&](mlir::Operation *op) {
    if (auto sgd = mlir::dyn_cast<SgdUpdateOp>(op))
      rate = sgd.getLearningRateAttr().getValueAsDouble();
    else if (auto momentum = mlir::dyn_cast<MomentumUpdateOp>(op))
      rate = momentum.getLearningRateAttr().getValueAsDouble();
    else if (auto adamw = mlir::dyn_cast<AdamWUpdateOp>(op))
      rate = adamw.getLearningRateAttr().getValueAsDouble();
    return rate ? mlir::WalkResult::interrupt() : mlir::WalkResult::advance();
  });
  return rate;
}

/// Fails when a precision flag would be ignored: --policy moves ops
/// between autocast's categories, so it needs --dtype f16 or bf16;
/// --init-scale needs loss scaling, which f32 and bf16 have only with
/// --loss-scaling static or dynamic.
void checkPrecisionFlags(const Flags &flags, const ModelLoadOptions &options) {
  std::string dtype = options.dtype.empty() ? "f32" : options.dtype;
  if (!options.policyFile.empty() && dtype == "f32")
    fail("--policy " + options.policyFile +
         ": a policy moves ops between autocast's categories, which runs with "
         "--dtype f16 or bf16; with f32 every op stays f32");
  std::string scaling = options.lossScaling;
  if (scaling.empty())
    scaling = dtype == "f16" ? "dynamic" : "none";
  if (options.initScale && scaling == "none")
    fail("--init-scale " + flags.values.at("init-scale") +
         ": there is no loss scaling with --dtype " + dtype +
         (options.lossScaling.empty() ? "" : " and --loss-scaling none") +
         " (give --loss-scaling static or dynamic)");
}

/// Fails, before anything is compiled, when --artifact DIR could not be
/// written at the end: a path that is not a directory, a directory without
/// room for another, or one that holds files of its own, which replacing it
/// with the artifact would delete.
void checkArtifactOutput(const std::string &directory) {
  std::string error;
  if (!driver::checkOutputPath(directory, driver::OutputKind::Directory, error))
    fail("--artifact " + error);
  std::error_code ignored;
  for (const auto &entry :
       std::filesystem::directory_iterator(directory, ignored)) {
    std::string name = entry.path().filename().string();
    bool artifactFile = name == "step.cu" || name == "manifest.json" ||
                        name == "values" ||
                        (llvm::StringRef(name).starts_with("step.sm_") &&
                         (llvm::StringRef(name).ends_with(".so") ||
                          llvm::StringRef(name).ends_with(".so.log")));
    if (!artifactFile)
      fail("--artifact " + directory + ": holds '" + name +
           "', which no artifact has; give a new directory or an artifact's "
           "(it is replaced whole)");
  }
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

ModelLoadOptions modelLoadOptions(const Flags &flags) {
  ModelLoadOptions loadOptions;
  if (flags.values.count("batch"))
    loadOptions.batchSize = integerFlag(flags, "batch", 0, 1);
  if (flags.values.count("accumulate"))
    loadOptions.accumulate = integerFlag(flags, "accumulate", 0, 1);
  loadOptions.dtype = stringFlag(flags, "dtype", {"f32", "f16", "bf16"});
  loadOptions.lossScaling =
      stringFlag(flags, "loss-scaling", {"none", "static", "dynamic"});
  loadOptions.precisionReport =
      stringFlag(flags, "precision-report", {"table", "json"});
  if (flags.values.count("policy"))
    loadOptions.policyFile = flags.values.at("policy");
  if (flags.values.count("init-scale"))
    loadOptions.initScale = positiveFlag(flags, "init-scale");
  loadOptions.recordGradNorm = flags.switches.count("grad-norm");
  // A repair judges f32 ops too: one that overflows is the model's own.
  loadOptions.checkAllOps = flags.switches.count("check-numerics-all") ||
                            flags.switches.count("repair-precision");
  loadOptions.checkNumerics =
      loadOptions.checkAllOps || flags.switches.count("check-numerics");
  checkPrecisionFlags(flags, loadOptions);
  loadOptions.lrSchedule = stringFlag(flags, "lr-schedule",
                                      {"constant", "cosine", "linear", "step"});
  for (auto [name, value] :
       {std::pair("warmup-steps", &loadOptions.warmupSteps),
        std::pair("decay-steps", &loadOptions.decaySteps),
        std::pair("lr-step-size", &loadOptions.lrStepSize)})
    if (flags.values.count(name))
      *value = integerFlag(flags, name, 0, 0);
  for (auto [name, value] : {std::pair("min-lr-ratio", &loadOptions.minLrRatio),
                             std::pair("lr-gamma", &loadOptions.lrGamma)})
    if (flags.values.count(name))
      *value = numberFlag(flags, name);
  loadOptions.optimizer =
      stringFlag(flags, "optimizer", {"sgd", "momentum", "adamw"});
  if (flags.values.count("learning-rate"))
    loadOptions.learningRate = positiveFlag(flags, "learning-rate");
  if (flags.values.count("weight-decay"))
    loadOptions.weightDecay = numberFlag(flags, "weight-decay");
  if (flags.values.count("loss"))
    loadOptions.loss = flags.values.at("loss");
  if (flags.values.count("training"))
    loadOptions.trainingFile = flags.values.at("training");
  return loadOptions;
}

void failToLoad(std::string error, std::vector<std::string> moreErrors) {
  // One line per problem (an ONNX model's unsupported nodes), all of them.
  if (!moreErrors.empty()) {
    std::fprintf(stderr, "mpc-run: %s\n", oneLine(error).c_str());
    error = moreErrors.back();
    moreErrors.pop_back();
    for (const std::string &line : moreErrors)
      std::fprintf(stderr, "mpc-run: %s\n", oneLine(line).c_str());
  }
  fail(error);
}

LoadedGraph loadGraph(const Flags &flags) {
  ModelLoadOptions loadOptions = modelLoadOptions(flags);
  LoadedGraph graph;
  graph.context = std::make_shared<mlir::MLIRContext>();
  std::string error;
  std::vector<std::string> moreErrors;
  graph.module = loadTrainingModule(flags.model, loadOptions, *graph.context,
                                    error, &moreErrors);
  if (!graph.module)
    failToLoad(error, moreErrors);
  graph.steps = trainingSetting(*graph.module, "steps");
  graph.seed = trainingSetting(*graph.module, "seed");
  graph.precision = stepPrecision(*graph.module);
  graph.learningRate = stepLearningRate(*graph.module);
  return graph;
}

GraphArtifact loadGraphArtifact(const Flags &flags) {
  auto graph = std::make_shared<LoadedGraph>(loadGraph(flags));
  GraphArtifact artifact;
  artifact.steps = graph->steps;
  artifact.seed = graph->seed;
  artifact.precision = graph->precision;
  artifact.learningRate = graph->learningRate;
  artifact.publish = [graph] { return cachedArtifact(*graph->module); };
  return artifact;
}

void writeArtifactAndExit(const Flags &flags) {
  std::string directory = flags.values.at("artifact");
  // "out/" names "out": its temporary sibling is "out.tmpPID", not inside.
  while (directory.size() > 1 && directory.back() == '/')
    directory.pop_back();
  // The output, the architecture and nvcc are checked before any work.
  checkArtifactOutput(directory);
  StepLibraryBuilder buildStepLibrary = prepareStepLibrary(flags);
  LoadedGraph graph = loadGraph(flags);
  // The artifact is written whole into a temporary directory, which then
  // replaces DIR: a failure at any point leaves DIR as it was.
  std::string written = "step.cu, manifest.json", error;
  std::string logPath = directory + ".nvcc.log";
  bool published = driver::publishAtomically(
      directory,
      [&](const std::string &temporary, std::string &error) {
        if (!writeCudaArtifact(*graph.module, temporary, error))
          return false;
        if (!buildStepLibrary)
          return true;
        std::optional<std::string> library =
            buildStepLibrary(temporary, logPath, error);
        if (library)
          written += ", " + *library;
        return library.has_value();
      },
      error, driver::ExistingDirectory::Replace);
  if (!published) {
    // Name the files where they were to be, not where they were written.
    std::string temporary = driver::temporaryPath(directory);
    for (size_t at = error.find(temporary); at != std::string::npos;
         at = error.find(temporary, at + directory.size()))
      error.replace(at, temporary.size(), directory);
    fail(error);
  }
  std::printf("mpc-run: wrote %s (%s)\n", directory.c_str(), written.c_str());
  std::exit(0);
}

} // namespace mpc::run
