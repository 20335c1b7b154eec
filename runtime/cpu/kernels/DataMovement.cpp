//===- DataMovement.cpp - broadcast, transpose, slice, concat, embedding -===//

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

/// Copies the elements of `shape` (row-major) from `in + inOffset` to
/// `out + outOffset`, each side stepping by its own strides, which may be
/// negative.
template <typename T>
void copyStrided(const T *in, int64_t inOffset, const Shape &inStrides, T *out,
                 int64_t outOffset, const Shape &outStrides,
                 const Shape &shape) {
  detail::StridedLoop<2> loop(shape, {inStrides, outStrides});
  detail::forEachRow(loop, [&](const detail::Offsets<2> &at, int64_t n,
                               const detail::Offsets<2> &step) {
    const T *x = in + inOffset + at[0];
    T *y = out + outOffset + at[1];
    for (int64_t i = 0; i < n; ++i)
      y[i * step[1]] = x[i * step[0]];
  });
}

/// The offset of the first element and the strides of a slice's view of a
/// tensor of `shape`.
int64_t sliceView(const Shape &shape, const Shape &firsts, const Shape &steps,
                  Shape &strides) {
  strides = detail::contiguousStrides(shape);
  int64_t offset = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    offset += firsts[d] * strides[d];
    strides[d] *= steps[d];
  }
  return offset;
}

template <typename T>
void sliceImpl(const T *in, const Shape &inShape, const Shape &firsts,
               const Shape &steps, T *out, const Shape &outShape) {
  Shape strides;
  int64_t offset = sliceView(inShape, firsts, steps, strides);
  copyStrided(in, offset, strides, out, 0, detail::contiguousStrides(outShape),
              outShape);
}

template <typename T>
void concatImpl(const std::vector<const T *> &inputs,
                const std::vector<Shape> &shapes, int64_t axis, T *out) {
  assert(!inputs.empty() && inputs.size() == shapes.size() && "bad concat");
  Shape outShape = shapes.front();
  outShape[axis] = 0;
  for (const Shape &shape : shapes)
    outShape[axis] += shape[axis];
  Shape outStrides = detail::contiguousStrides(outShape);
  int64_t offset = 0;
  for (size_t k = 0; k < inputs.size(); ++k) {
    copyStrided(inputs[k], 0, detail::contiguousStrides(shapes[k]), out,
                offset * outStrides[axis], outStrides, shapes[k]);
    offset += shapes[k][axis];
  }
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

void slice(const float *in, const Shape &inShape, const Shape &firsts,
           const Shape &steps, float *out, const Shape &outShape) {
  sliceImpl(in, inShape, firsts, steps, out, outShape);
}

void slice(const int64_t *in, const Shape &inShape, const Shape &firsts,
           const Shape &steps, int64_t *out, const Shape &outShape) {
  sliceImpl(in, inShape, firsts, steps, out, outShape);
}

void sliceGrad(const float *dy, const Shape &dyShape, const Shape &firsts,
               const Shape &steps, float *dx, const Shape &dxShape) {
  std::fill(dx, dx + numElements(dxShape), 0.0f);
  Shape strides;
  int64_t offset = sliceView(dxShape, firsts, steps, strides);
  copyStrided(dy, 0, detail::contiguousStrides(dyShape), dx, offset, strides,
              dyShape);
}

void concat(const std::vector<const float *> &inputs,
            const std::vector<Shape> &shapes, int64_t axis, float *out) {
  concatImpl(inputs, shapes, axis, out);
}

void concat(const std::vector<const int64_t *> &inputs,
            const std::vector<Shape> &shapes, int64_t axis, int64_t *out) {
  concatImpl(inputs, shapes, axis, out);
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
