//===- ExecutorTest.cpp - the CPU reference executor's semantics ----------===//
//
// What the gradient checks do not reach: initialization, rounding of
// low-precision results, casts, stores, and run-time errors.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Executor.h"
#include "compiler/import/json/GraphImporter.h"
#include "runtime/cpu/kernels/Kernels.h"
#include "runtime/cpu/kernels/Precision.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using mpc::driver::HostTensor;

namespace {

class ExecutorTest : public ::testing::Test {
protected:
  ExecutorTest() {
    DialectRegistry registry;
    mpc::registerGraphImportDialects(registry);
    context.appendDialectRegistry(registry);
  }

  /// Parses `text` and creates an executor over it.
  std::unique_ptr<mpc::cpu::Executor> load(llvm::StringRef text) {
    module = parseSourceString<ModuleOp>(text, &context);
    EXPECT_TRUE(module);
    if (!module)
      return nullptr;
    std::string error;
    auto executor = mpc::cpu::Executor::create(*module, error);
    EXPECT_TRUE(executor) << error;
    return executor;
  }

  static HostTensor floats(std::vector<int64_t> shape,
                           std::vector<float> data) {
    HostTensor t;
    t.shape = std::move(shape);
    t.f32 = std::move(data);
    return t;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

constexpr const char *kParams = R"mlir(
  mpc.param @a : tensor<64x32xf32> = #mpc.init<xavier_uniform, gain = 2.0>
  mpc.param @b : tensor<4096xf32> = #mpc.init<normal, mean = 1.0, std = 0.5>
  mpc.param @c : tensor<16xf32> = #mpc.init<uniform, low = -1.0, high = 1.0, seed = 9>
  mpc.param state @d : tensor<3xf32> = #mpc.init<constant, value = 0.25>
)mlir";

TEST_F(ExecutorTest, InitializationIsSeededAndFollowsTheSpec) {
  auto executor = load(kParams);
  ASSERT_TRUE(executor);
  executor->initializeParams(1);
  std::vector<HostTensor> first = executor->params();
  executor->initializeParams(1);
  std::vector<HostTensor> again = executor->params();
  executor->initializeParams(2);
  std::vector<HostTensor> other = executor->params();

  for (size_t i = 0; i < first.size(); ++i)
    EXPECT_EQ(first[i].f32, again[i].f32) << first[i].name;
  // The run seed changes the params without their own seed only.
  EXPECT_NE(first[0].f32, other[0].f32);
  EXPECT_NE(first[1].f32, other[1].f32);
  EXPECT_EQ(first[2].f32, other[2].f32);
  EXPECT_TRUE(executor->isState(3));
  EXPECT_FALSE(executor->isState(0));

  // xavier_uniform: |w| <= gain·sqrt(6 / (fan_in + fan_out)), spread over
  // the range.
  double bound = 2.0 * std::sqrt(6.0 / (64 + 32)), largest = 0;
  for (float w : first[0].f32) {
    EXPECT_LE(std::fabs(w), bound);
    largest = std::max(largest, double(std::fabs(w)));
  }
  EXPECT_GT(largest, 0.95 * bound);

  // normal: the sample mean and deviation of 4096 draws.
  double sum = 0, squares = 0;
  for (float v : first[1].f32)
    sum += v;
  double mean = sum / 4096;
  for (float v : first[1].f32)
    squares += (v - mean) * (v - mean);
  EXPECT_NEAR(mean, 1.0, 0.05);
  EXPECT_NEAR(std::sqrt(squares / 4095), 0.5, 0.03);

  for (float v : first[2].f32) {
    EXPECT_GE(v, -1.0f);
    EXPECT_LT(v, 1.0f);
  }
  EXPECT_EQ(first[3].f32, std::vector<float>(3, 0.25f));
}

TEST_F(ExecutorTest, LowPrecisionResultsAreRoundedAtEveryOp) {
  auto executor = load(R"mlir(
    func.func @f(%x: tensor<2xf32>) -> (tensor<2xbf16>, tensor<2xf16>, tensor<2xf32>) {
      %h = mpc.cast %x : tensor<2xf32> to tensor<2xbf16>
      %s = mpc.add %h, %h : (tensor<2xbf16>, tensor<2xbf16>) -> tensor<2xbf16>
      %f = mpc.cast %x : tensor<2xf32> to tensor<2xf16>
      %big = mpc.mul %f, %f : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
      %back = mpc.cast %s : tensor<2xbf16> to tensor<2xf32>
      return %s, %big, %back : tensor<2xbf16>, tensor<2xf16>, tensor<2xf32>
    }
  )mlir");
  ASSERT_TRUE(executor);
  std::vector<HostTensor> results;
  std::string error;
  // Halfway between the bf16 values 1 and 1 + 2^-7: ties to even, to 1.
  float x = 1.0f + 1.0f / 256;
  ASSERT_TRUE(executor->run("f", {floats({2}, {x, 300.0f})}, 0, results, error))
      << error;
  EXPECT_EQ(results[0].f32[0], 2.0f);
  EXPECT_EQ(results[0].f32[1], 600.0f);
  // 300² overflows f16 (max 65504) to infinity, as IEEE.
  EXPECT_FLOAT_EQ(results[1].f32[0],
                  mpc::cpu::halfBitsToFloat(mpc::cpu::floatToHalfBits(x * x)));
  EXPECT_TRUE(std::isinf(results[1].f32[1]));
  EXPECT_EQ(results[2].f32, results[0].f32);
}

TEST_F(ExecutorTest, FloatToIntegerCastsTruncateAndSaturate) {
  auto executor = load(R"mlir(
    func.func @f(%x: tensor<5xf32>) -> tensor<5xi32> {
      %i = mpc.cast %x : tensor<5xf32> to tensor<5xi32>
      return %i : tensor<5xi32>
    }
  )mlir");
  ASSERT_TRUE(executor);
  std::vector<HostTensor> results;
  std::string error;
  ASSERT_TRUE(executor->run(
      "f", {floats({5}, {2.7f, -2.7f, 1e20f, -1e20f, std::nanf("")})}, 0,
      results, error));
  EXPECT_EQ(results[0].i64,
            (std::vector<int64_t>{2, -2, 2147483647, -2147483648LL, 0}));
}

TEST_F(ExecutorTest, StoresUpdateParamsAndLaterLoadsSeeThem) {
  auto executor = load(R"mlir(
    mpc.param @p : tensor<2xf32> = #mpc.init<ones>
    func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
      %p = mpc.load @p : tensor<2xf32>
      %q = mpc.add %p, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      mpc.store %q, @p : tensor<2xf32>
      %r = mpc.load @p : tensor<2xf32>
      return %r : tensor<2xf32>
    }
  )mlir");
  ASSERT_TRUE(executor);
  executor->initializeParams(0);
  std::vector<HostTensor> results;
  std::string error;
  for (int step = 0; step < 2; ++step)
    ASSERT_TRUE(
        executor->run("f", {floats({2}, {1.0f, 2.0f})}, step, results, error));
  EXPECT_EQ(results[0].f32, (std::vector<float>{3.0f, 5.0f}));
  EXPECT_EQ(executor->params()[0].f32, (std::vector<float>{3.0f, 5.0f}));
  EXPECT_EQ(executor->params()[0].name, "p");
}

TEST_F(ExecutorTest, OutOfRangeIdsAreErrorsNamingTheNode) {
  auto executor = load(R"mlir(
    mpc.param @table : tensor<4x2xf32> = #mpc.init<ones>
    func.func @f(%ids: tensor<3xi32>) -> tensor<3x2xf32> {
      %t = mpc.load @table : tensor<4x2xf32>
      %e = mpc.embedding %ids, %t : (tensor<3xi32>, tensor<4x2xf32>) -> tensor<3x2xf32> loc("tok"("model.json":7:5))
      return %e : tensor<3x2xf32>
    }
  )mlir");
  ASSERT_TRUE(executor);
  HostTensor ids;
  ids.shape = {3};
  ids.dtype = HostTensor::DType::I64;
  ids.i64 = {0, 4, 1};
  std::vector<HostTensor> results;
  std::string error;
  EXPECT_FALSE(executor->run("f", {ids}, 0, results, error));
  EXPECT_EQ(error, "model.json:7:5: node 'tok': mpc.embedding: id 4 at "
                   "position 1 is outside the table's 4 rows");
}

TEST_F(ExecutorTest, DropoutMasksDependOnTheStep) {
  auto executor = load(R"mlir(
    func.func @f(%x: tensor<256xf32>) -> tensor<256xf32> {
      %d = mpc.dropout %x rate = 5.000000e-01 seed = 3 : tensor<256xf32>
      return %d : tensor<256xf32>
    }
  )mlir");
  ASSERT_TRUE(executor);
  HostTensor x = floats({256}, std::vector<float>(256, 1.0f));
  std::vector<HostTensor> a, b, c;
  std::string error;
  ASSERT_TRUE(executor->run("f", {x}, 0, a, error));
  ASSERT_TRUE(executor->run("f", {x}, 0, b, error));
  ASSERT_TRUE(executor->run("f", {x}, 1, c, error));
  EXPECT_EQ(a[0].f32, b[0].f32);
  EXPECT_NE(a[0].f32, c[0].f32);
  for (float v : a[0].f32)
    EXPECT_TRUE(v == 0.0f || v == 2.0f);
}

TEST_F(ExecutorTest, DropoutMasksDependOnTheRunSeed) {
  const char *source = R"mlir(
    func.func @f(%x: tensor<256xf32>) -> tensor<256xf32> {
      %d = mpc.dropout %x rate = 5.000000e-01 seed = 3 : tensor<256xf32>
      return %d : tensor<256xf32>
    }
  )mlir";
  HostTensor x = floats({256}, std::vector<float>(256, 1.0f));
  // The mask of each run seed, from an executor of its own, at step 5.
  auto maskOf = [&](uint64_t seed) {
    auto executor = load(source);
    EXPECT_TRUE(executor);
    executor->initializeParams(seed);
    std::vector<HostTensor> out;
    std::string error;
    EXPECT_TRUE(executor->run("f", {x}, 5, out, error)) << error;
    return out.at(0).f32;
  };
  std::vector<float> seed1 = maskOf(1);
  EXPECT_EQ(maskOf(1), seed1);
  EXPECT_NE(maskOf(2), seed1);
  // The mask is the kernel's for (run seed, op seed, step).
  std::vector<float> want(256);
  mpc::cpu::dropout(x.f32.data(), want.data(), 256, 0.5, /*runSeed=*/1,
                    /*opSeed=*/3, /*step=*/5);
  EXPECT_EQ(seed1, want);
}

TEST_F(ExecutorTest, SpecsDescribeShapesWithoutAllocating) {
  // A 2^40-element argument (4 TiB) is described, not allocated.
  auto executor = load(R"mlir(
    func.func @f(%x: tensor<1099511627776xf32>, %y: tensor<2x3xi32>) -> tensor<1099511627776xf32> {
      %r = mpc.relu %x : tensor<1099511627776xf32>
      return %r : tensor<1099511627776xf32>
    }
  )mlir");
  ASSERT_TRUE(executor);
  std::vector<HostTensor> specs = executor->argumentSpecs("f");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].shape, std::vector<int64_t>{int64_t(1) << 40});
  EXPECT_EQ(specs[0].dtype, HostTensor::DType::F32);
  EXPECT_EQ(specs[1].dtype, HostTensor::DType::I64);
  for (const HostTensor &spec : specs)
    EXPECT_EQ(spec.numStoredElements(), 0);
  EXPECT_EQ(executor->resultSpecs("f")[0].numStoredElements(), 0);
  // The argument and the relu's result live at once.
  EXPECT_EQ(executor->peakLiveBytes("f"), (uint64_t(1) << 42) * 2 + 6 * 8);
}

TEST_F(ExecutorTest, PeakLiveBytesFreesValuesAfterTheirLastUse) {
  auto executor = load(R"mlir(
    func.func @f(%x: tensor<256xf32>) -> tensor<256xf32> {
      %a = mpc.relu %x : tensor<256xf32>
      %b = mpc.relu %a : tensor<256xf32>
      %c = mpc.relu %b : tensor<256xf32>
      return %c : tensor<256xf32>
    }
  )mlir");
  ASSERT_TRUE(executor);
  // Each value, the argument too, dies at its last use: never more than
  // two of the four 1 KiB values at once.
  EXPECT_EQ(executor->peakLiveBytes("f"), 2u * 1024);
}

TEST_F(ExecutorTest, ParamsLargerThanMemoryAreRefusedBeforeAllocation) {
  module = parseSourceString<ModuleOp>(R"mlir(
    mpc.param @w : tensor<1099511627776x1024xf32> = #mpc.init<zeros>
  )mlir",
                                       &context);
  ASSERT_TRUE(module);
  std::string error;
  EXPECT_FALSE(mpc::cpu::Executor::create(*module, error));
  EXPECT_EQ(error.rfind("the parameters and state: 4.0 PiB of memory "
                        "needed, more than the ",
                        0),
            0u)
      << error;
}

} // namespace
