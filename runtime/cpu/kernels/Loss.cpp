//===- Loss.cpp - cross-entropy and mean squared error --------------------===//

#include "runtime/core/CrossEntropyMath.h"
#include "runtime/cpu/kernels/AxisLoops.h"
#include "runtime/cpu/kernels/Kernels.h"

#include <cmath>

namespace mpc::cpu {

namespace {

/// log(sum(exp(row))) computed as max + log(sum(exp(row - max))).
float logSumExp(const float *row, int64_t length) {
  float max, sum;
  detail::maxAlongAxis(row, length, 1, &max);
  detail::sumAlongAxis(length, 1, &sum, [&](int64_t at, int64_t) {
    return std::exp(row[at] - max);
  });
  return max + std::log(sum);
}

/// The first row whose label is neither ignored nor a class, or -1.
int64_t firstBadLabel(const int64_t *labels, int64_t rows, int64_t classes,
                      int64_t ignoreIndex) {
  for (int64_t r = 0; r < rows; ++r)
    if (xent::badLabel(labels[r], classes, ignoreIndex))
      return r;
  return -1;
}

/// The number of rows whose label is not ignored.
int64_t keptRows(const int64_t *labels, int64_t rows, int64_t ignoreIndex) {
  int64_t kept = 0;
  for (int64_t r = 0; r < rows; ++r)
    kept += !xent::ignoredLabel(labels[r], ignoreIndex);
  return kept;
}

} // namespace

float softmaxCrossEntropy(const float *logits, const int64_t *labels,
                          int64_t rows, int64_t classes,
                          CrossEntropyOptions options, int64_t *badLabelRow) {
  *badLabelRow = firstBadLabel(labels, rows, classes, options.ignoreIndex);
  if (*badLabelRow >= 0)
    return 0.0f;
  // The sum over rows is accumulated in double: a batch can have many rows.
  double total = 0;
  for (int64_t r = 0; r < rows; ++r) {
    if (xent::ignoredLabel(labels[r], options.ignoreIndex))
      continue;
    const float *row = logits + r * classes;
    total += logSumExp(row, classes) - row[labels[r]];
  }
  return static_cast<float>(xent::reduceLoss(
      total, keptRows(labels, rows, options.ignoreIndex), options.reduction));
}

void softmaxCrossEntropyGrad(float dloss, const float *logits,
                             const int64_t *labels, int64_t rows,
                             int64_t classes, CrossEntropyOptions options,
                             float *dlogits, int64_t *badLabelRow) {
  *badLabelRow = firstBadLabel(labels, rows, classes, options.ignoreIndex);
  if (*badLabelRow >= 0)
    return;
  softmax(logits, dlogits, {rows, classes}, 1);
  float scale = xent::gradScale(
      dloss, keptRows(labels, rows, options.ignoreIndex), options.reduction);
  for (int64_t r = 0; r < rows; ++r) {
    float *row = dlogits + r * classes;
    for (int64_t c = 0; c < classes; ++c)
      row[c] =
          xent::gradElement(row[c], c, labels[r], options.ignoreIndex, scale);
  }
}

float mseLoss(const float *p, const float *t, int64_t n) {
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    double diff = static_cast<double>(p[i]) - t[i];
    total += diff * diff;
  }
  return static_cast<float>(total / static_cast<double>(n));
}

} // namespace mpc::cpu
