//===- PrecisionRepair.cpp - moving overflowing ops to f32 mid-run --------===//

#include "runtime/train/PrecisionRepair.h"

#include "runtime/driver/OutputPath.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cinttypes>

namespace mpc::train {

using numerics::NumericsCounts;

namespace {

bool isLowPrecision(const std::string &dtype) {
  return dtype == "f16" || dtype == "bf16";
}

bool wasMoved(const std::vector<RepairedNode> &moved, const std::string &name) {
  return std::any_of(moved.begin(), moved.end(), [&](const RepairedNode &node) {
    return node.name == name;
  });
}

/// `fc1, fc2`.
std::string joinNames(const std::vector<std::string> &names) {
  std::string text;
  for (const std::string &name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text;
}

/// `forward reduce_sum ink_total (sum_overflow.json:17:5) [f16]`.
std::string describeProbe(const NumericsProbe &probe) {
  return std::string(probe.backward ? "backward " : "forward ") + probe.op +
         " " + probe.location + " [" + probe.dtype + "]";
}

std::string formatPercent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g%%", 100 * share);
  return text;
}

/// The counts of the last step: those since the step was compiled less
/// those before it (maxAbs, which is not a sum, is the running one).
NumericsCounts lastStep(const NumericsCounts &after,
                        const NumericsCounts &before) {
  NumericsCounts counts = after;
  counts.elements -= before.elements;
  counts.nonFinite -= before.nonFinite;
  counts.overflowed -= before.overflowed;
  counts.produced -= before.produced;
  counts.nonzero -= before.nonzero;
  counts.flushed -= before.flushed;
  return counts;
}

} // namespace

RepairDecision decideRepair(const std::vector<NumericsProbe> &probes,
                            const std::vector<NumericsCounts> &step,
                            const std::vector<NumericsCounts> &sinceCompile,
                            bool lossScaled, uint64_t stepIndex,
                            const std::vector<RepairedNode> &moved) {
  RepairDecision decision;
  std::string stop;
  auto move = [&](const NumericsProbe &probe, const std::string &evidence) {
    for (const std::string &name : probe.nodes)
      if (!wasMoved(moved, name) && !wasMoved(decision.moves, name))
        decision.moves.push_back({name, evidence});
  };
  size_t count = std::min({probes.size(), step.size(), sinceCompile.size()});
  for (size_t i = 0; i < count; ++i) {
    const NumericsProbe &probe = probes[i];
    bool low = isLowPrecision(probe.dtype);
    // A scaled gradient that overflows is the loss scaler's: it skips the
    // step and backs the scale off.
    if (step[i].produced > 0 && !(probe.backward && lossScaled)) {
      std::string evidence = "step " + std::to_string(stepIndex) + ": " +
                             describeProbe(probe) + " produced " +
                             std::to_string(step[i].produced) +
                             " inf/NaN from finite inputs";
      std::vector<std::string> movedHere;
      for (const std::string &name : probe.nodes)
        if (wasMoved(moved, name))
          movedHere.push_back(name);
      bool movable = std::any_of(
          probe.nodes.begin(), probe.nodes.end(),
          [&](const std::string &name) { return !wasMoved(moved, name); });
      if (low && movable) {
        move(probe, evidence);
      } else if (stop.empty()) {
        if (!movedHere.empty())
          stop = "promoting " + joinNames(movedHere) +
                 " to f32 did not remove the non-finite values: the model "
                 "itself overflows (" +
                 evidence + ")";
        else if (low)
          stop = evidence + ", and no graph node of it can be moved to f32";
        else
          stop = evidence +
                 ": the model itself overflows in f32, which no precision "
                 "change repairs";
      }
    }
    const NumericsCounts &total = sinceCompile[i];
    if (low && step[i].flushed > 0 && total.nonzero > 0 &&
        double(total.flushed) / double(total.nonzero) > kUnderflowThreshold)
      move(probe,
           "by step " + std::to_string(stepIndex) + ": " +
               describeProbe(probe) + " flushed " +
               formatPercent(double(total.flushed) / double(total.nonzero)) +
               " of its nonzero values to zero or subnormals (" +
               std::to_string(total.flushed) + " of " +
               std::to_string(total.nonzero) + ")");
  }
  // A step that moves nodes runs again: what the model does then decides.
  if (decision.moves.empty())
    decision.stop = stop;
  return decision;
}

bool repairPolicyText(const std::string &basePolicy,
                      const std::vector<RepairedNode> &moved, std::string &text,
                      std::string &error) {
  nlohmann::ordered_json policy = nlohmann::ordered_json::object();
  if (!basePolicy.empty()) {
    policy = nlohmann::ordered_json::parse(basePolicy, nullptr, false);
    if (!policy.is_object()) {
      error = "the policy file to extend is not a JSON object";
      return false;
    }
  }
  nlohmann::ordered_json &nodes = policy["nodes"];
  if (!nodes.is_object())
    nodes = nlohmann::ordered_json::object();
  for (const RepairedNode &node : moved)
    nodes[node.name] = {{"precision", "f32"},
                        {"reason", "repair: " + node.evidence}};
  text = policy.dump(2) + "\n";
  return true;
}

PrecisionRepair::PrecisionRepair(RecompiledStep first, StepRecompiler recompile,
                                 std::string policyPath, std::string basePolicy,
                                 std::FILE *log)
    : current(std::move(first)), recompile(std::move(recompile)),
      policyPath(std::move(policyPath)), basePolicy(std::move(basePolicy)),
      log(log) {}

std::string PrecisionRepair::graphName() const {
  return current.executor->graphName();
}
std::vector<HostTensor> PrecisionRepair::inputSpecs() const {
  return current.executor->inputSpecs();
}
std::vector<HostTensor> PrecisionRepair::outputSpecs() const {
  return current.executor->outputSpecs();
}
int PrecisionRepair::labelInput() const {
  return current.executor->labelInput();
}

void PrecisionRepair::initialize(uint64_t runSeed) {
  seed = runSeed;
  current.executor->initialize(runSeed);
}

bool PrecisionRepair::trainStep(const std::vector<HostTensor> &inputs,
                                uint64_t step, std::string &error) {
  // Each repair moves at least one more node, so this ends.
  for (;;) {
    std::vector<HostTensor> stateBefore = current.executor->state();
    if (!current.executor->trainStep(inputs, step, error))
      return false;
    // The CPU executor has the loss at once; the step may yet be undone.
    std::vector<double> losses;
    if (!current.executor->takeLosses(losses, error))
      return false;
    const NumericsReport *report = current.executor->numericsReport();
    if (!report) {
      error = "--repair-precision needs a step instrumented by "
              "mpc-check-numerics";
      return false;
    }
    std::vector<NumericsCounts> sinceCompile, lastCounts;
    for (size_t i = 0; i < report->summaries().size(); ++i) {
      sinceCompile.push_back(report->summaries()[i].counts);
      lastCounts.push_back(
          lastStep(sinceCompile.back(),
                   i < before.size() ? before[i] : NumericsCounts{}));
    }
    before = sinceCompile;
    RepairDecision decision = decideRepair(
        report->probes(), lastCounts, sinceCompile,
        current.executor->lossScaleStatus().has_value(), step, movedNodes);
    if (!decision.stop.empty()) {
      error = decision.stop;
      return false;
    }
    if (decision.moves.empty()) {
      pendingLosses.insert(pendingLosses.end(), losses.begin(), losses.end());
      return true;
    }
    if (!repair(decision.moves, step, std::move(stateBefore), error))
      return false;
  }
}

bool PrecisionRepair::repair(const std::vector<RepairedNode> &moves,
                             uint64_t step, std::vector<HostTensor> state,
                             std::string &error) {
  for (const RepairedNode &node : moves) {
    std::fprintf(log, "repair: moving %s to f32 (%s)\n", node.name.c_str(),
                 node.evidence.c_str());
    movedNodes.push_back(node);
  }
  std::string text;
  if (!repairPolicyText(basePolicy, movedNodes, text, error) ||
      !driver::writeOutputFile(policyPath, text, error)) {
    error = "--repair-precision: " + error;
    return false;
  }
  RecompiledStep next = recompile(policyPath, error);
  if (!next.executor)
    return false;
  // Same state, by name: parameters, optimizer moments, the loss scaler
  // and the step count continue where the step before this one left them.
  next.executor->initialize(seed);
  std::vector<HostTensor> carried = next.executor->state();
  for (HostTensor &tensor : carried)
    for (HostTensor &old : state)
      if (old.name == tensor.name && old.shape == tensor.shape &&
          old.dtype == tensor.dtype)
        tensor = std::move(old);
  next.executor->setState(std::move(carried));
  error = next.executor->deferredError();
  if (!error.empty())
    return false;
  // The old executor goes before what it refers to.
  current.executor = std::move(next.executor);
  current.keepAlive = std::move(next.keepAlive);
  before.clear();
  std::fprintf(log,
               "repair: step recompiled with %s (%zu node(s) in f32); "
               "running step %" PRIu64 " again\n",
               policyPath.c_str(), movedNodes.size(), step);
  std::fflush(log);
  return true;
}

bool PrecisionRepair::takeLosses(std::vector<double> &losses, std::string &) {
  losses.insert(losses.end(), pendingLosses.begin(), pendingLosses.end());
  pendingLosses.clear();
  return true;
}

bool PrecisionRepair::evaluate(const std::vector<HostTensor> &inputs,
                               std::vector<HostTensor> &outputs,
                               std::string &error) {
  return current.executor->evaluate(inputs, outputs, error);
}

std::vector<HostTensor> PrecisionRepair::state() const {
  return current.executor->state();
}
void PrecisionRepair::setState(std::vector<HostTensor> values) {
  current.executor->setState(std::move(values));
}
std::optional<LossScaleStatus> PrecisionRepair::lossScaleStatus() const {
  return current.executor->lossScaleStatus();
}
std::optional<double> PrecisionRepair::gradNorm() const {
  return current.executor->gradNorm();
}
std::optional<double> PrecisionRepair::learningRate() const {
  return current.executor->learningRate();
}
std::string PrecisionRepair::deferredError() const {
  return current.executor->deferredError();
}
const NumericsReport *PrecisionRepair::numericsReport() const {
  return current.executor->numericsReport();
}

} // namespace mpc::train
