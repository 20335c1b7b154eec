//===- Elementwise.cpp - binary, unary and activation gradients -----------===//
//
// The formulas are runtime/core/ScalarMath.h's; one template per kernel
// shape applies them, so the switch on the op happens once per call and the
// loops inline the op.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Indexing.h"

namespace mpc::cpu {

namespace {

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

/// out[i] = f(a[i * sa], b[i * sb]) for i < n, with the unit and zero
/// strides (the common cases) given loops the compiler vectorizes.
template <typename F>
void binaryRow(F f, const float *a, int64_t sa, const float *b, int64_t sb,
               float *out, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = f(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    float y = *b;
    for (int64_t i = 0; i < n; ++i)
      out[i] = f(a[i], y);
  } else if (sa == 0 && sb == 1) {
    float x = *a;
    for (int64_t i = 0; i < n; ++i)
      out[i] = f(x, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i] = f(a[i * sa], b[i * sb]);
  }
}

template <typename F>
void binaryImpl(F f, const float *a, const Shape &aShape, const float *b,
                const Shape &bShape, float *out, const Shape &outShape) {
  // Same shapes: one flat row, without building the strided walk.
  if (aShape == outShape && bShape == outShape) {
    binaryRow(f, a, 1, b, 1, out, numElements(outShape));
    return;
  }
  // Otherwise merging dimensions turns the scalar and trailing-vector cases
  // into long unit- or zero-stride rows as well.
  detail::StridedLoop<3> loop(outShape,
                              {detail::broadcastStrides(aShape, outShape),
                               detail::broadcastStrides(bShape, outShape),
                               detail::contiguousStrides(outShape)});
  detail::forEachRow(loop, [&](const detail::Offsets<3> &at, int64_t n,
                               const detail::Offsets<3> &step) {
    binaryRow(f, a + at[0], step[0], b + at[1], step[1], out + at[2], n);
  });
}

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

template <typename F>
void unaryImpl(F f, const float *in, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = f(in[i]);
}

} // namespace

// One case per row of runtime/core/ScalarMath.h's lists: the switch picks
// the op once per call, and the loop inlines its math:: formula.

void binary(BinaryOp op, const float *a, const Shape &aShape, const float *b,
            const Shape &bShape, float *out, const Shape &outShape) {
  switch (op) {
#define MPC_BINARY_CASE(Name, mnemonic, function, cuda, accuracy)              \
  case BinaryOp::Name:                                                         \
    return binaryImpl([](float x, float y) { return math::function(x, y); },   \
                      a, aShape, b, bShape, out, outShape);
    MPC_BINARY_OPS(MPC_BINARY_CASE)
#undef MPC_BINARY_CASE
  }
}

void unary(UnaryOp op, const float *in, float *out, int64_t n) {
  switch (op) {
#define MPC_UNARY_CASE(Name, mnemonic, function, cuda, accuracy)               \
  case UnaryOp::Name:                                                          \
    return unaryImpl([](float x) { return math::function(x); }, in, out, n);
    MPC_UNARY_OPS(MPC_UNARY_CASE)
#undef MPC_UNARY_CASE
  }
}

void power(const float *in, float *out, int64_t n, float exponent) {
  unaryImpl([exponent](float x) { return math::power(x, exponent); }, in, out,
            n);
}

void unaryGrad(UnaryGradOp op, const float *dy, const float *saved, float *dx,
               int64_t n) {
  switch (op) {
#define MPC_UNARY_GRAD_CASE(Name, mnemonic, function, cuda, accuracy)          \
  case UnaryGradOp::Name:                                                      \
    return binaryRow(                                                          \
        [](float dy, float saved) { return math::function(dy, saved); }, dy,   \
        1, saved, 1, dx, n);
    MPC_UNARY_GRAD_OPS(MPC_UNARY_GRAD_CASE)
#undef MPC_UNARY_GRAD_CASE
  }
}

} // namespace mpc::cpu
