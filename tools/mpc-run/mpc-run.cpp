//===- mpc-run.cpp - trains a model ---------------------------------------===//
//
// mpc-run MODEL --data FILE [--steps N] [--batch B] [--accumulate N]
//         [--device cpu|cuda] [--cuda-sync] [--seed S] [--log-every K]
//         [--eval-every K]
//         [--save CKPT] [--resume CKPT] [--metrics FILE]
// mpc-run MODEL --artifact DIR
// mpc-run MODEL --forward --input NAME=FILE.npy ... --output-dir DIR
//         [--gradients-out DIR]
//
// Compiles the model (a JSON graph or an mpc module) to its training step,
// then trains it on the data and evaluates on the held-out split; on a GPU
// the model may also be a compiled CUDA artifact directory. Every error is
// one line naming the file and what is wrong, with exit status 1.
//
// This main is the same in every build. What a build can run comes from the
// parts it links (tools/mpc-run/CMakeLists.txt): where MODEL comes from
// (ModelSource.h) and the devices (Device.h).
//
//===----------------------------------------------------------------------===//

#include "tools/mpc-run/Device.h"
#include "tools/mpc-run/Flags.h"
#include "tools/mpc-run/ModelSource.h"

#include "runtime/driver/Datasets.h"
#include "runtime/driver/OutputPath.h"
#include "runtime/train/PrecisionRepair.h"
#include "runtime/train/TrainingLoop.h"

#include <cstdio>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

using namespace mpc::run;

namespace {

/// Seeds the shuffle that splits rows into training and validation.
constexpr uint64_t kSplitSeed = 0;

/// Fails, before anything is loaded, when the checkpoint or the metrics
/// could not be written.
void checkOutputPaths(const Flags &flags) {
  for (const char *flag : {"save", "metrics"}) {
    auto path = flags.values.find(flag);
    std::string error;
    if (path != flags.values.end() &&
        !mpc::driver::checkOutputPath(path->second,
                                      mpc::driver::OutputKind::File, error))
      fail("--" + std::string(flag) + " " + error);
  }
}

/// Fails, before anything is loaded, on numerics flags that would be
/// ignored, and when the JSON report could not be written at the end.
void checkNumericsFlags(const Flags &flags, const std::string &device) {
  bool repair = flags.switches.count("repair-precision");
  bool check = repair || flags.switches.count("check-numerics") ||
               flags.switches.count("check-numerics-all");
  auto report = flags.values.find("numerics-report");
  if (report != flags.values.end() && !check)
    fail("--numerics-report " + report->second +
         ": give --check-numerics, which gathers the statistics");
  auto policyOut = flags.values.find("repair-policy-out");
  if (policyOut != flags.values.end() && !repair)
    fail("--repair-policy-out " + policyOut->second +
         ": give --repair-precision, which writes the policy");
  if (!check)
    return;
  // A repair recompiles and reruns the step on the reference executor.
  if (repair && device != "cpu")
    fail("--repair-precision runs on the CPU reference executor (--device "
         "cpu), which compiles and runs the repaired step again");
  std::string error;
  if (report != flags.values.end() &&
      !mpc::driver::checkOutputPath(report->second,
                                    mpc::driver::OutputKind::Stream, error))
    fail("--numerics-report " + error);
  if (policyOut != flags.values.end() &&
      !mpc::driver::checkOutputPath(policyOut->second,
                                    mpc::driver::OutputKind::File, error))
    fail("--repair-policy-out " + error);
}

/// Prints what --check-numerics found, one line per flagged op, and writes
/// the JSON report when asked.
void reportNumerics(const Flags &flags,
                    const mpc::train::NumericsReport &report) {
  report.writeTable(stdout);
  std::fflush(stdout);
  auto path = flags.values.find("numerics-report");
  std::string error;
  if (path != flags.values.end() && !report.writeJson(path->second, error))
    fail("--numerics-report " + error);
}

/// Says what --repair-precision moved, and where its policy file is.
void reportRepair(const Flags &flags,
                  const mpc::train::PrecisionRepair &repair) {
  const auto &moved = repair.moved();
  if (moved.empty()) {
    std::printf("repair: no node moved: no 16-bit op overflowed or flushed "
                "over 1%% of its values\n");
  } else {
    std::string names;
    for (const mpc::train::RepairedNode &node : moved)
      names += (names.empty() ? "" : ", ") + node.name;
    auto out = flags.values.find("repair-policy-out");
    std::string kept = out == flags.values.end()
                           ? "give --repair-policy-out FILE to keep the policy"
                           : "policy written to " + out->second +
                                 " (train with --policy " + out->second +
                                 " to keep the repair)";
    std::printf("repair: %zu node(s) moved to f32: %s; %s\n", moved.size(),
                names.c_str(), kept.c_str());
  }
  std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv) {
  Flags flags = parseFlags(argc, argv);
  if (flags.switches.count("forward"))
    runForwardAndExit(flags);
  if (!flags.inputs.empty() || flags.values.count("output-dir"))
    fail("--input and --output-dir apply with --forward");
  if (flags.values.count("gradients-out"))
    fail("--gradients-out applies with --forward, which evaluates the model "
         "and its gradients once");
  checkOutputPaths(flags);
  if (flags.values.count("artifact")) {
    if (flags.switches.count("cuda-sync"))
      fail("--cuda-sync applies when training with --device cuda; --artifact "
           "only writes the artifact");
    if (flags.values.count("metrics"))
      fail("--metrics applies when training; --artifact only writes the "
           "artifact");
    if (flags.switches.count("grad-norm"))
      fail("--grad-norm records the norm for --metrics when training; "
           "--artifact only writes the artifact");
    if (flags.switches.count("check-numerics") ||
        flags.switches.count("check-numerics-all"))
      fail("--check-numerics measures a training run; --artifact only writes "
           "the artifact");
    if (flags.switches.count("repair-precision"))
      fail("--repair-precision repairs a training run; --artifact only "
           "writes the artifact");
    writeArtifactAndExit(flags);
  }
  if (flags.values.count("arch"))
    fail("--arch applies with --artifact, which builds the step library");
  if (flags.switches.count("grad-norm") && !flags.values.count("metrics"))
    fail("--grad-norm records the gradient norm in the metrics; give "
         "--metrics FILE");
  std::string device =
      flags.values.count("device") ? flags.values["device"] : kDefaultDevice;
  if (device != "cpu" && device != "cuda")
    fail("unknown device '" + device + "'; expected cpu or cuda");
  if (device != "cuda" && flags.switches.count("cuda-sync"))
    fail("--cuda-sync applies to --device cuda, not --device " + device);
  checkNumericsFlags(flags, device);

  Model model = device == "cuda" ? openOnCuda(flags)
                : flags.switches.count("repair-precision")
                    ? openForRepair(flags)
                    : openOnCpu(flags);
  mpc::train::StepExecutor &executor = *model.executor;
  int64_t batch = executor.inputSpecs()[0].shape[0];
  if (flags.values.count("batch") && isArtifactDirectory(flags.model) &&
      integerFlag(flags, "batch", 0, 1) != batch)
    fail("--batch " + flags.values["batch"] + ": " + flags.model +
         " was compiled for batch " + std::to_string(batch));
  int64_t micro = executor.microBatches();
  if (flags.values.count("accumulate") && isArtifactDirectory(flags.model) &&
      integerFlag(flags, "accumulate", 0, 1) != micro)
    fail("--accumulate " + flags.values["accumulate"] + ": " + flags.model +
         " was compiled for --accumulate " + std::to_string(micro));

  mpc::train::TrainingOptions options;
  options.steps = integerFlag(flags, "steps", model.steps.value_or(-1), 0);
  if (options.steps < 0)
    fail("no --steps given and the graph has no training.steps");
  options.seedGiven = flags.values.count("seed");
  options.seed = integerFlag(flags, "seed", model.seed.value_or(0), 0);
  options.logEvery = integerFlag(flags, "log-every", 50, 1);
  options.evalEvery = integerFlag(flags, "eval-every", 0, 1);
  if (flags.values.count("save"))
    options.savePath = flags.values["save"];
  if (flags.values.count("resume"))
    options.resumePath = flags.values["resume"];
  options.precision = model.precision;
  if (flags.values.count("metrics"))
    options.metricsPath = flags.values["metrics"];
  options.device = device;
  options.learningRate = model.learningRate;
  // The updating progress line is for a person watching a terminal; logs
  // and pipes get the log lines alone.
  if (isatty(STDERR_FILENO))
    options.progressTerminal = stderr;

  std::vector<mpc::driver::HostTensor> outputs = executor.outputSpecs();
  int64_t classes = outputs.size() > 1 && !outputs[1].shape.empty()
                        ? outputs[1].shape.back()
                        : -1;
  // The train/validation split is the same for every run seed, so runs
  // (and a resumed run) are evaluated on the same rows.
  std::string error;
  std::unique_ptr<mpc::driver::Dataset> data = mpc::driver::openDataset(
      flags.data, kSplitSeed, executor.inputSpecs(), classes, error);
  if (!data)
    fail(error);
  if (micro * batch > data->trainSize())
    fail(flags.data.front() + ": batch " + std::to_string(micro * batch) +
         " (" + std::to_string(micro) + " micro-batches of " +
         std::to_string(batch) + ") is larger than the " +
         std::to_string(data->trainSize()) + " training samples");
  if (data->numValidationBatches(batch) == 0)
    fail(flags.data.front() +
         ": the validation split holds fewer than one "
         "batch of " +
         std::to_string(batch));

  std::printf("mpc-run: %s (graph '%s') on %s, batch %lld", flags.model.c_str(),
              executor.graphName().c_str(), device.c_str(),
              static_cast<long long>(micro * batch));
  if (micro > 1)
    std::printf(" (%lld micro-batches of %lld)", static_cast<long long>(micro),
                static_cast<long long>(batch));
  std::printf("\n");
  std::printf("data: %s\n", data->describe().c_str());
  std::fflush(stdout);
  mpc::train::TrainingResult result;
  bool trained =
      mpc::train::runTraining(executor, *data, options, stdout, result, error);
  if (const auto *repair =
          dynamic_cast<const mpc::train::PrecisionRepair *>(&executor))
    reportRepair(flags, *repair);
  // The statistics name the op behind a run that failed, too.
  if (const mpc::train::NumericsReport *numerics = executor.numericsReport())
    reportNumerics(flags, *numerics);
  if (!trained)
    fail(error);
  return 0;
}
