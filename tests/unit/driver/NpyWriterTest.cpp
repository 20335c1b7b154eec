//===- NpyWriterTest.cpp - NumPy .npy arrays written ----------------------===//
//
// What encodeNpy writes, the .npy reader reads back unchanged: floats and
// integers, of every rank the header's tuple syntax distinguishes.
//
//===----------------------------------------------------------------------===//

#include "runtime/driver/NpyWriter.h"
#include "runtime/driver/DataFiles.h"

#include <gtest/gtest.h>

using namespace mpc::driver;

namespace {

HostTensor floats(std::vector<int64_t> shape, std::vector<float> values) {
  HostTensor tensor;
  tensor.shape = std::move(shape);
  tensor.f32 = std::move(values);
  return tensor;
}

HostTensor integers(std::vector<int64_t> shape, std::vector<int64_t> values) {
  HostTensor tensor;
  tensor.dtype = mpc::DType::I64;
  tensor.shape = std::move(shape);
  tensor.i64 = std::move(values);
  return tensor;
}

TEST(NpyWriter, ReadsBackWhatItWrites) {
  for (const HostTensor &tensor :
       {floats({2, 3}, {1.5f, -2, 0, 3.25f, 1e-30f, -7}), floats({}, {0.125f}),
        floats({4}, {1, 2, 3, 4}), integers({3}, {-1, 0, int64_t(1) << 40}),
        integers({1, 2, 1}, {7, 8}), integers({}, {42})}) {
    std::string bytes = encodeNpy(tensor);
    // Data starts at a multiple of 64 bytes, as NumPy writes it.
    size_t headerLength = uint8_t(bytes[8]) | uint8_t(bytes[9]) << 8;
    EXPECT_EQ((10 + headerLength) % 64, 0u);
    std::string error;
    std::optional<NpyArray> array = parseNpy(bytes, "mem", error);
    ASSERT_TRUE(array) << error;
    EXPECT_EQ(array->shape, tensor.shape);
    EXPECT_EQ(array->isFloat, tensor.dtype == mpc::DType::F32);
    EXPECT_EQ(array->f32, tensor.f32);
    EXPECT_EQ(array->i64, tensor.i64);
  }
}

TEST(NpyWriter, SpellsShapesAsPythonTuples) {
  auto header = [](std::vector<int64_t> shape) {
    std::string bytes =
        encodeNpy(floats(shape, std::vector<float>(shape.empty() ? 1 : 6)));
    return bytes.substr(10, bytes.find('}') - 9);
  };
  EXPECT_EQ(header({}),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (), }");
  EXPECT_EQ(header({6}),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }");
  EXPECT_EQ(header({2, 3}),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
}

} // namespace
