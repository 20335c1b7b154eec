//===- ShapeFunctionsTest.cpp - shape rules shared by verifier and importer
//===//

#include "dialects/mpc/ShapeFunctions.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mpc;

namespace {

class ShapeFunctions : public ::testing::Test {
protected:
  ShapeFunctions()
      : handler(&context, [this](Diagnostic &diagnostic) {
          lastError = diagnostic.str();
          return success();
        }) {}

  RankedTensorType f32(llvm::ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, Float32Type::get(&context));
  }
  RankedTensorType bf16(llvm::ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, BFloat16Type::get(&context));
  }
  InFlightDiagnostic emit() { return emitError(UnknownLoc::get(&context)); }

  MLIRContext context;
  ScopedDiagnosticHandler handler;
  std::string lastError;
};

TEST_F(ShapeFunctions, BroadcastFollowsNumpy) {
  auto emitFn = [&] { return emit(); };
  auto shape = broadcastShapes({8, 1, 6, 1}, {7, 1, 5}, emitFn);
  ASSERT_TRUE(succeeded(shape));
  EXPECT_EQ(llvm::ArrayRef<int64_t>(*shape),
            llvm::ArrayRef<int64_t>({8, 7, 6, 5}));
  auto scalar = broadcastShapes({}, {3, 4}, emitFn);
  ASSERT_TRUE(succeeded(scalar));
  EXPECT_EQ(llvm::ArrayRef<int64_t>(*scalar), llvm::ArrayRef<int64_t>({3, 4}));
}

TEST_F(ShapeFunctions, BroadcastMismatchNamesBothShapes) {
  EXPECT_TRUE(failed(broadcastShapes({32, 128}, {64}, [&] { return emit(); })));
  EXPECT_EQ(lastError, "cannot broadcast shapes [32, 128] and [64]");
}

TEST_F(ShapeFunctions, MatmulBroadcastsBatchAndHonoursTransposes) {
  auto type = inferMatmulType(f32({2, 1, 3, 4}), f32({5, 6, 4}), false, true,
                              [&] { return emit(); });
  ASSERT_TRUE(succeeded(type));
  EXPECT_EQ(*type, f32({2, 5, 3, 6}));
  auto transposedA = inferMatmulType(f32({4, 3}), f32({4, 2}), true, false,
                                     [&] { return emit(); });
  ASSERT_TRUE(succeeded(transposedA));
  EXPECT_EQ(*transposedA, f32({3, 2}));
}

TEST_F(ShapeFunctions, MatmulRejectsMixedTypesAndBadContraction) {
  EXPECT_TRUE(failed(inferMatmulType(f32({2, 3}), bf16({3, 2}), false, false,
                                     [&] { return emit(); })));
  EXPECT_NE(lastError.find("different element types"), std::string::npos);
  EXPECT_TRUE(failed(inferMatmulType(f32({2, 3}), f32({4, 2}), false, false,
                                     [&] { return emit(); })));
  EXPECT_NE(lastError.find("[2, 3] has 3, [4, 2] has 4"), std::string::npos);
  EXPECT_TRUE(failed(inferMatmulType(f32({3}), f32({3, 2}), false, false,
                                     [&] { return emit(); })));
}

TEST_F(ShapeFunctions, ReduceDropsOrKeepsAxes) {
  auto dropped =
      inferReduceType(f32({2, 3, 4}), {0, 2}, false, [&] { return emit(); });
  ASSERT_TRUE(succeeded(dropped));
  EXPECT_EQ(*dropped, f32({3}));
  auto kept =
      inferReduceType(f32({2, 3, 4}), {1}, true, [&] { return emit(); });
  ASSERT_TRUE(succeeded(kept));
  EXPECT_EQ(*kept, f32({2, 1, 4}));
  EXPECT_TRUE(failed(
      inferReduceType(f32({2, 3}), {1, 0}, false, [&] { return emit(); })));
  EXPECT_TRUE(
      failed(inferReduceType(f32({2, 3}), {2}, false, [&] { return emit(); })));
}

TEST_F(ShapeFunctions, ReductionSplitsIntoOuterAxisInner) {
  auto expectSplit = [](ArrayRef<int64_t> shape, ArrayRef<int64_t> axes,
                        int64_t outer, int64_t axis, int64_t inner) {
    std::optional<ReductionSplit> split = splitReduction(shape, axes);
    ASSERT_TRUE(split.has_value());
    EXPECT_EQ(split->outer, outer);
    EXPECT_EQ(split->axis, axis);
    EXPECT_EQ(split->inner, inner);
  };
  // Adjacent dims of one kind merge.
  expectSplit({2, 3, 4, 5}, {1, 2}, 2, 12, 5);
  expectSplit({8, 1024, 768}, {0, 1}, 1, 8192, 768);
  expectSplit({8, 1024, 768}, {2}, 8192, 768, 1);
  // Size-1 dims change nothing, reduced or kept, so these are adjacent.
  expectSplit({4, 1, 8}, {1}, 32, 1, 1);
  expectSplit({3, 1, 5}, {0, 2}, 1, 15, 1);
  // Reduced dims with a kept dim of more than one element between them.
  EXPECT_FALSE(splitReduction({3, 2, 5}, {0, 2}).has_value());
}

TEST_F(ShapeFunctions, TransposeNeedsAPermutation) {
  auto type =
      inferTransposeType(f32({2, 3, 4}), {2, 0, 1}, [&] { return emit(); });
  ASSERT_TRUE(succeeded(type));
  EXPECT_EQ(*type, f32({4, 2, 3}));
  EXPECT_TRUE(
      failed(inferTransposeType(f32({2, 3}), {0, 0}, [&] { return emit(); })));
  EXPECT_TRUE(
      failed(inferTransposeType(f32({2, 3}), {0}, [&] { return emit(); })));
}

TEST_F(ShapeFunctions, CrossEntropyLabelsDropTheClassDim) {
  IntegerType i32 = IntegerType::get(&context, 32);
  auto labels = RankedTensorType::get({8, 16}, i32);
  auto type =
      inferCrossEntropyType(f32({8, 16, 128}), labels, [&] { return emit(); });
  ASSERT_TRUE(succeeded(type));
  EXPECT_EQ(*type, f32({}));
  EXPECT_TRUE(failed(
      inferCrossEntropyType(f32({8, 128}), labels, [&] { return emit(); })));
}

TEST_F(ShapeFunctions, LayerNormScaleIsTrailingPart) {
  EXPECT_TRUE(succeeded(verifyLayerNormOperands(f32({8, 16, 64}), f32({64}),
                                                [&] { return emit(); })));
  EXPECT_TRUE(succeeded(verifyLayerNormOperands(f32({8, 16, 64}), f32({16, 64}),
                                                [&] { return emit(); })));
  EXPECT_TRUE(failed(verifyLayerNormOperands(f32({8, 16, 64}), f32({16}),
                                             [&] { return emit(); })));
}

TEST_F(ShapeFunctions, RmsNormWeightIsTheLastDim) {
  EXPECT_TRUE(succeeded(verifyRmsNormOperands(f32({8, 16, 64}), f32({64}),
                                              [&] { return emit(); })));
  EXPECT_TRUE(succeeded(
      verifyRmsNormOperands(f32({5}), f32({5}), [&] { return emit(); })));
  // Not layer_norm's trailing part, nor a leading dim, nor a scalar input.
  EXPECT_TRUE(failed(verifyRmsNormOperands(f32({8, 16, 64}), f32({16, 64}),
                                           [&] { return emit(); })));
  EXPECT_TRUE(failed(verifyRmsNormOperands(f32({8, 16, 64}), f32({16}),
                                           [&] { return emit(); })));
  EXPECT_TRUE(
      failed(verifyRmsNormOperands(f32({}), f32({1}), [&] { return emit(); })));
}

TEST_F(ShapeFunctions, MaskMustNotGrowTheInput) {
  RankedTensorType mask =
      RankedTensorType::get({8, 1, 16}, IntegerType::get(&context, 1));
  EXPECT_TRUE(succeeded(
      verifyMaskedFill(f32({8, 16, 16}), mask, [&] { return emit(); })));
  EXPECT_TRUE(
      failed(verifyMaskedFill(f32({1, 16}), mask, [&] { return emit(); })));
}

TEST_F(ShapeFunctions, WhereBroadcastsAllThree) {
  auto mask = [&](llvm::ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, IntegerType::get(&context, 1));
  };
  // Only the three together give the result's shape.
  auto type = inferWhereType(mask({2, 1, 1}), bf16({3, 1}), bf16({4}),
                             [&] { return emit(); });
  ASSERT_TRUE(succeeded(type));
  EXPECT_EQ(*type, bf16({2, 3, 4}));
  EXPECT_TRUE(failed(inferWhereType(mask({5}), f32({3, 4}), f32({4}),
                                    [&] { return emit(); })));
  EXPECT_EQ(lastError, "cannot broadcast shapes [5] and [3, 4]");
  EXPECT_TRUE(failed(
      inferWhereType(mask({4}), f32({4}), bf16({4}), [&] { return emit(); })));
  EXPECT_EQ(lastError,
            "branches have different element types 'f32' and 'bf16'");
}

} // namespace
