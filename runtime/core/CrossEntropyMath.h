//===- CrossEntropyMath.h - the per-row maths of cross-entropy --*- C++ -*-===//
//
// The row rules of mpc.softmax_cross_entropy and its gradient, for the CPU
// reference kernels (runtime/cpu/kernels/Loss.cpp) and the CUDA kernels
// (runtime/cuda/CrossEntropy.cu): which rows are kept, which labels are
// refused, the loss from the kept rows' sum, and the gradient's scale and
// elements. As PyTorch's cross_entropy and ONNX SoftmaxCrossEntropyLoss: an
// ignored row adds nothing and has a zero gradient, the mean divides by the
// kept rows (NaN, 0/0, when there are none). Also the online softmax with
// which the CUDA kernels take a row's max and sum of exponentials in one
// pass.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_CROSSENTROPYMATH_H
#define MPC_RUNTIME_CORE_CROSSENTROPYMATH_H

#include "HostDevice.h"
#include "LossReduction.h"
#include "ScalarMath.h"

namespace mpc::xent {

/// Whether a row with `label` is skipped: its label is the ignore_index
/// (MPC_NO_IGNORE_INDEX: none is).
MPC_HD bool ignoredLabel(int64_t label, int64_t ignoreIndex) {
  return ignoreIndex != MPC_NO_IGNORE_INDEX && label == ignoreIndex;
}

/// Whether `label` is refused: neither ignored nor a class in [0, classes).
MPC_HD bool badLabel(int64_t label, int64_t classes, int64_t ignoreIndex) {
  return !ignoredLabel(label, ignoreIndex) && (label < 0 || label >= classes);
}

/// The loss from the sum of the kept rows' losses, in double: over `kept`
/// for the mean (NaN when nothing is kept), the sum itself for the sum.
MPC_HD double reduceLoss(double keptSum, int64_t kept,
                         mpc_loss_reduction reduction) {
  if (reduction == MPC_LOSS_SUM)
    return keptSum;
  return keptSum / static_cast<double>(kept);
}

/// What a kept row's (softmax - onehot) is multiplied by: the loss's
/// gradient `dloss` over the kept rows for the mean, `dloss` for the sum.
MPC_HD float gradScale(float dloss, int64_t kept,
                       mpc_loss_reduction reduction) {
  if (reduction == MPC_LOSS_SUM)
    return dloss;
  return dloss / static_cast<float>(kept);
}

/// The gradient of one logit of class `c` from its probability `p`: zero in
/// an ignored row, (p - [c == label]) * scale in a kept one.
MPC_HD float gradElement(float p, int64_t c, int64_t label, int64_t ignoreIndex,
                         float scale) {
  if (ignoredLabel(label, ignoreIndex))
    return 0.0f;
  if (c == label)
    p -= 1.0f;
  return p * scale;
}

/// Online softmax (Milakov and Gimelshein, 2018): the largest logit of a
/// row seen so far and the sum of exp(x - max) over the logits seen, so
/// that one pass over the row gives both. Partial states (per thread, per
/// warp) combine in any grouping. In exact arithmetic this is the two-pass
/// max, then sum of exp(x - max), of the CPU reference; in f32 the sum
/// differs from it by the rounding of the factors exp(old max - new max)
/// it is rescaled by. Non-finite logits give what the two-pass formula
/// gives: -inf adds nothing, NaN or +inf make the sum NaN.
struct RowStats {
  float max;
  float sum;
};

/// The state of a row before any logit: no max, an empty sum.
MPC_HD RowStats emptyRowStats() { return {-INFINITY, 0.0f}; }

/// exp(x - max), and 0 for x = -inf: a logit of -inf adds nothing, also
/// while the max is -inf (where x - max would be NaN).
MPC_HD float expBelow(float x, float max) {
  return x == -INFINITY ? 0.0f : math::exp(math::sub(x, max));
}

/// `stats` with the logit `x` added: a new maximum rescales the sum so
/// far. NaN never becomes the max (it fails the comparison) and makes the
/// sum NaN.
MPC_HD RowStats addLogit(RowStats stats, float x) {
  if (x > stats.max)
    // exp(x - x) is 1, or NaN for x = +inf as in the two-pass sum.
    return {x, math::add(math::mul(stats.sum, expBelow(stats.max, x)),
                         expBelow(x, x))};
  return {stats.max, math::add(stats.sum, expBelow(x, stats.max))};
}

/// The state of the logits of `a` and `b` together. Symmetric: every lane
/// of a butterfly reduction gets the same bits.
MPC_HD RowStats combineRowStats(RowStats a, RowStats b) {
  float max = a.max < b.max ? b.max : a.max;
  return {max, math::add(math::mul(a.sum, expBelow(a.max, max)),
                         math::mul(b.sum, expBelow(b.max, max)))};
}

/// log(sum(exp(row))) of a row's state: max + log(sum).
MPC_HD float logSumExp(RowStats stats) {
  return math::add(stats.max, math::log(stats.sum));
}

/// softmax(row)[c] of a logit `x` of the row: exp(x - max) / sum, as the
/// CPU reference's softmax computes it from its two passes.
MPC_HD float probability(float x, RowStats stats) {
  return math::div(math::exp(math::sub(x, stats.max)), stats.sum);
}

} // namespace mpc::xent

#endif // MPC_RUNTIME_CORE_CROSSENTROPYMATH_H
