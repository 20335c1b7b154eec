//===- GradCheckTest.cpp - compiled gradients against finite differences --===//
//
// Every differentiable mpc op, a few autodiff structures (fan-out, a param
// loaded twice) and two small models are differentiated by
// buildGradientFunction, run on the CPU executor, and compared with central
// finite differences of the loss function on the same executor.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Executor.h"
#include "dialects/mpc/MpcDialect.h"
#include "passes/Autodiff.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

using mpc::cpu::Executor;
using mpc::driver::HostTensor;

namespace {

using Shape = std::vector<int64_t>;

/// The initializers of the cases' params.
const char *const kNormal = "#mpc.init<normal>";
/// For log, sqrt, rsqrt and divisors: away from 0.
const char *const kPositive =
    "#mpc.init<uniform, low = 5.000000e-01, high = 2.000000e+00>";

/// Seeds the params and the random arguments.
constexpr uint64_t kSeed = 42;
/// Mismatching elements reported one by one per param; the rest are counted.
constexpr int kMaxReported = 5;
/// Below this, an analytic gradient counts as all zeros.
constexpr double kNonZero = 1e-3;

struct Param {
  std::string name;
  Shape shape;
  std::string init = kNormal;
};

/// One gradient check.
struct GradCase {
  std::string name;
  std::vector<Param> params;
  /// Ops following the loads of the params (`%<name>`). With `out` set they
  /// define `%y` of that shape, and the loss is its dot product with a random
  /// argument `%w`, so every element's gradient path counts; otherwise they
  /// define the scalar `%loss` themselves. `%w` and `%p` are reserved.
  std::string body;
  std::optional<Shape> out;
  /// Further arguments, e.g. `%x: tensor<4x3xf32>`, filled with random values.
  std::string arguments = "";
  float h = 1e-2f;
  double rtol = 2e-2;
  double atol = 2e-3;
  /// Selects the dropout masks of both the loss and the gradient runs.
  uint64_t step = 0;
};

void PrintTo(const GradCase &c, std::ostream *os) { *os << c.name; }

/// `tensor<2x3xf32>`, or `tensor<f32>` for a scalar.
std::string tensorType(const Shape &shape) {
  std::string text = "tensor<";
  for (int64_t dim : shape)
    text += std::to_string(dim) + "x";
  return text + "f32>";
}

/// `2x3` for a test name; `scalar` for rank 0.
std::string shapeName(const Shape &shape) {
  if (shape.empty())
    return "scalar";
  std::string text;
  for (int64_t dim : shape)
    text += (text.empty() ? "" : "x") + std::to_string(dim);
  return text;
}

/// The module of `c`: its params and a function @forward whose result is the
/// loss.
std::string moduleText(const GradCase &c) {
  std::string text = "module {\n";
  for (const Param &p : c.params)
    text += "  mpc.param @" + p.name + " : " + tensorType(p.shape) + " = " +
            p.init + "\n";
  std::string arguments = c.out ? "%w: " + tensorType(*c.out) : "";
  if (!c.arguments.empty())
    arguments += (arguments.empty() ? "" : ", ") + c.arguments;
  text +=
      "  func.func @forward(" + arguments + ") -> (tensor<f32> {mpc.loss}) {\n";
  for (const Param &p : c.params)
    text += "    %" + p.name + " = mpc.load @" + p.name + " : " +
            tensorType(p.shape) + "\n";
  text += c.body + "\n";
  if (c.out) {
    std::string type = tensorType(*c.out);
    std::string product = c.out->empty() ? "%loss" : "%p";
    text += "    " + product + " = mpc.mul %y, %w : (" + type + ", " + type +
            ") -> " + type + "\n";
    if (!c.out->empty()) {
      std::string axes;
      for (size_t i = 0; i < c.out->size(); ++i)
        axes += (i ? ", " : "") + std::to_string(i);
      text += "    %loss = mpc.reduce_sum %p [" + axes + "] : " + type +
              " -> tensor<f32>\n";
    }
  }
  return text + "    return %loss : tensor<f32>\n  }\n}\n";
}

/// Differentiates the module of `c` and checks every element of every
/// param's gradient against (L(p + h) - L(p - h)) / 2h.
void checkGradients(const GradCase &c) {
  mlir::DialectRegistry registry;
  registry.insert<mpc::MpcDialect, mlir::func::FuncDialect>();
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagnostics += d.str() + "\n";
    return mlir::success();
  });
  std::string text = moduleText(c);
  SCOPED_TRACE(text);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, &context);
  ASSERT_TRUE(module) << diagnostics;
  std::optional<mpc::LossFunction> loss = mpc::findLossFunction(*module);
  ASSERT_TRUE(loss);
  std::string lossName = loss->function.getName().str();
  ASSERT_TRUE(mlir::succeeded(mpc::buildGradientFunction(*module, "gradient")))
      << diagnostics;
  ASSERT_TRUE(mlir::succeeded(mlir::verify(*module))) << diagnostics;

  std::string error;
  std::unique_ptr<Executor> executor = Executor::create(*module, error);
  ASSERT_TRUE(executor) << error;
  executor->initializeParams(kSeed);
  std::vector<HostTensor> arguments = executor->argumentSpecs(lossName);
  std::mt19937 rng(kSeed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (HostTensor &argument : arguments) {
    ASSERT_EQ(argument.dtype, HostTensor::DType::F32);
    argument.f32.resize(argument.numElements());
    for (float &value : argument.f32)
      value = uniform(rng);
  }

  std::vector<HostTensor> grads;
  ASSERT_TRUE(executor->run("gradient", arguments, c.step, grads, error))
      << error;
  // The loss at the current params; NaN (failing every comparison) when the
  // run fails.
  auto lossAt = [&]() -> double {
    std::vector<HostTensor> results;
    if (!executor->run(lossName, arguments, c.step, results, error)) {
      ADD_FAILURE() << error;
      return NAN;
    }
    return results[loss->lossIndex].f32[0];
  };
  // The gradient function recomputes the forward pass unchanged.
  ASSERT_EQ(lossAt(), grads[0].f32[0]);

  std::vector<HostTensor> params = executor->params();
  size_t next = 1;
  for (size_t i = 0; i < params.size(); ++i) {
    if (executor->isState(i))
      continue;
    ASSERT_LT(next, grads.size());
    const HostTensor &analytic = grads[next++];
    HostTensor &param = params[i];
    ASSERT_EQ(analytic.shape, param.shape) << "@" << param.name;
    int mismatches = 0;
    double largest = 0;
    for (size_t j = 0; j < param.f32.size(); ++j) {
      const float original = param.f32[j];
      // The perturbed values as stored, so that rounding of p ± h does not
      // bias the quotient.
      const float plus = original + c.h, minus = original - c.h;
      param.f32[j] = plus;
      executor->setParams(params);
      double lossPlus = lossAt();
      param.f32[j] = minus;
      executor->setParams(params);
      double lossMinus = lossAt();
      param.f32[j] = original;
      double numeric = (lossPlus - lossMinus) / (double(plus) - double(minus));
      double value = analytic.f32[j];
      largest = std::max(largest, std::fabs(value));
      if (std::fabs(value - numeric) <= c.atol + c.rtol * std::fabs(numeric))
        continue;
      if (++mismatches <= kMaxReported)
        ADD_FAILURE() << "@" << param.name << "[" << j << "]: analytic "
                      << value << ", numeric " << numeric;
    }
    executor->setParams(params);
    EXPECT_EQ(mismatches, 0) << "elements of @" << param.name
                             << "'s gradient differ from finite differences";
    EXPECT_GT(largest, kNonZero) << "@" << param.name << "'s gradient is zero";
  }
  EXPECT_EQ(next, grads.size());
}

class GradCheck : public ::testing::TestWithParam<GradCase> {};

TEST_P(GradCheck, MatchesFiniteDifferences) { checkGradients(GetParam()); }

std::string caseName(const ::testing::TestParamInfo<GradCase> &info) {
  return info.param.name;
}

/// A weighted case on one param `x` of `shape`, whose body defines `%y`.
GradCase oneParamCase(std::string name, Shape shape, std::string body,
                      Shape out, std::string init = kNormal) {
  return {std::move(name),
          {{"x", std::move(shape), std::move(init)}},
          std::move(body),
          std::move(out)};
}

//===----------------------------------------------------------------------===//
// Casts
//===----------------------------------------------------------------------===//

// Through bf16 the loss is quantized to 8 significant bits: h must span
// several bf16 steps, and the tolerance covers the rounding of x ± h and of
// tanh's output (a few bf16 ulps over 2h). The f32 to f32 cast, which
// canonicalization folds, is differentiated here unfolded.
std::vector<GradCase> castCases() {
  GradCase c = oneParamCase("through_bf16", {3, 4}, R"(
    %c = mpc.cast %x : tensor<3x4xf32> to tensor<3x4xf32>
    %b = mpc.cast %c : tensor<3x4xf32> to tensor<3x4xbf16>
    %t = mpc.tanh %b : tensor<3x4xbf16>
    %y = mpc.cast %t : tensor<3x4xbf16> to tensor<3x4xf32>)",
                            {3, 4});
  c.h = 0.1f;
  c.rtol = 0.1;
  c.atol = 0.02;
  return {c};
}
INSTANTIATE_TEST_SUITE_P(Cast, GradCheck, ::testing::ValuesIn(castCases()),
                         caseName);

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

std::vector<GradCase> matmulCases() {
  struct Spec {
    const char *name;
    Shape lhs, rhs;
    const char *flags;
    Shape out;
  };
  const Spec specs[] = {
      {"nn", {3, 4}, {4, 5}, "", {3, 5}},
      {"tn", {4, 3}, {4, 5}, "{transpose_a}", {3, 5}},
      {"nt", {3, 4}, {5, 4}, "{transpose_b}", {3, 5}},
      {"tt", {4, 3}, {5, 4}, "{transpose_a, transpose_b}", {3, 5}},
      {"batched_lhs", {2, 3, 4}, {4, 5}, "", {2, 3, 5}},
      {"batched_rhs", {3, 4}, {2, 4, 5}, "", {2, 3, 5}},
      {"batched_both", {2, 3, 4}, {2, 4, 5}, "", {2, 3, 5}},
      {"broadcast_batch", {2, 1, 2, 3}, {3, 3, 2}, "", {2, 3, 2, 2}},
      {"broadcast_batch_tt",
       {2, 1, 3, 2},
       {3, 4, 3},
       "{transpose_a, transpose_b}",
       {2, 3, 2, 4}},
  };
  std::vector<GradCase> cases;
  for (const Spec &s : specs)
    cases.push_back({s.name,
                     {{"a", s.lhs}, {"b", s.rhs}},
                     "    %y = mpc.matmul %a, %b " + std::string(s.flags) +
                         " : (" + tensorType(s.lhs) + ", " + tensorType(s.rhs) +
                         ") -> " + tensorType(s.out),
                     s.out});
  return cases;
}
INSTANTIATE_TEST_SUITE_P(Matmul, GradCheck, ::testing::ValuesIn(matmulCases()),
                         caseName);

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

std::vector<GradCase> binaryCases() {
  struct Shapes {
    Shape lhs, rhs, out;
  };
  const Shapes shapes[] = {
      {{3, 4}, {3, 4}, {3, 4}},       {{3, 4}, {4}, {3, 4}},
      {{4}, {3, 4}, {3, 4}},          {{3, 1}, {1, 4}, {3, 4}},
      {{3, 4}, {}, {3, 4}},           {{}, {3, 4}, {3, 4}},
      {{2, 1, 4}, {3, 1}, {2, 3, 4}},
  };
  std::vector<GradCase> cases;
  for (const char *op : {"add", "sub", "mul", "div"})
    for (const Shapes &s : shapes)
      // The rhs is positive: a divisor away from 0.
      cases.push_back(
          {std::string(op) + "_" + shapeName(s.lhs) + "_" + shapeName(s.rhs),
           {{"a", s.lhs}, {"b", s.rhs, kPositive}},
           "    %y = mpc." + std::string(op) + " %a, %b : (" +
               tensorType(s.lhs) + ", " + tensorType(s.rhs) + ") -> " +
               tensorType(s.out),
           s.out});
  return cases;
}
INSTANTIATE_TEST_SUITE_P(Binary, GradCheck, ::testing::ValuesIn(binaryCases()),
                         caseName);

std::vector<GradCase> unaryCases() {
  std::vector<GradCase> cases;
  for (const char *op : {"relu", "gelu", "tanh", "sigmoid", "silu", "exp",
                         "log", "sqrt", "rsqrt", "neg"}) {
    std::string name = op;
    bool positive = name == "log" || name == "sqrt" || name == "rsqrt";
    cases.push_back(oneParamCase(
        name, {3, 4}, "    %y = mpc." + name + " %x : tensor<3x4xf32>", {3, 4},
        positive ? kPositive : kNormal));
  }
  // A small step keeps x ± h on one side of relu's kink.
  cases[0].h = 1e-3f;
  // pow: a fractional exponent of positive x, and an odd integer one of x
  // of either sign (where x^2 is the derivative's lower power).
  cases.push_back(
      oneParamCase("pow_fraction", {3, 4},
                   "    %y = mpc.pow %x exponent = 1.5 : tensor<3x4xf32>",
                   {3, 4}, kPositive));
  cases.push_back(oneParamCase(
      "pow_cube", {3, 4},
      "    %y = mpc.pow %x exponent = 3.0 : tensor<3x4xf32>", {3, 4}));
  return cases;
}
INSTANTIATE_TEST_SUITE_P(Unary, GradCheck, ::testing::ValuesIn(unaryCases()),
                         caseName);

//===----------------------------------------------------------------------===//
// Normalizations and reductions
//===----------------------------------------------------------------------===//

std::vector<GradCase> normalizationCases() {
  std::vector<GradCase> cases;
  struct Spec {
    const char *op;
    Shape shape;
    int axis;
  };
  const Spec specs[] = {
      {"softmax", {3, 4}, 1},     {"softmax", {3, 4}, 0},
      {"softmax", {2, 3, 4}, 1},  {"log_softmax", {3, 4}, 1},
      {"log_softmax", {3, 4}, 0}, {"log_softmax", {2, 3, 4}, 2}};
  for (const Spec &s : specs)
    cases.push_back(oneParamCase(std::string(s.op) + "_" + shapeName(s.shape) +
                                     "_axis" + std::to_string(s.axis),
                                 s.shape,
                                 "    %y = mpc." + std::string(s.op) +
                                     " %x axis = " + std::to_string(s.axis) +
                                     " : " + tensorType(s.shape),
                                 s.shape));
  // gamma around 1, as trained models have it.
  const char *gammaInit = "#mpc.init<normal, mean = 1.0, std = 0.5>";
  for (Shape gamma : {Shape{4}, Shape{3, 4}}) {
    Shape input = {2, 3, 4};
    cases.push_back(
        {"layer_norm_" + shapeName(gamma),
         {{"x", input}, {"g", gamma, gammaInit}, {"b", gamma}},
         "    %y = mpc.layer_norm %x, %g, %b eps = 1.000000e-05 : " +
             tensorType(input) + ", " + tensorType(gamma),
         input});
  }
  // rms_norm over the last dim of a rank-2 and a rank-3 input; its scale is
  // `s` (%w names the loss weights).
  for (Shape input : {Shape{3, 5}, Shape{2, 3, 4}}) {
    Shape scale = {input.back()};
    cases.push_back({"rms_norm_" + shapeName(input),
                     {{"x", input}, {"s", scale, gammaInit}},
                     "    %y = mpc.rms_norm %x, %s eps = 1.000000e-05 : " +
                         tensorType(input) + ", " + tensorType(scale),
                     input});
  }
  return cases;
}
INSTANTIATE_TEST_SUITE_P(Normalization, GradCheck,
                         ::testing::ValuesIn(normalizationCases()), caseName);

std::vector<GradCase> reductionCases() {
  struct Spec {
    const char *axes;
    bool keepdims;
    Shape out;
  };
  const Spec specs[] = {{"1", false, {2, 4}},
                        {"0, 2", true, {1, 3, 1}},
                        {"2", true, {2, 3, 1}},
                        {"0, 1", false, {4}},
                        {"0, 1, 2", false, {}}};
  std::vector<GradCase> cases;
  for (const char *op : {"reduce_sum", "reduce_mean"})
    for (const Spec &s : specs) {
      std::string axes = s.axes;
      std::string name = std::string(op) + "_axes";
      for (char ch : axes)
        if (ch != ' ')
          name += ch == ',' ? '_' : ch;
      cases.push_back(
          oneParamCase(name + (s.keepdims ? "_keepdims" : ""), {2, 3, 4},
                       "    %y = mpc." + std::string(op) + " %x [" + axes +
                           "]" + (s.keepdims ? " {keepdims}" : "") +
                           " : tensor<2x3x4xf32> -> " + tensorType(s.out),
                       s.out));
    }
  return cases;
}
INSTANTIATE_TEST_SUITE_P(Reduction, GradCheck,
                         ::testing::ValuesIn(reductionCases()), caseName);

//===----------------------------------------------------------------------===//
// Data movement, masks and dropout
//===----------------------------------------------------------------------===//

// tanh after the op makes each element's gradient depend on where its value
// went, not only on the weight it meets.
std::vector<GradCase> dataMovementCases() {
  return {
      oneParamCase("reshape", {3, 4}, R"(
    %r = mpc.reshape %x : tensor<3x4xf32> -> tensor<2x2x3xf32>
    %y = mpc.tanh %r : tensor<2x2x3xf32>)",
                   {2, 2, 3}),
      oneParamCase("transpose", {2, 3, 4}, R"(
    %r = mpc.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
    %y = mpc.tanh %r : tensor<4x2x3xf32>)",
                   {4, 2, 3}),
      // Both steps skip elements (their gradient is 0) and one walks
      // backwards from a start and an end counted from the end.
      oneParamCase("slice_steps", {3, 5}, R"(
    %s = mpc.slice %x axes = [1, 0] starts = [-1, 0] ends = [-100, 3] steps = [-2, 2] : tensor<3x5xf32> -> tensor<2x3xf32>
    %y = mpc.tanh %s : tensor<2x3xf32>)",
                   {2, 3}),
      // x reaches the concat twice: whole, and rows 1 and 2 again through a
      // slice, so their gradient sums both parts of the result.
      oneParamCase("concat", {3, 4}, R"(
    %s = mpc.slice %x axes = [0] starts = [1] ends = [3] steps = [1] : tensor<3x4xf32> -> tensor<2x4xf32>
    %c = mpc.concat %x, %s axis = 0 : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<5x4xf32>
    %y = mpc.tanh %c : tensor<5x4xf32>)",
                   {5, 4}),
      // Row 2 is gathered twice (its gradient sums both), rows 1 and 3 never.
      oneParamCase("embedding", {5, 3}, R"(
    %ids = mpc.constant dense<[[0, 2], [2, 4]]> : tensor<2x2xi32>
    %e = mpc.embedding %ids, %x : (tensor<2x2xi32>, tensor<5x3xf32>) -> tensor<2x2x3xf32>
    %y = mpc.tanh %e : tensor<2x2x3xf32>)",
                   {2, 2, 3}),
  };
}
INSTANTIATE_TEST_SUITE_P(DataMovement, GradCheck,
                         ::testing::ValuesIn(dataMovementCases()), caseName);

// Masked values are -1e4, not -inf, so that the perturbed losses stay
// finite; a softmax follows so that they do not dominate the loss.
std::vector<GradCase> maskingCases() {
  std::vector<GradCase> cases = {
      oneParamCase("causal_mask", {2, 3, 4}, R"(
    %m = mpc.causal_mask %x value = -1.000000e+04 : tensor<2x3x4xf32>
    %y = mpc.softmax %m axis = 2 : tensor<2x3x4xf32>)",
                   {2, 3, 4}),
      oneParamCase("masked_fill_columns", {3, 4}, R"(
    %mask = mpc.constant dense<[[true, false, false, true]]> : tensor<1x4xi1>
    %m = mpc.masked_fill %x, %mask value = -1.000000e+04 : (tensor<3x4xf32>, tensor<1x4xi1>) -> tensor<3x4xf32>
    %y = mpc.softmax %m axis = 1 : tensor<3x4xf32>)",
                   {3, 4}),
      oneParamCase("masked_fill_rows", {3, 4}, R"(
    %mask = mpc.constant dense<[[false], [true], [false]]> : tensor<3x1xi1>
    %m = mpc.masked_fill %x, %mask value = -1.000000e+04 : (tensor<3x4xf32>, tensor<3x1xi1>) -> tensor<3x4xf32>
    %y = mpc.softmax %m axis = 0 : tensor<3x4xf32>)",
                   {3, 4}),
      // Both branches broadcast: each gets the gradient where it was chosen,
      // summed over the dims it was broadcast along.
      {"where_broadcast",
       {{"a", {3, 1}}, {"b", {4}}},
       R"(
    %c = mpc.constant dense<[[true, false, false, true], [false, false, true, true], [true, true, false, false]]> : tensor<3x4xi1>
    %y = mpc.where %c, %a, %b : (tensor<3x4xi1>, tensor<3x1xf32>, tensor<4xf32>) -> tensor<3x4xf32>)",
       Shape{3, 4}},
      // The condition broadcast too, the branches full size.
      {"where_condition_broadcast",
       {{"a", {2, 3}}, {"b", {2, 3}}},
       R"(
    %c = mpc.constant dense<[true, false, true]> : tensor<3xi1>
    %y = mpc.where %c, %a, %b : (tensor<3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>)",
       Shape{2, 3}},
      // With the step fixed the mask is fixed and the loss piecewise smooth;
      // dropped elements have a numeric gradient of exactly 0.
      oneParamCase("dropout", {4, 8}, R"(
    %t = mpc.tanh %x : tensor<4x8xf32>
    %y = mpc.dropout %t rate = 3.000000e-01 seed = 7 : tensor<4x8xf32>)",
                   {4, 8}),
  };
  cases.back().step = 3;
  return cases;
}
INSTANTIATE_TEST_SUITE_P(Masking, GradCheck,
                         ::testing::ValuesIn(maskingCases()), caseName);

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

std::vector<GradCase> lossCases() {
  return {
      {"softmax_cross_entropy",
       {{"logits", {4, 5}}},
       R"(
    %labels = mpc.constant dense<[1, 0, 4, 2]> : tensor<4xi32>
    %loss = mpc.softmax_cross_entropy %logits, %labels : (tensor<4x5xf32>, tensor<4xi32>) -> tensor<f32>)"},
      {"softmax_cross_entropy_rank3",
       {{"logits", {2, 3, 4}}},
       R"(
    %labels = mpc.constant dense<[[3, 0, 1], [2, 2, 0]]> : tensor<2x3xi64>
    %loss = mpc.softmax_cross_entropy %logits, %labels : (tensor<2x3x4xf32>, tensor<2x3xi64>) -> tensor<f32>)"},
      // Rows labelled ignore_index have no gradient; the mean is over the
      // kept rows. Both a value outside the classes and a class.
      {"softmax_cross_entropy_ignore_index",
       {{"logits", {4, 5}}},
       R"(
    %labels = mpc.constant dense<[1, -100, 4, -100]> : tensor<4xi32>
    %loss = mpc.softmax_cross_entropy %logits, %labels ignore_index = -100 : (tensor<4x5xf32>, tensor<4xi32>) -> tensor<f32>)"},
      {"softmax_cross_entropy_ignore_class_sum",
       {{"logits", {2, 3, 4}}},
       R"(
    %labels = mpc.constant dense<[[3, 0, 1], [2, 0, 0]]> : tensor<2x3xi64>
    %loss = mpc.softmax_cross_entropy %logits, %labels ignore_index = 0 reduction = sum : (tensor<2x3x4xf32>, tensor<2x3xi64>) -> tensor<f32>)"},
      {"mse_loss",
       {{"prediction", {3, 4}}, {"target", {3, 4}}},
       R"(
    %loss = mpc.mse_loss %prediction, %target : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<f32>)"},
  };
}
INSTANTIATE_TEST_SUITE_P(Loss, GradCheck, ::testing::ValuesIn(lossCases()),
                         caseName);

//===----------------------------------------------------------------------===//
// Autodiff structure
//===----------------------------------------------------------------------===//

// Each case fails if the gradients of the several uses are not summed.
std::vector<GradCase> structureCases() {
  return {
      oneParamCase("fan_out", {3, 4}, R"(
    %t = mpc.tanh %x : tensor<3x4xf32>
    %s = mpc.sigmoid %t : tensor<3x4xf32>
    %y = mpc.mul %t, %s : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>)",
                   {3, 4}),
      oneParamCase("both_operands", {3, 4}, R"(
    %y = mpc.mul %x, %x : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>)",
                   {3, 4}),
      oneParamCase("param_loaded_twice", {3, 4}, R"(
    %x2 = mpc.load @x : tensor<3x4xf32>
    %t = mpc.tanh %x : tensor<3x4xf32>
    %y = mpc.mul %t, %x2 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>)",
                   {3, 4}),
  };
}
INSTANTIATE_TEST_SUITE_P(Structure, GradCheck,
                         ::testing::ValuesIn(structureCases()), caseName);

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

std::vector<GradCase> modelCases() {
  GradCase mlp = {"mlp_cross_entropy",
                  {{"w1", {3, 5}}, {"b1", {5}}, {"w2", {5, 3}}, {"b2", {3}}},
                  R"(
    %h = mpc.matmul %x, %w1 : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
    %hb = mpc.add %h, %b1 : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
    %a = mpc.relu %hb : tensor<4x5xf32>
    %o = mpc.matmul %a, %w2 : (tensor<4x5xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>
    %ob = mpc.add %o, %b2 : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    %labels = mpc.constant dense<[0, 2, 1, 2]> : tensor<4xi32>
    %loss = mpc.softmax_cross_entropy %ob, %labels : (tensor<4x3xf32>, tensor<4xi32>) -> tensor<f32>)",
                  std::nullopt,
                  "%x: tensor<4x3xf32>"};
  // As for relu alone: x ± h stays on one side of the kinks.
  mlp.h = 1e-3f;
  // x feeds three matmuls: its gradient sums the query, key and value paths.
  const char *projection = "#mpc.init<normal, std = 0.5>";
  GradCase attention = {"attention",
                        {{"x", {4, 6}},
                         {"wq", {6, 4}, projection},
                         {"wk", {6, 4}, projection},
                         {"wv", {6, 4}, projection}},
                        R"(
    %q = mpc.matmul %x, %wq : (tensor<4x6xf32>, tensor<6x4xf32>) -> tensor<4x4xf32>
    %k = mpc.matmul %x, %wk : (tensor<4x6xf32>, tensor<6x4xf32>) -> tensor<4x4xf32>
    %v = mpc.matmul %x, %wv : (tensor<4x6xf32>, tensor<6x4xf32>) -> tensor<4x4xf32>
    %s = mpc.matmul %q, %k {transpose_b} : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %scale = mpc.constant dense<5.000000e-01> : tensor<f32>
    %ss = mpc.mul %s, %scale : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
    %m = mpc.causal_mask %ss value = -1.000000e+04 : tensor<4x4xf32>
    %attn = mpc.softmax %m axis = 1 : tensor<4x4xf32>
    %y = mpc.matmul %attn, %v : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>)",
                        Shape{4, 4}};
  // The same attention as one mpc.causal_attention: its gradient op
  // recomputes the probabilities from the log-sum-exp.
  GradCase fused = attention;
  fused.name = "causal_attention";
  fused.body = R"(
    %q = mpc.matmul %x, %wq : (tensor<4x6xf32>, tensor<6x4xf32>) -> tensor<4x4xf32>
    %k = mpc.matmul %x, %wk : (tensor<4x6xf32>, tensor<6x4xf32>) -> tensor<4x4xf32>
    %v = mpc.matmul %x, %wv : (tensor<4x6xf32>, tensor<6x4xf32>) -> tensor<4x4xf32>
    %y, %lse = mpc.causal_attention %q, %k, %v scale = 5.000000e-01 : tensor<4x4xf32>, tensor<4xf32>)";
  // Two heads of d = 2 sequence-major, [T, H, d] = [4, 2, 2], read in
  // place from the projections: the sequence-major gradient op.
  GradCase sequenceMajor = attention;
  sequenceMajor.name = "causal_attention_sequence_major";
  sequenceMajor.body = R"(
    %q = mpc.matmul %x, %wq : (tensor<4x6xf32>, tensor<6x4xf32>) -> tensor<4x4xf32>
    %k = mpc.matmul %x, %wk : (tensor<4x6xf32>, tensor<6x4xf32>) -> tensor<4x4xf32>
    %v = mpc.matmul %x, %wv : (tensor<4x6xf32>, tensor<6x4xf32>) -> tensor<4x4xf32>
    %qh = mpc.reshape %q : tensor<4x4xf32> -> tensor<4x2x2xf32>
    %kh = mpc.reshape %k : tensor<4x4xf32> -> tensor<4x2x2xf32>
    %vh = mpc.reshape %v : tensor<4x4xf32> -> tensor<4x2x2xf32>
    %o, %lse = mpc.causal_attention %qh, %kh, %vh sequence_major scale = 5.000000e-01 : tensor<4x2x2xf32>, tensor<2x4xf32>
    %y = mpc.reshape %o : tensor<4x2x2xf32> -> tensor<4x4xf32>)";
  // q, k and v from one [6, 12] projection, read in place as one packed
  // [T, 3, H, d] = [4, 3, 2, 2] operand: the packed gradient op's dqkv
  // feeds one projection gradient.
  GradCase packed = {"causal_attention_qkv",
                     {{"x", {4, 6}}, {"wqkv", {6, 12}, projection}},
                     R"(
    %qkv = mpc.matmul %x, %wqkv : (tensor<4x6xf32>, tensor<6x12xf32>) -> tensor<4x12xf32>
    %heads = mpc.reshape %qkv : tensor<4x12xf32> -> tensor<4x3x2x2xf32>
    %o, %lse = mpc.causal_attention_qkv %heads scale = 5.000000e-01 : tensor<4x3x2x2xf32> -> tensor<4x2x2xf32>, tensor<2x4xf32>
    %y = mpc.reshape %o : tensor<4x2x2xf32> -> tensor<4x4xf32>)",
                     Shape{4, 4}};
  return {mlp, attention, fused, sequenceMajor, packed};
}
INSTANTIATE_TEST_SUITE_P(Model, GradCheck, ::testing::ValuesIn(modelCases()),
                         caseName);

} // namespace
