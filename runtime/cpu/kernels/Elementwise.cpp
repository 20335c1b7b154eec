//===- Elementwise.cpp - binary, unary and activation gradients -----------===//
//
// Each op is a small functor; one template per kernel shape applies it, so
// the switch on the op happens once per call and the loops inline the op.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Indexing.h"

#include <cmath>

namespace mpc::cpu {

namespace {

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

struct AddFn {
  float operator()(float x, float y) const { return x + y; }
};
struct SubFn {
  float operator()(float x, float y) const { return x - y; }
};
struct MulFn {
  float operator()(float x, float y) const { return x * y; }
};
struct DivFn {
  float operator()(float x, float y) const { return x / y; }
};

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

// sqrt(2 / pi) and the cubic coefficient of the tanh approximation of gelu.
constexpr float kGeluScale = 0.7978845608028654f;
constexpr float kGeluCubic = 0.044715f;

struct ReluFn {
  // NaN fails `x > 0` but must propagate.
  float operator()(float x) const { return x > 0.0f || x != x ? x : 0.0f; }
};
struct GeluFn {
  float operator()(float x) const {
    float inner = kGeluScale * (x + kGeluCubic * x * x * x);
    return 0.5f * x * (1.0f + std::tanh(inner));
  }
};
struct TanhFn {
  float operator()(float x) const { return std::tanh(x); }
};
struct SigmoidFn {
  float operator()(float x) const { return 1.0f / (1.0f + std::exp(-x)); }
};
struct ExpFn {
  float operator()(float x) const { return std::exp(x); }
};
struct LogFn {
  float operator()(float x) const { return std::log(x); }
};
struct SqrtFn {
  float operator()(float x) const { return std::sqrt(x); }
};
struct RsqrtFn {
  float operator()(float x) const { return 1.0f / std::sqrt(x); }
};

template <typename F>
void unaryImpl(F f, const float *in, float *out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = f(in[i]);
}

//===----------------------------------------------------------------------===//
// Activation gradients: f(dy, saved) -> dx
//===----------------------------------------------------------------------===//

struct ReluGradFn {
  float operator()(float dy, float x) const { return x > 0.0f ? dy : 0.0f; }
};
struct GeluGradFn {
  float operator()(float dy, float x) const {
    // gelu = 0.5 x (1 + t), t = tanh(u), u = s (x + c x^3):
    // gelu' = 0.5 (1 + t) + 0.5 x (1 - t^2) s (1 + 3 c x^2).
    float x2 = x * x;
    float t = std::tanh(kGeluScale * (x + kGeluCubic * x2 * x));
    float du = kGeluScale * (1.0f + 3.0f * kGeluCubic * x2);
    return dy * (0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du);
  }
};
struct TanhGradFn {
  float operator()(float dy, float y) const { return dy * (1.0f - y * y); }
};
struct SigmoidGradFn {
  float operator()(float dy, float y) const { return dy * y * (1.0f - y); }
};

} // namespace

void binary(BinaryOp op, const float *a, const Shape &aShape, const float *b,
            const Shape &bShape, float *out, const Shape &outShape) {
  switch (op) {
  case BinaryOp::Add:
    return binaryImpl(AddFn(), a, aShape, b, bShape, out, outShape);
  case BinaryOp::Sub:
    return binaryImpl(SubFn(), a, aShape, b, bShape, out, outShape);
  case BinaryOp::Mul:
    return binaryImpl(MulFn(), a, aShape, b, bShape, out, outShape);
  case BinaryOp::Div:
    return binaryImpl(DivFn(), a, aShape, b, bShape, out, outShape);
  }
}

void unary(UnaryOp op, const float *in, float *out, int64_t n) {
  switch (op) {
  case UnaryOp::Relu:
    return unaryImpl(ReluFn(), in, out, n);
  case UnaryOp::Gelu:
    return unaryImpl(GeluFn(), in, out, n);
  case UnaryOp::Tanh:
    return unaryImpl(TanhFn(), in, out, n);
  case UnaryOp::Sigmoid:
    return unaryImpl(SigmoidFn(), in, out, n);
  case UnaryOp::Exp:
    return unaryImpl(ExpFn(), in, out, n);
  case UnaryOp::Log:
    return unaryImpl(LogFn(), in, out, n);
  case UnaryOp::Sqrt:
    return unaryImpl(SqrtFn(), in, out, n);
  case UnaryOp::Rsqrt:
    return unaryImpl(RsqrtFn(), in, out, n);
  }
}

void unaryGrad(UnaryGradOp op, const float *dy, const float *saved, float *dx,
               int64_t n) {
  switch (op) {
  case UnaryGradOp::Relu:
    return binaryRow(ReluGradFn(), dy, 1, saved, 1, dx, n);
  case UnaryGradOp::Gelu:
    return binaryRow(GeluGradFn(), dy, 1, saved, 1, dx, n);
  case UnaryGradOp::Tanh:
    return binaryRow(TanhGradFn(), dy, 1, saved, 1, dx, n);
  case UnaryGradOp::Sigmoid:
    return binaryRow(SigmoidGradFn(), dy, 1, saved, 1, dx, n);
  }
}

} // namespace mpc::cpu
