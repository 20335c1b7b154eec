//===- DebugMode.h - when the CUDA executor checks each op ------*- C++ -*-===//
//
// A checked call of a step function runs eagerly with the runtime's debug
// mode on: every op is synchronised and its errors are checked, so the first
// failure names its op. Debug mode (MPC_CUDA_SYNC=1, mpc-run --cuda-sync)
// checks every call; otherwise the first call of each function is checked
// and training steps from the second on replay a captured CUDA graph. These
// are the host-side decisions, kept free of CUDA so that they are tested
// without a GPU.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_EXECUTOR_DEBUGMODE_H
#define MPC_RUNTIME_CUDA_EXECUTOR_DEBUGMODE_H

#include <cstdint>
#include <optional>
#include <string>

namespace mpc::cuda {

/// The environment variable that turns debug mode on: MPC_CUDA_SYNC=1.
inline constexpr char kSyncVariable[] = "MPC_CUDA_SYNC";

/// Debug mode as MPC_CUDA_SYNC's value (null when unset) says: unset, "" or
/// "0" is off and "1" is on; anything else is none, with a one-line error
/// naming the variable.
std::optional<bool> parseSyncVariable(const char *value, std::string &error);

/// How one training step runs.
enum class StepRun {
  /// Its calls run directly on the stream, each op synchronised and checked.
  Checked,
  /// Its calls are captured into the step's graph, which then launches.
  Capture,
  /// The captured graph launches.
  Replay,
};

/// How the training step runs after `stepsRun` earlier steps of the same
/// executor: checked in debug mode and for the first step, then captured
/// once, then replayed.
StepRun trainStepRun(bool debug, uint64_t stepsRun, bool captured);

/// Whether an evaluation after `evaluationsRun` earlier ones is checked: in
/// debug mode and the first one (evaluations are never captured).
bool checkedEvaluation(bool debug, uint64_t evaluationsRun);

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_EXECUTOR_DEBUGMODE_H
