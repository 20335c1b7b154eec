//===- mpc-translate.cpp - mpc's translations out of MLIR -----------------===//
//
// mlir-translate for mpc: --mpc-to-cuda writes the CUDA C++ step file of a
// fused, planned module, --mpc-to-manifest its manifest. Errors are one
// line, "FILE:LINE:COL: error: MESSAGE", and leave no output.
//
//===----------------------------------------------------------------------===//

#include "compiler/target/cuda/CudaEmitter.h"
#include "compiler/import/json/GraphImporter.h"
#include "compiler/support/OneLineDiagnostics.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

/// Runs `translate` on `module` with one-line diagnostics, buffering the
/// text so that a failed translation writes nothing.
LogicalResult
translateOneLine(Operation *op, llvm::raw_ostream &output,
                 LogicalResult (*translate)(ModuleOp, llvm::raw_ostream &)) {
  ScopedDiagnosticHandler handler(op->getContext(), [](Diagnostic &d) {
    llvm::errs() << mpc::formatOneLine(d) << "\n";
    return success();
  });
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

} // namespace

int main(int argc, char **argv) {
  TranslateFromMLIRRegistration toCuda(
      "mpc-to-cuda", "Translate a fused, planned mpc module to CUDA C++",
      [](Operation *op, llvm::raw_ostream &output) {
        return translateOneLine(op, output, mpc::emitCudaStep);
      },
      registerDialects);
  TranslateFromMLIRRegistration toManifest(
      "mpc-to-manifest", "Print the manifest of a planned mpc module",
      [](Operation *op, llvm::raw_ostream &output) {
        return translateOneLine(op, output, mpc::emitCudaManifest);
      },
      registerDialects);
  return failed(mlirTranslateMain(argc, argv, "mpc translation driver"));
}
