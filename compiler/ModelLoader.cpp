//===- ModelLoader.cpp - a model file to a training-step module -----------===//

#include "compiler/ModelLoader.h"

#include "compiler/GraphImporter.h"
#include "compiler/OneLineDiagnostics.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace {

/// Checks that an MLIR module compiled for some batch size was compiled for
/// `batchSize`: the leading dim of the step's first argument.
bool checkBatchSize(ModuleOp module, const std::string &path, int64_t batchSize,
                    std::string &error) {
  auto step = module.lookupSymbol<func::FuncOp>("train_step");
  if (!step)
    step = module.lookupSymbol<func::FuncOp>("forward");
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

} // namespace

OwningOpRef<ModuleOp> mpc::loadTrainingModule(const std::string &path,
                                              const ModelLoadOptions &options,
                                              MLIRContext &context,
                                              std::string &error) {
  DialectRegistry registry;
  registerGraphImportDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  // The first error becomes the message; the rest are its notes.
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    if (error.empty() && diagnostic.getSeverity() == DiagnosticSeverity::Error)
      error = formatOneLine(diagnostic);
    return success();
  });

  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buffer) {
    error = path + ": cannot open: " + buffer.getError().message();
    return nullptr;
  }
  OwningOpRef<ModuleOp> module;
  bool isGraph = looksLikeJsonGraph((*buffer)->getBuffer());
  if (isGraph) {
    GraphImportOptions importOptions;
    importOptions.batchSize = options.batchSize;
    module = importGraph((*buffer)->getBuffer(), path, &context, importOptions);
  } else {
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  if (!module) {
    if (error.empty())
      error = path + ": cannot read the model";
    return nullptr;
  }
  if (!isGraph && options.batchSize &&
      !checkBatchSize(*module, path, *options.batchSize, error))
    return nullptr;
  if (!module->lookupSymbol("train_step")) {
    PassManager pm(&context);
    pm.addPass(createBuildTrainStep());
    if (failed(pm.run(*module))) {
      if (error.empty())
        error = path + ": building the training step failed";
      return nullptr;
    }
  } else if (failed(verify(*module))) {
    return nullptr;
  }
  return module;
}
