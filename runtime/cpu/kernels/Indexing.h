//===- Indexing.h - strided iteration shared by the kernels -----*- C++ -*-===//
//
// Internal to the kernels library. Broadcasting, transposition, masking and
// reduction all walk an output shape in row-major order while reading (or
// writing) a few other tensors through their own strides, where a stride of 0
// repeats an element. StridedLoop describes such a walk after merging the
// dimensions that can be merged, so the innermost loop is as long as
// possible, and forEachRow runs it.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CPU_KERNELS_INDEXING_H
#define MPC_RUNTIME_CPU_KERNELS_INDEXING_H

#include "runtime/cpu/kernels/Kernels.h"

#include <array>
#include <cassert>
#include <cstddef>

namespace mpc::cpu::detail {

/// Row-major element strides of `shape`.
Shape contiguousStrides(const Shape &shape);

/// The strides (one per dimension of `outShape`) that read a tensor of
/// `inShape` broadcast to `outShape`: 0 on broadcast dimensions.
Shape broadcastStrides(const Shape &inShape, const Shape &outShape);

/// Axis `axis` of a rank-`rank` tensor with a negative value counted from the
/// end.
inline int64_t normalizeAxis(int64_t axis, size_t rank) {
  if (axis < 0)
    axis += static_cast<int64_t>(rank);
  assert(axis >= 0 && axis < static_cast<int64_t>(rank) && "axis out of range");
  return axis;
}

/// A tensor viewed as [outer, length, inner] around one axis.
struct AxisView {
  int64_t outer = 1;
  int64_t length = 1;
  int64_t inner = 1;
};

/// The [outer, length, inner] view of `shape` around `axis`.
AxisView axisView(const Shape &shape, int64_t axis);

/// A row-major walk over a shape by `N` operands with their own strides.
/// Dimensions of size 1 are dropped and neighbours merged wherever every
/// operand's strides allow; there is always at least one dimension.
template <size_t N> struct StridedLoop {
  Shape sizes;
  std::array<Shape, N> strides;

  StridedLoop(const Shape &shape, const std::array<Shape, N> &operandStrides) {
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] == 1)
        continue;
      // Merge into the previous dimension when, for every operand, stepping
      // it once equals stepping this one through its whole length.
      bool merge = !sizes.empty();
      for (size_t k = 0; k < N && merge; ++k)
        merge = strides[k].back() == operandStrides[k][d] * shape[d];
      if (merge) {
        sizes.back() *= shape[d];
        for (size_t k = 0; k < N; ++k)
          strides[k].back() = operandStrides[k][d];
        continue;
      }
      sizes.push_back(shape[d]);
      for (size_t k = 0; k < N; ++k)
        strides[k].push_back(operandStrides[k][d]);
    }
    if (sizes.empty()) {
      sizes.push_back(1);
      for (size_t k = 0; k < N; ++k)
        strides[k].push_back(0);
    }
  }
};

/// Offsets of the operands at the start of a row, and their inner strides.
template <size_t N> using Offsets = std::array<int64_t, N>;

/// Calls `body(offsets, length, innerStrides)` for each row of the innermost
/// dimension of `loop`, in row-major order. Nothing is called for an empty
/// shape.
template <size_t N, typename Body>
void forEachRow(const StridedLoop<N> &loop, Body &&body) {
  const Shape &sizes = loop.sizes;
  size_t outerRank = sizes.size() - 1;
  int64_t rows = 1;
  for (int64_t size : sizes)
    if (size == 0)
      return;
  for (size_t d = 0; d < outerRank; ++d)
    rows *= sizes[d];
  Offsets<N> inner, offsets{};
  for (size_t k = 0; k < N; ++k)
    inner[k] = loop.strides[k].back();
  Shape index(outerRank, 0);
  for (int64_t row = 0; row < rows; ++row) {
    body(offsets, sizes.back(), inner);
    // Odometer increment of the outer index.
    for (size_t d = outerRank; d-- > 0;) {
      for (size_t k = 0; k < N; ++k)
        offsets[k] += loop.strides[k][d];
      if (++index[d] < sizes[d])
        break;
      for (size_t k = 0; k < N; ++k)
        offsets[k] -= loop.strides[k][d] * sizes[d];
      index[d] = 0;
    }
  }
}

} // namespace mpc::cpu::detail

#endif // MPC_RUNTIME_CPU_KERNELS_INDEXING_H
