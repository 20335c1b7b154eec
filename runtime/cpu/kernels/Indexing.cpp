//===- Indexing.cpp - shapes, strides and broadcasting --------------------===//

#include "runtime/cpu/kernels/Indexing.h"

#include <algorithm>

namespace mpc::cpu {

int64_t numElements(const Shape &shape) {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

Shape broadcastShapes(const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape result(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    // Dimension i counted from the end; a missing dimension acts as 1.
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    assert((da == db || da == 1 || db == 1) && "shapes do not broadcast");
    result[rank - 1 - i] = da == 1 ? db : da;
  }
  return result;
}

namespace detail {

Shape contiguousStrides(const Shape &shape) {
  Shape strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  return strides;
}

Shape broadcastStrides(const Shape &inShape, const Shape &outShape) {
  assert(inShape.size() <= outShape.size() &&
         "cannot broadcast to a lower rank");
  Shape inStrides = contiguousStrides(inShape);
  Shape strides(outShape.size(), 0);
  size_t lead = outShape.size() - inShape.size();
  for (size_t d = 0; d < inShape.size(); ++d) {
    assert((inShape[d] == outShape[lead + d] || inShape[d] == 1) &&
           "shape does not broadcast");
    strides[lead + d] = inShape[d] == 1 ? 0 : inStrides[d];
  }
  return strides;
}

AxisView axisView(const Shape &shape, int64_t axis) {
  size_t a = static_cast<size_t>(normalizeAxis(axis, shape.size()));
  AxisView view;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (d < a)
      view.outer *= shape[d];
    else if (d > a)
      view.inner *= shape[d];
  }
  view.length = shape[a];
  return view;
}

} // namespace detail
} // namespace mpc::cpu
