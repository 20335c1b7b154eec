//===- StateCopiesTest.cpp - the 16-bit copies among a step's state -------===//
//
// Executors show the state without the weight copies and set each copy
// from its source, rounded to nearest even, whenever the state is set.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/StateCopies.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using mpc::DType;
using mpc::StateSpec;
using mpc::train::HostTensor;

StateSpec spec(std::string name, DType dtype,
               std::optional<std::string> copyOf = std::nullopt) {
  StateSpec result;
  result.name = std::move(name);
  result.shape = {3};
  result.dtype = dtype;
  result.trainable = !copyOf && dtype == DType::F32;
  result.copyOf = std::move(copyOf);
  return result;
}

HostTensor tensor(std::string name, std::vector<float> values) {
  HostTensor result;
  result.name = std::move(name);
  result.shape = {int64_t(values.size())};
  result.f32 = std::move(values);
  return result;
}

// w, its bf16 copy, its moment, b, its f16 copy.
const std::vector<StateSpec> kSpecs = {
    spec("w", DType::F32), spec("w.bf16", DType::BF16, "w"),
    spec("w.m", DType::F32), spec("b", DType::F32),
    spec("b.f16", DType::F16, "b")};

TEST(StateCopiesTest, CopiesFollowTheirSources) {
  std::vector<mpc::train::StateCopy> copies = mpc::train::stateCopies(kSpecs);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(copies[0].copy, 1u);
  EXPECT_EQ(copies[0].source, 0u);
  EXPECT_EQ(copies[0].dtype, DType::BF16);
  EXPECT_EQ(copies[1].copy, 4u);
  EXPECT_EQ(copies[1].source, 3u);
  EXPECT_EQ(copies[1].dtype, DType::F16);
}

TEST(StateCopiesTest, ShownStateLeavesCopiesOutAndSettingRoundsThem) {
  // 1 + 2^-9 is a tie halfway between two bf16 values (even: 1); 1 + 3 *
  // 2^-9 rounds up to 1 + 2^-7; f16 keeps 1 + 2^-9 exactly.
  const float tie = 1.0f + 0x1p-9f, up = 1.0f + 3 * 0x1p-9f;
  std::vector<HostTensor> shown = {tensor("w", {tie, up, -2.0f}),
                                   tensor("w.m", {0.5f, 0.5f, 0.5f}),
                                   tensor("b", {tie, 70000.0f, 0.0f})};
  std::vector<HostTensor> all = mpc::train::withCopies(kSpecs, shown);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[1].name, "w.bf16");
  EXPECT_EQ(all[1].f32, (std::vector<float>{1.0f, 1.0f + 0x1p-7f, -2.0f}));
  EXPECT_EQ(all[2].name, "w.m");
  EXPECT_EQ(all[4].name, "b.f16");
  // Beyond f16's largest finite value: infinity, as a cast would give.
  EXPECT_EQ(all[4].f32[0], tie);
  EXPECT_TRUE(std::isinf(all[4].f32[1]));

  std::vector<HostTensor> again = mpc::train::withoutCopies(kSpecs, all);
  ASSERT_EQ(again.size(), 3u);
  for (size_t i = 0; i < shown.size(); ++i) {
    EXPECT_EQ(again[i].name, shown[i].name);
    EXPECT_EQ(again[i].f32, shown[i].f32);
  }
}

TEST(StateCopiesTest, ShortStateStaysShort) {
  // Only w given: its copy follows, the rest is missing for the executor
  // to report.
  std::vector<HostTensor> all =
      mpc::train::withCopies(kSpecs, {tensor("w", {1, 2, 3})});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].f32, (std::vector<float>{1, 2, 3}));
}

} // namespace
