//===- NumericsCheckExecutorTest.cpp - --check-numerics on the CPU --------===//
//
// The reference executor's statistics of probed ops (taken before each
// result is rounded to its element type), and the report that gathers them
// over steps and says which op is to blame.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/json/GraphImporter.h"
#include "compiler/reference/Executor.h"
#include "runtime/train/NumericsReport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace mlir;
using mpc::driver::HostTensor;
using mpc::numerics::NumericsCounts;
using mpc::train::NumericsFinding;
using mpc::train::NumericsProbe;
using mpc::train::NumericsReport;

namespace {

/// x (f32) cast to f16, squared in f16 (overflows above 256), scaled by
/// 2^-24 in f16 (flushes small values), then a probe-free f32 cast back.
constexpr const char *kProbedModule = R"mlir(
  module attributes {mpc.numerics_probes = [
      {function = "f", op = "cast", location = "x16", dtype = "f16", backward = false},
      {function = "f", op = "mul", location = "square", dtype = "f16", backward = false},
      {function = "f", op = "mul", location = "tiny", dtype = "f16", backward = false}]} {
    func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
      %f = mpc.cast %x {mpc.numerics_probe = 0 : i64} : tensor<4xf32> to tensor<4xf16>
      %sq = mpc.mul %f, %f {mpc.numerics_probe = 1 : i64} : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
      %s = mpc.constant dense<5.9604644775390625e-08> : tensor<f16>
      %t = mpc.mul %f, %s {mpc.numerics_probe = 2 : i64} : (tensor<4xf16>, tensor<f16>) -> tensor<4xf16>
      %back = mpc.cast %t : tensor<4xf16> to tensor<4xf32>
      return %back : tensor<4xf32>
    }
  }
)mlir";

class NumericsCheckExecutorTest : public ::testing::Test {
protected:
  NumericsCheckExecutorTest() {
    DialectRegistry registry;
    mpc::registerGraphImportDialects(registry);
    context.appendDialectRegistry(registry);
  }

  std::unique_ptr<mpc::cpu::Executor> load(llvm::StringRef text,
                                           std::string &error) {
    module = parseSourceString<ModuleOp>(text, &context);
    EXPECT_TRUE(module);
    if (!module)
      return nullptr;
    return mpc::cpu::Executor::create(*module, error);
  }

  static HostTensor floats(std::vector<float> data) {
    HostTensor t;
    t.shape = {static_cast<int64_t>(data.size())};
    t.f32 = std::move(data);
    return t;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(NumericsCheckExecutorTest, MeasuresEachProbedOpBeforeRounding) {
  std::string error;
  auto executor = load(kProbedModule, error);
  ASSERT_TRUE(executor) << error;
  ASSERT_EQ(executor->numericsProbes().size(), 3u);
  EXPECT_EQ(executor->numericsProbes()[1].location, "square");

  std::vector<HostTensor> results;
  ASSERT_TRUE(executor->run("f", {floats({0.0f, 2.0f, 300.0f, 1.0f})}, 0,
                            results, error))
      << error;
  const std::vector<NumericsCounts> &counts = executor->numericsCounts();
  ASSERT_EQ(counts.size(), 3u);
  // The cast is exact: no problem.
  EXPECT_EQ(counts[0].elements, 4u);
  EXPECT_EQ(counts[0].nonzero, 3u);
  EXPECT_EQ(counts[0].nonFinite, 0u);
  EXPECT_EQ(counts[0].maxAbs, 300.0f);
  // 300² = 90000 overflows f16 from finite inputs.
  EXPECT_EQ(counts[1].nonFinite, 1u);
  EXPECT_EQ(counts[1].overflowed, 1u);
  EXPECT_EQ(counts[1].produced, 1u);
  EXPECT_EQ(counts[1].maxAbs, 4.0f);
  // 2^-24 × {2, 300, 1}: all below f16's smallest normal 2^-14.
  EXPECT_EQ(counts[2].nonzero, 3u);
  EXPECT_EQ(counts[2].flushed, 3u);
  // The results are still rounded after measuring.
  EXPECT_EQ(results[0].f32[1],
            std::ldexp(1.0f, -23)); // 2 × 2^-24, an exact f16 subnormal

  // Counts are per run: a clean input leaves none behind.
  ASSERT_TRUE(executor->run("f", {floats({1.0f, 1.0f, 1.0f, 1.0f})}, 1, results,
                            error));
  EXPECT_EQ(executor->numericsCounts()[1].nonFinite, 0u);
}

TEST_F(NumericsCheckExecutorTest, NonFiniteInputsArePropagatedNotProduced) {
  std::string error;
  auto executor = load(kProbedModule, error);
  ASSERT_TRUE(executor) << error;
  std::vector<HostTensor> results;
  float inf = std::numeric_limits<float>::infinity();
  ASSERT_TRUE(
      executor->run("f", {floats({inf, 1.0f, 1.0f, 1.0f})}, 0, results, error));
  const std::vector<NumericsCounts> &counts = executor->numericsCounts();
  // The cast's input holds inf: it passes it on, it does not produce it.
  EXPECT_EQ(counts[0].nonFinite, 1u);
  EXPECT_EQ(counts[0].produced, 0u);
  EXPECT_EQ(counts[1].nonFinite, 1u);
  EXPECT_EQ(counts[1].produced, 0u);
}

TEST_F(NumericsCheckExecutorTest, AProbeMissingFromTheModuleListFails) {
  std::string error;
  auto executor = load(R"mlir(
    module attributes {mpc.numerics_probes = []} {
      func.func @f(%x: tensor<2xf16>) -> tensor<2xf16> {
        %y = mpc.mul %x, %x {mpc.numerics_probe = 0 : i64} : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
        return %y : tensor<2xf16>
      }
    }
  )mlir",
                       error);
  EXPECT_FALSE(executor);
  EXPECT_NE(error.find("numerics probe 0 is not in the module's "
                       "mpc.numerics_probes"),
            std::string::npos)
      << error;
}

TEST_F(NumericsCheckExecutorTest, AnUninstrumentedModuleHasNoProbes) {
  std::string error;
  auto executor = load(R"mlir(
    func.func @f(%x: tensor<2xf16>) -> tensor<2xf16> {
      %y = mpc.mul %x, %x : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
      return %y : tensor<2xf16>
    }
  )mlir",
                       error);
  ASSERT_TRUE(executor) << error;
  std::vector<HostTensor> results;
  HostTensor x = floats({300.0f, 1.0f});
  ASSERT_TRUE(executor->run("f", {x}, 0, results, error));
  EXPECT_TRUE(executor->numericsProbes().empty());
  EXPECT_TRUE(executor->numericsCounts().empty());
}

//===----------------------------------------------------------------------===//
// The report
//===----------------------------------------------------------------------===//

NumericsCounts countsOf(uint64_t elements, uint64_t nonzero, uint64_t nonFinite,
                        uint64_t produced, uint64_t flushed, float maxAbs) {
  NumericsCounts counts;
  counts.elements = elements;
  counts.nonzero = nonzero;
  counts.nonFinite = nonFinite;
  counts.produced = produced;
  counts.flushed = flushed;
  counts.maxAbs = maxAbs;
  return counts;
}

std::vector<NumericsProbe> threeProbes() {
  return {{"train_step", "reduce_sum", "total (sum.json:9:5)", "f16", false},
          {"train_step", "exp", "e (sum.json:10:5)", "f16", false},
          {"train_step", "mul_grad", "w (sum.json:11:5)", "f16", true}};
}

TEST(NumericsReportTest, BlamesTheFirstProducerNotItsConsumers) {
  NumericsReport report(threeProbes());
  // Step 3: the sum overflows, the exp only passes it on.
  report.record(3, {countsOf(1, 1, 1, 1, 0, 0), countsOf(8, 8, 8, 0, 0, 0),
                    countsOf(8, 8, 0, 0, 0, 2)});
  // Step 4: only the exp overflows, from finite inputs.
  report.record(4, {countsOf(1, 1, 0, 0, 0, 60000),
                    countsOf(8, 8, 2, 2, 0, 100), countsOf(8, 8, 0, 0, 0, 2)});
  ASSERT_EQ(report.steps(), 2u);
  const auto &sum = report.summaries()[0];
  EXPECT_EQ(sum.firstCulpritSteps, 1u);
  EXPECT_EQ(*sum.firstNonFiniteStep, 3u);
  EXPECT_EQ(*sum.lastNonFiniteStep, 3u);
  ASSERT_EQ(sum.findings.size(), 1u);
  EXPECT_EQ(sum.findings[0], NumericsFinding::Overflow);
  const auto &exp = report.summaries()[1];
  EXPECT_EQ(exp.counts.nonFinite, 10u);
  EXPECT_EQ(exp.counts.produced, 2u);
  EXPECT_EQ(exp.firstCulpritSteps, 1u);
  EXPECT_EQ(exp.nonFiniteSteps, 2u);
  EXPECT_EQ(report.flagged(), (std::vector<size_t>{0, 1}));
  EXPECT_NE(report.explain(1).find("produced 2 inf/NaN from finite inputs"),
            std::string::npos)
      << report.explain(1);
  EXPECT_NE(report.explain(1).find("steps 3-4"), std::string::npos);
  EXPECT_NE(report.explain(1).find("compute it in f32"), std::string::npos);
}

TEST(NumericsReportTest, FlagsUnderflowAboveTheThresholdOnly) {
  NumericsReport report(threeProbes());
  // 1 of 100 nonzero flushed is the threshold itself: not flagged.
  report.record(0, {countsOf(1, 1, 0, 0, 0, 1), countsOf(100, 100, 0, 0, 1, 1),
                    countsOf(100, 50, 0, 0, 25, 1)});
  EXPECT_TRUE(report.summaries()[1].findings.empty());
  ASSERT_EQ(report.summaries()[2].findings.size(), 1u);
  EXPECT_EQ(report.summaries()[2].findings[0], NumericsFinding::Underflow);
  EXPECT_NE(report.explain(2).find("flushed 50% of nonzero values"),
            std::string::npos)
      << report.explain(2);
  EXPECT_NE(report.explain(2).find("gradients lost"), std::string::npos);
}

TEST(NumericsReportTest, FlagsValuesNearTheLargestFiniteOfTheirType) {
  NumericsReport report(threeProbes());
  report.record(0,
                {countsOf(1, 1, 0, 0, 0, 40000), countsOf(8, 8, 0, 0, 0, 30000),
                 countsOf(8, 8, 0, 0, 0, 2)});
  ASSERT_EQ(report.flagged(), std::vector<size_t>{0});
  EXPECT_EQ(report.summaries()[0].findings[0], NumericsFinding::NearOverflow);
}

TEST(NumericsReportTest, F32OpsAreNotFlaggedForUnderflow) {
  NumericsReport report(
      {{"train_step", "mul", "m (g.json:1:1)", "f32", false}});
  report.record(0, {countsOf(10, 10, 0, 0, 10, 1)});
  EXPECT_TRUE(report.flagged().empty());
}

} // namespace
