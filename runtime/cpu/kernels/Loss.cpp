//===- Loss.cpp - cross-entropy and mean squared error --------------------===//

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

bool validLabel(int64_t label, int64_t classes) {
  return label >= 0 && label < classes;
}

} // namespace

float softmaxCrossEntropy(const float *logits, const int64_t *labels,
                          int64_t rows, int64_t classes, int64_t *badLabelRow) {
  *badLabelRow = -1;
  for (int64_t r = 0; r < rows; ++r) {
    if (!validLabel(labels[r], classes)) {
      *badLabelRow = r;
      return 0.0f;
    }
  }
  // The mean over rows is accumulated in double: a batch can have many rows.
  double total = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = logits + r * classes;
    total += logSumExp(row, classes) - row[labels[r]];
  }
  return static_cast<float>(total / static_cast<double>(rows));
}

void softmaxCrossEntropyGrad(float dloss, const float *logits,
                             const int64_t *labels, int64_t rows,
                             int64_t classes, float *dlogits) {
  softmax(logits, dlogits, {rows, classes}, 1);
  float scale = dloss / static_cast<float>(rows);
  for (int64_t r = 0; r < rows; ++r) {
    float *row = dlogits + r * classes;
    if (validLabel(labels[r], classes))
      row[labels[r]] -= 1.0f;
    for (int64_t c = 0; c < classes; ++c)
      row[c] *= scale;
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
