//===- AttentionLayout.h - where attention's rows lie in memory -*- C++ -*-===//
//
// The operands and results of mpc.causal_attention and its gradient are
// `batch` packed groups of `heads` heads of `length` rows of `dim`
// elements, in one of two orders: head-major [batch, heads, length, dim]
// (each head's rows together) or sequence-major [batch, length, heads, dim]
// (each position's heads together, as the projections that make q, k and v
// write them, so no transpose is needed around the op). A layout is the
// two strides that tell them apart; the CPU reference kernels and the CUDA
// kernels find every row through rowOffset. The log-sum-exp is
// [batch, heads, length] in both.
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
};

/// [batch, heads, length, dim].
MPC_HD Layout headMajorLayout(int64_t batch, int64_t heads, int64_t length,
                              int64_t dim) {
  return {batch, heads, length, dim, dim, length * dim};
}

/// [batch, length, heads, dim].
MPC_HD Layout sequenceMajorLayout(int64_t batch, int64_t heads, int64_t length,
                                  int64_t dim) {
  return {batch, heads, length, dim, heads * dim, dim};
}

/// The heads of all groups: the flat head index runs over [0, headCount).
MPC_HD int64_t headCount(const Layout &layout) {
  return layout.batch * layout.heads;
}

/// Whether the strides are those of one of the two packed orders.
MPC_HD bool isPacked(const Layout &layout) {
  int64_t dim = layout.dim;
  return (layout.rowStride == dim &&
          layout.headStride == layout.length * dim) ||
         (layout.rowStride == layout.heads * dim && layout.headStride == dim);
}

/// The offset of the first element of flat head `head` (head head % heads
/// of group head / heads): the same for every row of the head, so a kernel
/// computes it once.
MPC_HD int64_t headOffset(const Layout &layout, int64_t head) {
  int64_t group = head / layout.heads, inGroup = head % layout.heads;
  return group * layout.heads * layout.length * layout.dim +
         inGroup * layout.headStride;
}

/// The offset of the first element of row `row` of flat head `head`.
MPC_HD int64_t rowOffset(const Layout &layout, int64_t head, int64_t row) {
  return headOffset(layout, head) + row * layout.rowStride;
}

/// The offset of row `row` of flat head `head` in the log-sum-exp (and in
/// any other per-row statistic): [heads, length] in both orders.
MPC_HD int64_t statOffset(const Layout &layout, int64_t head, int64_t row) {
  return head * layout.length + row;
}

} // namespace mpc::attention

#endif // MPC_RUNTIME_CORE_ATTENTIONLAYOUT_H
