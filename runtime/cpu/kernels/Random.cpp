//===- Random.cpp - counter-based dropout ---------------------------------===//
//
// Dropout draws no state: the keep decision of element i is a pure function
// of (seed, step, i), so the backward pass, a re-run, or another backend
// regenerates the same mask from the same three numbers.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Kernels.h"

#include <algorithm>

namespace mpc::cpu {

namespace {

constexpr uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ull;

/// The SplitMix64 output function (Steele, Lea and Flood's mix64 variant 13).
uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

} // namespace

uint64_t dropoutBits(uint64_t seed, uint64_t step, uint64_t index) {
  uint64_t key = mix64(mix64(seed) ^ step);
  return mix64(key + (index + 1) * kGoldenGamma);
}

double uniform01(uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1p-53;
}

void dropout(const float *in, float *out, int64_t n, double rate, uint64_t seed,
             uint64_t step) {
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
  for (int64_t i = 0; i < n; ++i) {
    bool dropped =
        uniform01(dropoutBits(seed, step, static_cast<uint64_t>(i))) < rate;
    out[i] = dropped ? 0.0f : in[i] * scale;
  }
}

} // namespace mpc::cpu
