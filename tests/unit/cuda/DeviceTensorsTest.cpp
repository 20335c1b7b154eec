//===- DeviceTensorsTest.cpp - host tensors in the device's layout --------===//

#include "runtime/cuda/executor/DeviceTensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

using mpc::cuda::DType;
using mpc::driver::HostTensor;

TEST(DeviceTensorsTest, HalfRoundsToNearestEven) {
  EXPECT_EQ(mpc::cuda::floatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(mpc::cuda::floatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(mpc::cuda::floatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(mpc::cuda::floatToHalf(65520.0f), 0x7c00);
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: the even one wins.
  EXPECT_EQ(mpc::cuda::floatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(mpc::cuda::floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  // Subnormals count units of 2^-24.
  EXPECT_EQ(mpc::cuda::floatToHalf(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(mpc::cuda::floatToHalf(std::ldexp(1.0f, -25)), 0x0000);
  EXPECT_EQ(mpc::cuda::floatToHalf(std::ldexp(3.0f, -25)), 0x0002);
  EXPECT_EQ(mpc::cuda::floatToHalf(std::numeric_limits<float>::infinity()),
            0x7c00);
  EXPECT_TRUE(std::isnan(mpc::cuda::halfToFloat(
      mpc::cuda::floatToHalf(std::numeric_limits<float>::quiet_NaN()))));
  for (uint32_t bits = 0; bits < 0x7c00; ++bits)
    ASSERT_EQ(mpc::cuda::floatToHalf(mpc::cuda::halfToFloat(uint16_t(bits))),
              bits);
}

TEST(DeviceTensorsTest, BFloat16RoundsToNearestEven) {
  EXPECT_EQ(mpc::cuda::floatToBFloat16(1.0f), 0x3f80);
  EXPECT_EQ(mpc::cuda::floatToBFloat16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);
  EXPECT_EQ(mpc::cuda::floatToBFloat16(1.0f + 3 * std::ldexp(1.0f, -8)),
            0x3f82);
  EXPECT_EQ(mpc::cuda::bfloat16ToFloat(0xc000), -2.0f);
}

TEST(DeviceTensorsTest, PacksAndUnpacksEachType) {
  HostTensor floats;
  floats.name = "x";
  floats.shape = {3};
  floats.f32 = {1.5f, -2.0f, 0.25f};
  for (DType dtype : {DType::F32, DType::F16, DType::BF16}) {
    char bytes[12];
    std::string error;
    ASSERT_TRUE(mpc::cuda::packTensor(floats, dtype, 3, bytes, error)) << error;
    HostTensor back = floats;
    back.f32.clear();
    mpc::cuda::unpackTensor(bytes, dtype, 3, back);
    EXPECT_EQ(back.f32, floats.f32) << mpc::cuda::dtypeName(dtype);
  }
  HostTensor labels;
  labels.name = "y";
  labels.shape = {2};
  labels.dtype = HostTensor::DType::I64;
  labels.i64 = {7, -1};
  int32_t ints[2];
  std::string error;
  ASSERT_TRUE(mpc::cuda::packTensor(labels, DType::I32, 2, ints, error));
  EXPECT_EQ(ints[0], 7);
  EXPECT_EQ(ints[1], -1);
  labels.i64[0] = int64_t(1) << 40;
  EXPECT_FALSE(mpc::cuda::packTensor(labels, DType::I32, 2, ints, error));
  EXPECT_EQ(error,
            "tensor 'y': value 1099511627776 does not fit the device's int32");
  EXPECT_FALSE(mpc::cuda::packTensor(labels, DType::I32, 3, ints, error));
  EXPECT_EQ(error, "tensor 'y' holds 2 I64 values, expected 3 for i32");
}

TEST(DeviceTensorsTest, HostSpecsKeepTheInputsBounds) {
  // The datasets check ids and labels against them before the first step.
  mpc::TensorSpec labels;
  labels.name = "y";
  labels.shape = {32};
  labels.dtype = DType::I32;
  labels.valueBound = 10;
  HostTensor spec = mpc::cuda::hostSpec(labels);
  EXPECT_EQ(spec.dtype, HostTensor::DType::I64);
  EXPECT_EQ(spec.valueBound, 10);
  labels.valueBound.reset();
  EXPECT_FALSE(mpc::cuda::hostSpec(labels).valueBound);
}

} // namespace
