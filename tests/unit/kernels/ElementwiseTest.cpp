//===- ElementwiseTest.cpp - binary, unary and activation gradients -------===//

#include "TestUtil.h"

using namespace mpc::cpu;
using namespace mpc::cpu::test;

namespace {

double applyBinary(BinaryOp op, double x, double y) {
  switch (op) {
  case BinaryOp::Add:
    return x + y;
  case BinaryOp::Sub:
    return x - y;
  case BinaryOp::Mul:
    return x * y;
  case BinaryOp::Div:
    return x / y;
  }
  return 0;
}

void expectBinaryMatchesNaive(const Shape &aShape, const Shape &bShape) {
  Shape outShape = broadcastShapes(aShape, bShape);
  // Divisors kept away from 0.
  std::vector<float> a = randomData(numElements(aShape), 3, 0.5f, 2.0f);
  std::vector<float> b = randomData(numElements(bShape), 4, 0.5f, 2.0f);
  for (BinaryOp op :
       {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div}) {
    SCOPED_TRACE(::testing::Message()
                 << "op " << static_cast<int>(op) << " ranks " << aShape.size()
                 << ", " << bShape.size());
    std::vector<float> out(static_cast<size_t>(numElements(outShape)), NAN);
    binary(op, a.data(), aShape, b.data(), bShape, out.data(), outShape);
    // One f32 operation per element: the result is the correctly rounded
    // double result.
    std::vector<float> expected(out.size());
    for (int64_t i = 0; i < numElements(outShape); ++i) {
      Shape index = unravel(i, outShape);
      expected[i] =
          static_cast<float>(applyBinary(op, a[broadcastSource(index, aShape)],
                                         b[broadcastSource(index, bShape)]));
    }
    expectAllIdentical(out, expected);
  }
}

TEST(Binary, SameShape) { expectBinaryMatchesNaive({3, 4, 5}, {3, 4, 5}); }

TEST(Binary, ScalarOperands) {
  expectBinaryMatchesNaive({3, 4}, {});
  expectBinaryMatchesNaive({}, {3, 4});
  expectBinaryMatchesNaive({}, {});
  expectBinaryMatchesNaive({2, 3}, {1, 1});
  expectBinaryMatchesNaive({1}, {2, 3});
}

TEST(Binary, TrailingVectorAndColumn) {
  expectBinaryMatchesNaive({3, 4}, {4});
  expectBinaryMatchesNaive({4}, {3, 4});
  expectBinaryMatchesNaive({2, 3, 4}, {3, 1});
  expectBinaryMatchesNaive({3, 1}, {2, 3, 4});
}

TEST(Binary, GeneralBroadcast) {
  expectBinaryMatchesNaive({2, 1, 4}, {3, 1});
  expectBinaryMatchesNaive({2, 1, 4, 1}, {1, 3, 1, 5});
  expectBinaryMatchesNaive({5, 1, 1, 7}, {5, 2, 3, 1});
  expectBinaryMatchesNaive({2, 0, 3}, {3});
}

TEST(Binary, InPlace) {
  std::vector<float> a = {1, 2, 3, 4}, b = {10, 20};
  binary(BinaryOp::Add, a.data(), {2, 2}, b.data(), {2}, a.data(), {2, 2});
  EXPECT_EQ(a, (std::vector<float>{11, 22, 13, 24}));
}

double unaryReference(UnaryOp op, double x) {
  switch (op) {
  case UnaryOp::Relu:
    return x > 0 ? x : 0;
  case UnaryOp::Gelu:
    return 0.5 * x *
           (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  case UnaryOp::Tanh:
    return std::tanh(x);
  case UnaryOp::Sigmoid:
    return 1 / (1 + std::exp(-x));
  case UnaryOp::Silu:
    return x / (1 + std::exp(-x));
  case UnaryOp::Exp:
    return std::exp(x);
  case UnaryOp::Log:
    return std::log(x);
  case UnaryOp::Sqrt:
    return std::sqrt(x);
  case UnaryOp::Rsqrt:
    return 1 / std::sqrt(x);
  case UnaryOp::Neg:
    return -x;
  }
  return 0;
}

const UnaryOp kUnaryOps[] = {UnaryOp::Relu,    UnaryOp::Gelu, UnaryOp::Tanh,
                             UnaryOp::Sigmoid, UnaryOp::Silu, UnaryOp::Exp,
                             UnaryOp::Log,     UnaryOp::Sqrt, UnaryOp::Rsqrt,
                             UnaryOp::Neg};

bool needsPositive(UnaryOp op) {
  return op == UnaryOp::Log || op == UnaryOp::Sqrt || op == UnaryOp::Rsqrt;
}

TEST(Unary, MatchesDoubleReference) {
  for (UnaryOp op : kUnaryOps) {
    SCOPED_TRACE(static_cast<int>(op));
    std::vector<float> x = needsPositive(op) ? randomData(1000, 5, 0.01f, 10.f)
                                             : randomData(1000, 5, -6.f, 6.f);
    std::vector<float> y(x.size());
    unary(op, x.data(), y.data(), 1000);
    std::vector<double> expected(x.size());
    for (size_t i = 0; i < x.size(); ++i)
      expected[i] = unaryReference(op, x[i]);
    // A few f32 ulps (gelu combines several rounded operations).
    expectAllClose(y, expected, 1e-6, 1e-7);
  }
}

TEST(Unary, SpecialValues) {
  std::vector<float> x = {NAN, -0.0f, -1.0f, INFINITY, -INFINITY};
  std::vector<float> y(5);
  unary(UnaryOp::Relu, x.data(), y.data(), 5);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_FALSE(std::signbit(y[1]));
  EXPECT_EQ(y[2], 0.0f);
  EXPECT_EQ(y[3], INFINITY);
  EXPECT_EQ(y[4], 0.0f);
  unary(UnaryOp::Sigmoid, x.data(), y.data(), 5);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[3], 1.0f);
  EXPECT_EQ(y[4], 0.0f);
  unary(UnaryOp::Gelu, x.data(), y.data(), 5);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[3], INFINITY);
  // silu, as PyTorch's: x for large x, -0 (x times a zero sigmoid) for
  // large -x, and NaN at -inf (-inf times 0).
  unary(UnaryOp::Silu, x.data(), y.data(), 5);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[3], INFINITY);
  EXPECT_TRUE(std::isnan(y[4]));
  float large = -100.0f, silu = 1.0f;
  unary(UnaryOp::Silu, &large, &silu, 1);
  EXPECT_EQ(silu, 0.0f);
  EXPECT_TRUE(std::signbit(silu));
  unary(UnaryOp::Rsqrt, x.data() + 1, y.data(), 1);
  EXPECT_EQ(y[0], -INFINITY);
}

TEST(Power, MatchesDoubleReference) {
  std::vector<float> x = randomData(1000, 10, 0.01f, 20.f);
  for (float exponent : {1.5f, -2.5f, 0.3f, 7.0f, -0.75f}) {
    SCOPED_TRACE(exponent);
    std::vector<float> y(x.size());
    power(x.data(), y.data(), 1000, exponent);
    std::vector<double> expected(x.size());
    for (size_t i = 0; i < x.size(); ++i)
      expected[i] = std::pow(static_cast<double>(x[i]), exponent);
    expectAllClose(y, expected, 1e-6, 1e-30);
  }
}

TEST(Power, NegativeBaseAndSpecialValues) {
  // C's pow: an integer exponent keeps a negative base's sign, a
  // non-integer one makes NaN; 0 to a negative power is infinite; x^0 = 1
  // even for NaN.
  std::vector<float> x = {-2.0f, -2.0f, -0.5f, 0.0f, -0.0f, NAN, INFINITY},
                     y(x.size());
  power(x.data(), y.data(), 1, 3.0f);
  EXPECT_EQ(y[0], -8.0f);
  power(x.data() + 1, y.data() + 1, 2, 1.5f);
  EXPECT_TRUE(std::isnan(y[1]));
  EXPECT_TRUE(std::isnan(y[2]));
  power(x.data() + 3, y.data() + 3, 2, -1.0f);
  EXPECT_EQ(y[3], INFINITY);
  EXPECT_EQ(y[4], -INFINITY);
  power(x.data() + 5, y.data() + 5, 1, 0.0f);
  EXPECT_EQ(y[5], 1.0f);
  power(x.data() + 6, y.data() + 6, 1, -0.5f);
  EXPECT_EQ(y[6], 0.0f);
}

TEST(Power, InPlace) {
  std::vector<float> x = {4.0f, 9.0f};
  power(x.data(), x.data(), 2, 0.5f);
  EXPECT_EQ(x, (std::vector<float>{2.0f, 3.0f}));
}

/// unaryGrad against central differences of the forward kernel.
void expectUnaryGradMatchesForward(UnaryGradOp gradOp, UnaryOp op,
                                   bool savesOutput) {
  SCOPED_TRACE(static_cast<int>(op));
  const int64_t n = 200;
  std::vector<float> x = randomData(n, 6, -4.f, 4.f);
  if (op == UnaryOp::Relu) // Keep clear of the kink.
    for (float &value : x)
      if (std::fabs(value) < 0.05f)
        value = 0.5f;
  std::vector<float> dy = randomData(n, 7);
  std::vector<float> y(n);
  unary(op, x.data(), y.data(), n);
  std::vector<float> dx(n);
  unaryGrad(gradOp, dy.data(), savesOutput ? y.data() : x.data(), dx.data(), n);
  expectGradientMatches(
      x,
      [&](const std::vector<float> &input) {
        std::vector<float> out(n);
        unary(op, input.data(), out.data(), n);
        return weightedSum(dy, out);
      },
      dx);
}

TEST(UnaryGrad, MatchesFiniteDifferences) {
  expectUnaryGradMatchesForward(UnaryGradOp::Relu, UnaryOp::Relu, false);
  expectUnaryGradMatchesForward(UnaryGradOp::Gelu, UnaryOp::Gelu, false);
  expectUnaryGradMatchesForward(UnaryGradOp::Tanh, UnaryOp::Tanh, true);
  expectUnaryGradMatchesForward(UnaryGradOp::Sigmoid, UnaryOp::Sigmoid, true);
  expectUnaryGradMatchesForward(UnaryGradOp::Silu, UnaryOp::Silu, false);
}

TEST(UnaryGrad, GeluDerivativeMatchesDoubleReference) {
  std::vector<float> x = randomData(500, 8, -6.f, 6.f);
  std::vector<float> dy(500, 1.0f), dx(500);
  unaryGrad(UnaryGradOp::Gelu, dy.data(), x.data(), dx.data(), 500);
  std::vector<double> expected(500);
  const double s = std::sqrt(2 / M_PI), c = 0.044715;
  for (size_t i = 0; i < x.size(); ++i) {
    double v = x[i], t = std::tanh(s * (v + c * v * v * v));
    expected[i] =
        0.5 * (1 + t) + 0.5 * v * (1 - t * t) * s * (1 + 3 * c * v * v);
  }
  expectAllClose(dx, expected, 1e-5, 1e-6);
}

TEST(UnaryGrad, SiluDerivativeMatchesDoubleReference) {
  std::vector<float> x = randomData(500, 9, -12.f, 12.f);
  std::vector<float> dy(500, 1.0f), dx(500);
  unaryGrad(UnaryGradOp::Silu, dy.data(), x.data(), dx.data(), 500);
  std::vector<double> expected(500);
  for (size_t i = 0; i < x.size(); ++i) {
    double v = x[i], s = 1 / (1 + std::exp(-v));
    expected[i] = s * (1 + v * (1 - s));
  }
  expectAllClose(dx, expected, 1e-5, 1e-6);
}

TEST(UnaryGrad, ReluUsesInputSign) {
  std::vector<float> dy = {1, 2, 3}, x = {-1, 0, 1}, dx(3);
  unaryGrad(UnaryGradOp::Relu, dy.data(), x.data(), dx.data(), 3);
  EXPECT_EQ(dx, (std::vector<float>{0, 0, 3}));
}

} // namespace
