//===- Reduction.cpp - sums, means and finiteness -------------------------===//
//
// A reduction walks the input in row-major order and adds each element into
// the output it reduces to (stride 0 along reduced axes). For every output
// that is a sequential f32 sum in increasing input index order, whatever the
// axes.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Indexing.h"

#include <algorithm>
#include <cmath>

namespace mpc::cpu {

void reduceSum(const float *in, const Shape &inShape,
               const std::vector<int64_t> &axes, float *out) {
  // The output's strides seen from the input: 0 on reduced axes.
  Shape outStrides(inShape.size(), 0);
  int64_t stride = 1;
  for (size_t d = inShape.size(); d-- > 0;) {
    bool reduced =
        std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(d));
    if (!reduced) {
      outStrides[d] = stride;
      stride *= inShape[d];
    }
  }
  std::fill(out, out + stride, 0.0f);
  detail::StridedLoop<2> loop(inShape,
                              {detail::contiguousStrides(inShape), outStrides});
  detail::forEachRow(loop, [&](const detail::Offsets<2> &at, int64_t n,
                               const detail::Offsets<2> &step) {
    // The input is contiguous, so its rows are; an output row is either one
    // element (the innermost axis is reduced) or contiguous too.
    assert(n == 1 || (step[0] == 1 && (step[1] == 0 || step[1] == 1)));
    const float *x = in + at[0];
    float *y = out + at[1];
    if (step[1] == 0) {
      float sum = *y;
      for (int64_t i = 0; i < n; ++i)
        sum += x[i];
      *y = sum;
    } else {
      for (int64_t i = 0; i < n; ++i)
        y[i] += x[i];
    }
  });
}

void reduceMean(const float *in, const Shape &inShape,
                const std::vector<int64_t> &axes, float *out) {
  reduceSum(in, inShape, axes, out);
  int64_t count = 1, outputs = 1;
  for (size_t d = 0; d < inShape.size(); ++d) {
    if (std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(d)))
      count *= inShape[d];
    else
      outputs *= inShape[d];
  }
  auto divisor = static_cast<float>(count);
  for (int64_t i = 0; i < outputs; ++i)
    out[i] /= divisor;
}

bool allFinite(const float *data, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(data[i]))
      return false;
  return true;
}

} // namespace mpc::cpu
