//===- Random.cpp - counter-based dropout ---------------------------------===//
//
// Dropout draws no state: the keep decision of element i is a pure function
// of (the run's seed, the op's seed, the step, i), so the backward pass, a
// resumed run, or another backend regenerates the same mask from the same
// four numbers.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Kernels.h"

#include <algorithm>

namespace mpc::cpu {

void dropout(const float *in, float *out, int64_t n, double rate,
             uint64_t runSeed, uint64_t opSeed, uint64_t step) {
  if (rate <= 0.0) {
    if (in != out)
      std::copy(in, in + n, out);
    return;
  }
  if (rate >= 1.0) {
    std::fill(out, out + n, 0.0f);
    return;
  }
  auto scale = static_cast<float>(1.0 / (1.0 - rate));
  uint64_t key = random::dropoutKey(runSeed, opSeed, step);
  for (int64_t i = 0; i < n; ++i)
    out[i] = math::dropout(in[i], key, static_cast<uint64_t>(i), rate, scale);
}

} // namespace mpc::cpu
