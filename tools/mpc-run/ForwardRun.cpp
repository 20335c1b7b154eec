//===- ForwardRun.cpp - mpc-run --forward: @forward on given inputs -------===//
//
// mpc-run MODEL --forward --input NAME=FILE.npy ... --output-dir DIR
//         [--gradients-out GDIR] [--resume CKPT] [--dtype T] [--batch B]
//         [--seed S]
//
// Evaluates @forward once, on the CPU reference executor, on inputs read
// from .npy files, and writes every output as DIR/NAME.npy. The weights are
// the model's initial ones (an imported model's pretrained values), or the
// trained ones of a checkpoint. With --gradients-out, also writes the
// gradient of the loss with respect to every trainable param, on the same
// inputs and weights, as GDIR/PARAM.npy: what the first training step
// would hand its optimizer (without loss scaling), for comparison with
// another framework's. Each directory is written whole or not at all.
//
//===----------------------------------------------------------------------===//

#include "tools/mpc-run/Device.h"

#include "tools/mpc-run/GraphSource.h"

#include "compiler/ModelLoader.h"
#include "compiler/reference/Executor.h"
#include "dialects/mpc/MpcDialect.h"
#include "passes/Autodiff.h"
#include "runtime/driver/ArtifactCache.h"
#include "runtime/driver/Checkpoint.h"
#include "runtime/driver/DataFiles.h"
#include "runtime/driver/NpyWriter.h"
#include "runtime/driver/OutputPath.h"
#include "runtime/driver/Text.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace mpc::run {

namespace {

/// The flags that only training reads.
constexpr const char *kTrainingOnlyFlags[] = {
    "steps",   "log-every",       "eval-every", "save",
    "metrics", "numerics-report", "artifact",   "arch"};
constexpr const char *kTrainingOnlySwitches[] = {
    "cuda-sync", "grad-norm", "check-numerics", "check-numerics-all"};

/// Checks the directory flag `name` names, which --forward replaces whole,
/// and returns it without trailing slashes.
std::string checkNpyDirectory(const Flags &flags, const std::string &name) {
  std::string directory = flags.values.at(name);
  while (directory.size() > 1 && directory.back() == '/')
    directory.pop_back();
  std::string error;
  if (!driver::checkOutputPath(directory, driver::OutputKind::Directory, error))
    fail("--" + name + " " + error);
  // DIR is replaced whole: it may hold only what an earlier run wrote.
  std::error_code ignored;
  for (const auto &entry :
       std::filesystem::directory_iterator(directory, ignored))
    if (entry.path().extension() != ".npy")
      fail("--" + name + " " + directory + ": holds '" +
           entry.path().filename().string() +
           "', which no --forward run writes; give a new directory or one "
           "holding only .npy outputs (it is replaced whole)");
  return directory;
}

/// The directories --forward writes: the outputs', and the gradients' when
/// --gradients-out is given (else empty).
struct ForwardDirectories {
  std::string outputs, gradients;
};

/// Fails on flags that --forward would ignore, and checks the directories.
ForwardDirectories checkForwardFlags(const Flags &flags) {
  if (!flags.data.empty())
    fail("--data gives training data; --forward reads its inputs from "
         "--input NAME=FILE.npy");
  for (const char *name : kTrainingOnlyFlags)
    if (flags.values.count(name))
      fail("--" + std::string(name) +
           " applies when training; --forward evaluates the model once");
  for (const char *name : kTrainingOnlySwitches)
    if (flags.switches.count(name))
      fail("--" + std::string(name) +
           " applies when training; --forward evaluates the model once");
  auto device = flags.values.find("device");
  if (device != flags.values.end() && device->second != "cpu")
    fail("--forward runs on the CPU reference executor (--device cpu); the "
         "CUDA step library has no entry that evaluates @forward on given "
         "inputs");
  if (!flags.values.count("output-dir"))
    fail("--forward writes its outputs to --output-dir DIR; give one");
  ForwardDirectories directories;
  directories.outputs = checkNpyDirectory(flags, "output-dir");
  if (!flags.values.count("gradients-out"))
    return directories;
  directories.gradients = checkNpyDirectory(flags, "gradients-out");
  std::error_code ignored;
  if (directories.gradients == directories.outputs ||
      std::filesystem::equivalent(directories.gradients, directories.outputs,
                                  ignored))
    fail("--gradients-out " + directories.gradients +
         ": is also the --output-dir; give each its own directory");
  return directories;
}

/// --input NAME=FILE, by name.
std::map<std::string, std::string> inputFiles(const Flags &flags) {
  std::map<std::string, std::string> files;
  for (const std::string &input : flags.inputs) {
    size_t eq = input.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == input.size())
      fail("--input '" + input + "': expected NAME=FILE.npy");
    std::string name = input.substr(0, eq);
    if (!files.emplace(name, input.substr(eq + 1)).second)
      fail("--input " + name + " given twice");
  }
  return files;
}

/// "a, b": the names of `specs`, for messages.
std::string namesOf(const std::vector<driver::HostTensor> &specs) {
  std::string names;
  for (const driver::HostTensor &spec : specs)
    names += (names.empty() ? "'" : ", '") + spec.name + "'";
  return names;
}

/// Reads input `spec` from `path`, checking its shape and element kind.
driver::HostTensor readInput(const driver::HostTensor &spec,
                             const std::string &path) {
  std::string error;
  std::optional<driver::NpyArray> array = driver::loadNpy(path, error);
  if (!array)
    fail("--input " + spec.name + ": " + error);
  bool wantsFloat = spec.dtype == DType::F32;
  if (array->isFloat != wantsFloat)
    fail("--input " + spec.name + ": " + path + " holds " +
         (array->isFloat ? "floats" : "integers") + ", but input '" +
         spec.name + "' takes " + (wantsFloat ? "floats" : "integers"));
  if (array->shape != spec.shape)
    fail("--input " + spec.name + ": " + path + " has shape " +
         driver::formatShape(array->shape) + ", but input '" + spec.name +
         "' has shape " + driver::formatShape(spec.shape));
  driver::HostTensor tensor = spec;
  tensor.f32 = std::move(array->f32);
  tensor.i64 = std::move(array->i64);
  return tensor;
}

/// A file name for output `name`: characters a path cannot safely hold
/// become '_' (ONNX names such as "/model/out" hold slashes).
std::string outputFileName(const std::string &name) {
  std::string file = name;
  for (char &c : file)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != '-')
      c = '_';
  if (file.empty() || file.front() == '.')
    file = "_" + file;
  return file + ".npy";
}

/// Writes `tensors` as `directory`/`files`[i], all of them or none (the
/// directory is replaced whole); `flag` names the directory's flag in
/// errors.
void writeNpyDirectory(const std::string &directory,
                       const std::vector<std::string> &files,
                       const std::vector<driver::HostTensor> &tensors,
                       const std::string &flag) {
  std::string error;
  bool published = driver::publishAtomically(
      directory,
      [&](const std::string &temporary, std::string &error) {
        std::error_code code;
        std::filesystem::create_directories(temporary, code);
        for (size_t i = 0; i < tensors.size(); ++i) {
          std::string path = temporary + "/" + files[i];
          std::string bytes = driver::encodeNpy(tensors[i]);
          std::ofstream out(path, std::ios::binary | std::ios::trunc);
          out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
          out.close();
          if (code || !out) {
            error = directory + "/" + files[i] + ": cannot write the output";
            return false;
          }
        }
        return true;
      },
      error, driver::ExistingDirectory::Replace);
  if (!published)
    fail("--" + flag + " " + error);
}

/// "a.npy, b.npy": the files written, for the closing line.
std::string listOf(const std::vector<std::string> &files) {
  std::string list;
  for (const std::string &file : files)
    list += (list.empty() ? "" : ", ") + file;
  return list;
}

/// Adds to `module` the function that returns the loss and the gradient of
/// every trainable param (buildGradientFunction); returns its name, and the
/// params' names in the order of its results after the loss.
std::string addGradientFunction(mlir::ModuleOp module, const Flags &flags,
                                std::vector<std::string> &paramNames) {
  if (!findLossFunction(module))
    fail("--gradients-out " + flags.values.at("gradients-out") + ": " +
         flags.model +
         " has no loss, so there are no gradients to write (an ONNX model: "
         "name its loss output with --loss)");
  // Named as the model names them: a param renamed at import keeps its
  // model's name in mpc.name.
  for (ParamOp param : trainableParams(module)) {
    auto name =
        param->getAttrOfType<mlir::StringAttr>(MpcDialect::kNameAttrName);
    paramNames.push_back((name ? name : param.getSymNameAttr()).str());
  }
  // The training step was built by the same autodiff, so this does not fail
  // on a model that loaded; should it, its diagnostic is the one line.
  std::string diagnostic;
  mlir::ScopedDiagnosticHandler handler(module.getContext(),
                                        [&](mlir::Diagnostic &found) {
                                          if (diagnostic.empty())
                                            diagnostic = found.str();
                                          return mlir::success();
                                        });
  mlir::FailureOr<mlir::func::FuncOp> function =
      buildGradientFunction(module, "forward_gradients");
  if (mlir::failed(function))
    fail(flags.model +
         ": the gradients of the loss cannot be built: " + diagnostic);
  return function->getName().str();
}

/// Replaces the executor's params with a checkpoint's (by name), which
/// must hold exactly them.
void restoreCheckpoint(cpu::Executor &executor, const std::string &path,
                       const std::string &precision) {
  std::string error;
  std::optional<driver::Checkpoint> checkpoint =
      driver::readCheckpoint(path, error);
  if (!checkpoint)
    fail("--resume " + error);
  auto dtype = checkpoint->metadata.find("dtype");
  if (dtype != checkpoint->metadata.end() && dtype->second != precision)
    fail("--resume " + path + ": the run was trained in " +
         driver::printable(dtype->second) + ", not " + precision +
         "; evaluate it with --dtype " + driver::printable(dtype->second));
  std::vector<driver::HostTensor> params = executor.params();
  std::string mismatch = driver::checkpointMismatch(*checkpoint, params);
  if (!mismatch.empty())
    fail("--resume " + path + ": " + mismatch);
  for (driver::HostTensor &param : params)
    for (driver::HostTensor &saved : checkpoint->tensors)
      if (saved.name == param.name)
        param = std::move(saved);
  executor.setParams(std::move(params));
}

} // namespace

void runForwardAndExit(const Flags &flags) {
  ForwardDirectories directories = checkForwardFlags(flags);
  std::map<std::string, std::string> files = inputFiles(flags);
  ModelLoadOptions options = modelLoadOptions(flags);

  mlir::MLIRContext context;
  std::string error;
  std::vector<std::string> moreErrors;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadForwardModule(flags.model, options, context, error, &moreErrors);
  if (!module)
    failToLoad(error, moreErrors);
  std::vector<std::string> paramNames;
  std::string gradientFunction;
  if (!directories.gradients.empty())
    gradientFunction = addGradientFunction(*module, flags, paramNames);
  std::unique_ptr<cpu::Executor> executor =
      cpu::Executor::create(*module, error);
  if (!executor)
    fail(flags.model + ": " + error);
  const std::string forward = MpcDialect::kForwardFuncName.str();

  // Every input from its file; a file for no input is a mistake too.
  std::vector<driver::HostTensor> specs = executor->argumentSpecs(forward);
  for (const auto &[name, path] : files)
    if (llvm::none_of(specs, [&](const driver::HostTensor &spec) {
          return spec.name == name;
        }))
      fail("--input " + name + ": the model has no input '" + name +
           "' (its inputs: " + namesOf(specs) + ")");
  std::vector<driver::HostTensor> inputs;
  for (const driver::HostTensor &spec : specs) {
    auto file = files.find(spec.name);
    if (file == files.end())
      fail("--forward: no --input for the model's input '" + spec.name +
           "' (its inputs: " + namesOf(specs) + ")");
    inputs.push_back(readInput(spec, file->second));
  }

  // The seed draws the weights that have no value, as training does.
  int64_t graphSeed = 0;
  if (auto training = (*module)->getAttrOfType<mlir::DictionaryAttr>(
          MpcDialect::kTrainingAttrName))
    if (auto value = training.getAs<mlir::IntegerAttr>("seed"))
      graphSeed = value.getInt();
  uint64_t seed =
      static_cast<uint64_t>(integerFlag(flags, "seed", graphSeed, 0));
  executor->initializeParams(seed);
  if (flags.values.count("resume"))
    restoreCheckpoint(*executor, flags.values.at("resume"),
                      options.dtype.empty() ? "f32" : options.dtype);

  std::vector<driver::HostTensor> outputs;
  if (!executor->run(forward, inputs, /*step=*/0, outputs, error))
    fail(flags.model + ": " + error);
  std::vector<driver::HostTensor> outputSpecs = executor->resultSpecs(forward);
  std::vector<std::string> names;
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string name = i < outputSpecs.size() && !outputSpecs[i].name.empty()
                           ? outputSpecs[i].name
                           : "result" + std::to_string(i);
    std::string file = outputFileName(name);
    if (llvm::is_contained(names, file))
      fail("--forward: outputs '" + name + "' and another both write " + file);
    names.push_back(file);
  }

  // The gradients, named by their params; computed before anything is
  // written, so that a failure leaves both directories as they were.
  std::vector<driver::HostTensor> gradients;
  std::vector<std::string> gradientFiles;
  if (!gradientFunction.empty()) {
    if (!executor->run(gradientFunction, inputs, /*step=*/0, gradients, error))
      fail(flags.model + ": " + error);
    gradients.erase(gradients.begin()); // the loss, which @forward gave
    for (const std::string &param : paramNames) {
      std::string file = outputFileName(param);
      if (llvm::is_contained(gradientFiles, file))
        fail("--gradients-out: params '" + param + "' and another both write " +
             file);
      gradientFiles.push_back(file);
    }
  }

  writeNpyDirectory(directories.outputs, names, outputs, "output-dir");
  std::printf("mpc-run: wrote %s (%s)\n", directories.outputs.c_str(),
              listOf(names).c_str());
  if (!gradientFunction.empty()) {
    writeNpyDirectory(directories.gradients, gradientFiles, gradients,
                      "gradients-out");
    std::printf("mpc-run: wrote %s (%zu gradients)\n",
                directories.gradients.c_str(), gradientFiles.size());
  }
  std::exit(0);
}

} // namespace mpc::run
