//===- LossScaling.cpp - unscaling, overflow check, dynamic loss scale ----===//
//
// The scale update follows torch.amp.GradScaler's _amp_update_scale_ (growth
// after a run of clean steps, capped and kept finite) with DeepSpeed's
// hysteresis (several overflows before a backoff) and floor (min_scale).
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Kernels.h"

#include <algorithm>
#include <cmath>

namespace mpc::cpu {

float inverseLossScale(float scale) {
  return static_cast<float>(1.0 / static_cast<double>(scale));
}

bool unscaleAndCheck(const float *grad, float *out, int64_t n, float inverse) {
  bool foundInf = false;
  for (int64_t i = 0; i < n; ++i) {
    // Branch-free so the loop vectorizes; x - x is NaN exactly when x is
    // an infinity or a NaN.
    foundInf |= std::isnan(grad[i] - grad[i]);
    out[i] = grad[i] * inverse;
  }
  return foundInf;
}

void updateLossScale(float &scale, float &goodSteps, float &hysteresisLeft,
                     bool foundInf, const LossScaleConfig &config) {
  if (foundInf) {
    goodSteps = 0;
    if (hysteresisLeft > 1) {
      hysteresisLeft -= 1;
      return;
    }
    scale = static_cast<float>(std::max(
        static_cast<double>(scale) * config.backoffFactor, config.minScale));
    return;
  }
  goodSteps += 1;
  if (goodSteps < static_cast<float>(config.growthInterval))
    return;
  goodSteps = 0;
  hysteresisLeft = static_cast<float>(config.hysteresis);
  auto grown = static_cast<float>(std::min(
      static_cast<double>(scale) * config.growthFactor, config.maxScale));
  if (std::isfinite(grown))
    scale = grown;
}

} // namespace mpc::cpu
