//===- mpc-run.cpp - trains a model ---------------------------------------===//
//
// mpc-run MODEL --data FILE [--steps N] [--batch B] [--device cpu|cuda]
//         [--cuda-sync] [--seed S] [--log-every K] [--eval-every K]
//         [--save CKPT] [--resume CKPT]
// mpc-run MODEL --artifact DIR
//
// Compiles the model (a JSON graph or an mpc module) to its training step,
// then trains it on the data and evaluates on the held-out split; on a GPU
// the model may also be a compiled CUDA artifact directory. Every error is
// one line naming the file and what is wrong, with exit status 1.
//
//===----------------------------------------------------------------------===//

#include "runtime/driver/Datasets.h"
#include "runtime/train/TrainingLoop.h"

#if MPC_RUN_WITH_COMPILER
#include "compiler/ModelLoader.h"
#include "dialects/mpc/MpcDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"
#include "compiler/reference/CpuStepExecutor.h"
#endif
#if MPC_RUN_WITH_CUDA
#include "runtime/cuda/executor/CudaStepExecutor.h"
#include "runtime/cuda/executor/DebugMode.h"
#include "runtime/cuda/executor/StepCompiler.h"
#endif
#if MPC_RUN_WITH_COMPILER && MPC_RUN_WITH_CUDA
#include "compiler/target/cuda/CudaArtifact.h"
#include "llvm/Support/raw_ostream.h"
#include <unistd.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

const char *kUsage = R"(usage: mpc-run MODEL --data FILE [options]

MODEL is a JSON graph (.json) or an mpc module (.mlir); a module without a
@train_step gets one built with the graph's training settings. With
--device cuda, MODEL may also be a CUDA artifact directory (manifest.json
and step.cu, as --artifact writes them).

  --data FILE        training data: .csv/.csv.gz rows (features, then an
                     integer label), a .txt character corpus, or .npy arrays
                     (repeat --data, optionally NAME=FILE.npy); repeatable
  --steps N          train until N steps have run (default: the graph's
                     training.steps)
  --batch B          batch size (default: the graph's training.batch_size)
  --device D         where to run: cpu (the reference executor) or cuda
                     (the first GPU; needs nvcc, found as $MPC_NVCC,
                     $CUDA_HOME/bin/nvcc, /usr/local/cuda/bin/nvcc or on
                     PATH; compiled steps are cached in $MPC_CACHE_DIR,
                     else $XDG_CACHE_HOME/mpc, else ~/.cache/mpc)
  --cuda-sync        with --device cuda: debug mode (also MPC_CUDA_SYNC=1);
                     every step runs op by op without a CUDA graph, each op
                     synchronised and checked, so the first failure names
                     the op, its node and its place in the graph file
  --artifact DIR     compile MODEL for CUDA into DIR (step.cu and
                     manifest.json) and exit without training; needs no GPU
  --arch sm_NN       with --artifact: also build the step library for that
                     GPU (DIR/step.sm_NN.so, with nvcc), which --device cuda
                     then loads without compiling
  --seed S           seed of initialization and batch order (default: the
                     graph's training.seed, else 0)
  --log-every K      print the mean loss every K steps (default 50)
  --eval-every K     evaluate on the validation split every K steps
                     (default: only at the end)
  --save CKPT        write parameters and optimizer state at the end
                     (safetensors, written atomically)
  --resume CKPT      continue a run from a checkpoint

Mixed precision (when compiling a graph):
  --dtype T          f32 (default), f16 or bf16: run allowed ops in T with
                     f32 master weights (mpc-autocast)
  --policy FILE      a JSON file moving ops between autocast categories
  --loss-scaling M   none, static or dynamic (default: dynamic for f16,
                     none otherwise)
  --init-scale S     the first loss scale (default 65536)
  --precision-report table|json
                     print every op's precision and the casts before training
)";

struct Flags {
  std::string model;
  std::vector<std::string> data;
  std::map<std::string, std::string> values;
  /// The flags without a value that were given.
  std::set<std::string> switches;
};

/// The flags that take a value; --data may repeat.
const char *const kValueFlags[] = {"steps",      "batch",
                                   "device",     "seed",
                                   "log-every",  "eval-every",
                                   "save",       "resume",
                                   "data",       "dtype",
                                   "policy",     "loss-scaling",
                                   "init-scale", "precision-report",
                                   "artifact",   "arch"};
/// The flags without a value.
const char *const kSwitchFlags[] = {"cuda-sync"};

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "mpc-run: %s\n", message.c_str());
  std::exit(1);
}

Flags parseFlags(int argc, char **argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg.rfind("--", 0) != 0) {
      if (!flags.model.empty())
        fail("unexpected argument '" + arg + "' (the model is '" + flags.model +
             "')");
      flags.model = arg;
      continue;
    }
    std::string name = arg.substr(2), value;
    bool hasValue = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      hasValue = true;
    }
    if (std::find(std::begin(kSwitchFlags), std::end(kSwitchFlags), name) !=
        std::end(kSwitchFlags)) {
      if (hasValue)
        fail("--" + name + " takes no value");
      if (!flags.switches.insert(name).second)
        fail("--" + name + " given twice");
      continue;
    }
    if (std::find(std::begin(kValueFlags), std::end(kValueFlags), name) ==
        std::end(kValueFlags))
      fail("unknown flag '--" + name + "' (see mpc-run --help)");
    if (!hasValue) {
      // A value that starts with "--" is taken as the next flag; such a
      // value can still be given as --flag=--value.
      if (i + 1 >= argc || std::string(argv[i + 1]).rfind("--", 0) == 0)
        fail("--" + name + " needs a value");
      value = argv[++i];
    }
    if (name == "data")
      flags.data.push_back(value);
    else if (!flags.values.emplace(name, value).second)
      fail("--" + name + " given twice");
  }
  if (flags.model.empty())
    fail("no model given (see mpc-run --help)");
  if (flags.data.empty() && !flags.values.count("artifact"))
    fail("no --data given");
  return flags;
}

/// Reads flag `name` as an integer >= `minimum`, or returns `fallback`.
int64_t integerFlag(const Flags &flags, const std::string &name,
                    int64_t fallback, int64_t minimum) {
  auto it = flags.values.find(name);
  if (it == flags.values.end())
    return fallback;
  char *end = nullptr;
  errno = 0;
  long long value = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end || errno || value < minimum)
    fail("--" + name + " must be an integer >= " + std::to_string(minimum) +
         ", got '" + it->second + "'");
  return value;
}

/// Reads flag `name`, one of `allowed`, or returns "".
std::string stringFlag(const Flags &flags, const std::string &name,
                       std::initializer_list<const char *> allowed) {
  auto it = flags.values.find(name);
  if (it == flags.values.end())
    return "";
  std::string expected;
  for (const char *value : allowed) {
    if (it->second == value)
      return it->second;
    expected += expected.empty() ? value : std::string(", ") + value;
  }
  fail("--" + name + " must be one of " + expected + ", got '" + it->second +
       "'");
}

/// Reads flag `name` as a finite number > 0.
double positiveFlag(const Flags &flags, const std::string &name) {
  const std::string &text = flags.values.at(name);
  char *end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || errno || !(value > 0) || std::isinf(value))
    fail("--" + name + " must be a positive number, got '" + text + "'");
  return value;
}

/// Seeds the shuffle that splits rows into training and validation.
constexpr uint64_t kSplitSeed = 0;

/// Fails before any training when a checkpoint could not be saved at the end
/// because its directory does not exist.
void checkSaveDirectory(const std::string &path) {
  size_t slash = path.rfind('/');
  std::string directory =
      slash == std::string::npos ? "." : path.substr(0, slash + 1);
  struct stat info;
  if (stat(directory.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    fail(path + ": the directory " + directory + " does not exist");
}

/// Whether `path` is a directory (a CUDA artifact, not a model file).
bool isDirectory(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

/// What the run trains: the executor, and the model's own training
/// settings when it has them.
struct Model {
#if MPC_RUN_WITH_COMPILER
  /// Outlives the executor, whose module lives in it.
  std::unique_ptr<mlir::MLIRContext> context =
      std::make_unique<mlir::MLIRContext>();
#endif
  std::unique_ptr<mpc::train::StepExecutor> executor;
  std::optional<int64_t> steps, seed;
};

#if MPC_RUN_WITH_COMPILER
/// An integer from the graph's training settings.
std::optional<int64_t> trainingSetting(mlir::ModuleOp module,
                                       llvm::StringRef key) {
  auto training = module->getAttrOfType<mlir::DictionaryAttr>(
      mpc::MpcDialect::kTrainingAttrName);
  if (training)
    if (auto value = training.getAs<mlir::IntegerAttr>(key))
      return value.getInt();
  return std::nullopt;
}

/// Loads a model file with the precision flags.
mlir::OwningOpRef<mlir::ModuleOp> loadModule(const Flags &flags,
                                             mlir::MLIRContext &context) {
  mpc::ModelLoadOptions loadOptions;
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
  std::string error;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mpc::loadTrainingModule(flags.model, loadOptions, context, error);
  if (!module)
    fail(error);
  return module;
}
#endif

#if MPC_RUN_WITH_COMPILER && MPC_RUN_WITH_CUDA
/// Writes the artifact of `module` into `directory`, which must not exist
/// or be an empty directory.
void writeArtifact(mlir::ModuleOp module, const std::string &directory) {
  std::string error;
  if (!mpc::writeCudaArtifact(module, directory, error))
    fail(error);
}

/// The artifact of `module` in the cache, named by a hash of the module,
/// written first unless it is there. It is written under a temporary name
/// and renamed, so concurrent runs never see half of one.
std::string cachedArtifact(mlir::ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  module->print(stream);
  stream.flush();
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text)
    hash = (hash ^ c) * 0x100000001b3ULL;
  char key[17];
  std::snprintf(key, sizeof key, "%016llx",
                static_cast<unsigned long long>(hash));
  std::string root = mpc::cuda::cacheDirectory() + "/artifacts";
  std::string directory = root + "/" + key;
  if (isDirectory(directory))
    return directory;
  std::string temporary = directory + ".tmp" + std::to_string(getpid());
  writeArtifact(module, temporary);
  if (std::rename(temporary.c_str(), directory.c_str()) != 0) {
    // Another run put the same artifact there first.
    for (const char *file : {"/step.cu", "/manifest.json"})
      std::remove((temporary + file).c_str());
    rmdir(temporary.c_str());
    if (!isDirectory(directory))
      fail(directory + ": cannot write the artifact: " + std::strerror(errno));
  }
  return directory;
}
#endif

#if MPC_RUN_WITH_CUDA
/// Whether the CUDA executor runs in debug mode: --cuda-sync or
/// MPC_CUDA_SYNC=1.
bool cudaDebugMode(const Flags &flags) {
  std::string error;
  std::optional<bool> fromEnvironment = mpc::cuda::parseSyncVariable(
      std::getenv(mpc::cuda::kSyncVariable), error);
  if (!fromEnvironment)
    fail(error);
  return *fromEnvironment || flags.switches.count("cuda-sync") != 0;
}

/// Opens the model on the GPU, in debug mode when `debug`. The input is
/// checked first, then that there is a GPU, nvcc, and enough free memory;
/// each fails before anything is written.
Model openCuda(const Flags &flags, bool debug) {
  Model model;
  std::string error;
  std::string directory = flags.model;
  std::optional<mpc::cuda::Manifest> manifest;
#if MPC_RUN_WITH_COMPILER
  mlir::OwningOpRef<mlir::ModuleOp> module;
#endif
  if (isDirectory(directory)) {
    for (const char *flag :
         {"dtype", "policy", "loss-scaling", "init-scale", "precision-report"})
      if (flags.values.count(flag))
        fail(std::string("--") + flag + " applies when compiling a model; " +
             flags.model + " is a compiled artifact");
    manifest = mpc::cuda::readManifest(directory + "/manifest.json", error);
    if (!manifest)
      fail(error);
  } else {
#if MPC_RUN_WITH_COMPILER
    module = loadModule(flags, *model.context);
    model.steps = trainingSetting(*module, "steps");
    model.seed = trainingSetting(*module, "seed");
#else
    fail(flags.model +
         ": not an artifact directory (this mpc-run was built without the "
         "compiler; write one with mpc-run --artifact)");
#endif
  }
  std::optional<mpc::cuda::DeviceInfo> device = mpc::cuda::probeDevice(error);
  if (!device)
    fail("--device cuda: " + error);
  // A step library prebuilt for this device needs no compiler; any other is
  // compiled, so nvcc must be there before anything is written.
  if (!mpc::cuda::hasPrebuiltLibrary(directory, device->sm()) &&
      !mpc::cuda::findNvcc(error))
    fail("--device cuda: " + error);
#if MPC_RUN_WITH_COMPILER
  if (module) {
    directory = cachedArtifact(*module);
    manifest = mpc::cuda::readManifest(directory + "/manifest.json", error);
    if (!manifest)
      fail(error);
  }
#endif
  model.executor = mpc::cuda::CudaStepExecutor::create(
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
#endif

/// Opens the model on the device the flags name.
Model openModel(const Flags &flags, const std::string &device) {
  if (device == "cuda") {
#if MPC_RUN_WITH_CUDA
    return openCuda(flags, cudaDebugMode(flags));
#else
    fail("--device cuda: this build of mpc-run has no CUDA backend");
#endif
  }
#if MPC_RUN_WITH_COMPILER
  if (isDirectory(flags.model))
    fail(flags.model + ": a CUDA artifact directory runs with --device cuda");
  Model model;
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModule(flags, *model.context);
  model.steps = trainingSetting(*module, "steps");
  model.seed = trainingSetting(*module, "seed");
  std::string error;
  model.executor = mpc::cpu::CpuStepExecutor::create(std::move(module), error);
  if (!model.executor)
    fail(flags.model + ": " + error);
  return model;
#else
  fail("--device cpu: this build of mpc-run has no compiler (the CPU "
       "executor runs mpc IR); use --device cuda");
#endif
}

/// --artifact: compiles the model for CUDA and writes the artifact.
[[noreturn]] void writeArtifactAndExit(const Flags &flags) {
  const std::string &directory = flags.values.at("artifact");
#if MPC_RUN_WITH_COMPILER && MPC_RUN_WITH_CUDA
  // The architecture and nvcc are checked before anything is written.
  std::optional<int> arch;
  std::optional<std::string> nvcc;
  std::string error;
  if (flags.values.count("arch")) {
    arch = mpc::cuda::parseArch(flags.values.at("arch"));
    if (!arch)
      fail("--arch must name a GPU architecture such as sm_90, got '" +
           flags.values.at("arch") + "'");
    nvcc = mpc::cuda::findNvcc(error);
    if (!nvcc)
      fail("--arch: " + error);
  }
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModule(flags, context);
  writeArtifact(*module, directory);
  std::string written = "step.cu, manifest.json";
  if (arch) {
    std::string library = mpc::cuda::prebuiltLibraryName(*arch);
    std::string log = directory + "/" + library + ".log";
    if (!mpc::cuda::compileStepLibrary(directory, *nvcc, {*arch},
                                       directory + "/" + library, log, error))
      fail(error);
    std::remove(log.c_str());
    written += ", " + library;
  }
  std::printf("mpc-run: wrote %s (%s)\n", directory.c_str(), written.c_str());
  std::exit(0);
#else
  fail("--artifact " + directory +
       ": this build of mpc-run cannot compile models for CUDA");
#endif
}

} // namespace

int main(int argc, char **argv) {
  Flags flags = parseFlags(argc, argv);
  if (flags.values.count("artifact")) {
    if (flags.switches.count("cuda-sync"))
      fail("--cuda-sync applies when training with --device cuda; --artifact "
           "only writes the artifact");
    writeArtifactAndExit(flags);
  }
  if (flags.values.count("arch"))
    fail("--arch applies with --artifact, which builds the step library");
#if MPC_RUN_WITH_COMPILER
  const char *defaultDevice = "cpu";
#else
  const char *defaultDevice = "cuda";
#endif
  std::string device =
      flags.values.count("device") ? flags.values["device"] : defaultDevice;
  if (device != "cpu" && device != "cuda")
    fail("unknown device '" + device + "'; expected cpu or cuda");
  if (device != "cuda" && flags.switches.count("cuda-sync"))
    fail("--cuda-sync applies to --device cuda, not --device " + device);

  Model model = openModel(flags, device);
  mpc::train::StepExecutor &executor = *model.executor;
  int64_t batch = executor.inputSpecs()[0].shape[0];
  if (flags.values.count("batch") && isDirectory(flags.model) &&
      integerFlag(flags, "batch", 0, 1) != batch)
    fail("--batch " + flags.values["batch"] + ": " + flags.model +
         " was compiled for batch " + std::to_string(batch));

  mpc::train::TrainingOptions options;
  options.steps = integerFlag(flags, "steps", model.steps.value_or(-1), 0);
  if (options.steps < 0)
    fail("no --steps given and the graph has no training.steps");
  options.seedGiven = flags.values.count("seed");
  options.seed = integerFlag(flags, "seed", model.seed.value_or(0), 0);
  options.logEvery = integerFlag(flags, "log-every", 50, 1);
  options.evalEvery = integerFlag(flags, "eval-every", 0, 1);
  if (flags.values.count("save"))
    options.savePath = flags.values["save"];
  if (flags.values.count("resume"))
    options.resumePath = flags.values["resume"];

  std::vector<mpc::driver::HostTensor> outputs = executor.outputSpecs();
  int64_t classes = outputs.size() > 1 && !outputs[1].shape.empty()
                        ? outputs[1].shape.back()
                        : -1;
  // The train/validation split is the same for every run seed, so runs
  // (and a resumed run) are evaluated on the same rows.
  std::string error;
  std::unique_ptr<mpc::driver::Dataset> data = mpc::driver::openDataset(
      flags.data, kSplitSeed, executor.inputSpecs(), classes, error);
  if (!data)
    fail(error);
  if (data->numValidationBatches(batch) == 0)
    fail(flags.data.front() +
         ": the validation split holds fewer than one "
         "batch of " +
         std::to_string(batch));
  if (!options.savePath.empty())
    checkSaveDirectory(options.savePath);

  std::printf("mpc-run: %s (graph '%s') on %s, batch %lld\n",
              flags.model.c_str(), executor.graphName().c_str(), device.c_str(),
              static_cast<long long>(batch));
  std::printf("data: %s\n", data->describe().c_str());
  std::fflush(stdout);
  mpc::train::TrainingResult result;
  if (!mpc::train::runTraining(executor, *data, options, stdout, result, error))
    fail(error);
  return 0;
}
