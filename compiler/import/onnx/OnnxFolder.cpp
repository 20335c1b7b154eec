//===- OnnxFolder.cpp - shape arithmetic and constants at import ----------===//
//
// Exported graphs compute their reshape targets at run time (Shape, Gather,
// Unsqueeze, Concat, ...). The shapes are static once the batch size is
// bound, so those subgraphs are computed here, on int64 literals, and their
// results become attributes of the mpc ops. Data movement (Reshape,
// Concat, Slice, ...) folds literals of every kind; arithmetic folds
// integers only, so that float maths always runs where mpc rounds it
// (comparisons fold floats too: their bool results round nothing).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/OnnxNode.h"

#include "runtime/core/ScalarMath.h"
#include "runtime/core/Slicing.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <numeric>

namespace mpc::onnx_import {

namespace {

using Shape = std::vector<int64_t>;

/// The element count of `shape`, saturated at INT64_MAX (also for a
/// negative dim): shapes come from the model, so every size check compares
/// against this.
int64_t product(const Shape &shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0 || (dim > 0 && count > INT64_MAX / dim))
      return INT64_MAX;
    count *= dim;
  }
  return count;
}

Shape stridesOf(const Shape &shape) {
  Shape strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// A literal of `source`'s kind and `shape` whose elements are `source`'s at
/// `indices`.
Literal pick(const Literal &source, Shape shape,
             const std::vector<int64_t> &indices) {
  Literal result;
  result.kind = source.kind;
  result.shape = std::move(shape);
  if (source.isFloat())
    for (int64_t index : indices)
      result.floats.push_back(source.floats[index]);
  else
    for (int64_t index : indices)
      result.ints.push_back(source.ints[index]);
  return result;
}

/// The same elements under another shape.
Literal reshaped(const Literal &source, Shape shape) {
  Literal result = source;
  result.shape = std::move(shape);
  return result;
}

/// The numpy broadcast of two shapes, or none.
std::optional<Shape> broadcast(const Shape &lhs, const Shape &rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return std::nullopt;
    result[i] = std::max(l, r);
  }
  return result;
}

/// The flat index, in the source, of each element of a result of `size`
/// in row-major order: `sourceOf` maps a result position to it.
template <typename SourceOf>
std::vector<int64_t> sourceIndices(const Shape &size, SourceOf sourceOf) {
  std::vector<int64_t> indices(product(size));
  Shape position(size.size(), 0);
  for (int64_t &index : indices) {
    index = sourceOf(position);
    for (int64_t d = static_cast<int64_t>(size.size()) - 1; d >= 0; --d) {
      if (++position[d] < size[d])
        break;
      position[d] = 0;
    }
  }
  return indices;
}

/// For each element of `to`, the index of the element of `from` that
/// broadcasts onto it.
std::vector<int64_t> broadcastIndices(const Shape &from, const Shape &to) {
  Shape fromStrides = stridesOf(from);
  size_t offset = to.size() - from.size();
  return sourceIndices(to, [&](const Shape &position) {
    int64_t source = 0;
    for (size_t d = offset; d < to.size(); ++d)
      if (from[d - offset] != 1)
        source += position[d] * fromStrides[d - offset];
    return source;
  });
}

/// Rounds `value` to what `kind` holds.
double roundTo(ElementKind kind, double value) {
  switch (kind) {
  case ElementKind::F32:
    return static_cast<float>(value);
  case ElementKind::F16:
    return math::halfBitsToFloat(
        math::floatToHalfBits(static_cast<float>(value)));
  case ElementKind::BF16:
    return math::floatOf(
        uint32_t(math::floatToBFloat16Bits(static_cast<float>(value))) << 16);
  case ElementKind::F64:
    return value;
  case ElementKind::I64:
    return std::trunc(value);
  case ElementKind::I32:
    return static_cast<double>(static_cast<int32_t>(std::trunc(value)));
  case ElementKind::I1:
    return value != 0;
  }
  return value;
}

class Folder {
public:
  Folder(NodeContext &node, std::vector<Literal> &outputs)
      : node(node), outputs(outputs) {}

  bool run();

private:
  /// Input `index` when it is a literal (and present), else null.
  const Literal *in(size_t index) { return node.literal(index); }
  /// Whether every present input is a literal.
  bool allLiteral() {
    for (size_t i = 0; i < node.numInputs(); ++i)
      if (node.hasInput(i) && !node.literal(i))
        return false;
    return true;
  }
  /// Records a result no larger than kMaxFoldedElements whose values fill
  /// its shape (a shape whose element count overflows never does).
  bool emit(Literal literal) {
    int64_t count = 1;
    for (int64_t dim : literal.shape) {
      if (dim < 0 || (dim > 0 && count > kMaxFoldedElements / dim))
        return false;
      count *= dim;
    }
    size_t held =
        literal.isFloat() ? literal.floats.size() : literal.ints.size();
    if (static_cast<size_t>(count) != held)
      return false;
    outputs.push_back(std::move(literal));
    return true;
  }
  static Literal ints(Shape shape, std::vector<int64_t> values) {
    Literal literal;
    literal.kind = ElementKind::I64;
    literal.shape = std::move(shape);
    literal.ints = std::move(values);
    return literal;
  }
  /// The integer list held by input `index` (rank <= 1), or none.
  std::optional<std::vector<int64_t>> intList(size_t index) {
    const Literal *literal = in(index);
    if (!literal || literal->isFloat() || literal->shape.size() > 1)
      return std::nullopt;
    return literal->ints;
  }

  bool constant();
  bool shape();
  bool cast();
  bool unsqueeze();
  bool squeeze();
  bool reshape();
  bool flatten();
  bool concat();
  bool slice();
  bool gather();
  bool transpose();
  bool expand();
  bool binary(const std::function<std::optional<int64_t>(int64_t, int64_t)> &fn,
              bool boolResult);
  /// The broadcast shape of inputs 0 and 1 and, per result element, the
  /// element of each; none when they do not broadcast or it is too large.
  struct BroadcastPairs {
    Shape shape;
    std::vector<int64_t> left, right;
  };
  std::optional<BroadcastPairs> broadcastPairs();
  /// Equal, Less, Greater: on floats too, as a bool result rounds nothing
  /// (the exported `mask == 0` of a float mask buffer).
  template <typename Compare> bool compare(Compare fn);
  bool where();
  bool constantOfShape();
  bool range();
  bool trilu();

  NodeContext &node;
  std::vector<Literal> &outputs;
};

bool Folder::run() {
  llvm::StringRef op = node.opType();
  if (op == "Constant")
    return constant();
  if (op == "Shape" || op == "Size")
    return node.hasInput(0) && shape();
  if (!allLiteral() || !node.hasInput(0))
    return false;
  if (op == "Identity")
    return emit(*in(0));
  if (op == "Cast")
    return cast();
  if (op == "Unsqueeze")
    return unsqueeze();
  if (op == "Squeeze")
    return squeeze();
  if (op == "Reshape")
    return reshape();
  if (op == "Flatten")
    return flatten();
  if (op == "Concat")
    return concat();
  if (op == "Slice")
    return slice();
  if (op == "Gather")
    return gather();
  if (op == "Transpose")
    return transpose();
  if (op == "Expand")
    return expand();
  if (op == "Where")
    return where();
  if (op == "ConstantOfShape")
    return constantOfShape();
  if (op == "Range")
    return range();
  if (op == "Trilu")
    return trilu();
  using Result = std::optional<int64_t>;
  if (op == "Add")
    return binary([](int64_t a, int64_t b) -> Result { return a + b; }, false);
  if (op == "Sub")
    return binary([](int64_t a, int64_t b) -> Result { return a - b; }, false);
  if (op == "Mul")
    return binary([](int64_t a, int64_t b) -> Result { return a * b; }, false);
  if (op == "Div")
    return binary(
        [](int64_t a, int64_t b) -> Result {
          if (b == 0)
            return std::nullopt;
          return a / b;
        },
        false);
  if (op == "Equal")
    return compare([](auto a, auto b) { return a == b; });
  if (op == "Less")
    return compare([](auto a, auto b) { return a < b; });
  if (op == "Greater")
    return compare([](auto a, auto b) { return a > b; });
  if (op == "Neg" && !in(0)->isFloat()) {
    Literal result = *in(0);
    for (int64_t &value : result.ints)
      value = -value;
    return emit(result);
  }
  return false;
}

bool Folder::constant() {
  const onnx::AttributeProto *attribute = nullptr;
  for (const char *name :
       {"value", "value_float", "value_floats", "value_int", "value_ints"})
    if ((attribute = node.attribute(name)))
      break;
  if (!attribute)
    return false;
  Literal literal;
  std::string problem;
  if (attribute->name() == "value") {
    if (!attribute->has_t() ||
        !literalFromTensor(attribute->t(), literal, problem))
      return false;
  } else if (attribute->name() == "value_float") {
    literal.kind = ElementKind::F32;
    literal.floats = {attribute->f()};
  } else if (attribute->name() == "value_floats") {
    literal.kind = ElementKind::F32;
    literal.shape = {attribute->floats_size()};
    literal.floats.assign(attribute->floats().begin(),
                          attribute->floats().end());
  } else if (attribute->name() == "value_int") {
    literal = ints({}, {attribute->i()});
  } else {
    literal = ints({attribute->ints_size()},
                   {attribute->ints().begin(), attribute->ints().end()});
  }
  outputs.push_back(std::move(literal));
  return true;
}

bool Folder::shape() {
  Shape dims = node.type(0).getShape().vec();
  if (node.opType() == "Size")
    return emit(ints({}, {product(dims)}));
  int64_t rank = static_cast<int64_t>(dims.size());
  int64_t start = node.intAttr("start", 0), end = node.intAttr("end", rank);
  auto clampAxis = [&](int64_t axis) {
    if (axis < 0)
      axis += rank;
    return std::clamp<int64_t>(axis, 0, rank);
  };
  start = clampAxis(start);
  end = clampAxis(end);
  end = std::max(start, end);
  return emit(
      ints({end - start}, Shape(dims.begin() + start, dims.begin() + end)));
}

bool Folder::cast() {
  std::string problem;
  ElementKind kind;
  if (!elementKindOf(static_cast<int>(node.intAttr("to", 0)), kind, problem))
    return false;
  const Literal &source = *in(0);
  Literal result;
  result.kind = kind;
  result.shape = source.shape;
  bool toFloat = result.isFloat();
  for (int64_t i = 0, e = source.numElements(); i < e; ++i) {
    double value = roundTo(kind, source.valueAt(i));
    if (!toFloat && source.isFloat() && !(std::abs(source.valueAt(i)) < 9.2e18))
      return false; // NaN, infinity or out of range: no defined integer.
    if (toFloat)
      result.floats.push_back(value);
    else
      result.ints.push_back(static_cast<int64_t>(value));
  }
  return emit(result);
}

bool Folder::unsqueeze() {
  auto axes = intList(1);
  if (!axes)
    return false;
  Shape shape = in(0)->shape;
  int64_t rank = static_cast<int64_t>(shape.size() + axes->size());
  std::vector<int64_t> normalized;
  for (int64_t axis : *axes) {
    if (!normalizeAxis(axis, rank))
      return false;
    normalized.push_back(axis);
  }
  llvm::sort(normalized);
  if (std::adjacent_find(normalized.begin(), normalized.end()) !=
      normalized.end())
    return false;
  for (int64_t axis : normalized)
    shape.insert(shape.begin() + axis, 1);
  return emit(reshaped(*in(0), shape));
}

bool Folder::squeeze() {
  const Shape &shape = in(0)->shape;
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<bool> drop(rank, false);
  if (node.hasInput(1)) {
    auto axes = intList(1);
    if (!axes)
      return false;
    for (int64_t axis : *axes) {
      if (!normalizeAxis(axis, rank) || shape[axis] != 1)
        return false;
      drop[axis] = true;
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = shape[d] == 1;
  }
  Shape result;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      result.push_back(shape[d]);
  return emit(reshaped(*in(0), result));
}

bool Folder::reshape() {
  auto target = intList(1);
  if (!target)
    return false;
  const Shape &shape = in(0)->shape;
  bool allowZero = node.intAttr("allowzero", 0) != 0;
  Shape result;
  int64_t inferred = -1, known = 1;
  for (size_t i = 0; i < target->size(); ++i) {
    int64_t dim = (*target)[i];
    if (dim == 0 && !allowZero) {
      if (i >= shape.size())
        return false;
      dim = shape[i];
    }
    if (dim == -1) {
      if (inferred >= 0)
        return false;
      inferred = static_cast<int64_t>(i);
      dim = 1;
    } else if (dim <= 0) {
      return false;
    }
    known *= dim;
    result.push_back(dim);
  }
  int64_t count = product(shape);
  if (inferred >= 0) {
    if (count % known != 0)
      return false;
    result[inferred] = count / known;
  }
  if (product(result) != count)
    return false;
  return emit(reshaped(*in(0), result));
}

bool Folder::flatten() {
  const Shape &shape = in(0)->shape;
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t axis = node.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return false;
  Shape outer(shape.begin(), shape.begin() + axis);
  Shape inner(shape.begin() + axis, shape.end());
  return emit(reshaped(*in(0), {product(outer), product(inner)}));
}

bool Folder::concat() {
  const Literal &first = *in(0);
  int64_t rank = static_cast<int64_t>(first.shape.size());
  int64_t axis = node.intAttr("axis", 0);
  if (rank == 0 || !normalizeAxis(axis, rank))
    return false;
  Shape shape = first.shape;
  shape[axis] = 0;
  for (size_t i = 0; i < node.numInputs(); ++i) {
    const Literal *part = in(i);
    if (!part || part->kind != first.kind ||
        part->shape.size() != first.shape.size())
      return false;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && part->shape[d] != first.shape[d])
        return false;
    shape[axis] += part->shape[axis];
  }
  Literal result;
  result.kind = first.kind;
  result.shape = shape;
  int64_t outer = product(Shape(shape.begin(), shape.begin() + axis));
  for (int64_t o = 0; o < outer; ++o)
    for (size_t i = 0; i < node.numInputs(); ++i) {
      const Literal &part = *in(i);
      int64_t block =
          product(Shape(part.shape.begin() + axis, part.shape.end()));
      for (int64_t k = 0; k < block; ++k) {
        if (part.isFloat())
          result.floats.push_back(part.floats[o * block + k]);
        else
          result.ints.push_back(part.ints[o * block + k]);
      }
    }
  return emit(result);
}

bool Folder::slice() {
  const Shape &shape = in(0)->shape;
  int64_t rank = static_cast<int64_t>(shape.size());
  auto starts = intList(1), ends = intList(2);
  if (!starts || !ends || starts->size() != ends->size())
    return false;
  std::vector<int64_t> axes(starts->size()), steps(starts->size(), 1);
  std::iota(axes.begin(), axes.end(), 0);
  if (node.hasInput(3)) {
    auto given = intList(3);
    if (!given || given->size() != starts->size())
      return false;
    axes = *given;
  }
  if (node.hasInput(4)) {
    auto given = intList(4);
    if (!given || given->size() != starts->size())
      return false;
    steps = *given;
  }
  Shape begin(rank, 0), step(rank, 1), size = shape;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i];
    if (!normalizeAxis(axis, rank) || steps[i] == 0 ||
        steps[i] == std::numeric_limits<int64_t>::min())
      return false;
    slicing::AxisRange range = slicing::clampAxisRange(
        shape[axis], (*starts)[i], (*ends)[i], steps[i]);
    size[axis] = range.size;
    begin[axis] = range.start;
    step[axis] = range.step;
  }
  if (product(size) > kMaxFoldedElements)
    return false;
  Shape strides = stridesOf(shape);
  std::vector<int64_t> indices = sourceIndices(size, [&](const Shape &at) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += (begin[d] + at[d] * step[d]) * strides[d];
    return source;
  });
  return emit(pick(*in(0), size, indices));
}

bool Folder::gather() {
  const Literal &data = *in(0), &index = *in(1);
  if (index.isFloat())
    return false;
  int64_t rank = static_cast<int64_t>(data.shape.size());
  int64_t axis = node.intAttr("axis", 0);
  if (rank == 0 || !normalizeAxis(axis, rank))
    return false;
  int64_t dim = data.shape[axis];
  Shape shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), index.shape.begin(), index.shape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  if (product(shape) > kMaxFoldedElements)
    return false;
  int64_t outer = product(Shape(data.shape.begin(), data.shape.begin() + axis));
  int64_t inner =
      product(Shape(data.shape.begin() + axis + 1, data.shape.end()));
  std::vector<int64_t> indices;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : index.ints) {
      if (i < -dim || i >= dim)
        return false;
      if (i < 0)
        i += dim;
      for (int64_t k = 0; k < inner; ++k)
        indices.push_back((o * dim + i) * inner + k);
    }
  return emit(pick(data, shape, indices));
}

bool Folder::transpose() {
  const Shape &shape = in(0)->shape;
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> perm(rank);
  std::iota(perm.rbegin(), perm.rend(), 0);
  if (auto given = node.intsAttr("perm"))
    perm = *given;
  std::vector<int64_t> sorted = perm;
  llvm::sort(sorted);
  for (int64_t d = 0; d < rank; ++d)
    if (static_cast<int64_t>(sorted.size()) != rank || sorted[d] != d)
      return false;
  Shape result(rank);
  for (int64_t d = 0; d < rank; ++d)
    result[d] = shape[perm[d]];
  Shape strides = stridesOf(shape);
  std::vector<int64_t> indices = sourceIndices(result, [&](const Shape &at) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += at[d] * strides[perm[d]];
    return source;
  });
  return emit(pick(*in(0), result, indices));
}

bool Folder::expand() {
  auto target = intList(1);
  if (!target)
    return false;
  auto shape = broadcast(in(0)->shape, *target);
  if (!shape || product(*shape) > kMaxFoldedElements)
    return false;
  return emit(pick(*in(0), *shape, broadcastIndices(in(0)->shape, *shape)));
}

std::optional<Folder::BroadcastPairs> Folder::broadcastPairs() {
  const Literal &lhs = *in(0), &rhs = *in(1);
  auto shape = broadcast(lhs.shape, rhs.shape);
  if (!shape || product(*shape) > kMaxFoldedElements)
    return std::nullopt;
  return BroadcastPairs{*shape, broadcastIndices(lhs.shape, *shape),
                        broadcastIndices(rhs.shape, *shape)};
}

bool Folder::binary(
    const std::function<std::optional<int64_t>(int64_t, int64_t)> &fn,
    bool boolResult) {
  const Literal &lhs = *in(0), &rhs = *in(1);
  if (lhs.isFloat() || rhs.isFloat() || lhs.kind != rhs.kind)
    return false;
  auto pairs = broadcastPairs();
  if (!pairs)
    return false;
  Literal result;
  result.kind = boolResult ? ElementKind::I1 : lhs.kind;
  result.shape = pairs->shape;
  for (size_t i = 0; i < pairs->left.size(); ++i) {
    auto value = fn(lhs.ints[pairs->left[i]], rhs.ints[pairs->right[i]]);
    if (!value)
      return false;
    result.ints.push_back(static_cast<int64_t>(
        roundTo(result.kind, static_cast<double>(*value))));
    if (result.kind == ElementKind::I64)
      result.ints.back() = *value;
  }
  return emit(result);
}

template <typename Compare> bool Folder::compare(Compare fn) {
  const Literal &lhs = *in(0), &rhs = *in(1);
  if (!lhs.isFloat() && !rhs.isFloat())
    return binary([&](int64_t a,
                      int64_t b) -> std::optional<int64_t> { return fn(a, b); },
                  true);
  if (!lhs.isFloat() || !rhs.isFloat() || lhs.kind != rhs.kind)
    return false;
  auto pairs = broadcastPairs();
  if (!pairs)
    return false;
  Literal result;
  result.kind = ElementKind::I1;
  result.shape = pairs->shape;
  for (size_t i = 0; i < pairs->left.size(); ++i)
    result.ints.push_back(
        fn(lhs.valueAt(pairs->left[i]), rhs.valueAt(pairs->right[i])) ? 1 : 0);
  return emit(result);
}

bool Folder::where() {
  const Literal &condition = *in(0), &onTrue = *in(1), &onFalse = *in(2);
  if (condition.kind != ElementKind::I1 || onTrue.kind != onFalse.kind)
    return false;
  auto shape = broadcast(condition.shape, onTrue.shape);
  if (shape)
    shape = broadcast(*shape, onFalse.shape);
  if (!shape || product(*shape) > kMaxFoldedElements)
    return false;
  std::vector<int64_t> c = broadcastIndices(condition.shape, *shape);
  std::vector<int64_t> t = broadcastIndices(onTrue.shape, *shape);
  std::vector<int64_t> f = broadcastIndices(onFalse.shape, *shape);
  Literal result;
  result.kind = onTrue.kind;
  result.shape = *shape;
  for (size_t i = 0; i < c.size(); ++i) {
    bool choose = condition.ints[c[i]] != 0;
    if (result.isFloat())
      result.floats.push_back(choose ? onTrue.floats[t[i]]
                                     : onFalse.floats[f[i]]);
    else
      result.ints.push_back(choose ? onTrue.ints[t[i]] : onFalse.ints[f[i]]);
  }
  return emit(result);
}

bool Folder::constantOfShape() {
  auto shape = intList(0);
  if (!shape)
    return false;
  for (int64_t dim : *shape)
    if (dim <= 0 || dim > kMaxFoldedElements)
      return false;
  Literal fill;
  fill.kind = ElementKind::F32;
  fill.floats = {0.0};
  if (const onnx::AttributeProto *value = node.attribute("value")) {
    std::string problem;
    if (!value->has_t() || !literalFromTensor(value->t(), fill, problem) ||
        fill.numElements() != 1)
      return false;
  }
  if (product(*shape) > kMaxFoldedElements)
    return false;
  return emit(pick(fill, *shape, std::vector<int64_t>(product(*shape), 0)));
}

bool Folder::range() {
  const Literal &start = *in(0), &limit = *in(1), &delta = *in(2);
  if (start.isFloat() || start.kind != limit.kind || start.kind != delta.kind ||
      start.numElements() != 1 || limit.numElements() != 1 ||
      delta.numElements() != 1 || delta.ints[0] == 0)
    return false;
  int64_t first = start.ints[0], last = limit.ints[0], step = delta.ints[0];
  int64_t count =
      std::max<int64_t>((last - first + step + (step > 0 ? -1 : 1)) / step, 0);
  if (count == 0 || count > kMaxFoldedElements)
    return false;
  Literal result;
  result.kind = start.kind;
  result.shape = {count};
  for (int64_t i = 0; i < count; ++i)
    result.ints.push_back(first + i * step);
  return emit(result);
}

bool Folder::trilu() {
  const Literal &input = *in(0);
  int64_t rank = static_cast<int64_t>(input.shape.size());
  if (rank < 2)
    return false;
  int64_t k = 0;
  if (node.hasInput(1)) {
    const Literal *given = in(1);
    if (given->isFloat() || given->numElements() != 1)
      return false;
    k = given->ints[0];
  }
  bool upper = node.intAttr("upper", 1) != 0;
  int64_t rows = input.shape[rank - 2], columns = input.shape[rank - 1];
  Literal result = input;
  for (int64_t index = 0, e = input.numElements(); index < e; ++index) {
    int64_t column = index % columns, row = (index / columns) % rows;
    bool keep = upper ? column - row >= k : column - row <= k;
    if (keep)
      continue;
    if (result.isFloat())
      result.floats[index] = 0;
    else
      result.ints[index] = 0;
  }
  return emit(result);
}

} // namespace

bool foldNode(NodeContext &node, std::vector<Literal> &outputs) {
  std::vector<Literal> folded;
  if (!Folder(node, folded).run())
    return false;
  outputs = std::move(folded);
  return true;
}

std::vector<std::string> foldedOpTypes() {
  std::vector<std::string> types = {
      "Add",     "Cast",     "Concat",    "Constant", "ConstantOfShape",
      "Div",     "Equal",    "Expand",    "Flatten",  "Gather",
      "Greater", "Identity", "Less",      "Mul",      "Neg",
      "Range",   "Reshape",  "Shape",     "Size",     "Slice",
      "Squeeze", "Sub",      "Transpose", "Trilu",    "Unsqueeze",
      "Where"};
  llvm::sort(types);
  return types;
}

} // namespace mpc::onnx_import
