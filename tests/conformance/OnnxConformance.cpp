//===- OnnxConformance.cpp - ONNX's node tests on the CPU reference -------===//
//
// Runs ONNX's own conformance node tests (Debian libonnx-testdata): each
// test's model is imported with its integer inputs bound as constants
// (shapes, axes, indices: what the importer folds), its float inputs are
// passed to @forward, the CPU reference executor evaluates it, and every
// output is compared with the test's expected one.
//
// The expectations file (onnx-node-tests.txt) lists every test with what it
// must do: "pass", "skip: REASON" (a clean import error: the model uses
// what mpc does not map) or "xfail: REASON" (imports, but a known
// difference in the result). Modes:
//   --allowlisted  run the "pass" tests; each must pass.
//   --sweep        run every test; each must end in success or a clean
//                  one-line error, never a crash, and match its line (a
//                  skipped test that now passes fails too, so the file stays
//                  true).
// Both modes compare each passing "*_expanded" test with its passing fused
// twin.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/OnnxImporter.h"
#include "compiler/reference/Executor.h"
#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/MpcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using mpc::driver::HostTensor;

namespace {

/// f32 outputs: ONNX's own tolerances for its node tests' reference
/// values.
constexpr double kRelativeF32 = 1e-5, kAbsoluteF32 = 1e-6;
/// f16 and bf16 outputs are rounded once more than the f32 values the
/// reference computes them from: within one unit in the last place of the
/// narrow type (2^-10 for f16, 2^-7 for bf16).
constexpr double kRelativeF16 = 1e-3, kAbsoluteF16 = 1e-3;
constexpr double kRelativeBF16 = 8e-3, kAbsoluteBF16 = 8e-3;

enum class Outcome { Pass, ImportError, RunError, Mismatch };

struct Result {
  Outcome outcome;
  /// The first error line or the mismatch.
  std::string message;
  /// For a pass: whether the import folded the whole graph into constants,
  /// so that no mpc op but mpc.constant computed it.
  bool folded = false;
  /// For a pass: the outputs, named.
  std::vector<HostTensor> outputs;
};

/// Whether @forward computes nothing but constants.
bool onlyConstants(mlir::ModuleOp module) {
  bool computes = false;
  module.walk([&](mlir::Operation *op) {
    if (!mlir::isa<mlir::ModuleOp, mlir::func::FuncOp, mlir::func::ReturnOp,
                   mpc::ConstantOp>(op))
      computes = true;
  });
  return !computes;
}

struct Expectation {
  std::string status; // pass, skip, xfail
  std::string reason;
};

std::vector<std::string> filesWithPrefix(const fs::path &dir,
                                         const std::string &prefix) {
  std::vector<std::string> files;
  for (int i = 0;; ++i) {
    fs::path file = dir / (prefix + std::to_string(i) + ".pb");
    if (!fs::exists(file))
      break;
    files.push_back(file.string());
  }
  return files;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// Compares `actual` with `expected` (of ONNX element type `type`).
bool compare(const HostTensor &actual, const HostTensor &expected,
             const std::string &type, std::string &problem) {
  if (actual.shape != expected.shape) {
    problem = "output '" + expected.name + "' has shape " +
              formatShape(actual.shape) + ", expected " +
              formatShape(expected.shape);
    return false;
  }
  if (actual.dtype != expected.dtype) {
    problem = "output '" + expected.name + "' has another element kind";
    return false;
  }
  if (expected.dtype == mpc::DType::I64) {
    for (size_t i = 0; i < expected.i64.size(); ++i)
      if (actual.i64[i] != expected.i64[i]) {
        problem = "output '" + expected.name + "'[" + std::to_string(i) +
                  "] is " + std::to_string(actual.i64[i]) + ", expected " +
                  std::to_string(expected.i64[i]);
        return false;
      }
    return true;
  }
  double rtol = kRelativeF32, atol = kAbsoluteF32;
  if (type == "f16") {
    rtol = kRelativeF16;
    atol = kAbsoluteF16;
  } else if (type == "bf16") {
    rtol = kRelativeBF16;
    atol = kAbsoluteBF16;
  }
  for (size_t i = 0; i < expected.f32.size(); ++i) {
    double a = actual.f32[i], e = expected.f32[i];
    bool ok = std::isnan(e)   ? std::isnan(a)
              : std::isinf(e) ? a == e
                              : std::abs(a - e) <= atol + rtol * std::abs(e);
    if (!ok) {
      char text[160];
      std::snprintf(text, sizeof text, "'[%zu] is %.9g, expected %.9g", i, a,
                    e);
      problem = "output '" + expected.name + text;
      return false;
    }
  }
  return true;
}

Result runTest(const fs::path &dir) {
  fs::path data = dir / "test_data_set_0";
  mpc::OnnxImportOptions options;
  std::vector<HostTensor> floatInputs;
  std::string error;
  for (const std::string &file : filesWithPrefix(data, "input_")) {
    HostTensor tensor;
    if (!mpc::readOnnxTensorFile(file, tensor, error))
      return {Outcome::ImportError, "test data " + error};
    // Integers (shapes, axes, indices, conditions) and float scalars
    // (exponents, ratios) are the operands mpc needs constant.
    if (tensor.dtype == mpc::DType::I64 || tensor.shape.empty())
      options.boundInputs[tensor.name] = std::move(tensor);
    else
      floatInputs.push_back(std::move(tensor));
  }

  mlir::MLIRContext context;
  context.disableMultithreading();
  std::vector<std::string> errors;
  auto module = mpc::importOnnxModel((dir / "model.onnx").string(), &context,
                                     options, errors);
  if (!module)
    return {Outcome::ImportError,
            errors.empty() ? "no module and no error" : errors.front()};

  bool folded = onlyConstants(*module);
  auto executor = mpc::cpu::Executor::create(*module, error);
  if (!executor)
    return {Outcome::RunError, error};
  const std::string function = mpc::MpcDialect::kForwardFuncName.str();
  std::vector<HostTensor> arguments;
  for (const HostTensor &spec : executor->argumentSpecs(function)) {
    auto it =
        std::find_if(floatInputs.begin(), floatInputs.end(),
                     [&](const HostTensor &t) { return t.name == spec.name; });
    if (it == floatInputs.end())
      return {Outcome::RunError, "no data for argument '" + spec.name + "'"};
    arguments.push_back(*it);
  }
  std::vector<HostTensor> results;
  if (!executor->run(function, arguments, 0, results, error))
    return {Outcome::RunError, error};
  std::vector<HostTensor> specs = executor->resultSpecs(function);
  for (size_t i = 0; i < results.size(); ++i)
    results[i].name = specs[i].name;
  for (const std::string &file : filesWithPrefix(data, "output_")) {
    HostTensor expected;
    if (!mpc::readOnnxTensorFile(file, expected, error))
      return {Outcome::RunError, error};
    auto it =
        std::find_if(specs.begin(), specs.end(), [&](const HostTensor &s) {
          return s.name == expected.name;
        });
    if (it == specs.end())
      return {Outcome::Mismatch, "no result named '" + expected.name + "'"};
    std::string problem;
    if (!compare(results[it - specs.begin()], expected,
                 mpc::onnxTensorFileElementType(file), problem))
      return {Outcome::Mismatch, problem};
  }
  return {Outcome::Pass, "", folded, std::move(results)};
}

bool readExpectations(const std::string &path,
                      std::map<std::string, Expectation> &expectations) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "%s: cannot open\n", path.c_str());
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    llvm::StringRef text = llvm::StringRef(line).trim();
    if (text.empty() || text.starts_with("#"))
      continue;
    auto [name, rest] = text.split(':');
    auto [status, reason] = rest.trim().split(':');
    name = name.trim();
    status = status.trim();
    reason = reason.trim();
    bool known = status == "pass" || status == "skip" || status == "xfail";
    if (!known || (status != "pass" && reason.empty()) ||
        expectations.count(name.str())) {
      std::fprintf(stderr,
                   "%s:%d: expected 'NAME: pass', 'NAME: skip: REASON' or "
                   "'NAME: xfail: REASON' (once per test)\n",
                   path.c_str(), number);
      return false;
    }
    expectations[name.str()] = {status.str(), reason.str()};
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  std::string testsDir, expectationsFile, mode, writeFile;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--tests" && i + 1 < argc)
      testsDir = argv[++i];
    else if (arg == "--expectations" && i + 1 < argc)
      expectationsFile = argv[++i];
    else if (arg == "--allowlisted" || arg == "--sweep")
      mode = arg;
    else if (arg == "--write-expectations" && i + 1 < argc)
      writeFile = argv[++i];
    else if (arg == "--verbose")
      verbose = true;
    else {
      std::fprintf(stderr,
                   "usage: %s --tests DIR (--allowlisted | --sweep) "
                   "--expectations FILE [--verbose] | --tests DIR "
                   "--write-expectations FILE\n",
                   argv[0]);
      return 2;
    }
  }
  if (testsDir.empty() || (mode.empty() && writeFile.empty())) {
    std::fprintf(stderr, "%s: give --tests and a mode (see --help)\n", argv[0]);
    return 2;
  }
  std::vector<fs::path> tests;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(testsDir, ec))
    if (fs::exists(entry.path() / "model.onnx"))
      tests.push_back(entry.path());
  if (ec || tests.empty()) {
    std::fprintf(stderr, "%s: no ONNX node tests found\n", testsDir.c_str());
    return 1;
  }
  std::sort(tests.begin(), tests.end());

  if (!writeFile.empty()) {
    // Drafts the expectations from what happens now; reasons are the
    // importer's messages, to be read and kept true by hand.
    std::ofstream out(writeFile);
    for (const fs::path &dir : tests) {
      Result result = runTest(dir);
      std::string name = dir.filename().string();
      std::string reason = result.message;
      if (auto at = reason.find(": error: "); at != std::string::npos)
        reason = reason.substr(at + 9);
      std::string prefix = dir.string() + "/";
      for (size_t at; (at = reason.find(prefix)) != std::string::npos;)
        reason.erase(at, prefix.size());
      std::replace(reason.begin(), reason.end(), '\n', ' ');
      if (result.outcome == Outcome::Pass)
        out << name << ": pass\n";
      else if (result.outcome == Outcome::ImportError)
        out << name << ": skip: " << reason << "\n";
      else
        out << name << ": xfail: " << reason << "\n";
    }
    return 0;
  }

  std::map<std::string, Expectation> expectations;
  if (!readExpectations(expectationsFile, expectations))
    return 1;
  int passed = 0, passedFolded = 0, skipped = 0, xfailed = 0, failures = 0;
  std::map<std::string, std::vector<HostTensor>> passedOutputs;
  for (const fs::path &dir : tests) {
    std::string name = dir.filename().string();
    auto it = expectations.find(name);
    if (it == expectations.end()) {
      std::printf("FAIL %s: not in %s\n", name.c_str(),
                  expectationsFile.c_str());
      ++failures;
      continue;
    }
    const Expectation &expected = it->second;
    if (mode == "--allowlisted" && expected.status != "pass")
      continue;
    if (verbose)
      std::fprintf(stderr, "running %s\n", name.c_str());
    Result result = runTest(dir);
    bool oneLine = result.message.find('\n') == std::string::npos;
    bool ok;
    if (expected.status == "pass")
      ok = result.outcome == Outcome::Pass;
    else if (expected.status == "skip")
      ok = result.outcome == Outcome::ImportError && !result.message.empty() &&
           oneLine;
    else
      ok = result.outcome == Outcome::Mismatch ||
           result.outcome == Outcome::RunError;
    if (!ok) {
      ++failures;
      std::printf("FAIL %s: expected %s, got %s\n", name.c_str(),
                  expected.status.c_str(),
                  result.outcome == Outcome::Pass ? "a pass"
                                                  : result.message.c_str());
      continue;
    }
    if (expected.status == "pass") {
      ++passed;
      passedFolded += result.folded;
      passedOutputs[name] = std::move(result.outputs);
    } else if (expected.status == "skip")
      ++skipped;
    else
      ++xfailed;
  }
  // An "_expanded" test spells its op out in simpler ONNX ops; once the
  // folder has reduced it, it must compute what mpc computes for the op
  // itself (the twins' outputs agree to the f32 tolerance).
  int twins = 0;
  for (const auto &[name, outputs] : passedOutputs) {
    llvm::StringRef expanded(name);
    if (!expanded.consume_back("_expanded"))
      continue;
    auto fused = passedOutputs.find(expanded.str());
    if (fused == passedOutputs.end())
      continue;
    ++twins;
    for (const HostTensor &output : outputs) {
      auto twin = std::find_if(
          fused->second.begin(), fused->second.end(),
          [&](const HostTensor &t) { return t.name == output.name; });
      std::string problem;
      if (twin == fused->second.end() ||
          !compare(output, *twin, "f32", problem)) {
        std::printf("FAIL %s: differs from %s: %s\n", name.c_str(),
                    fused->first.c_str(),
                    problem.empty() ? "an output is missing" : problem.c_str());
        ++failures;
      }
    }
  }
  if (mode == "--sweep")
    std::printf("ONNX node tests: %d expanded tests compared with their fused "
                "twin\n",
                twins);
  for (const auto &[name, expected] : expectations)
    if (!fs::exists(fs::path(testsDir) / name / "model.onnx")) {
      std::printf("FAIL %s: listed but not found\n", name.c_str());
      ++failures;
    }
  std::printf("ONNX node tests (%s): %d passed (%d through mpc ops, %d "
              "folded to constants at import), %d skipped, %d known "
              "failures, %d unexpected\n",
              mode.c_str() + 2, passed, passed - passedFolded, passedFolded,
              skipped, xfailed, failures);
  return failures == 0 ? 0 : 1;
}
