//===- LossScale.cu - one step of dynamic loss scaling --------------------===//
//
// A single thread runs the CPU reference's updateLossScale on the device
// scalars, with the same double products rounded once to f32, so the scale
// trajectory is identical on both backends.
//
//===----------------------------------------------------------------------===//

#include "Context.h"

namespace mpc::cuda {
namespace {

struct LossScaleConfig {
  double growthFactor;
  int64_t growthInterval;
  double backoffFactor;
  int64_t hysteresis;
  double minScale, maxScale;
};

__global__ void updateLossScaleKernel(float *scale, float *goodSteps,
                                      float *hysteresisLeft,
                                      const uint8_t *foundInf,
                                      LossScaleConfig config) {
  if (*foundInf) {
    *goodSteps = 0;
    if (*hysteresisLeft > 1) {
      *hysteresisLeft -= 1;
      return;
    }
    *scale = static_cast<float>(fmax(
        static_cast<double>(*scale) * config.backoffFactor, config.minScale));
    return;
  }
  *goodSteps += 1;
  if (*goodSteps < static_cast<float>(config.growthInterval))
    return;
  *goodSteps = 0;
  *hysteresisLeft = static_cast<float>(config.hysteresis);
  auto grown = static_cast<float>(
      fmin(static_cast<double>(*scale) * config.growthFactor, config.maxScale));
  if (isfinite(grown))
    *scale = grown;
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" int
mpc_rt_update_loss_scale(mpc_rt *rt, float *scale, float *good_steps,
                         float *hysteresis_left, const uint8_t *found_inf,
                         double growth_factor, int64_t growth_interval,
                         double backoff_factor, int64_t hysteresis,
                         double min_scale, double max_scale) {
  const char *what = "mpc_rt_update_loss_scale";
  if (!scale || !good_steps || !hysteresis_left || !found_inf)
    return mpc_rt_fail(rt, "%s: null state pointer", what);
  LossScaleConfig config{growth_factor, growth_interval, backoff_factor,
                         hysteresis,    min_scale,       max_scale};
  updateLossScaleKernel<<<1, 1, 0, rt->stream>>>(
      scale, good_steps, hysteresis_left, found_inf, config);
  return mpc_rt_check_launch(rt, what);
}
