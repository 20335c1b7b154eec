//===- mpc-translate.cpp - mpc's translations out of MLIR -----------------===//
//
// mlir-translate for mpc: --mpc-to-cuda writes the CUDA C++ step file of a
// fused, planned module, --mpc-to-manifest its manifest. Errors are one
// line, "FILE:LINE:COL: error: MESSAGE", the parser's included. The output
// (-o) is checked before the input is read and written only when every
// translation succeeded, so a failure leaves an existing file as it was.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/json/GraphImporter.h"
#include "compiler/support/OneLineDiagnostics.h"
#include "compiler/target/cuda/CudaEmitter.h"
#include "runtime/core/OneLineText.h"
#include "runtime/driver/OutputPath.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/ToolUtilities.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

/// Runs `translate` on `module`, buffering the text so that a failed
/// translation writes nothing.
LogicalResult translateWhole(Operation *op, llvm::raw_ostream &output,
                             LogicalResult (*translate)(ModuleOp,
                                                        llvm::raw_ostream &)) {
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    return op->emitError("expected a builtin.module");
  std::string text;
  llvm::raw_string_ostream os(text);
  if (failed(translate(module, os)))
    return failure();
  output << text;
  return success();
}

void registerDialects(DialectRegistry &registry) {
  mpc::registerGraphImportDialects(registry);
}

int failWith(llvm::StringRef message) {
  llvm::errs() << "mpc-translate: error: " << mpc::oneLine(message.str())
               << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  TranslateFromMLIRRegistration toCuda(
      "mpc-to-cuda", "Translate a fused, planned mpc module to CUDA C++",
      [](Operation *op, llvm::raw_ostream &output) {
        return translateWhole(op, output, mpc::emitCudaStep);
      },
      registerDialects);
  TranslateFromMLIRRegistration toManifest(
      "mpc-to-manifest", "Print the manifest of a planned mpc module",
      [](Operation *op, llvm::raw_ostream &output) {
        return translateWhole(op, output, mpc::emitCudaManifest);
      },
      registerDialects);

  llvm::cl::opt<std::string> inputFilename(llvm::cl::Positional,
                                           llvm::cl::desc("<input file>"),
                                           llvm::cl::init("-"));
  llvm::cl::opt<std::string> outputFilename(
      "o", llvm::cl::desc("Output filename"), llvm::cl::value_desc("filename"),
      llvm::cl::init("-"));
  llvm::cl::opt<bool> splitInputFile(
      "split-input-file",
      llvm::cl::desc("Split the input at '// -----' lines and translate each "
                     "piece on its own"));
  llvm::cl::opt<bool> verifyDiagnostics(
      "verify-diagnostics",
      llvm::cl::desc("Check that emitted diagnostics match expected-* lines "
                     "on the corresponding line"));
  llvm::cl::opt<const Translation *, false, TranslationParser> translation(
      llvm::cl::desc("Translation to perform"), llvm::cl::Required);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerTranslationCLOptions();
  llvm::cl::ParseCommandLineOptions(argc, argv, "mpc translation driver\n");

  std::string error;
  if (outputFilename != "-" &&
      !mpc::driver::checkOutputPath(outputFilename,
                                    mpc::driver::OutputKind::Stream, error))
    return failWith(error);
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << inputFilename << ": error: " << mpc::oneLine(error) << "\n";
    return 1;
  }

  auto translateChunk = [&](std::unique_ptr<llvm::MemoryBuffer> chunk,
                            llvm::raw_ostream &os) -> LogicalResult {
    // The parser wants a null-terminated buffer, which a split piece is not.
    if (!chunk->getBuffer().ends_with('\0'))
      chunk = llvm::MemoryBuffer::getMemBufferCopy(
          chunk->getBuffer(), chunk->getBufferIdentifier());
    MLIRContext context;
    context.printOpOnDiagnostic(!verifyDiagnostics);
    auto sourceMgr = std::make_shared<llvm::SourceMgr>();
    sourceMgr->AddNewSourceBuffer(std::move(chunk), llvm::SMLoc());
    if (verifyDiagnostics) {
      SourceMgrDiagnosticVerifierHandler verifier(*sourceMgr, &context);
      (void)(*translation)(sourceMgr, os, &context);
      return verifier.verify();
    }
    mpc::printDiagnosticsOneLine(context, "mpc-translate");
    return (*translation)(sourceMgr, os, &context);
  };
  llvm::StringRef marker = splitInputFile ? kDefaultSplitMarker : "";
  if (outputFilename == "-")
    return failed(splitAndProcessBuffer(std::move(input), translateChunk,
                                        llvm::outs(), marker));
  std::string text;
  llvm::raw_string_ostream os(text);
  if (failed(
          splitAndProcessBuffer(std::move(input), translateChunk, os, marker)))
    return 1;
  if (!mpc::driver::writeOutputFile(outputFilename, os.str(), error))
    return failWith(error);
  return 0;
}
