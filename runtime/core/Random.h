//===- Random.h - counter-based random numbers ------------------*- C++ -*-===//
//
// Stateless random numbers: every draw is a hash of (seed, stream, counter),
// so any batch or dropout mask can be recomputed from its step alone, a
// resumed run sees exactly the numbers an uninterrupted one would, and the
// CPU reference and the GPU draw the same bits from these one definitions.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_RANDOM_H
#define MPC_RUNTIME_CORE_RANDOM_H

#include "HostDevice.h"

#include <cstdint>

namespace mpc::random {

inline constexpr uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ull;

/// SplitMix64's output function (Steele, Lea and Flood's mix64 variant 13):
/// a bijective mix of all 64 bits.
MPC_HD uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// One SplitMix64 draw from state `x`.
MPC_HD uint64_t mix(uint64_t x) { return mix64(x + kGoldenGamma); }

/// 64 random bits for counter `b` of stream `a` under `seed`. Each argument
/// is mixed in turn so that nearby (a, b) pairs give unrelated results.
MPC_HD uint64_t hash(uint64_t seed, uint64_t a, uint64_t b) {
  return mix(mix(mix(seed) ^ a) ^ b);
}

/// A double uniform in [0, 1) from the top 53 bits of `bits`.
MPC_HD double uniform01(uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

/// An integer in [0, n) from `bits` (n > 0), by the high half of the 128-bit
/// product; the bias is below n / 2^64. Host only.
inline uint64_t below(uint64_t bits, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(bits) * n) >>
                               64);
}

/// The key of the mask that a dropout op draws at `step` of a run: one per
/// (the run's seed, the op's `seed` attribute, the step). The run's seed
/// makes runs with different seeds draw different masks; the op's seed
/// makes two dropouts of one step draw different masks. The CPU reference
/// and the CUDA runtime both call this, so they drop the same elements.
MPC_HD uint64_t dropoutKey(uint64_t runSeed, uint64_t opSeed, uint64_t step) {
  return mix64(mix64(mix64(runSeed) ^ opSeed) ^ step);
}

/// The random bits deciding element `index` of the mask of `key`; the
/// element is dropped iff uniform01(bits) < rate.
MPC_HD uint64_t dropoutBits(uint64_t key, uint64_t index) {
  return mix64(key + (index + 1) * kGoldenGamma);
}

} // namespace mpc::random

#endif // MPC_RUNTIME_CORE_RANDOM_H
