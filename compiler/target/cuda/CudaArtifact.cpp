//===- CudaArtifact.cpp - a train step as a CUDA artifact -----------------===//

#include "compiler/target/cuda/CudaArtifact.h"

#include "compiler/support/OneLineDiagnostics.h"
#include "compiler/target/cuda/CudaEmitter.h"
#include "dialects/mpc/StepContract.h"
#include "passes/Passes.h"
#include "runtime/driver/InitValues.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace mpc {

namespace {
/// Writes `text` to `path` through a temporary file renamed into place.
bool writeFileAtomically(llvm::StringRef path, llvm::StringRef text,
                         std::string &error) {
  llvm::Error status =
      llvm::writeToOutput(path, [&](llvm::raw_ostream &os) -> llvm::Error {
        os << text;
        return llvm::Error::success();
      });
  if (!status)
    return true;
  error = path.str() + ": " + llvm::toString(std::move(status));
  return false;
}
} // namespace

bool writeCudaArtifact(ModuleOp module, llvm::StringRef directory,
                       std::string &error) {
  // The first diagnostic, as one line, becomes the error.
  ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error && error.empty())
      error = formatOneLine(d);
    return success();
  });
  auto fail = [&](llvm::StringRef fallback) {
    if (error.empty())
      error = fallback.str();
    return false;
  };
  PassManager pm(module.getContext());
  buildCudaPipeline(pm, CudaPipelineOptions());
  if (failed(pm.run(module)))
    return fail("mpc-fuse or mpc-plan-memory failed");
  std::string step, manifest;
  llvm::raw_string_ostream stepOs(step), manifestOs(manifest);
  if (failed(emitCudaStep(module, stepOs)) ||
      failed(emitCudaManifest(module, manifestOs)))
    return fail("the CUDA translation failed");
  if (std::error_code code = llvm::sys::fs::create_directories(directory))
    return fail((directory + ": " + code.message()).str());
  llvm::SmallString<256> stepPath(directory), manifestPath(directory);
  llvm::sys::path::append(stepPath, "step.cu");
  llvm::sys::path::append(manifestPath, "manifest.json");
  if (!writeFileAtomically(stepPath, step, error) ||
      !writeFileAtomically(manifestPath, manifest, error))
    return false;
  // Pretrained values travel as files beside the manifest, which names them.
  FailureOr<StepContract> contract = describeStep(module, /*requirePlan=*/true);
  if (failed(contract))
    return fail("the step contract cannot be described");
  return driver::writeInitValues(*contract, directory.str(), error);
}

} // namespace mpc
