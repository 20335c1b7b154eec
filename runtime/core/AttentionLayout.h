//===- AttentionLayout.h - where attention's rows lie in memory -*- C++ -*-===//
//
// The operands and results of mpc.causal_attention and its gradient are
// `batch` packed groups of `heads` heads of `length` rows of `dim`
// elements, in one of two orders: head-major [batch, heads, length, dim]
// (each head's rows together) or sequence-major [batch, length, heads, dim]
// (each position's heads together, as the projections that make q, k and v
// write them, so no transpose is needed around the op). Sequence-major rows
// may lie further apart than heads * dim: q, k and v packed in one
// [batch, length, 3, heads, dim] tensor, as one projection GEMM writes
// them, are each sequence-major with rows 3 * heads * dim apart. A layout
// is the three strides that tell these apart; the CPU reference kernels
// and the CUDA kernels find every row through rowOffset. The log-sum-exp
// is [batch, heads, length] in all of them.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_ATTENTIONLAYOUT_H
#define MPC_RUNTIME_CORE_ATTENTIONLAYOUT_H

#include "HostDevice.h"

#include <stdint.h>

namespace mpc::attention {

/// `batch` groups of `heads` heads of [length, dim]: row `i` of head `h` of
/// a group starts at h * headStride + i * rowStride in the group.
struct Layout {
  int64_t batch, heads, length, dim;
  /// Elements between consecutive positions of a head.
  int64_t rowStride;
  /// Elements between consecutive heads of a group.
  int64_t headStride;
  /// Elements between consecutive groups.
  int64_t groupStride;
};

/// [batch, heads, length, dim].
MPC_HD Layout headMajorLayout(int64_t batch, int64_t heads, int64_t length,
                              int64_t dim) {
  return {batch, heads, length, dim, dim, length * dim, heads * length * dim};
}

/// [batch, length, heads, dim] with positions `rowStride` >= heads * dim
/// elements apart.
MPC_HD Layout sequenceMajorLayout(int64_t batch, int64_t heads, int64_t length,
                                  int64_t dim, int64_t rowStride) {
  return {batch, heads, length, dim, rowStride, dim, length * rowStride};
}

/// [batch, length, heads, dim].
MPC_HD Layout sequenceMajorLayout(int64_t batch, int64_t heads, int64_t length,
                                  int64_t dim) {
  return sequenceMajorLayout(batch, heads, length, dim, heads * dim);
}

/// q, k or v (or the gradient of one) in a packed
/// [batch, length, 3, heads, dim] tensor.
MPC_HD Layout packedQkvLayout(int64_t batch, int64_t heads, int64_t length,
                              int64_t dim) {
  return sequenceMajorLayout(batch, heads, length, dim, 3 * heads * dim);
}

/// The offset of k (`part` 1) or v (`part` 2) from q (0) in a packed
/// [batch, length, 3, heads, dim] tensor.
MPC_HD int64_t packedQkvPartOffset(const Layout &layout, int part) {
  return part * layout.heads * layout.dim;
}

/// `layout` with its positions `rowStride` elements apart (and its groups
/// `length` positions apart): a sequence-major layout's rows moved apart,
/// as q, k and v are beside their packed result. Unsupported for a
/// head-major layout but when `rowStride` is its own.
MPC_HD Layout withRowStride(const Layout &layout, int64_t rowStride) {
  if (rowStride == layout.rowStride)
    return layout;
  Layout wider = layout;
  wider.rowStride = rowStride;
  wider.groupStride = layout.length * rowStride;
  return wider;
}

/// The heads of all groups: the flat head index runs over [0, headCount).
MPC_HD int64_t headCount(const Layout &layout) {
  return layout.batch * layout.heads;
}

/// Whether the strides are those of one of the orders: head-major, or
/// sequence-major with rows at least heads * dim apart.
MPC_HD bool isSupported(const Layout &layout) {
  int64_t dim = layout.dim;
  bool headMajor = layout.rowStride == dim &&
                   layout.headStride == layout.length * dim &&
                   layout.groupStride == layout.heads * layout.length * dim;
  bool sequenceMajor = layout.headStride == dim &&
                       layout.rowStride >= layout.heads * dim &&
                       layout.groupStride == layout.length * layout.rowStride;
  return headMajor || sequenceMajor;
}

/// The offset of the first element of flat head `head` (head head % heads
/// of group head / heads): the same for every row of the head, so a kernel
/// computes it once.
MPC_HD int64_t headOffset(const Layout &layout, int64_t head) {
  int64_t group = head / layout.heads, inGroup = head % layout.heads;
  return group * layout.groupStride + inGroup * layout.headStride;
}

/// The offset of the first element of row `row` of flat head `head`.
MPC_HD int64_t rowOffset(const Layout &layout, int64_t head, int64_t row) {
  return headOffset(layout, head) + row * layout.rowStride;
}

/// The offset of row `row` of flat head `head` in the log-sum-exp (and in
/// any other per-row statistic): [heads, length] in every order.
MPC_HD int64_t statOffset(const Layout &layout, int64_t head, int64_t row) {
  return head * layout.length + row;
}

} // namespace mpc::attention

#endif // MPC_RUNTIME_CORE_ATTENTIONLAYOUT_H
