//===- Random.h - Counter-based random numbers ------------------*- C++ -*-===//
//
// Stateless random numbers: every draw is a hash of (seed, stream, counter),
// so any batch can be recomputed from its step alone and a resumed run sees
// exactly the numbers an uninterrupted one would.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_RANDOM_H
#define MPC_RUNTIME_DRIVER_RANDOM_H

#include <cstdint>

namespace mpc::driver::random {

/// The SplitMix64 finalizer: a bijective mix of all 64 bits.
inline uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// 64 random bits for counter `b` of stream `a` under `seed`. Each argument
/// is mixed in turn so that nearby (a, b) pairs give unrelated results.
inline uint64_t hash(uint64_t seed, uint64_t a, uint64_t b) {
  return mix(mix(mix(seed) ^ a) ^ b);
}

/// A double uniform in [0, 1) from the top 53 bits of `bits`.
inline double uniform01(uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

/// An integer in [0, n) from `bits` (n > 0), by the high half of the 128-bit
/// product; the bias is below n / 2^64.
inline uint64_t below(uint64_t bits, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(bits) * n) >>
                               64);
}

} // namespace mpc::driver::random

#endif // MPC_RUNTIME_DRIVER_RANDOM_H
