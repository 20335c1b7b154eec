//===- StepContract.h - what a compiled training step is --------*- C++ -*-===//
//
// The one description of a compiled step that the compiler and the runtimes
// share, without MLIR: its functions with their inputs and outputs, its
// parameters and state in module order with their initializers, the input
// holding the labels, the loss scaler, the ops --check-numerics measures,
// and the arena sizes of a planned step. The compiler fills it once from a
// module (describeStep in dialects/mpc/StepContract.h); the CPU reference
// executor reads it there; the CUDA target writes it as an artifact's
// manifest.json (compiler/target/cuda/ManifestWriter.h) and the CUDA executor
// reads it back with parseManifest. docs/cuda-backend.md gives the manifest's
// format.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_STEPCONTRACT_H
#define MPC_RUNTIME_CORE_STEPCONTRACT_H

#include "runtime/core/DType.h"
#include "runtime/core/InitSpec.h"
#include "runtime/core/LrSchedule.h"
#include "runtime/core/NumericsProbe.h"
#include "runtime/core/StepNames.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpc {

/// A tensor as the device holds it: f32, f16, bf16, i32 for every integer
/// type but i1, and i1 as one byte (never i64).
struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  DType dtype = DType::F32;
  /// An integer function input whose values index something (the rows of
  /// an embedding table, the classes of a cross-entropy) takes values in
  /// [0, valueBound); none when nothing bounds them.
  std::optional<int64_t> valueBound;
  /// The value marking a row to skip, which it takes as well: the
  /// ignore_index of the cross-entropies it labels (all of them the same,
  /// and nothing else indexed by it); none otherwise. It may be a class.
  std::optional<int64_t> ignoredValue;

  int64_t numElements() const {
    int64_t count = 1;
    for (int64_t dim : shape)
      count *= dim;
    return count;
  }
  /// The bytes the tensor takes on the device.
  size_t bytes() const { return size_t(numElements()) * elementSize(dtype); }
};

/// A parameter or a state tensor (optimizer, loss scaler, step count): an
/// mpc.param, in module order (the order of mpc_step_args::state).
struct StateSpec : TensorSpec {
  /// False for state (mpc.param ... state).
  bool trainable = false;
  InitSpec init;
  /// A 16-bit copy of the trainable f32 tensor named here (mpc.param ...
  /// copy_of): it always holds that tensor rounded to its dtype. Executors
  /// keep it to themselves: they set it from its source whenever the state
  /// is set, and leave it out of the state they return (and so out of
  /// checkpoints).
  std::optional<std::string> copyOf;
};

/// One function of the step (every function with a body, in module order).
struct FunctionSpec {
  std::string name;
  /// Its C entry point in a step library (entryPointName).
  std::string entry;
  /// The memory plan's sizes (mpc-plan-memory); 0 in an unplanned step.
  int64_t arenaBytes = 0, peakLiveBytes = 0;
  /// Named by mpc.name, else "arg<n>" and "result<n>".
  std::vector<TensorSpec> inputs, outputs;
};

/// The loss scaler of @train_step (mpc-loss-scaling).
struct LossScalingSpec {
  /// Whether the scale changes (mpc.update_loss_scale) or is a constant.
  bool dynamic = false;
  /// Dynamic: the state tensor holding the scale.
  std::optional<std::string> scale;
  /// Static: the scale.
  std::optional<double> staticScale;
  /// Dynamic: the smallest scale it backs off to.
  std::optional<double> floor;
  /// The state tensor counting the skipped steps, when the step has one.
  std::optional<std::string> skipped;
};

/// The learning rate of the step's updates, for the driver's log: the
/// updates compute it themselves (mpc::math::scheduledLearningRate).
struct LearningRateSpec {
  /// The peak rate, before per-group multipliers.
  double peak = 0;
  mpc_lr_schedule schedule = {MPC_LR_CONSTANT, 0, 0, 0.0, 0, 1.0};

  /// The rate of the update whose step count (after its increment) is
  /// `step`.
  double at(double step) const;
};

struct StepContract {
  /// The ABI version the step was compiled for.
  int abi = step::kAbiVersion;
  /// The graph's name (the module's), or "graph".
  std::string graph;
  /// The largest arena of any function: the one every function fits in.
  int64_t arenaBytes = 0;
  std::vector<StateSpec> state;
  std::vector<FunctionSpec> functions;
  /// The input of @forward holding the labels of the logits (its second
  /// result), or -1.
  int labelInput = -1;
  /// None when the step does not scale its loss.
  std::optional<LossScalingSpec> lossScaling;
  /// None when the step does not record its learning rate.
  std::optional<LearningRateSpec> learningRate;
  /// The calls of @train_step (micro-batches) per optimizer step
  /// (mpc-accumulate-gradients); 1 without accumulation.
  int64_t accumulate = 1;
  /// The ops of @train_step that mpc-check-numerics probed, in probe order:
  /// the CUDA step gathers one mpc::numerics::ProbeCounts for each. None
  /// when the step is not instrumented (an instrumented f32 step may probe
  /// no op).
  std::optional<std::vector<numerics::NumericsProbe>> numericsProbes;

  /// The function named `name`, or null.
  const FunctionSpec *function(std::string_view name) const {
    for (const FunctionSpec &spec : functions)
      if (spec.name == name)
        return &spec;
    return nullptr;
  }
  /// The index of the state tensor named `name` in `state`, or none.
  std::optional<size_t> stateIndex(std::string_view name) const {
    for (size_t i = 0; i < state.size(); ++i)
      if (state[i].name == name)
        return i;
    return std::nullopt;
  }
  /// The index of the state scalar holding the accumulation phase
  /// (step::kAccumulatePhase), or none when the step does not accumulate.
  std::optional<size_t> accumulatePhaseIndex() const {
    std::optional<size_t> index = stateIndex(step::kAccumulatePhase);
    if (index && (state[*index].trainable || !state[*index].shape.empty() ||
                  state[*index].dtype != DType::F32))
      return std::nullopt;
    return index;
  }
  /// The index of the state scalar holding the last step's gradient norm
  /// (step::kGradNorm), or none when the step does not record it.
  std::optional<size_t> gradNormIndex() const {
    std::optional<size_t> index = stateIndex(step::kGradNorm);
    if (index && (state[*index].trainable || !state[*index].shape.empty() ||
                  state[*index].dtype != DType::F32))
      return std::nullopt;
    return index;
  }
};

bool operator==(const TensorSpec &a, const TensorSpec &b);
bool operator==(const StateSpec &a, const StateSpec &b);
bool operator==(const FunctionSpec &a, const FunctionSpec &b);
bool operator==(const LossScalingSpec &a, const LossScalingSpec &b);
bool operator==(const LearningRateSpec &a, const LearningRateSpec &b);
bool operator==(const StepContract &a, const StepContract &b);

/// The C name of the entry point of function `name`: step::kEntryPrefix and
/// the name with every character that cannot be in a C identifier replaced
/// by '_'.
std::string entryPointName(std::string_view name);

/// "" when `function` returns the loss first, as one float value; else what
/// is wrong, in one line.
std::string lossProblem(const FunctionSpec &function);

/// "" when the training loop can run `contract`: it has a @train_step and a
/// @forward, both return the loss first (lossProblem), they take the same
/// inputs (the loop feeds both the same batches), and the first input has a
/// batch dimension; else the first problem, in one line.
std::string stepProblem(const StepContract &contract);

/// The keys of the manifest, the contract as JSON. The writer and the
/// reader both spell them from here.
namespace manifest {
inline constexpr char kAbi[] = "abi";
inline constexpr char kGraph[] = "graph";
inline constexpr char kArenaBytes[] = "arena_bytes";
inline constexpr char kState[] = "state";
inline constexpr char kFunctions[] = "functions";
inline constexpr char kLabelInput[] = "label_input";
inline constexpr char kLossScaling[] = "loss_scaling";
/// Written only when above 1; absent, 1.
inline constexpr char kAccumulate[] = "accumulate";
/// Written only when the step is instrumented; absent, none.
inline constexpr char kNumericsProbes[] = "numerics_probes";
// A probe (and kDType).
inline constexpr char kFunction[] = "function";
inline constexpr char kOp[] = "op";
inline constexpr char kLocation[] = "location";
inline constexpr char kBackward[] = "backward";
inline constexpr char kNodes[] = "nodes";
// A tensor.
inline constexpr char kName[] = "name";
inline constexpr char kShape[] = "shape";
inline constexpr char kDType[] = "dtype";
inline constexpr char kValueBound[] = "value_bound";
/// Written only with kValueBound, when the input has an ignoredValue.
inline constexpr char kIgnoredValue[] = "ignored_value";
// A state tensor.
inline constexpr char kTrainable[] = "trainable";
inline constexpr char kInit[] = "init";
inline constexpr char kKind[] = "kind";
inline constexpr char kFirst[] = "first";
inline constexpr char kSecond[] = "second";
inline constexpr char kSeed[] = "seed";
inline constexpr char kFile[] = "file";
/// Written only for a copy; absent, none.
inline constexpr char kCopyOf[] = "copy_of";
// A function (and kName, kArenaBytes).
inline constexpr char kEntry[] = "entry";
inline constexpr char kPeakLiveBytes[] = "peak_live_bytes";
inline constexpr char kInputs[] = "inputs";
inline constexpr char kOutputs[] = "outputs";
// The loss scaler.
inline constexpr char kDynamic[] = "dynamic";
inline constexpr char kScale[] = "scale";
inline constexpr char kStaticScale[] = "static_scale";
inline constexpr char kFloor[] = "floor";
inline constexpr char kSkipped[] = "skipped";
inline constexpr char kLearningRate[] = "learning_rate";
inline constexpr char kPeak[] = "peak";
inline constexpr char kWarmupSteps[] = "warmup_steps";
inline constexpr char kDecaySteps[] = "decay_steps";
inline constexpr char kMinRatio[] = "min_ratio";
inline constexpr char kStepSize[] = "step_size";
inline constexpr char kGamma[] = "gamma";

/// The file, in an artifact directory, holding the initial values of state
/// tensor number `index` (InitSpec::Kind::Values) as a .npy array.
inline std::string initValuesFile(size_t index) {
  return "values/" + std::to_string(index) + ".npy";
}
} // namespace manifest

/// Parses and checks manifest text: a contract of this ABI version with a
/// @train_step and a @forward that take the same batches; `path` names it
/// in errors. Each error is one line: "<path>: <JSON path>: what is wrong".
std::optional<StepContract> parseManifest(const std::string &text,
                                          const std::string &path,
                                          std::string &error);
/// Reads and parses the file at `path`.
std::optional<StepContract> readManifest(const std::string &path,
                                         std::string &error);

} // namespace mpc

#endif // MPC_RUNTIME_CORE_STEPCONTRACT_H
