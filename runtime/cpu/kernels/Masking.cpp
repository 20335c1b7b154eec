//===- Masking.cpp - causal mask, masked fill and where -------------------===//

#include "runtime/cpu/kernels/Indexing.h"

#include <algorithm>

namespace mpc::cpu {

void causalMask(const float *in, float *out, const Shape &shape, float value) {
  assert(shape.size() >= 2 && "causalMask needs rank >= 2");
  int64_t rows = shape[shape.size() - 2], cols = shape.back();
  int64_t matrices = rows * cols == 0 ? 0 : numElements(shape) / (rows * cols);
  for (int64_t b = 0; b < matrices; ++b) {
    for (int64_t i = 0; i < rows; ++i) {
      int64_t offset = (b * rows + i) * cols;
      // Columns 0..i keep their value, columns i+1.. are masked.
      int64_t kept = std::min(cols, i + 1);
      if (in != out)
        std::copy(in + offset, in + offset + kept, out + offset);
      std::fill(out + offset + kept, out + offset + cols, value);
    }
  }
}

void maskedFill(const float *in, const Shape &shape, const uint8_t *mask,
                const Shape &maskShape, float value, float *out) {
  Shape strides = detail::contiguousStrides(shape);
  detail::StridedLoop<2> loop(
      shape, {strides, detail::broadcastStrides(maskShape, shape)});
  detail::forEachRow(loop, [&](const detail::Offsets<2> &at, int64_t n,
                               const detail::Offsets<2> &step) {
    const float *x = in + at[0];
    float *y = out + at[0];
    const uint8_t *m = mask + at[1];
    if (step[1] == 0) {
      // One mask element for the whole row.
      if (*m)
        std::fill(y, y + n, value);
      else if (x != y)
        std::copy(x, x + n, y);
      return;
    }
    for (int64_t i = 0; i < n; ++i)
      y[i * step[0]] = m[i * step[1]] ? value : x[i * step[0]];
  });
}

void where(const uint8_t *condition, const Shape &conditionShape,
           const float *onTrue, const Shape &onTrueShape, const float *onFalse,
           const Shape &onFalseShape, float *out, const Shape &shape) {
  detail::StridedLoop<4> loop(shape,
                              {detail::contiguousStrides(shape),
                               detail::broadcastStrides(conditionShape, shape),
                               detail::broadcastStrides(onTrueShape, shape),
                               detail::broadcastStrides(onFalseShape, shape)});
  detail::forEachRow(loop, [&](const detail::Offsets<4> &at, int64_t n,
                               const detail::Offsets<4> &step) {
    float *y = out + at[0];
    const uint8_t *c = condition + at[1];
    const float *t = onTrue + at[2], *f = onFalse + at[3];
    for (int64_t i = 0; i < n; ++i)
      y[i * step[0]] = c[i * step[1]] ? t[i * step[2]] : f[i * step[3]];
  });
}

} // namespace mpc::cpu
