//===- GpuTestUtil.cpp - device buffers and tolerances for GPU tests ------===//

#include "GpuTestUtil.h"

#include "Context.h"
#include "runtime/cpu/kernels/Precision.h"

#include <cmath>
#include <cstring>
#include <random>

namespace mpc::gputest {

bool haveCudaDevice() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

DeviceBuffer::DeviceBuffer(size_t bytes) {
  if (cudaMalloc(&data, bytes ? bytes : 1) != cudaSuccess) {
    data = nullptr;
    ADD_FAILURE() << "cudaMalloc of " << bytes << " bytes failed";
  }
}

DeviceBuffer::~DeviceBuffer() { cudaFree(data); }

size_t sizeOf(mpc_dtype type) {
  switch (type) {
  case MPC_F16:
  case MPC_BF16:
    return 2;
  case MPC_I1:
    return 1;
  default:
    return 4;
  }
}

double unitRoundoff(mpc_dtype type) {
  switch (type) {
  case MPC_F16:
    return std::ldexp(1.0, -11);
  case MPC_BF16:
    return std::ldexp(1.0, -8);
  default:
    return std::ldexp(1.0, -24);
  }
}

const char *typeName(mpc_dtype type) {
  switch (type) {
  case MPC_F16:
    return "f16";
  case MPC_BF16:
    return "bf16";
  case MPC_F32:
    return "f32";
  case MPC_I32:
    return "i32";
  default:
    return "i1";
  }
}

std::vector<float> roundedTo(std::vector<float> values, mpc_dtype type) {
  cpu::Precision precision = type == MPC_F16    ? cpu::Precision::F16
                             : type == MPC_BF16 ? cpu::Precision::BF16
                                                : cpu::Precision::F32;
  cpu::roundToPrecision(precision, values.data(),
                        static_cast<int64_t>(values.size()));
  return values;
}

std::vector<float> randomValues(size_t n, float lo, float hi, uint64_t seed,
                                mpc_dtype type) {
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<float> distribution(lo, hi);
  std::vector<float> values(n);
  for (float &value : values)
    value = distribution(generator);
  return roundedTo(std::move(values), type);
}

DeviceBuffer uploadBytes(const void *data, size_t bytes) {
  DeviceBuffer buffer(bytes);
  if (bytes) {
    EXPECT_EQ(cudaMemcpy(buffer.get(), data, bytes, cudaMemcpyHostToDevice),
              cudaSuccess);
  }
  return buffer;
}

DeviceBuffer upload(const std::vector<float> &values, mpc_dtype type) {
  if (type == MPC_F32)
    return uploadBytes(values.data(), values.size() * sizeof(float));
  std::vector<uint16_t> bits(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    bits[i] = type == MPC_F16 ? cpu::floatToHalfBits(values[i])
                              : cpu::floatToBFloat16Bits(values[i]);
  return uploadBytes(bits.data(), bits.size() * sizeof(uint16_t));
}

std::vector<uint8_t> downloadBytes(const void *device, size_t bytes) {
  std::vector<uint8_t> data(bytes);
  if (bytes) {
    EXPECT_EQ(cudaMemcpy(data.data(), device, bytes, cudaMemcpyDeviceToHost),
              cudaSuccess);
  }
  return data;
}

std::vector<float> download(const void *device, mpc_dtype type, size_t n) {
  std::vector<uint8_t> raw = downloadBytes(device, n * sizeOf(type));
  std::vector<float> values(n);
  for (size_t i = 0; i < n; ++i) {
    if (type == MPC_F32) {
      std::memcpy(&values[i], raw.data() + 4 * i, 4);
      continue;
    }
    uint16_t bits;
    std::memcpy(&bits, raw.data() + 2 * i, 2);
    values[i] = type == MPC_F16 ? cpu::halfBitsToFloat(bits)
                                : cpu::bfloat16BitsToFloat(bits);
  }
  return values;
}

double tolerance(mpc_dtype type, int64_t k, double scale, double factor) {
  double length = static_cast<double>(k < 1 ? 1 : k);
  return factor * scale *
         (unitRoundoff(MPC_F32) * std::sqrt(length) + 2 * unitRoundoff(type));
}

void expectClose(const std::vector<float> &got, const std::vector<float> &want,
                 const std::vector<double> &tol, const std::string &what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  int reported = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    bool bothNaN = std::isnan(got[i]) && std::isnan(want[i]);
    bool close = got[i] == want[i] ||
                 std::fabs(static_cast<double>(got[i]) - want[i]) <= tol[i];
    if (bothNaN || close)
      continue;
    ADD_FAILURE() << what << ": element " << i << " is " << got[i]
                  << ", the CPU reference " << want[i] << " (tolerance "
                  << tol[i] << ")";
    if (++reported == 5)
      return;
  }
}

void expectClose(const std::vector<float> &got, const std::vector<float> &want,
                 double tol, const std::string &what) {
  expectClose(got, want, std::vector<double>(want.size(), tol), what);
}

void expectBitEqual(const std::vector<float> &got,
                    const std::vector<float> &want, const std::string &what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  int reported = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::memcmp(&got[i], &want[i], sizeof(float)) == 0)
      continue;
    ADD_FAILURE() << what << ": element " << i << " is " << got[i]
                  << ", the CPU reference " << want[i];
    if (++reported == 5)
      return;
  }
}

void GpuTest::SetUp() {
  if (!haveCudaDevice())
    GTEST_SKIP() << "no CUDA device";
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  char error[256] = "";
  rt = mpc_rt_create(stream, 0, error, sizeof error);
  ASSERT_NE(rt, nullptr) << error;
}

void GpuTest::TearDown() {
  if (rt)
    mpc_rt_destroy(rt);
  if (stream)
    cudaStreamDestroy(stream);
}

void GpuTest::sync() {
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
}

void GpuTest::ok(int status) { EXPECT_EQ(status, 0) << mpc_rt_last_error(rt); }

void GpuTest::fails(int status, const std::string &message) {
  EXPECT_NE(status, 0);
  std::string error = mpc_rt_last_error(rt);
  EXPECT_NE(error.find(message), std::string::npos) << error;
}

void GpuTest::useScratchBytes(size_t scratchBytes) {
  mpc_rt_destroy(rt);
  char error[256] = "";
  rt = mpc::cuda::createContext(stream, 0, scratchBytes, error, sizeof error);
  ASSERT_NE(rt, nullptr) << error;
}

} // namespace mpc::gputest
