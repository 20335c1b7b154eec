//===- CrossEntropyMath.h - the per-row maths of cross-entropy --*- C++ -*-===//
//
// The row rules of mpc.softmax_cross_entropy and its gradient, for the CPU
// reference kernels (runtime/cpu/kernels/Loss.cpp) and the CUDA kernels
// (runtime/cuda/CrossEntropy.cu): which rows are kept, which labels are
// refused, the loss from the kept rows' sum, and the gradient's scale and
// elements. As PyTorch's cross_entropy and ONNX SoftmaxCrossEntropyLoss: an
// ignored row adds nothing and has a zero gradient, the mean divides by the
// kept rows (NaN, 0/0, when there are none).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_CROSSENTROPYMATH_H
#define MPC_RUNTIME_CORE_CROSSENTROPYMATH_H

#include "HostDevice.h"
#include "LossReduction.h"

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

} // namespace mpc::xent

#endif // MPC_RUNTIME_CORE_CROSSENTROPYMATH_H
