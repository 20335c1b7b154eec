//===- mpc-opt.cpp - the mpc optimizer driver -----------------------------===//
//
// mlir-opt for the mpc dialect. It also reads a JSON graph or an ONNX model
// directly: the model is imported first (errors are one line each, naming
// the file and the JSON Pointer or ONNX node), then the module runs through
// the usual mlir-opt driver.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/json/GraphImporter.h"
#include "compiler/import/onnx/OnnxImporter.h"
#include "compiler/support/OneLineDiagnostics.h"
#include "passes/Passes.h"
#include "runtime/core/OneLineText.h"
#include "runtime/driver/OutputPath.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/ParseUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

static llvm::cl::opt<int64_t> batchSizeOption(
    "batch-size",
    llvm::cl::desc("Batch size for the \"batch\" dims of a JSON graph "
                   "(overrides its training.batch_size) or the symbolic "
                   "leading dims of an ONNX model's inputs"),
    llvm::cl::value_desc("N"), llvm::cl::init(0));

static llvm::cl::opt<std::string> lossOption(
    "loss",
    llvm::cl::desc("The graph output of an ONNX model that is the loss "
                   "(default: its only scalar float output)"),
    llvm::cl::value_desc("NAME"), llvm::cl::init(""));

/// Prints `message` as mpc-opt's one-line error and returns exit status 1.
static int failWith(llvm::StringRef message) {
  llvm::errs() << "mpc-opt: error: " << mpc::oneLine(message.str()) << "\n";
  return 1;
}

/// Imports the JSON graph in `input` and returns it as MLIR text (with
/// locations) for the mlir-opt driver, or null after reporting an error.
static std::unique_ptr<llvm::MemoryBuffer>
importToBuffer(const llvm::MemoryBuffer &input, llvm::StringRef fileName,
               DialectRegistry &registry) {
  MLIRContext context(registry);
  mpc::printDiagnosticsOneLine(context, "mpc-opt");
  mpc::GraphImportOptions options;
  if (batchSizeOption.getNumOccurrences())
    options.batchSize = batchSizeOption;
  OwningOpRef<ModuleOp> module =
      mpc::importGraph(input.getBuffer(), fileName, &context, options);
  if (!module)
    return nullptr;
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, OpPrintingFlags().enableDebugInfo());
  return llvm::MemoryBuffer::getMemBufferCopy(text, fileName);
}

/// Imports the ONNX model `fileName` and returns it as MLIR text (with
/// locations), or null after printing one line per problem.
static std::unique_ptr<llvm::MemoryBuffer>
importOnnxToBuffer(const std::string &fileName, DialectRegistry &registry) {
  MLIRContext context(registry);
  mpc::OnnxImportOptions options;
  if (batchSizeOption.getNumOccurrences())
    options.batchSize = batchSizeOption;
  options.loss = lossOption;
  std::vector<std::string> errors;
  OwningOpRef<ModuleOp> module =
      mpc::importOnnxModel(fileName, &context, options, errors);
  if (!module) {
    for (const std::string &line : errors)
      llvm::errs() << mpc::oneLine(line) << "\n";
    return nullptr;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, OpPrintingFlags().enableDebugInfo());
  return llvm::MemoryBuffer::getMemBufferCopy(text, fileName);
}

/// Whether the MLIR in `input` parses and verifies; reports the first error
/// in one line otherwise. The mlir-opt driver would report it over several
/// lines (the source line and a caret), so the input is checked here first.
static bool parsesAsMlir(const llvm::MemoryBuffer &input,
                         DialectRegistry &registry,
                         const MlirOptMainConfig &config) {
  MLIRContext context(registry);
  context.allowUnregisteredDialects(config.shouldAllowUnregisteredDialects());
  mpc::printDiagnosticsOneLine(context, "mpc-opt");
  auto sourceMgr = std::make_shared<llvm::SourceMgr>();
  sourceMgr->AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(input.getBuffer(),
                                       input.getBufferIdentifier()),
      llvm::SMLoc());
  return static_cast<bool>(parseSourceFileForTool(
      sourceMgr, ParserConfig(&context), !config.shouldUseExplicitModule()));
}

int main(int argc, char **argv) {
  registerTransformsPasses();
  mpc::registerMpcPasses();
  mpc::registerTrainPipeline();
  mpc::registerCudaPipeline();
  DialectRegistry registry;
  mpc::registerGraphImportDialects(registry);

  auto [inputFile, outputFile] = registerAndParseCLIOptions(
      argc, argv, "mpc optimizer driver\n", registry);

  if (batchSizeOption.getNumOccurrences() && batchSizeOption < 1)
    return failWith("--batch-size must be >= 1, got " +
                    std::to_string(batchSizeOption));
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects()) {
    llvm::outs() << "Available Dialects: ";
    llvm::interleaveComma(registry.getDialectNames(), llvm::outs());
    llvm::outs() << "\n";
    return 0;
  }

  // The output is checked before any work, and written only at the end.
  std::string error;
  if (outputFile != "-" &&
      !mpc::driver::checkOutputPath(outputFile, mpc::driver::OutputKind::Stream,
                                    error))
    return failWith(error);
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << inputFile << ": error: " << mpc::oneLine(error) << "\n";
    return 1;
  }
  if (lossOption.getNumOccurrences() && !mpc::isOnnxModelFile(inputFile))
    return failWith("--loss applies to ONNX models; " + inputFile +
                    " is not one (.onnx)");
  if (mpc::isOnnxModelFile(inputFile)) {
    input = importOnnxToBuffer(inputFile, registry);
    if (!input)
      return 1;
  } else if (mpc::isJsonGraphFile(inputFile, input->getBuffer())) {
    input = importToBuffer(*input, inputFile == "-" ? "<stdin>" : inputFile,
                           registry);
    if (!input)
      return 1;
  } else if (batchSizeOption.getNumOccurrences()) {
    return failWith("--batch-size applies to JSON graphs and ONNX models; " +
                    inputFile + " is MLIR");
  }

  // Diagnostics are one line each, except where they are the test
  // (-verify-diagnostics) or the input is several (-split-input-file).
  if (!config.shouldVerifyDiagnostics()) {
    if (config.inputSplitMarker().empty() &&
        !parsesAsMlir(*input, registry, config))
      return 1;
    MlirOptMainConfig pipeline = config;
    config.setPassPipelineSetupFn([pipeline](PassManager &pm) {
      mpc::printDiagnosticsOneLine(*pm.getContext(), "mpc-opt");
      return pipeline.setupPassPipeline(pm);
    });
  }
  if (outputFile == "-")
    return failed(
        MlirOptMain(llvm::outs(), std::move(input), registry, config));
  // A failure leaves an existing output file as it was.
  std::string text;
  llvm::raw_string_ostream os(text);
  if (failed(MlirOptMain(os, std::move(input), registry, config)))
    return 1;
  if (!mpc::driver::writeOutputFile(outputFile, os.str(), error))
    return failWith(error);
  return 0;
}
