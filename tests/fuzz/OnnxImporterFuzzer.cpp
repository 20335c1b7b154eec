//===- OnnxImporterFuzzer.cpp - libFuzzer target for the ONNX front end ---===//
//
// Feeds arbitrary bytes to mpc::importOnnxModelBytes as a model file.
// Besides the sanitizers' own checks (crashes, leaks, undefined behavior,
// an exception escaping libonnx) it checks the importer's contract:
//
//  - a rejected input yields a null module and one or more error lines,
//    each a single line starting with "fuzz.onnx: error: ";
//  - an accepted input yields no error line and a module that verifies and
//    prints.
//
// Seeds: tests/fuzz/corpus-onnx/ (models of ONNX's node tests).
// Build: cmake -DMPC_BUILD_FUZZERS=ON with clang (see scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/OnnxImporter.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr const char *kFileName = "fuzz.onnx";

[[noreturn]] void broken(const std::string &what) {
  std::fprintf(stderr, "contract broken: %s\n", what.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context;
  context.disableMultithreading();
  mpc::OnnxImportOptions options;
  options.batchSize = 2;
  std::vector<std::string> errors;
  auto module = mpc::importOnnxModelBytes(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), kFileName,
      &context, options, errors);
  if (!module) {
    if (errors.empty())
      broken("rejected without an error line");
    for (const std::string &line : errors)
      if (!llvm::StringRef(line).starts_with(std::string(kFileName) +
                                             ": error: ") ||
          line.find('\n') != std::string::npos)
        broken("error line '" + line + "'");
    return 0;
  }
  if (!errors.empty())
    broken("accepted with error '" + errors.front() + "'");
  if (mlir::failed(mlir::verify(*module)))
    broken("accepted module does not verify");
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return 0;
}
