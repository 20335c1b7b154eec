//===- PolicyFuzzer.cpp - libFuzzer target for the policy-file reader -----===//
//
// Feeds arbitrary bytes to mpc::PrecisionPolicy::parse, the reader behind
// --policy and mpc-autocast's policy= option. Besides the sanitizers' own
// checks (crashes, a stack exhausted by deep nesting, leaks, undefined
// behavior) it checks the reader's contract:
//
//  - a rejected input yields exactly one diagnostic, an error at a
//    FileLineColLoc in the policy file whose line and column lie within
//    the text (or just past its end), and whose message, formatted by
//    formatOneLine, is one line;
//  - an accepted input yields no diagnostic, and every op it moves is a
//    registered mpc op with a category (never one that keeps its types).
//
// The seeds in corpus-policy/ are the policy files of the lit tests.
//
// Build: cmake -DMPC_BUILD_FUZZERS=ON with clang (see scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/json/GraphImporter.h"
#include "compiler/support/OneLineDiagnostics.h"
#include "dialects/mpc/PrecisionTraits.h"
#include "passes/PrecisionPolicy.h"
#include "tests/fuzz/DiagnosticHarness.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mlir;

namespace {

constexpr const char *kFileName = "fuzz.policy.json";

using Harness = mpc::fuzz::DiagnosticHarness;

[[noreturn]] void fail(const char *what, const Harness &harness) {
  std::fprintf(stderr, "mpc-fuzz-policy: %s (%u diagnostics; first: %s)\n",
               what, harness.count, harness.line.c_str());
  std::abort();
}

void checkRejection(const Harness &harness, llvm::StringRef text) {
  if (harness.count != 1)
    fail("a rejected input must give exactly one diagnostic", harness);
  if (harness.severity != DiagnosticSeverity::Error)
    fail("the diagnostic of a rejected input must be an error", harness);
  auto file = llvm::dyn_cast<FileLineColLoc>(*harness.location);
  if (!file || file.getFilename() != kFileName)
    fail("the error must be at a FileLineColLoc in the policy file", harness);
  unsigned lines = text.count('\n') + 1;
  if (file.getLine() == 0 || file.getLine() > lines || file.getColumn() == 0 ||
      file.getColumn() > text.size() + 1)
    fail("the error's line and column must lie within the text", harness);
  if (harness.line.find('\n') != std::string::npos)
    fail("the error must be one line", harness);
}

void checkAcceptance(const Harness &harness,
                     const mpc::PrecisionPolicy &policy) {
  if (harness.count != 0)
    fail("an accepted input must give no diagnostic", harness);
  for (const auto &[op, category] : policy.movedOps()) {
    std::optional<RegisteredOperationName> registered = op.getRegisteredInfo();
    if (!registered || registered->getDialectNamespace() != "mpc")
      fail("a policy moved an op that is not a registered mpc op", harness);
    if (registered->hasTrait<mpc::OpTrait::KeepsPrecision>())
      fail("a policy moved an op that keeps its types", harness);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static Harness *harness = new Harness();
  harness->reset();
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  FailureOr<mpc::PrecisionPolicy> policy =
      mpc::PrecisionPolicy::parse(text, kFileName, &harness->context);
  if (succeeded(policy))
    checkAcceptance(*harness, *policy);
  else
    checkRejection(*harness, text);
  return 0;
}
