//===- GraphImporterFuzzer.cpp - libFuzzer target for the graph importer --===//
//
// Feeds arbitrary bytes to mpc::importGraph. Besides the sanitizers' own
// checks (crashes, aborts from a throwing nlohmann call, leaks, undefined
// behavior) it checks the importer's contract:
//
//  - a rejected input yields a null module and exactly one error diagnostic,
//    at a FileLineColLoc in the file, whose message starts with the JSON
//    Pointer of the offending value ("/...") or with "malformed JSON";
//  - an accepted input yields no diagnostic, a module that verifies, prints,
//    and parses back (what mpc-opt does with it) into a module that verifies,
//    and no tensor whose element count overflows int64.
//
// Build: cmake -DMPC_BUILD_FUZZERS=ON with clang (see scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/json/GraphImporter.h"
#include "tests/fuzz/DiagnosticHarness.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mlir;

namespace {

constexpr const char *kFileName = "fuzz.json";

using Harness = mpc::fuzz::DiagnosticHarness;

[[noreturn]] void fail(const char *what, const Harness &harness) {
  std::fprintf(stderr, "mpc-fuzz-import: %s (%u diagnostics; first: %s)\n",
               what, harness.count, harness.message.c_str());
  std::abort();
}

/// Whether a shape's element count fits int64 (MLIR's getNumElements
/// overflows silently otherwise).
bool elementCountFits(llvm::ArrayRef<int64_t> shape) {
  int64_t elements = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return false;
    if (dim != 0 && elements > INT64_MAX / dim)
      return false;
    elements *= dim;
  }
  return true;
}

bool typesAreSane(ModuleOp module) {
  bool sane = true;
  auto check = [&](Type type) {
    if (auto tensor = llvm::dyn_cast<RankedTensorType>(type))
      if (!elementCountFits(tensor.getShape()))
        sane = false;
  };
  module->walk([&](Operation *op) {
    for (Type type : op->getResultTypes())
      check(type);
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument argument : block.getArguments())
          check(argument.getType());
  });
  return sane;
}

void checkRejection(const Harness &harness) {
  if (harness.count != 1)
    fail("rejected input must give exactly one diagnostic", harness);
  if (harness.severity != DiagnosticSeverity::Error)
    fail("the diagnostic of a rejected input must be an error", harness);
  auto file = llvm::dyn_cast<FileLineColLoc>(*harness.location);
  if (!file || file.getFilename() != kFileName || file.getLine() == 0 ||
      file.getColumn() == 0)
    fail("the error must be at a FileLineColLoc in the graph file", harness);
  llvm::StringRef message = harness.message;
  if (!message.starts_with("/") && !message.starts_with("malformed JSON"))
    fail("the error must start with a JSON Pointer", harness);
}

void checkAcceptance(Harness &harness, ModuleOp module) {
  if (harness.count != 0)
    fail("an accepted input must give no diagnostic", harness);
  if (failed(verify(module)))
    fail("an imported module does not verify", harness);
  if (!typesAreSane(module))
    fail("an imported module has a tensor whose size overflows", harness);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, OpPrintingFlags().enableDebugInfo());
  os.flush();
  OwningOpRef<ModuleOp> reparsed =
      parseSourceString<ModuleOp>(text, &harness.context, "printed.mlir");
  if (!reparsed)
    fail("the printed module does not parse back", harness);
  if (failed(verify(*reparsed)))
    fail("the module parsed back does not verify", harness);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static Harness *harness = new Harness();
  harness->reset();
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module =
      mpc::importGraph(text, kFileName, &harness->context);
  if (module)
    checkAcceptance(*harness, *module);
  else
    checkRejection(*harness);
  return 0;
}
