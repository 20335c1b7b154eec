//===- BlockPartialsTest.cpp - split column sums, planned on the host -----===//
//
// The plans of the one-launch column sums (BlockPartials.h) and the order
// they add in: every row lands in exactly one slice, the partials fit the
// scratch and the counter lies past it, and sliceSum, the device's order
// on the host, gives the CPU reference's parameter gradients and sums:
// bit for bit where the orders agree (one slice, one lane, or exact terms),
// within f32 rounding otherwise.
//
//===----------------------------------------------------------------------===//

#include "BlockPartials.h"

#include "runtime/core/RmsNormMath.h"
#include "runtime/cpu/kernels/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace mpc::cuda;
namespace cpu = mpc::cpu;

namespace {

std::vector<float> randomValues(int64_t n, float low, float high,
                                unsigned seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> uniform(low, high);
  std::vector<float> values(n);
  for (float &v : values)
    v = uniform(engine);
  return values;
}

/// Small integers: their f32 sums are exact in any order.
std::vector<float> integerValues(int64_t n, unsigned seed) {
  std::mt19937 engine(seed);
  std::uniform_int_distribution<int> uniform(-8, 8);
  std::vector<float> values(n);
  for (float &v : values)
    v = static_cast<float>(uniform(engine));
  return values;
}

/// Each of [0, length) in exactly one non-empty slice, in order.
void expectCoversOnce(const SliceSplit &split, int64_t length) {
  EXPECT_EQ(split.length, length);
  ASSERT_GE(split.slices, 1);
  EXPECT_EQ(split.begin(0), 0);
  for (int64_t s = 0; s < split.slices; ++s) {
    if (length > 0) {
      EXPECT_LT(split.begin(s), split.end(s)) << "slice " << s;
    }
    if (s > 0) {
      EXPECT_EQ(split.begin(s), split.end(s - 1)) << "slice " << s;
    }
  }
  EXPECT_EQ(split.end(split.slices - 1), length);
}

TEST(BlockPartials, SplitsCoverEveryRowOnce) {
  for (int64_t length : {0, 1, 7, 63, 64, 65, 263, 264, 265, 1000, 8192}) {
    for (int64_t maxSlices : {1, 3, 264}) {
      for (int64_t minPerSlice : {1, 64}) {
        SCOPED_TRACE(::testing::Message()
                     << length << " rows, at most " << maxSlices
                     << " of at least " << minPerSlice);
        SliceSplit split = splitLength(length, maxSlices, minPerSlice);
        expectCoversOnce(split, length);
        EXPECT_LE(split.slices, maxSlices);
        if (length >= minPerSlice) {
          EXPECT_GE(split.perSlice, minPerSlice);
        }
      }
    }
  }
}

TEST(BlockPartials, CounterLiesPastTheScratch) {
  for (size_t bytes : {size_t(0), size_t(1), size_t(255), size_t(256),
                       size_t(4097), kScratchBytes}) {
    size_t at = counterOffset(bytes);
    EXPECT_GE(at, bytes);
    EXPECT_LT(at, bytes + 256);
    EXPECT_EQ(at % 256, 0u);
  }
  EXPECT_GE(kCounterBytes, sizeof(unsigned int));
}

TEST(BlockPartials, NormalizationFillsTheGpuAndFits) {
  // GPT-2 small's layer norms: 8192 rows of 768.
  NormalizationPlan plan = planNormalization(8192, 768, 2, kScratchBytes);
  expectCoversOnce(plan.rows, 8192);
  EXPECT_LE(plan.rows.slices, kFillBlocks);
  EXPECT_GT(plan.rows.slices, kFillBlocks / 2);
  EXPECT_TRUE(plan.inShared);
  EXPECT_EQ(plan.sharedBytes(), 2u * 768 * 4);
  EXPECT_EQ(plan.partialBytes(), size_t(plan.rows.slices) * 2 * 768 * 4);
  // Fewer rows than blocks: a row each.
  NormalizationPlan few = planNormalization(33, 1000, 1, kScratchBytes);
  EXPECT_EQ(few.rows.slices, 33);
  EXPECT_EQ(few.rows.perSlice, 1);
  // Rows too wide for shared memory accumulate in the scratch.
  NormalizationPlan wide = planNormalization(64, 20000, 2, kScratchBytes);
  EXPECT_FALSE(wide.inShared);
  EXPECT_EQ(wide.sharedBytes(), 0u);
  EXPECT_LE(wide.partialBytes(), kScratchBytes);
}

TEST(BlockPartials, NormalizationBlocksAreBoundedByTheScratch) {
  // Room for three blocks of 2 x 100 floats.
  size_t scratch = 3 * 2 * 100 * 4 + 10;
  NormalizationPlan plan = planNormalization(1000, 100, 2, scratch);
  EXPECT_EQ(plan.rows.slices, 3);
  expectCoversOnce(plan.rows, 1000);
  EXPECT_LE(plan.partialBytes(), scratch);
  // Not even one block: zero slices, which the runtime reports.
  EXPECT_EQ(planNormalization(1000, 100, 2, 799).rows.slices, 0);
}

TEST(BlockPartials, ColumnReduceFillsTheGpuWhereTheAxisAllows) {
  // The bias gradients of GPT-2 small: 8192 rows of 768 or 3072.
  for (int64_t inner : {768, 3072}) {
    ColumnReducePlan plan = planColumnReduce(1, 8192, inner, kScratchBytes);
    EXPECT_EQ(plan.tiles, inner / kReduceTileInner);
    EXPECT_GE(plan.blocks(), kFillBlocks) << inner;
    expectCoversOnce(plan.axis, 8192);
    EXPECT_EQ(plan.partialBytes(), size_t(plan.axis.slices) * inner * 4);
  }
  // A short axis stays one slice: no partials.
  ColumnReducePlan shortAxis = planColumnReduce(1, 100, 768, kScratchBytes);
  EXPECT_EQ(shortAxis.axis.slices, 1);
  EXPECT_EQ(shortAxis.partialBytes(), 0u);
  // Enough blocks already: one slice.
  EXPECT_EQ(planColumnReduce(64, 8192, 1024, kScratchBytes).axis.slices, 1);
  // A scratch of room for 2 slices of partials.
  ColumnReducePlan bounded = planColumnReduce(2, 8192, 40, 2 * 2 * 40 * 4);
  EXPECT_EQ(bounded.axis.slices, 2);
}

TEST(BlockPartials, ColumnReducePartialsAreDistinctAndInside) {
  ColumnReducePlan plan = planColumnReduce(3, 5000, 70, kScratchBytes);
  ASSERT_GT(plan.axis.slices, 1);
  std::vector<int> hits(plan.partialBytes() / 4, 0);
  for (int64_t o = 0; o < 3; ++o)
    for (int64_t s = 0; s < plan.axis.slices; ++s)
      for (int64_t i = 0; i < 70; ++i) {
        int64_t at = plan.partialIndex(o, s, i);
        ASSERT_GE(at, 0);
        ASSERT_LT(at, static_cast<int64_t>(hits.size()));
        ++hits[at];
      }
  for (int hit : hits)
    EXPECT_EQ(hit, 1);
}

TEST(BlockPartials, SliceSumAddsEveryRowOnce) {
  // Partial sums of 1 + 2 + ... + 5000 stay below 2^24: exact in f32.
  for (int64_t length : {1, 9, 64, 1000, 5000})
    for (int64_t lanes : {1, 8})
      for (int64_t slices : {1, 5, 264}) {
        SliceSplit split = splitLength(length, slices, 1);
        float sum = sliceSum(split, lanes, [](int64_t row) {
          return static_cast<float>(row + 1);
        });
        EXPECT_EQ(sum, static_cast<float>(length * (length + 1) / 2))
            << length << " rows, " << lanes << " lanes, " << slices
            << " slices";
      }
}

/// The layer norm's dgamma and dbeta as the launch adds them: each row's
/// terms with the CPU reference's formulas and statistics.
void layerNormParamGrads(const SliceSplit &split, const std::vector<float> &dy,
                         const std::vector<float> &x, int64_t cols,
                         double epsilon, std::vector<float> &dgamma,
                         std::vector<float> &dbeta) {
  int64_t rows = split.length;
  std::vector<double> mean(rows), rstd(rows);
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0, squares = 0;
    for (int64_t c = 0; c < cols; ++c)
      sum += x[r * cols + c];
    mean[r] = sum / static_cast<double>(cols);
    for (int64_t c = 0; c < cols; ++c) {
      double centred = x[r * cols + c] - mean[r];
      squares += centred * centred;
    }
    rstd[r] = 1.0 / std::sqrt(squares / static_cast<double>(cols) + epsilon);
  }
  dgamma.assign(cols, 0.0f);
  dbeta.assign(cols, 0.0f);
  for (int64_t c = 0; c < cols; ++c) {
    dgamma[c] = sliceSum(split, 1, [&](int64_t r) {
      double xhat = (x[r * cols + c] - mean[r]) * rstd[r];
      return dy[r * cols + c] * static_cast<float>(xhat);
    });
    dbeta[c] = sliceSum(split, 1, [&](int64_t r) { return dy[r * cols + c]; });
  }
}

TEST(BlockPartials, LayerNormOrderGivesTheReferenceGradients) {
  for (auto [rows, cols] : {std::pair<int64_t, int64_t>{7, 96}, {1000, 40}}) {
    SCOPED_TRACE(::testing::Message() << rows << "x" << cols);
    int64_t n = rows * cols;
    std::vector<float> x = randomValues(n, -3, 5, 1);
    std::vector<float> gamma = randomValues(cols, 0.5f, 1.5f, 3);
    double eps = 1e-5;
    for (bool integerDy : {false, true}) {
      std::vector<float> dy =
          integerDy ? integerValues(n, 2) : randomValues(n, -1, 1, 2);
      std::vector<float> dx(n), dgamma(cols), dbeta(cols);
      cpu::layerNormGrad(dy.data(), x.data(), gamma.data(), dx.data(),
                         dgamma.data(), dbeta.data(), rows, cols, eps);
      // One slice adds in the reference's order: the same bits.
      std::vector<float> oneGamma, oneBeta;
      layerNormParamGrads(splitLength(rows, 1, 1), dy, x, cols, eps, oneGamma,
                          oneBeta);
      for (int64_t c = 0; c < cols; ++c) {
        EXPECT_EQ(oneGamma[c], dgamma[c]) << "column " << c;
        EXPECT_EQ(oneBeta[c], dbeta[c]) << "column " << c;
      }
      // The launch's plan: exact for integer dbeta terms, within f32
      // rounding of the sum of |terms| otherwise.
      NormalizationPlan plan = planNormalization(rows, cols, 2, kScratchBytes);
      ASSERT_GT(plan.rows.slices, 1);
      std::vector<float> planGamma, planBeta;
      layerNormParamGrads(plan.rows, dy, x, cols, eps, planGamma, planBeta);
      // A recursive f32 sum of n terms is off by at most n u sum |terms|;
      // |dy| <= 8 and |xhat| < 2.
      double bound = rows * std::ldexp(1.0, -24) * 16.0 * rows;
      for (int64_t c = 0; c < cols; ++c) {
        EXPECT_NEAR(planGamma[c], dgamma[c], bound) << "column " << c;
        if (integerDy)
          EXPECT_EQ(planBeta[c], dbeta[c]) << "column " << c;
        else
          EXPECT_NEAR(planBeta[c], dbeta[c], bound) << "column " << c;
      }
    }
  }
}

TEST(BlockPartials, RmsNormOrderGivesTheReferenceGradient) {
  int64_t rows = 700, cols = 48;
  int64_t n = rows * cols;
  std::vector<float> x = randomValues(n, -3, 5, 4);
  std::vector<float> dy = randomValues(n, -1, 1, 5);
  std::vector<float> weight = randomValues(cols, 0.5f, 1.5f, 6);
  double eps = 1e-6;
  std::vector<float> dx(n), dweight(cols);
  cpu::rmsNormGrad(dy.data(), x.data(), weight.data(), dx.data(),
                   dweight.data(), rows, cols, eps);
  std::vector<double> rstd(rows);
  for (int64_t r = 0; r < rows; ++r) {
    double squares = 0;
    for (int64_t c = 0; c < cols; ++c)
      squares = mpc::math::add(squares, mpc::rms::square(x[r * cols + c]));
    rstd[r] = mpc::rms::reciprocalRms(squares, cols, eps);
  }
  NormalizationPlan plan = planNormalization(rows, cols, 1, kScratchBytes);
  ASSERT_GT(plan.rows.slices, 1);
  for (int64_t c = 0; c < cols; ++c) {
    auto term = [&](int64_t r) {
      return mpc::rms::weightGradTerm(dy[r * cols + c], x[r * cols + c],
                                      rstd[r]);
    };
    EXPECT_EQ(sliceSum(splitLength(rows, 1, 1), 1, term), dweight[c])
        << "column " << c;
    // n u sum |terms|, with |dy| <= 1 and |xhat| < 3.
    EXPECT_NEAR(sliceSum(plan.rows, 1, term), dweight[c],
                rows * std::ldexp(1.0, -24) * 3.0 * rows)
        << "column " << c;
  }
}

TEST(BlockPartials, ColumnReduceOrderGivesTheReferenceSum) {
  int64_t outer = 2, axis = 3000, inner = 37;
  cpu::Shape shape{outer, axis, inner};
  for (bool integers : {false, true}) {
    std::vector<float> in = integers
                                ? integerValues(outer * axis * inner, 7)
                                : randomValues(outer * axis * inner, -1, 1, 7);
    std::vector<float> sum(outer * inner);
    cpu::reduceSum(in.data(), shape, {1}, sum.data());
    ColumnReducePlan plan = planColumnReduce(outer, axis, inner, kScratchBytes);
    ASSERT_GT(plan.axis.slices, 1);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        auto term = [&](int64_t j) { return in[(o * axis + j) * inner + i]; };
        float want = sum[o * inner + i];
        // One slice of one lane is the reference's order.
        EXPECT_EQ(sliceSum(splitLength(axis, 1, 1), 1, term), want);
        float got = sliceSum(plan.axis, kReduceTileAxis, term);
        if (integers)
          EXPECT_EQ(got, want) << o << ", " << i;
        else
          EXPECT_NEAR(got, want, axis * std::ldexp(1.0, -24) * axis)
              << o << ", " << i;
      }
  }
}

} // namespace
