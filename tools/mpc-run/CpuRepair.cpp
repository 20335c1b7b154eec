//===- CpuRepair.cpp - --repair-precision on the CPU reference executor ---===//
//
// The step runs instrumented on the CPU executor inside a PrecisionRepair
// (runtime/train/PrecisionRepair.h), which compiles MODEL again, with the
// same flags and the policy file it writes, each time it moves nodes to
// f32.
//
//===----------------------------------------------------------------------===//

#include "tools/mpc-run/Device.h"

#include "tools/mpc-run/GraphSource.h"

#include "compiler/reference/CpuStepExecutor.h"
#include "runtime/train/PrecisionRepair.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace mpc::run {

namespace {

/// Removes the temporary policy file of a run without --repair-policy-out
/// when the run ends.
struct TemporaryFile {
  std::string path;
  ~TemporaryFile() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
};

/// The text of the policy file --policy names, which the repair extends
/// ("" without one). The compiler has read it already, so it is readable.
std::string basePolicyText(const Flags &flags) {
  auto policy = flags.values.find("policy");
  if (policy == flags.values.end())
    return "";
  std::ifstream file(policy->second);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

} // namespace

Model openForRepair(const Flags &flags) {
  Model model = openOnCpu(flags);
  std::shared_ptr<void> keepPolicy;
  std::string policyPath;
  if (auto out = flags.values.find("repair-policy-out");
      out != flags.values.end()) {
    policyPath = out->second;
  } else {
    auto temporary = std::make_shared<TemporaryFile>();
    temporary->path = (std::filesystem::temp_directory_path() /
                       ("mpc-repair-" + std::to_string(getpid()) + ".json"))
                          .string();
    policyPath = temporary->path;
    keepPolicy = temporary;
  }
  // The step is compiled again as it was, with the repair's policy; the
  // precision report was printed once already.
  Flags again = flags;
  again.values["policy"] = policyPath;
  again.values.erase("precision-report");
  train::StepRecompiler recompile = [again](const std::string &,
                                            std::string &error) {
    LoadedGraph graph = loadGraph(again);
    train::RecompiledStep step;
    step.keepAlive = graph.context;
    step.executor =
        cpu::CpuStepExecutor::create(std::move(graph.module), error);
    if (!step.executor)
      error = again.model + ": " + error;
    return step;
  };
  train::RecompiledStep first{std::move(model.keepAlive),
                              std::move(model.executor)};
  model.keepAlive = keepPolicy;
  model.executor = std::make_unique<train::PrecisionRepair>(
      std::move(first), std::move(recompile), policyPath, basePolicyText(flags),
      stdout);
  return model;
}

} // namespace mpc::run
