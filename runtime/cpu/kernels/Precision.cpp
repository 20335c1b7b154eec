//===- Precision.cpp - 16-bit float emulation -----------------------------===//
//
// Rounding a buffer with runtime/core/ScalarMath.h's conversions, which are
// integer code on the host: they round the same way on every machine
// whatever its floating-point hardware or compiler offers.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Precision.h"

namespace mpc::cpu {

void roundToPrecision(Precision precision, float *data, int64_t n) {
  switch (precision) {
  case Precision::F16:
    for (int64_t i = 0; i < n; ++i)
      data[i] = math::roundF16(data[i]);
    return;
  case Precision::BF16:
    for (int64_t i = 0; i < n; ++i)
      data[i] = math::roundBF16(data[i]);
    return;
  default:
    return;
  }
}

} // namespace mpc::cpu
