//===- GpuTestUtil.h - device buffers and tolerances for GPU tests -*- C++
//-*-===//
//
// What every kernel test needs: a fixture that owns an mpc_rt (and skips
// with "no CUDA device" where there is none), device buffers filled from f32
// vectors rounded to a dtype, and the error bound a GPU result may differ
// from the CPU reference by.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_TESTS_GPU_KERNELS_GPUTESTUTIL_H
#define MPC_TESTS_GPU_KERNELS_GPUTESTUTIL_H

#include "mpc_cuda_runtime.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mpc::gputest {

/// Whether a CUDA device can be used.
bool haveCudaDevice();

/// One device allocation, freed with the object.
class DeviceBuffer {
public:
  explicit DeviceBuffer(size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  DeviceBuffer(DeviceBuffer &&other) noexcept
      : data(std::exchange(other.data, nullptr)) {}
  DeviceBuffer &operator=(DeviceBuffer &&) = delete;
  void *get() const { return data; }
  template <typename T> T *as() const { return static_cast<T *>(data); }

private:
  void *data = nullptr;
};

/// Bytes per element of a dtype.
size_t sizeOf(mpc_dtype type);
/// The unit roundoff of a float dtype: 2^-24 (f32), 2^-11 (f16), 2^-8 (bf16).
double unitRoundoff(mpc_dtype type);
/// `values` rounded to the nearest values of `type` (kept as f32).
std::vector<float> roundedTo(std::vector<float> values, mpc_dtype type);
/// Uniform values in [lo, hi), reproducible from `seed`, rounded to `type`.
std::vector<float> randomValues(size_t n, float lo, float hi, uint64_t seed,
                                mpc_dtype type = MPC_F32);

/// A device buffer holding `values` stored as `type` (float types).
DeviceBuffer upload(const std::vector<float> &values, mpc_dtype type);
/// A device buffer of raw host data.
DeviceBuffer uploadBytes(const void *data, size_t bytes);
/// `n` elements of a float-typed device buffer as f32.
std::vector<float> download(const void *device, mpc_dtype type, size_t n);
/// `bytes` raw bytes of a device buffer.
std::vector<uint8_t> downloadBytes(const void *device, size_t bytes);

/// The absolute error allowed between a GPU result and the CPU reference
/// for a value of magnitude `scale` (e.g. sum |a_k b_k| for a dot product)
/// produced by a reduction of length `k` and stored as `type`. Both sides
/// round every f32 step, but may add in another order (error grows like
/// u_f32 sqrt(k)) and use transcendental functions with a few ulp of error;
/// the final rounding to `type` may then land on neighbouring values
/// (2 u_type relative). `factor` is the small constant in front.
double tolerance(mpc_dtype type, int64_t k, double scale, double factor = 4.0);

/// Expects |got[i] - want[i]| <= tol[i] for all i (NaN equal to NaN);
/// reports the first mismatches with `what`.
void expectClose(const std::vector<float> &got, const std::vector<float> &want,
                 const std::vector<double> &tol, const std::string &what);
/// expectClose with one bound for all elements.
void expectClose(const std::vector<float> &got, const std::vector<float> &want,
                 double tol, const std::string &what);
/// Expects bit-identical floats.
void expectBitEqual(const std::vector<float> &got,
                    const std::vector<float> &want, const std::string &what);

const char *typeName(mpc_dtype type);

/// Owns an mpc_rt on a fresh stream; skips the test without a device.
class GpuTest : public ::testing::Test {
protected:
  void SetUp() override;
  void TearDown() override;
  /// Waits for the stream and expects no asynchronous error.
  void sync();
  /// Expects a runtime call to succeed, printing the runtime's error if not.
  void ok(int status);
  /// Expects a runtime call to fail with an error that contains `message`.
  void fails(int status, const std::string &message);
  /// Replaces rt by a context whose kernel scratch holds `scratchBytes`
  /// (small ones make GEMMs chunk at small sizes).
  void useScratchBytes(size_t scratchBytes);

  cudaStream_t stream = nullptr;
  mpc_rt *rt = nullptr;
};

} // namespace mpc::gputest

#endif // MPC_TESTS_GPU_KERNELS_GPUTESTUTIL_H
