//===- Slicing.h - slice bounds and strided element offsets -----*- C++ -*-===//
//
// The two facts slice and concat are built from, for every layer: how an
// ONNX-style (start, end, step) is clamped to a dim, and where element `i`
// of a strided view lies. The shape rule, the ONNX folder, the CPU kernels
// and the CUDA library all use these, so they agree on every index.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_SLICING_H
#define MPC_RUNTIME_CORE_SLICING_H

#include "runtime/core/HostDevice.h"

#include <algorithm>
#include <cstdint>

namespace mpc::slicing {

/// The elements one dim of a slice takes: `size` of them, the first at
/// `start`, then every `step` (negative steps walk backwards).
struct AxisRange {
  int64_t start = 0;
  int64_t step = 1;
  int64_t size = 0;
};

/// ONNX Slice's rule for a dim of `dim` elements: a negative start or end
/// counts from the end, then both are clamped to [0, dim] for a positive
/// step and to [0, dim - 1] (start) and [-1, dim - 1] (end) for a negative
/// one; the range may be empty. `step` must not be 0 or INT64_MIN.
inline AxisRange clampAxisRange(int64_t dim, int64_t start, int64_t end,
                                int64_t step) {
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  AxisRange range;
  range.step = step;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    // (end - start) / step rounded up, without overflow near INT64_MAX.
    range.size = end > start ? (end - start - 1) / step + 1 : 0;
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    range.size = start > end ? (start - end - 1) / -step + 1 : 0;
  }
  range.start = start;
  return range;
}

/// The offset of element `linear` (row-major over `shape`, `rank` dims) of
/// a view that starts at `offset` and steps `strides[d]` elements along dim
/// `d`; strides may be negative.
MPC_HD int64_t stridedOffset(int64_t linear, int rank, const int64_t *shape,
                             const int64_t *strides, int64_t offset) {
  for (int d = rank - 1; d >= 0; --d) {
    offset += (linear % shape[d]) * strides[d];
    linear /= shape[d];
  }
  return offset;
}

} // namespace mpc::slicing

#endif // MPC_RUNTIME_CORE_SLICING_H
