/*===- StepNames.h - the names a compiled step is known by -------*- C -*-===*
 *
 * The names that the compiler gives a training step and that every runtime
 * looks it up by: its functions, its state symbols (the step count, the
 * optimizer state, the loss scaler's), the C entry points of a CUDA step
 * library and the version of their ABI. The dialect re-exports the names
 * (MpcDialect::kTrainStepFuncName, kLossScaleSymbol, ...), so passes,
 * importer, executors and manifest all spell a name the same way. C for
 * the ABI version alone, which mpc_cuda_runtime.h and generated code read.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MPC_RUNTIME_CORE_STEPNAMES_H
#define MPC_RUNTIME_CORE_STEPNAMES_H

/* The version of the CUDA step ABI (mpc_cuda_runtime.h) and of the manifest;
 * a step library or manifest of another version is refused. */
#define MPC_CUDA_ABI_VERSION 8

#ifdef __cplusplus

#include <string_view>

namespace mpc::step {

inline constexpr int kAbiVersion = MPC_CUDA_ABI_VERSION;

/// The functions of a step: the training step, and the forward pass that
/// evaluates (the imported graph).
inline constexpr char kTrainStep[] = "train_step";
inline constexpr char kForward[] = "forward";

/// The state symbol counting the steps taken (AdamW's bias correction).
inline constexpr char kStepCount[] = "step";

/// Optimizer state of parameter `p`: `p` followed by the suffix (momentum's
/// buffer; AdamW's first and second moments). Checkpoints hold these names.
inline constexpr char kMomentumSuffix[] = ".momentum";
inline constexpr char kAdamMSuffix[] = ".m";
inline constexpr char kAdamVSuffix[] = ".v";

/// The loss scaler's state (mpc-loss-scaling): the scale and its counters.
/// Dynamic scaling has all four, static scaling the skipped-step counter.
inline constexpr char kLossScale[] = "loss_scale";
inline constexpr char kLossScaleGoodSteps[] = "loss_scale.good_steps";
inline constexpr char kLossScaleHysteresisLeft[] = "loss_scale.hysteresis_left";
inline constexpr char kLossScaleSkippedSteps[] = "loss_scale.skipped_steps";

/// The global L2 norm of the last step's gradients (before clipping and
/// after unscaling), which the step stores when it clips or is asked to
/// record it (mpc-build-train-step record-grad-norm).
inline constexpr char kGradNorm[] = "grad_norm";

/// Gradient accumulation (mpc-accumulate-gradients): the micro-batch a
/// step is at, 0 to N-1, which is 0 between optimizer steps; and the
/// suffix of a parameter's f32 gradient sum over the micro-batches so far.
inline constexpr char kAccumulatePhase[] = "accumulate.phase";
inline constexpr char kGradAccumSuffix[] = ".grad_accum";

/// A function's C entry point in a step library: this prefix and its name.
inline constexpr char kEntryPrefix[] = "mpc_fn_";

/// The symbols the step has under fixed names: its functions and the state
/// that is not a parameter's (a parameter's state takes its name and a
/// suffix). A model's parameter may not have one of these names, as it
/// would be taken for the step's own symbol: the ONNX importer renames such
/// an initializer, and a JSON graph's param so named is an error.
inline constexpr const char *kFixedSymbolNames[] = {kTrainStep,
                                                    kForward,
                                                    kStepCount,
                                                    kLossScale,
                                                    kLossScaleGoodSteps,
                                                    kLossScaleHysteresisLeft,
                                                    kLossScaleSkippedSteps,
                                                    kGradNorm,
                                                    kAccumulatePhase};

/// Whether `name` is one of kFixedSymbolNames.
inline bool isFixedSymbolName(std::string_view name) {
  for (const char *fixed : kFixedSymbolNames)
    if (name == fixed)
      return true;
  return false;
}

} // namespace mpc::step

#endif /* __cplusplus */

#endif /* MPC_RUNTIME_CORE_STEPNAMES_H */
