//===- NumericsCheckTest.cpp - classifying an op's outputs ----------------===//
//
// runtime/core/NumericsCheck.h, which the CPU executor and the CUDA kernel
// of --check-numerics share: each class at the edges of f16 and bf16, and
// the counts it sums into.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/NumericsCheck.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

using namespace mpc::numerics;

ValueClass classify(mpc_dtype dtype, float computed) {
  return classifyValue(dtype, computed, storedValue(dtype, computed));
}

TEST(NumericsCheckTest, F16OverflowsAboveItsLargestValue) {
  EXPECT_EQ(classify(MPC_F16, 65504.0f), ValueClass::Normal);
  // 65520 is the midpoint to the next binade: it rounds to inf.
  EXPECT_EQ(classify(MPC_F16, 65520.0f), ValueClass::Overflow);
  EXPECT_EQ(classify(MPC_F16, -1.0e5f), ValueClass::Overflow);
  // bf16 has f32's range: the same values stay finite.
  EXPECT_EQ(classify(MPC_BF16, 1.0e5f), ValueClass::Normal);
  EXPECT_EQ(classify(MPC_F32, 1.0e5f), ValueClass::Normal);
}

TEST(NumericsCheckTest, ComputedInfAndNanAreNotRoundingOverflows) {
  float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(classify(MPC_F16, inf), ValueClass::NonFinite);
  EXPECT_EQ(classify(MPC_F32, -inf), ValueClass::NonFinite);
  EXPECT_EQ(classify(MPC_BF16, std::nanf("")), ValueClass::NonFinite);
}

TEST(NumericsCheckTest, F16FlushesBelowItsSmallestNormal) {
  // 2^-14 is f16's smallest normal; 2^-15 is a subnormal, 2^-26 rounds to 0.
  EXPECT_EQ(classify(MPC_F16, std::ldexp(1.0f, -14)), ValueClass::Normal);
  EXPECT_EQ(classify(MPC_F16, std::ldexp(1.0f, -15)), ValueClass::Flushed);
  EXPECT_EQ(storedValue(MPC_F16, std::ldexp(1.0f, -26)), 0.0f);
  EXPECT_EQ(classify(MPC_F16, -std::ldexp(1.0f, -26)), ValueClass::Flushed);
  // bf16 keeps them normal; f32 subnormals are the reference, not a loss.
  EXPECT_EQ(classify(MPC_BF16, std::ldexp(1.0f, -26)), ValueClass::Normal);
  EXPECT_EQ(classify(MPC_BF16, std::ldexp(1.0f, -130)), ValueClass::Flushed);
  EXPECT_EQ(classify(MPC_F32, std::ldexp(1.0f, -130)), ValueClass::Normal);
  EXPECT_EQ(classify(MPC_F16, 0.0f), ValueClass::Zero);
  EXPECT_EQ(classify(MPC_F16, -0.0f), ValueClass::Zero);
}

TEST(NumericsCheckTest, StoredValueIsTheOnlyInputABackendWithoutF32Needs) {
  // A backend that sees only stored values passes them twice: an f16
  // subnormal is still flushed, a stored inf is non-finite.
  float subnormal = storedValue(MPC_F16, std::ldexp(1.0f, -20));
  EXPECT_EQ(classifyValue(MPC_F16, subnormal, subnormal), ValueClass::Flushed);
  float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(classifyValue(MPC_F16, inf, inf), ValueClass::NonFinite);
}

TEST(NumericsCheckTest, CountsSumEachClassAndTheLargestFiniteMagnitude) {
  NumericsCounts counts;
  for (float computed : {0.0f, 1.5f, -300.0f, 70000.0f, 1.0e-8f,
                         std::numeric_limits<float>::infinity()}) {
    float stored = storedValue(MPC_F16, computed);
    counts.add(classifyValue(MPC_F16, computed, stored), stored);
  }
  EXPECT_EQ(counts.elements, 6u);
  EXPECT_EQ(counts.nonzero, 5u);
  EXPECT_EQ(counts.nonFinite, 2u);
  EXPECT_EQ(counts.overflowed, 1u);
  EXPECT_EQ(counts.flushed, 1u);
  EXPECT_EQ(counts.maxAbs, 300.0f);
  EXPECT_EQ(counts.produced, 0u);

  NumericsCounts other;
  other.add(ValueClass::Normal, -512.0f);
  other.produced = 3;
  counts.merge(other);
  EXPECT_EQ(counts.elements, 7u);
  EXPECT_EQ(counts.maxAbs, 512.0f);
  EXPECT_EQ(counts.produced, 3u);
}

TEST(NumericsCheckTest, ProbeStatisticsBlameAnOpOnlyForFiniteInputs) {
  float inf = std::numeric_limits<float>::infinity();
  ProbeCounts probe;
  for (float stored : {1.0f, inf, -inf})
    probe.outputs.add(classifyValue(MPC_F16, stored, stored), stored);
  probe.inputs.add(ValueClass::Normal, 2.0f);

  // Finite inputs: the op produced its inf values.
  NumericsCounts counts = probeStatistics(probe);
  EXPECT_EQ(counts.elements, 3u);
  EXPECT_EQ(counts.nonFinite, 2u);
  EXPECT_EQ(counts.produced, 2u);
  EXPECT_EQ(counts.maxAbs, 1.0f);

  // One non-finite input: it only passed them on.
  probe.inputs.add(ValueClass::NonFinite, inf);
  counts = probeStatistics(probe);
  EXPECT_EQ(counts.nonFinite, 2u);
  EXPECT_EQ(counts.produced, 0u);

  // Nothing non-finite: nothing produced, whatever the inputs.
  EXPECT_EQ(probeStatistics(ProbeCounts{}).produced, 0u);
}

} // namespace
