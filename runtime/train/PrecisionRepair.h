//===- PrecisionRepair.h - moving overflowing ops to f32 mid-run -*- C++
//-*-===//
//
// --repair-precision: a StepExecutor that runs another one (instrumented by
// mpc-check-numerics for every float op) and reads the statistics of each
// step. When a step shows a precision problem (decideRepair), it moves the
// nodes behind it to f32 in a policy file (its `nodes` key), has the step
// compiled again with that policy, carries every parameter and state tensor
// (optimizer moments, loss scale, step count) over by name, and runs the
// step again from the state before it; when the statistics show that the
// model itself overflows, even in f32, the step fails and says so.
//
// Which steps it judges (docs/mixed-precision.md):
// - an op that produces inf or NaN from finite inputs in its 16-bit type is
//   repaired in the forward pass always; in backward only when the step
//   does not scale its loss, since a scaled gradient that overflows is the
//   loss scaler's to handle (it skips the step and halves the scale);
// - an op whose 16-bit output flushes more than kUnderflowThreshold of its
//   nonzero values to zero or subnormals, over the steps since the step was
//   compiled, is repaired, forward or backward;
// - an f32 op that produces inf or NaN from finite inputs (outside a scaled
//   backward) is the model's own overflow: the run stops, naming the nodes
//   the repair already moved when there are any.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_TRAIN_PRECISIONREPAIR_H
#define MPC_RUNTIME_TRAIN_PRECISIONREPAIR_H

#include "runtime/train/NumericsReport.h"
#include "runtime/train/StepExecutor.h"

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mpc::train {

/// A graph node moved to f32, and the statistics that moved it.
struct RepairedNode {
  std::string name;
  std::string evidence;
};

/// What the statistics of one step ask for.
struct RepairDecision {
  /// Nodes to move to f32 now, in program order of their ops.
  std::vector<RepairedNode> moves;
  /// When not empty, the run cannot be repaired: why, in one line.
  std::string stop;
};

/// Judges one step (see the file comment). `step` holds the counts of the
/// step just run, `sinceCompile` those of every step since the step was
/// compiled (this one included), both in probe order; `lossScaled` tells
/// whether the step scales its loss; `moved` are the nodes moved before.
RepairDecision
decideRepair(const std::vector<NumericsProbe> &probes,
             const std::vector<numerics::NumericsCounts> &step,
             const std::vector<numerics::NumericsCounts> &sinceCompile,
             bool lossScaled, uint64_t stepIndex,
             const std::vector<RepairedNode> &moved);

/// The policy file that moves `moved` to f32: `basePolicy` (the text of the
/// policy file the run was given, or "") with a `nodes` entry per moved
/// node, each with its evidence as the reason. False with `error` when the
/// base policy is not a JSON object.
bool repairPolicyText(const std::string &basePolicy,
                      const std::vector<RepairedNode> &moved, std::string &text,
                      std::string &error);

/// A step compiled again with the policy file at a path: the executor, and
/// what it refers to and must outlive it.
struct RecompiledStep {
  std::shared_ptr<void> keepAlive;
  std::unique_ptr<StepExecutor> executor;
};
using StepRecompiler = std::function<RecompiledStep(
    const std::string &policyPath, std::string &error)>;

class PrecisionRepair : public StepExecutor {
public:
  /// Runs `first` (instrumented) until a step asks for a repair; then
  /// writes the policy to `policyPath` (with `basePolicy`, as
  /// repairPolicyText) and has `recompile` build the step from it. Each
  /// repair is logged to `log`.
  PrecisionRepair(RecompiledStep first, StepRecompiler recompile,
                  std::string policyPath, std::string basePolicy,
                  std::FILE *log);

  /// The nodes moved so far, in the order they were moved.
  const std::vector<RepairedNode> &moved() const { return movedNodes; }

  std::string graphName() const override;
  std::vector<HostTensor> inputSpecs() const override;
  std::vector<HostTensor> outputSpecs() const override;
  int labelInput() const override;
  void initialize(uint64_t seed) override;
  bool trainStep(const std::vector<HostTensor> &inputs, uint64_t step,
                 std::string &error) override;
  bool takeLosses(std::vector<double> &losses, std::string &error) override;
  bool evaluate(const std::vector<HostTensor> &inputs,
                std::vector<HostTensor> &outputs, std::string &error) override;
  std::vector<HostTensor> state() const override;
  void setState(std::vector<HostTensor> values) override;
  std::optional<LossScaleStatus> lossScaleStatus() const override;
  std::optional<double> gradNorm() const override;
  std::optional<double> learningRate() const override;
  std::string deferredError() const override;
  /// The statistics of the step as last compiled.
  const NumericsReport *numericsReport() const override;

private:
  /// Moves `moves` to f32 and replaces the step, carrying `state` (the
  /// state before the step that asked for it) over by name.
  bool repair(const std::vector<RepairedNode> &moves, uint64_t step,
              std::vector<HostTensor> state, std::string &error);

  RecompiledStep current;
  StepRecompiler recompile;
  std::string policyPath, basePolicy;
  std::FILE *log;
  uint64_t seed = 0;
  std::vector<RepairedNode> movedNodes;
  /// The probes' counts since the step was compiled, before the last step.
  std::vector<numerics::NumericsCounts> before;
  std::vector<double> pendingLosses;
};

} // namespace mpc::train

#endif // MPC_RUNTIME_TRAIN_PRECISIONREPAIR_H
