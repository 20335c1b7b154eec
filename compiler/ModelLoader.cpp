//===- ModelLoader.cpp - a model file to a training-step module -----------===//

#include "compiler/ModelLoader.h"

#include "compiler/import/json/GraphImporter.h"
#include "compiler/import/onnx/OnnxImporter.h"
#include "compiler/support/OneLineDiagnostics.h"
#include "dialects/mpc/MpcDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace {

/// Checks that an MLIR module compiled for some batch size was compiled for
/// `batchSize`: the leading dim of the step's first argument.
bool checkBatchSize(ModuleOp module, const std::string &path, int64_t batchSize,
                    std::string &error) {
  auto step =
      module.lookupSymbol<func::FuncOp>(mpc::MpcDialect::kTrainStepFuncName);
  if (!step)
    step = module.lookupSymbol<func::FuncOp>(mpc::MpcDialect::kForwardFuncName);
  if (!step || step.getNumArguments() == 0)
    return true;
  auto type = dyn_cast<RankedTensorType>(step.getArgumentTypes()[0]);
  if (!type || type.getRank() == 0 || type.getDimSize(0) == batchSize)
    return true;
  error = path + ": the module was compiled for batch " +
          std::to_string(type.getDimSize(0)) + ", not " +
          std::to_string(batchSize) +
          " (compile the graph again with mpc-opt --batch-size " +
          std::to_string(batchSize) + ")";
  return false;
}

/// Whether any precision option asks for compilation.
bool hasPrecisionOptions(const mpc::ModelLoadOptions &options) {
  return !options.dtype.empty() || !options.policyFile.empty() ||
         !options.lossScaling.empty() || options.initScale;
}

/// Whether any learning-rate schedule option asks for compilation.
bool hasScheduleOptions(const mpc::ModelLoadOptions &options) {
  return !options.lrSchedule.empty() || options.warmupSteps ||
         options.decaySteps || options.lrStepSize || options.minLrRatio ||
         options.lrGamma;
}

/// An option that only compiling a graph can honour, as the error for a
/// module that is compiled already says it.
struct CompileOnlyOption {
  const char *consequence;
  const char *pipelineOption;
};

/// The first compile-only option `options` gives, if any.
std::optional<CompileOnlyOption>
compileOnlyOption(const mpc::ModelLoadOptions &options) {
  if (hasPrecisionOptions(options))
    return CompileOnlyOption{"precision options do not apply", "dtype=..."};
  if (options.recordGradNorm)
    return CompileOnlyOption{"the gradient norm cannot be added",
                             "record-grad-norm=true"};
  if (hasScheduleOptions(options))
    return CompileOnlyOption{"learning-rate schedule options do not apply",
                             "lr-schedule=..."};
  if (options.accumulate)
    return CompileOnlyOption{"gradient accumulation cannot be added",
                             "accumulate=N"};
  if (!options.optimizer.empty() || options.learningRate || options.weightDecay)
    return CompileOnlyOption{"optimizer options do not apply", "optimizer=..."};
  return std::nullopt;
}

/// `options` without an accumulate count that `module`'s @train_step was
/// compiled with already: asking for it again changes nothing.
mpc::ModelLoadOptions
withoutCompiledAccumulate(ModuleOp module,
                          const mpc::ModelLoadOptions &options) {
  mpc::ModelLoadOptions kept = options;
  auto step =
      module.lookupSymbol<func::FuncOp>(mpc::MpcDialect::kTrainStepFuncName);
  auto count = step ? step->getAttrOfType<IntegerAttr>(
                          mpc::MpcDialect::kAccumulateAttrName)
                    : IntegerAttr();
  if (kept.accumulate && *kept.accumulate == (count ? count.getInt() : 1))
    kept.accumulate.reset();
  return kept;
}

/// Compiles a module without a training step: mpc-train-pipeline with the
/// graph's training settings and the precision options.
LogicalResult compileTrainingStep(ModuleOp module,
                                  const mpc::ModelLoadOptions &options) {
  mpc::TrainPipelineOptions pipeline;
  if (!options.dtype.empty())
    pipeline.dtype = options.dtype;
  if (!options.policyFile.empty())
    pipeline.policy = options.policyFile;
  if (!options.lossScaling.empty())
    pipeline.lossScaling = options.lossScaling;
  if (options.initScale)
    pipeline.initScale = *options.initScale;
  if (options.recordGradNorm)
    pipeline.recordGradNorm = true;
  if (options.accumulate)
    pipeline.accumulate = *options.accumulate;
  if (!options.lrSchedule.empty())
    pipeline.lrSchedule = options.lrSchedule;
  if (options.warmupSteps)
    pipeline.warmupSteps = *options.warmupSteps;
  if (options.decaySteps)
    pipeline.decaySteps = *options.decaySteps;
  if (options.lrStepSize)
    pipeline.lrStepSize = *options.lrStepSize;
  if (options.minLrRatio)
    pipeline.minLrRatio = *options.minLrRatio;
  if (options.lrGamma)
    pipeline.lrGamma = *options.lrGamma;
  if (!options.optimizer.empty())
    pipeline.optimizer = options.optimizer;
  if (options.learningRate)
    pipeline.learningRate = *options.learningRate;
  if (options.weightDecay)
    pipeline.weightDecay = *options.weightDecay;
  PassManager pm(module.getContext());
  mpc::buildTrainPipeline(pm, pipeline);
  return pm.run(module);
}

} // namespace

namespace {

/// A settings file is a few lines; a larger one, or an endless one such as
/// a device, is not one and is refused before it is read.
constexpr uint64_t kMaxTrainingFileBytes = 1 << 20;

/// Reads the training settings file `path`: null with `error` on failure
/// (a position in the file once it is read).
FailureOr<DictionaryAttr> readTrainingFile(const std::string &path,
                                           MLIRContext &context,
                                           std::string &error) {
  llvm::sys::fs::file_status status;
  if (!llvm::sys::fs::status(path, status) &&
      status.type() != llvm::sys::fs::file_type::regular_file) {
    error = path + ": the training settings file is not a regular file";
    return failure();
  }
  if (status.getSize() > kMaxTrainingFileBytes) {
    error = path + ": the training settings file holds " +
            std::to_string(status.getSize()) + " bytes; it may hold at most " +
            std::to_string(kMaxTrainingFileBytes);
    return failure();
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    error = path + ": cannot open the training settings: " +
            buffer.getError().message();
    return failure();
  }
  return mpc::importTrainingSettings((*buffer)->getBuffer(), path, &context);
}

/// The module's training settings with `settings`' keys in their place and
/// the batch size the module was built with.
void applyTrainingSettings(ModuleOp module, DictionaryAttr settings,
                           std::optional<int64_t> batchSize) {
  StringRef name = mpc::MpcDialect::kTrainingAttrName;
  NamedAttrList merged;
  if (auto own = module->getAttrOfType<DictionaryAttr>(name))
    merged.append(own.getValue());
  for (NamedAttribute setting : settings)
    merged.set(setting.getName(), setting.getValue());
  Builder builder(module.getContext());
  if (batchSize)
    merged.set("batch_size", builder.getI64IntegerAttr(*batchSize));
  module->setAttr(name, merged.getDictionary(module.getContext()));
}

/// Reads `path` (JSON graph, ONNX model or MLIR module) into a verified
/// module, binding the batch size; null with `error` (and `moreErrors`) on
/// failure.
OwningOpRef<ModuleOp> importModel(const std::string &path,
                                  const mpc::ModelLoadOptions &options,
                                  MLIRContext &context, std::string &error,
                                  std::vector<std::string> *moreErrors) {
  using namespace mpc;
  OwningOpRef<ModuleOp> module;
  // The settings file first: its batch size binds the model's, unless the
  // options give one.
  DictionaryAttr settings;
  std::optional<int64_t> batchSize = options.batchSize;
  if (!options.trainingFile.empty()) {
    FailureOr<DictionaryAttr> read =
        readTrainingFile(options.trainingFile, context, error);
    if (failed(read))
      return nullptr;
    settings = *read;
    if (!batchSize)
      if (auto size = settings.getAs<IntegerAttr>("batch_size"))
        batchSize = size.getInt();
  }
  // A model file (JSON graph or ONNX) is imported and given the batch
  // size; an MLIR module was compiled for one.
  bool isGraph = true;
  if (isOnnxModelFile(path)) {
    OnnxImportOptions importOptions;
    importOptions.batchSize = batchSize;
    importOptions.loss = options.loss;
    std::vector<std::string> errors;
    module = importOnnxModel(path, &context, importOptions, errors);
    if (!module && !errors.empty()) {
      error = errors[0];
      if (moreErrors)
        moreErrors->assign(errors.begin() + 1, errors.end());
    }
  } else {
    if (!options.loss.empty()) {
      error = path + ": --loss names the loss of an ONNX model; a graph or "
                     "module marks its own";
      return nullptr;
    }
    auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
    if (!buffer) {
      error = path + ": cannot open: " + buffer.getError().message();
      return nullptr;
    }
    isGraph = isJsonGraphFile(path, (*buffer)->getBuffer());
    if (!isGraph && settings) {
      error = options.trainingFile +
              ": training settings apply to a JSON "
              "graph or an ONNX model; " +
              path + " is an MLIR module, compiled with its own";
      return nullptr;
    }
    if (isGraph) {
      GraphImportOptions importOptions;
      importOptions.batchSize = batchSize;
      module =
          importGraph((*buffer)->getBuffer(), path, &context, importOptions);
    } else {
      llvm::SourceMgr sourceMgr;
      sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
      module = parseSourceFile<ModuleOp>(sourceMgr, &context);
    }
  }
  if (!module) {
    if (error.empty())
      error = path + ": cannot read the model";
    return nullptr;
  }
  if (!isGraph && options.batchSize &&
      !checkBatchSize(*module, path, *options.batchSize, error))
    return nullptr;
  if (settings)
    applyTrainingSettings(*module, settings, batchSize);
  return module;
}

/// Registers the dialects and makes the first error diagnostic `error`.
struct LoaderDiagnostics {
  LoaderDiagnostics(MLIRContext &context, std::string &error)
      : handler(&context, [&error](Diagnostic &diagnostic) {
          if (error.empty() &&
              diagnostic.getSeverity() == DiagnosticSeverity::Error)
            error = mpc::formatOneLine(diagnostic);
          return success();
        }) {}
  ScopedDiagnosticHandler handler;
};

void loadDialects(MLIRContext &context) {
  DialectRegistry registry;
  mpc::registerGraphImportDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
}

/// Whether @forward returns a loss (mpc.loss on its first result).
bool forwardHasLoss(ModuleOp module) {
  auto forward =
      module.lookupSymbol<func::FuncOp>(mpc::MpcDialect::kForwardFuncName);
  return forward && forward.getNumResults() > 0 &&
         forward.getResultAttr(0, mpc::MpcDialect::kLossAttrName);
}

} // namespace

namespace {

/// Gives an imported module its training step (unless it has one) and the
/// instrumentation and report the options ask for.
OwningOpRef<ModuleOp> finishTrainingModule(OwningOpRef<ModuleOp> module,
                                           const std::string &path,
                                           const mpc::ModelLoadOptions &options,
                                           std::string &error) {
  using namespace mpc;
  MLIRContext &context = *module->getContext();
  if (!module->lookupSymbol(mpc::MpcDialect::kTrainStepFuncName)) {
    if (failed(compileTrainingStep(*module, options))) {
      if (error.empty())
        error = path + ": building the training step failed";
      return nullptr;
    }
  } else if (std::optional<CompileOnlyOption> given = compileOnlyOption(
                 withoutCompiledAccumulate(*module, options))) {
    error = path + ": the module already has a @" +
            mpc::MpcDialect::kTrainStepFuncName.str() + ", so " +
            given->consequence + " (compile its graph with mpc-opt " +
            "--mpc-train-pipeline=\"" + given->pipelineOption + "\" instead)";
    return nullptr;
  } else if (failed(verify(*module))) {
    return nullptr;
  }
  if (options.checkNumerics) {
    PassManager pm(&context);
    pm.addPass(createCheckNumerics(CheckNumericsOptions{options.checkAllOps}));
    if (failed(pm.run(*module))) {
      if (error.empty())
        error = path + ": instrumenting the step (--check-numerics) failed";
      return nullptr;
    }
  }
  if (!options.precisionReport.empty()) {
    PassManager pm(&context);
    PrecisionReportOptions report;
    report.format = options.precisionReport;
    report.output = "-";
    pm.addPass(createPrecisionReport(report));
    if (failed(pm.run(*module))) {
      if (error.empty())
        error = path + ": the precision report failed";
      return nullptr;
    }
  }
  return module;
}

} // namespace

OwningOpRef<ModuleOp>
mpc::loadTrainingModule(const std::string &path,
                        const ModelLoadOptions &options, MLIRContext &context,
                        std::string &error,
                        std::vector<std::string> *moreErrors) {
  loadDialects(context);
  // The first error becomes the message; the rest are its notes.
  LoaderDiagnostics diagnostics(context, error);
  OwningOpRef<ModuleOp> module =
      importModel(path, options, context, error, moreErrors);
  if (!module)
    return nullptr;
  return finishTrainingModule(std::move(module), path, options, error);
}

OwningOpRef<ModuleOp>
mpc::loadForwardModule(const std::string &path, const ModelLoadOptions &options,
                       MLIRContext &context, std::string &error,
                       std::vector<std::string> *moreErrors) {
  loadDialects(context);
  LoaderDiagnostics diagnostics(context, error);
  OwningOpRef<ModuleOp> module =
      importModel(path, options, context, error, moreErrors);
  if (!module)
    return nullptr;
  if (!module->lookupSymbol(MpcDialect::kForwardFuncName)) {
    error = path + ": the model has no @" + MpcDialect::kForwardFuncName.str() +
            " to evaluate";
    return nullptr;
  }
  // A model that trains is evaluated as it trains: with its step compiled,
  // so that --dtype and a checkpoint apply as they do to training.
  if (module->lookupSymbol(MpcDialect::kTrainStepFuncName) ||
      forwardHasLoss(*module))
    return finishTrainingModule(std::move(module), path, options, error);
  // Without a loss there is no step: only the precision plan applies.
  if (!options.lossScaling.empty() || options.initScale ||
      options.recordGradNorm || hasScheduleOptions(options) ||
      !options.optimizer.empty() || options.learningRate ||
      options.weightDecay) {
    error = path + ": the model has no loss, so it has no training step for "
                   "training options to apply to";
    return nullptr;
  }
  if (!options.dtype.empty() && options.dtype != "f32") {
    PassManager pm(&context);
    pm.addPass(
        createAutocast(AutocastOptions{options.dtype, options.policyFile}));
    if (failed(pm.run(*module))) {
      if (error.empty())
        error = path + ": assigning the precisions failed";
      return nullptr;
    }
  }
  return module;
}
