//===- CoreTest.cpp - the vocabulary every layer shares -------------------===//
//
// runtime/core: the one table of element types (against the CUDA ABI's
// enum values and the names files and manifests use), the one hash, the
// one counter-based random number generator and the slice bounds.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/DType.h"
#include "runtime/core/Hash.h"
#include "runtime/core/Random.h"
#include "runtime/core/Slicing.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <string>

namespace {

using mpc::DType;

TEST(DTypeTest, TableCoversTheAbiEnumOnceInOrder) {
  // The C enum's values are the ABI; the table lists each once.
  EXPECT_EQ(static_cast<int>(DType::F32), 0);
  EXPECT_EQ(static_cast<int>(DType::F16), 1);
  EXPECT_EQ(static_cast<int>(DType::BF16), 2);
  EXPECT_EQ(static_cast<int>(DType::I32), 3);
  EXPECT_EQ(static_cast<int>(DType::I1), 4);
  EXPECT_EQ(static_cast<int>(DType::I64), 5);
  std::set<int> seen;
  for (const mpc::DTypeInfo &info : mpc::kDTypes) {
    EXPECT_TRUE(seen.insert(static_cast<int>(info.dtype)).second);
    EXPECT_EQ(mpc::findDType(info.dtype), &info);
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(DTypeTest, NamesSizesAndKinds) {
  struct Expected {
    DType dtype;
    const char *name, *safetensors, *abi, *cuda;
    size_t bytes;
    bool isFloat;
  } expected[] = {
      {DType::F32, "f32", "F32", "MPC_F32", "float", 4, true},
      {DType::F16, "f16", "F16", "MPC_F16", "__half", 2, true},
      {DType::BF16, "bf16", "BF16", "MPC_BF16", "__nv_bfloat16", 2, true},
      {DType::I32, "i32", "I32", "MPC_I32", "int32_t", 4, false},
      {DType::I1, "i1", "BOOL", "MPC_I1", "uint8_t", 1, false},
      {DType::I64, "i64", "I64", "MPC_I64", "int64_t", 8, false},
  };
  for (const Expected &e : expected) {
    EXPECT_STREQ(mpc::dtypeName(e.dtype), e.name);
    EXPECT_STREQ(mpc::safetensorsName(e.dtype), e.safetensors);
    EXPECT_STREQ(mpc::findDType(e.dtype)->abiName, e.abi);
    EXPECT_STREQ(mpc::findDType(e.dtype)->cudaType, e.cuda);
    EXPECT_EQ(mpc::elementSize(e.dtype), e.bytes);
    EXPECT_EQ(mpc::isFloat(e.dtype), e.isFloat);
    // The C enum of the ABI reads the same table.
    auto abi = static_cast<mpc_dtype>(e.dtype);
    EXPECT_STREQ(mpc::dtypeName(abi), e.name);
    EXPECT_EQ(mpc::elementSize(abi), e.bytes);
    EXPECT_EQ(mpc::parseDType(e.name), e.dtype);
    EXPECT_EQ(mpc::parseSafetensorsDType(e.safetensors), e.dtype);
  }
}

TEST(DTypeTest, ValuesOutsideTheEnumAreNamedAsSuch) {
  auto corrupt = static_cast<mpc_dtype>(42);
  EXPECT_STREQ(mpc::dtypeName(corrupt), "unknown dtype");
  EXPECT_EQ(mpc::elementSize(corrupt), 0u);
  EXPECT_FALSE(mpc::isFloat(corrupt));
  for (const char *bad : {"", "F32", "float", "f64", "i8"})
    EXPECT_FALSE(mpc::parseDType(bad)) << bad;
  EXPECT_FALSE(mpc::parseSafetensorsDType("f32"));
}

TEST(HashTest, IsFnv1a64) {
  // The published FNV-1a 64-bit test vectors.
  EXPECT_EQ(mpc::fnv1a(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(mpc::fnv1a("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(mpc::fnv1a("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(mpc::Fnv1a().add("foo").add("bar").value(), mpc::fnv1a("foobar"));
  EXPECT_EQ(mpc::Fnv1a().add("a").hex(), "af63dc4c8601ec8c");
}

TEST(HashTest, SeparatorsKeepPartsApart) {
  EXPECT_NE(mpc::Fnv1a().add("ab").separator().add("c").value(),
            mpc::Fnv1a().add("a").separator().add("bc").value());
}

TEST(CoreRandomTest, SplitMixAndItsDerivedDraws) {
  // SplitMix64 from state 0: the generator's first output.
  EXPECT_EQ(mpc::random::mix(0), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(mpc::random::mix64(0), 0u);
  EXPECT_EQ(mpc::random::dropoutBits(mpc::random::dropoutKey(0, 0, 0), 0),
            0xE220A8397B1DCDAFull);
  EXPECT_EQ(mpc::random::hash(1, 2, 3),
            mpc::random::mix(mpc::random::mix(mpc::random::mix(1) ^ 2) ^ 3));
  EXPECT_EQ(mpc::random::uniform01(0), 0.0);
  EXPECT_LT(mpc::random::uniform01(~0ull), 1.0);
  EXPECT_EQ(mpc::random::below(~0ull, 7), 6u);
  EXPECT_EQ(mpc::random::below(0, 7), 0u);
}

TEST(CoreRandomTest, DropoutKeyMixesRunSeedOpSeedAndStep) {
  using mpc::random::dropoutBits;
  using mpc::random::dropoutKey;
  // Values of the documented formula, key = mix64(mix64(mix64(run seed) ^
  // op seed) ^ step) and bits = mix64(key + (i + 1) * golden gamma),
  // computed independently (Python integers modulo 2^64). Checkpoints and
  // the CUDA runtime depend on them staying put.
  EXPECT_EQ(dropoutKey(3, 7, 5), 0xF09100E824A40DB7ull);
  EXPECT_EQ(dropoutBits(dropoutKey(3, 7, 5), 0), 0xD064EFAC660A9AC7ull);
  EXPECT_EQ(dropoutBits(dropoutKey(3, 7, 5), 41), 0x6A4A7912C6F2ADCAull);
  // Each of the three selects the mask, and they are not interchangeable.
  uint64_t key = dropoutKey(3, 7, 5);
  EXPECT_NE(dropoutKey(4, 7, 5), key);
  EXPECT_NE(dropoutKey(3, 8, 5), key);
  EXPECT_NE(dropoutKey(3, 7, 6), key);
  EXPECT_NE(dropoutKey(7, 3, 5), key);
  EXPECT_NE(dropoutKey(3, 5, 7), key);
}

// The examples of ONNX Slice's specification and its clamping rules.
TEST(Slicing, ClampsLikeOnnx) {
  using mpc::slicing::AxisRange;
  using mpc::slicing::clampAxisRange;
  auto expect = [](AxisRange range, int64_t start, int64_t step, int64_t size) {
    EXPECT_EQ(range.start, start);
    EXPECT_EQ(range.step, step);
    EXPECT_EQ(range.size, size);
  };
  constexpr int64_t max = std::numeric_limits<int64_t>::max();
  constexpr int64_t min = std::numeric_limits<int64_t>::min();
  expect(clampAxisRange(4, 0, 3, 1), 0, 1, 3);
  expect(clampAxisRange(4, 1, 2, 1), 1, 1, 1);
  expect(clampAxisRange(10, 2, 8, 3), 2, 3, 2);       // 2, 5
  expect(clampAxisRange(10, 0, max, 1), 0, 1, 10);    // end past the dim
  expect(clampAxisRange(10, -1, min, -1), 9, -1, 10); // whole axis reversed
  expect(clampAxisRange(10, -3, -1, 1), 7, 1, 2);
  expect(clampAxisRange(10, 20, 5, -2), 9, -2, 2); // start clamped to 9
  expect(clampAxisRange(10, 1000, 1001, 1), 10, 1, 0);
  expect(clampAxisRange(10, 3, 3, 1), 3, 1, 0);
  expect(clampAxisRange(10, 3, 5, -1), 3, -1, 0);
  expect(clampAxisRange(4, 0, max, max), 0, max, 1);
}

TEST(Slicing, StridedOffsetWalksRowMajor) {
  using mpc::slicing::stridedOffset;
  // A [2, 3] view with a backwards first dim: rows at 10 and 4, step 2.
  const int64_t shape[] = {2, 3}, strides[] = {-6, 2};
  const int64_t expected[] = {10, 12, 14, 4, 6, 8};
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(stridedOffset(i, 2, shape, strides, 10), expected[i]) << i;
  EXPECT_EQ(stridedOffset(0, 0, shape, strides, 5), 5);
}

} // namespace
