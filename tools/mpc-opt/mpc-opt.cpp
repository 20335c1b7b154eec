//===- mpc-opt.cpp - the mpc optimizer driver -----------------------------===//
//
// mlir-opt for the mpc dialect. It also reads a JSON graph directly: the
// graph is imported first (errors are one line naming file, line, column and
// JSON Pointer), then the module runs through the usual mlir-opt driver.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/json/GraphImporter.h"
#include "compiler/support/OneLineDiagnostics.h"
#include "passes/Passes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

static llvm::cl::opt<int64_t> batchSizeOption(
    "batch-size",
    llvm::cl::desc("Batch size for the \"batch\" dims of a JSON graph "
                   "(overrides its training.batch_size)"),
    llvm::cl::value_desc("N"), llvm::cl::init(0));

/// Prints each diagnostic as one line: "FILE:LINE:COL: error: MESSAGE".
static void printOneLine(Diagnostic &diagnostic) {
  llvm::errs() << mpc::formatOneLine(diagnostic) << "\n";
}

/// Imports the JSON graph in `input` and returns it as MLIR text (with
/// locations) for the mlir-opt driver, or null after reporting an error.
static std::unique_ptr<llvm::MemoryBuffer>
importToBuffer(const llvm::MemoryBuffer &input, llvm::StringRef fileName,
               DialectRegistry &registry) {
  MLIRContext context(registry);
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diagnostic) {
    printOneLine(diagnostic);
    return success();
  });
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

int main(int argc, char **argv) {
  registerTransformsPasses();
  mpc::registerMpcPasses();
  mpc::registerTrainPipeline();
  mpc::registerCudaPipeline();
  DialectRegistry registry;
  mpc::registerGraphImportDialects(registry);

  auto [inputFile, outputFile] = registerAndParseCLIOptions(
      argc, argv, "mpc optimizer driver\n", registry);

  if (batchSizeOption.getNumOccurrences() && batchSizeOption < 1) {
    llvm::errs() << "mpc-opt: error: --batch-size must be >= 1, got "
                 << batchSizeOption << "\n";
    return 1;
  }
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects()) {
    llvm::outs() << "Available Dialects: ";
    llvm::interleaveComma(registry.getDialectNames(), llvm::outs());
    llvm::outs() << "\n";
    return 0;
  }

  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFile, &errorMessage);
  if (!input) {
    llvm::errs() << inputFile << ": error: " << errorMessage << "\n";
    return 1;
  }
  if (mpc::looksLikeJsonGraph(input->getBuffer())) {
    input = importToBuffer(*input, inputFile == "-" ? "<stdin>" : inputFile,
                           registry);
    if (!input)
      return 1;
  } else if (batchSizeOption.getNumOccurrences()) {
    llvm::errs() << "mpc-opt: error: --batch-size applies to JSON graphs; "
                 << inputFile << " is MLIR\n";
    return 1;
  }
  // Opened only now, so a bad graph leaves no output file behind.
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFile, &errorMessage);
  if (!output) {
    llvm::errs() << outputFile << ": error: " << errorMessage << "\n";
    return 1;
  }
  if (failed(MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
