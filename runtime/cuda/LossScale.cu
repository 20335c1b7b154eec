//===- LossScale.cu - one step of dynamic loss scaling --------------------===//
//
// A single thread runs runtime/core/ScalarMath.h's updateLossScale, the CPU
// reference's, on the device scalars, so the scale trajectory is identical
// on both backends.
//
//===----------------------------------------------------------------------===//

#include "Context.h"
#include "runtime/core/ScalarMath.h"

namespace mpc::cuda {
namespace {

__global__ void updateLossScaleKernel(float *scale, float *goodSteps,
                                      float *hysteresisLeft,
                                      const uint8_t *foundInf,
                                      math::LossScaleConfig config) {
  math::updateLossScale(*scale, *goodSteps, *hysteresisLeft, *foundInf != 0,
                        config);
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
  mpc::math::LossScaleConfig config{growth_factor,  growth_interval,
                                    backoff_factor, hysteresis,
                                    min_scale,      max_scale};
  updateLossScaleKernel<<<1, 1, 0, rt->stream>>>(
      scale, good_steps, hysteresis_left, found_inf, config);
  return mpc_rt_check_launch(rt, what);
}
