//===- LossScaling.cpp - unscaling and the overflow check -----------------===//
//
// The scale update itself (torch.amp.GradScaler's _amp_update_scale_ with
// DeepSpeed's hysteresis and floor) and the inverse scale are
// runtime/core/ScalarMath.h's, shared with the GPU.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Kernels.h"

#include <cmath>

namespace mpc::cpu {

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

} // namespace mpc::cpu
