//===- DebugMode.cpp - when the CUDA executor checks each op --------------===//

#include "runtime/cuda/executor/DebugMode.h"

#include <cstring>

namespace mpc::cuda {

std::optional<bool> parseSyncVariable(const char *value, std::string &error) {
  if (!value || !*value || std::strcmp(value, "0") == 0)
    return false;
  if (std::strcmp(value, "1") == 0)
    return true;
  error = std::string(kSyncVariable) + " must be 0 or 1, got '" + value + "'";
  return std::nullopt;
}

StepRun trainStepRun(bool debug, uint64_t stepsRun, bool captured) {
  if (debug || stepsRun == 0)
    return StepRun::Checked;
  return captured ? StepRun::Replay : StepRun::Capture;
}

bool checkedEvaluation(bool debug, uint64_t evaluationsRun) {
  return debug || evaluationsRun == 0;
}

} // namespace mpc::cuda
