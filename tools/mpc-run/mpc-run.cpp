//===- mpc-run.cpp - trains a model ---------------------------------------===//
//
// mpc-run MODEL --data FILE [--steps N] [--batch B] [--device cpu]
//         [--seed S] [--log-every K] [--eval-every K] [--save CKPT]
//         [--resume CKPT]
//
// Compiles the model (a JSON graph or an mpc module) to its training step,
// then trains it on the data and evaluates on the held-out split. Every
// error is one line naming the file and what is wrong, with exit status 1.
//
//===----------------------------------------------------------------------===//

#include "compiler/ModelLoader.h"
#include "runtime/cpu/CpuStepExecutor.h"
#include "runtime/driver/Datasets.h"
#include "runtime/train/TrainingLoop.h"

#include "dialects/mpc/MpcDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

const char *kUsage = R"(usage: mpc-run MODEL --data FILE [options]

MODEL is a JSON graph (.json) or an mpc module (.mlir); a module without a
@train_step gets one built with the graph's training settings.

  --data FILE        training data: .csv/.csv.gz rows (features, then an
                     integer label), a .txt character corpus, or .npy arrays
                     (repeat --data, optionally NAME=FILE.npy); repeatable
  --steps N          train until N steps have run (default: the graph's
                     training.steps)
  --batch B          batch size (default: the graph's training.batch_size)
  --device cpu       where to run (cpu: the reference executor)
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
};

/// The flags that take a value; --data may repeat.
const char *const kValueFlags[] = {
    "steps",      "batch",           "device", "seed",
    "log-every",  "eval-every",      "save",   "resume",
    "data",       "dtype",           "policy", "loss-scaling",
    "init-scale", "precision-report"};

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
  if (flags.data.empty())
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

/// An integer from the graph's training settings, or `fallback`.
int64_t trainingSetting(mlir::ModuleOp module, llvm::StringRef key,
                        int64_t fallback) {
  auto training = module->getAttrOfType<mlir::DictionaryAttr>(
      mpc::MpcDialect::kTrainingAttrName);
  if (training)
    if (auto value = training.getAs<mlir::IntegerAttr>(key))
      return value.getInt();
  return fallback;
}

} // namespace

int main(int argc, char **argv) {
  Flags flags = parseFlags(argc, argv);
  std::string device =
      flags.values.count("device") ? flags.values["device"] : "cpu";
  if (device == "cuda")
    fail("--device cuda: this build of mpc-run has no CUDA backend");
  if (device != "cpu")
    fail("unknown device '" + device + "'; expected cpu or cuda");

  mpc::ModelLoadOptions loadOptions;
  if (flags.values.count("batch"))
    loadOptions.batchSize = integerFlag(flags, "batch", 0, 1);
  loadOptions.dtype = stringFlag(flags, "dtype", {"f32", "f16", "bf16"});
  loadOptions.lossScaling =
      stringFlag(flags, "loss-scaling", {"none", "static", "dynamic"});
  loadOptions.precisionReport =
      stringFlag(flags, "precision-report", {"table", "json"});
  if (flags.values.count("policy"))
    loadOptions.policyFile = flags.values["policy"];
  if (flags.values.count("init-scale"))
    loadOptions.initScale = positiveFlag(flags, "init-scale");
  mlir::MLIRContext context;
  std::string error;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mpc::loadTrainingModule(flags.model, loadOptions, context, error);
  if (!module)
    fail(error);

  mpc::train::TrainingOptions options;
  options.steps =
      integerFlag(flags, "steps", trainingSetting(*module, "steps", -1), 0);
  if (options.steps < 0)
    fail("no --steps given and the graph has no training.steps");
  options.seedGiven = flags.values.count("seed");
  options.seed =
      integerFlag(flags, "seed", trainingSetting(*module, "seed", 0), 0);
  options.logEvery = integerFlag(flags, "log-every", 50, 1);
  options.evalEvery = integerFlag(flags, "eval-every", 0, 1);
  if (flags.values.count("save"))
    options.savePath = flags.values["save"];
  if (flags.values.count("resume"))
    options.resumePath = flags.values["resume"];

  std::unique_ptr<mpc::cpu::CpuStepExecutor> executor =
      mpc::cpu::CpuStepExecutor::create(std::move(module), error);
  if (!executor)
    fail(flags.model + ": " + error);

  std::vector<mpc::driver::HostTensor> outputs = executor->outputSpecs();
  int64_t classes = outputs.size() > 1 && !outputs[1].shape.empty()
                        ? outputs[1].shape.back()
                        : -1;
  // The train/validation split is the same for every run seed, so runs
  // (and a resumed run) are evaluated on the same rows.
  std::unique_ptr<mpc::driver::Dataset> data = mpc::driver::openDataset(
      flags.data, kSplitSeed, executor->inputSpecs(), classes, error);
  if (!data)
    fail(error);
  int64_t batch = executor->inputSpecs()[0].shape[0];
  if (data->numValidationBatches(batch) == 0)
    fail(flags.data.front() +
         ": the validation split holds fewer than one "
         "batch of " +
         std::to_string(batch));
  if (!options.savePath.empty())
    checkSaveDirectory(options.savePath);

  std::printf("mpc-run: %s (graph '%s') on %s, batch %lld\n",
              flags.model.c_str(), executor->graphName().c_str(),
              device.c_str(), static_cast<long long>(batch));
  std::printf("data: %s\n", data->describe().c_str());
  std::fflush(stdout);
  mpc::train::TrainingResult result;
  if (!mpc::train::runTraining(*executor, *data, options, stdout, result,
                               error))
    fail(error);
  return 0;
}
