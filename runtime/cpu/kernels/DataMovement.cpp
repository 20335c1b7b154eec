//===- DataMovement.cpp - broadcast, transpose and embedding --------------===//

#include "runtime/cpu/kernels/Indexing.h"

#include <algorithm>
#include <cstring>

namespace mpc::cpu {

namespace {

/// Writes `out` (contiguous, `outShape`) in row-major order from `in` read
/// through `inStrides` (one per output dimension).
template <typename T>
void gather(const T *in, const Shape &inStrides, T *out,
            const Shape &outShape) {
  detail::StridedLoop<2> loop(outShape,
                              {inStrides, detail::contiguousStrides(outShape)});
  detail::forEachRow(loop, [&](const detail::Offsets<2> &at, int64_t n,
                               const detail::Offsets<2> &step) {
    const T *x = in + at[0];
    T *y = out + at[1];
    if (step[0] == 1)
      std::copy(x, x + n, y);
    else if (step[0] == 0)
      std::fill(y, y + n, *x);
    else
      for (int64_t i = 0; i < n; ++i)
        y[i] = x[i * step[0]];
  });
}

template <typename T>
void transposeImpl(const T *in, const Shape &inShape,
                   const std::vector<int64_t> &permutation, T *out) {
  assert(permutation.size() == inShape.size() && "bad permutation");
  Shape inStrides = detail::contiguousStrides(inShape);
  Shape outShape(inShape.size()), strides(inShape.size());
  for (size_t i = 0; i < permutation.size(); ++i) {
    outShape[i] = inShape[permutation[i]];
    strides[i] = inStrides[permutation[i]];
  }
  gather(in, strides, out, outShape);
}

} // namespace

void broadcastTo(const float *in, const Shape &inShape, float *out,
                 const Shape &outShape) {
  gather(in, detail::broadcastStrides(inShape, outShape), out, outShape);
}

void transpose(const float *in, const Shape &inShape,
               const std::vector<int64_t> &permutation, float *out) {
  transposeImpl(in, inShape, permutation, out);
}

void transpose(const int64_t *in, const Shape &inShape,
               const std::vector<int64_t> &permutation, int64_t *out) {
  transposeImpl(in, inShape, permutation, out);
}

int64_t embedding(const int64_t *ids, int64_t numIds, const float *table,
                  int64_t rows, int64_t dim, float *out) {
  for (int64_t i = 0; i < numIds; ++i) {
    int64_t id = ids[i];
    if (id < 0 || id >= rows)
      return i;
    std::copy(table + id * dim, table + (id + 1) * dim, out + i * dim);
  }
  return -1;
}

void embeddingGrad(const float *dy, const int64_t *ids, int64_t numIds,
                   int64_t rows, int64_t dim, float *dtable) {
  std::fill(dtable, dtable + rows * dim, 0.0f);
  for (int64_t i = 0; i < numIds; ++i) {
    int64_t id = ids[i];
    if (id < 0 || id >= rows)
      continue;
    float *row = dtable + id * dim;
    const float *grad = dy + i * dim;
    for (int64_t c = 0; c < dim; ++c)
      row[c] += grad[c];
  }
}

} // namespace mpc::cpu
