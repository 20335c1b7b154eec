//===- ArenaPacker.h - static offsets for values with lifetimes -*- C++ -*-===//
//
// The offline half of memory planning, free of MLIR: given each value's size
// and the span of program points where it is live, assigns byte offsets in
// one arena so that values live at the same time never share a byte.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_PASSES_ARENAPACKER_H
#define MPC_PASSES_ARENAPACKER_H

#include <cstdint>
#include <vector>

namespace mpc {

/// A value that needs `size` bytes from program point `first` through
/// `last` (inclusive, first <= last).
struct ArenaRequest {
  int64_t size;
  int64_t first;
  int64_t last;
};

/// Offsets of the requests, in their order, and the bytes they need.
struct ArenaLayout {
  std::vector<int64_t> offsets;
  /// The end of the highest placed value.
  int64_t arenaBytes = 0;
};

/// Places the requests with TFLite's "greedy by size": largest first (ties:
/// earlier first, then request order), each into the smallest gap between
/// already placed values that are live at the same time, else after the
/// last of them. Offsets are multiples of `alignment`. Deterministic.
ArenaLayout packArena(const std::vector<ArenaRequest> &requests,
                      int64_t alignment);

/// The most bytes live at one program point: a lower bound of any layout.
int64_t peakLiveBytes(const std::vector<ArenaRequest> &requests);

} // namespace mpc

#endif // MPC_PASSES_ARENAPACKER_H
