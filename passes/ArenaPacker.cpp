//===- ArenaPacker.cpp - static offsets for values with lifetimes ---------===//

#include "passes/ArenaPacker.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <numeric>
#include <utility>

namespace mpc {

namespace {
int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

bool livesOverlap(const ArenaRequest &a, const ArenaRequest &b) {
  return a.first <= b.last && b.first <= a.last;
}
} // namespace

ArenaLayout packArena(const std::vector<ArenaRequest> &requests,
                      int64_t alignment) {
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].size != requests[b].size)
      return requests[a].size > requests[b].size;
    return requests[a].first < requests[b].first;
  });

  ArenaLayout layout;
  layout.offsets.assign(requests.size(), 0);
  // The placed requests by increasing offset, as (offset, request index).
  std::vector<std::pair<int64_t, size_t>> placed;
  for (size_t index : order) {
    const ArenaRequest &request = requests[index];
    constexpr int64_t kNone = -1;
    int64_t best = kNone;
    int64_t bestGap = std::numeric_limits<int64_t>::max();
    int64_t cursor = 0;
    for (const auto &[offset, other] : placed) {
      if (!livesOverlap(request, requests[other]))
        continue;
      int64_t gap = offset - cursor;
      if (gap >= request.size && gap < bestGap) {
        best = cursor;
        bestGap = gap;
      }
      cursor =
          std::max(cursor, alignUp(offset + requests[other].size, alignment));
    }
    int64_t offset = best == kNone ? cursor : best;
    layout.offsets[index] = offset;
    layout.arenaBytes = std::max(layout.arenaBytes, offset + request.size);
    placed.insert(std::upper_bound(placed.begin(), placed.end(),
                                   std::make_pair(offset, index)),
                  {offset, index});
  }
  return layout;
}

int64_t peakLiveBytes(const std::vector<ArenaRequest> &requests) {
  // +size where a value starts, -size one point after it ends; ends sort
  // before starts at the same point.
  std::vector<std::pair<int64_t, int64_t>> events;
  events.reserve(2 * requests.size());
  for (const ArenaRequest &request : requests) {
    events.emplace_back(request.first, request.size);
    events.emplace_back(request.last + 1, -request.size);
  }
  std::sort(events.begin(), events.end());
  int64_t live = 0;
  int64_t peak = 0;
  for (const auto &[point, delta] : events) {
    live += delta;
    peak = std::max(peak, live);
  }
  return peak;
}

} // namespace mpc
