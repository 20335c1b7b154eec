//===- NumericsTest.cpp - --check-numerics statistics on the device -------===//
//
// mpc_rt_check_numerics against runtime/core/NumericsCheck.h on the host,
// over a tensor holding every class (zeros, normals, subnormals, inf, NaN)
// spread over many blocks, in each float type.
//
//===----------------------------------------------------------------------===//

#include "GpuTestUtil.h"

#include "runtime/core/NumericsCheck.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mpc::gputest;
using mpc::numerics::NumericsCounts;

namespace {

class Numerics : public GpuTest,
                 public ::testing::WithParamInterface<mpc_dtype> {};

TEST_P(Numerics, CountsMatchTheHostClassification) {
  mpc_dtype type = GetParam();
  const size_t n = 100003;
  std::vector<float> values = randomValues(n, -3000, 3000, 21, type);
  float inf = std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < n; i += 97)
    values[i] = 0.0f;
  for (size_t i = 5; i < n; i += 331)
    values[i] = std::ldexp(1.0f, -20); // an f16 subnormal
  for (size_t i = 7; i < n; i += 1009)
    values[i] = (i % 2) ? inf : -inf;
  for (size_t i = 11; i < n; i += 4001)
    values[i] = std::nanf("");
  values = roundedTo(values, type);

  NumericsCounts want;
  for (float stored : values)
    want.add(mpc::numerics::classifyValue(type, stored, stored), stored);

  NumericsCounts zero;
  DeviceBuffer in = upload(values, type);
  DeviceBuffer counts = uploadBytes(&zero, sizeof zero);
  ok(mpc_rt_check_numerics(rt, in.get(), type, n, counts.get()));
  sync();
  std::vector<uint8_t> bytes = downloadBytes(counts.get(), sizeof zero);
  NumericsCounts got;
  std::memcpy(&got, bytes.data(), sizeof got);

  EXPECT_EQ(got.elements, n);
  EXPECT_EQ(got.nonFinite, want.nonFinite);
  EXPECT_GT(got.nonFinite, 0u);
  EXPECT_EQ(got.nonzero, want.nonzero);
  EXPECT_EQ(got.flushed, want.flushed);
  EXPECT_EQ(got.maxAbs, want.maxAbs);
  EXPECT_EQ(got.produced, 0u);
  if (type == MPC_F16) {
    EXPECT_GT(got.flushed, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Types, Numerics,
                         ::testing::Values(MPC_F32, MPC_F16, MPC_BF16));

} // namespace
