//===- ScalarMathKernels.cu - the device's scalar maths, element by element
//===//
//
// Built with nvcc's default flags (fused multiply-adds allowed): the device
// formulas must round like the CPU's because they are written with the _rn
// intrinsics, not because of -fmad=false.
//
//===----------------------------------------------------------------------===//

#include "ScalarMathKernels.h"

#include "mpc_step.cuh"

#include <gtest/gtest.h>

#include <string>

namespace mpc::gputest {
namespace {

constexpr int kThreads = 256;

unsigned blocksFor(int64_t n) {
  int64_t blocks = (n + kThreads - 1) / kThreads;
  if (blocks < 1)
    blocks = 1;
  return static_cast<unsigned>(blocks < 4096 ? blocks : 4096);
}

/// A device copy of a host vector, freed with the object.
template <typename T> class Device {
public:
  explicit Device(size_t n) : n(n) {
    if (cudaMalloc(&data, (n ? n : 1) * sizeof(T)) != cudaSuccess) {
      data = nullptr;
      ADD_FAILURE() << "cudaMalloc of " << n << " elements failed";
    }
  }
  explicit Device(const std::vector<T> &host) : Device(host.size()) {
    if (data && cudaMemcpy(data, host.data(), n * sizeof(T),
                           cudaMemcpyHostToDevice) != cudaSuccess)
      ADD_FAILURE() << "cudaMemcpy to the device failed";
  }
  ~Device() { cudaFree(data); }
  Device(const Device &) = delete;
  Device &operator=(const Device &) = delete;

  /// The elements, after waiting for the kernels before.
  std::vector<T> download() const {
    std::vector<T> host(n);
    cudaError_t status = cudaDeviceSynchronize();
    if (status == cudaSuccess && data)
      status =
          cudaMemcpy(host.data(), data, n * sizeof(T), cudaMemcpyDeviceToHost);
    if (status != cudaSuccess)
      ADD_FAILURE() << "CUDA error: " << cudaGetErrorString(status);
    return host;
  }

  T *data = nullptr;
  size_t n;
};

/// out[i] = f(in[i]).
template <typename F, typename In, typename Out>
__global__ void mapKernel(const In *in, Out *out, int64_t n, F f) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = f(in[i]);
}

/// out[i] = f(a[i], b[i]).
template <typename F>
__global__ void zipKernel(const float *a, const float *b, float *out, int64_t n,
                          F f) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = f(a[i], b[i]);
}

template <typename Out, typename In, typename F>
std::vector<Out> map(const std::vector<In> &x, F f) {
  Device<In> in(x);
  Device<Out> out(x.size());
  mapKernel<<<blocksFor(x.size()), kThreads>>>(in.data, out.data,
                                               int64_t(x.size()), f);
  return out.download();
}

template <typename F>
std::vector<float> zip(const std::vector<float> &a, const std::vector<float> &b,
                       F f) {
  if (a.size() != b.size()) {
    ADD_FAILURE() << "operands of different sizes";
    return {};
  }
  Device<float> x(a), y(b), out(a.size());
  zipKernel<<<blocksFor(a.size()), kThreads>>>(x.data, y.data, out.data,
                                               int64_t(a.size()), f);
  return out.download();
}

// One functor per row, calling the row's device spelling: exactly what the
// CUDA kernel emitter prints.
#define MPC_TEST_UNARY(Name, mnemonic, function, cuda, accuracy)               \
  struct Unary##Name {                                                         \
    __device__ float operator()(float x) const { return cuda(x); }             \
  };
#define MPC_TEST_BINARY(Name, mnemonic, function, cuda, accuracy)              \
  struct Binary##Name {                                                        \
    __device__ float operator()(float x, float y) const { return cuda(x, y); } \
  };
#define MPC_TEST_UNARY_GRAD(Name, mnemonic, function, cuda, accuracy)          \
  struct UnaryGrad##Name {                                                     \
    __device__ float operator()(float dy, float saved) const {                 \
      return cuda(dy, saved);                                                  \
    }                                                                          \
  };
MPC_UNARY_OPS(MPC_TEST_UNARY)
MPC_BINARY_OPS(MPC_TEST_BINARY)
MPC_UNARY_GRAD_OPS(MPC_TEST_UNARY_GRAD)
#undef MPC_TEST_UNARY
#undef MPC_TEST_BINARY
#undef MPC_TEST_UNARY_GRAD

struct GeluTanh {
  __device__ float operator()(float x) const {
    return math::tanh(math::geluTanhArgument(x));
  }
};
struct GeluGradTanh {
  __device__ float operator()(float x) const {
    return math::tanh(math::geluGradTanhArgument(x));
  }
};
struct SigmoidExp {
  __device__ float operator()(float x) const { return math::exp(-x); }
};

struct Power {
  float exponent;
  __device__ float operator()(float x) const { return mpc_pow(x, exponent); }
};

struct RoundF16 {
  __device__ float operator()(float x) const { return mpc_round_f16(x); }
};
struct RoundBF16 {
  __device__ float operator()(float x) const { return mpc_round_bf16(x); }
};
struct HalfBits {
  __device__ uint16_t operator()(float x) const {
    return math::floatToHalfBits(x);
  }
};
struct BFloat16Bits {
  __device__ uint16_t operator()(float x) const {
    return math::floatToBFloat16Bits(x);
  }
};
struct FromHalfBits {
  __device__ float operator()(uint16_t bits) const {
    return math::halfBitsToFloat(bits);
  }
};
struct FromBFloat16Bits {
  __device__ float operator()(uint16_t bits) const {
    return math::bfloat16BitsToFloat(bits);
  }
};
struct ToInt {
  __device__ int32_t operator()(float x) const { return mpc_to_int(x); }
};
struct DropoutKeys {
  uint64_t runSeed, opSeed;
  __device__ uint64_t operator()(int64_t step) const {
    return random::dropoutKey(runSeed, opSeed, static_cast<uint64_t>(step));
  }
};
struct DropoutBits {
  uint64_t key;
  __device__ uint64_t operator()(int64_t i) const {
    return random::dropoutBits(key, static_cast<uint64_t>(i));
  }
};
struct InverseLossScale {
  __device__ float operator()(float scale) const {
    return math::inverseLossScale(scale);
  }
};
struct ClipCoefficient {
  __device__ float operator()(float norm, float maxNorm) const {
    return math::clipCoefficient(norm, maxNorm);
  }
};

__global__ void dropoutKernel(const float *in, float *out, int64_t n,
                              uint64_t key, double rate, float scale) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = math::dropout(in[i], key, static_cast<uint64_t>(i), rate, scale);
}

__global__ void lossScaleKernel(math::LossScaleConfig config,
                                LossScaleState state, const uint8_t *foundInf,
                                LossScaleState *trajectory, int64_t steps) {
  for (int64_t i = 0; i < steps; ++i) {
    math::updateLossScale(state.scale, state.goodSteps, state.hysteresisLeft,
                          foundInf[i] != 0, config);
    trajectory[i] = state;
  }
}

/// Stores each element of `in` to `buffer` and loads it back into `out`:
/// `W` elements per thread through the generated kernels' vector helpers.
template <typename T, int W>
__global__ void storeLoadVectorKernel(const float *in, T *buffer, float *out,
                                      int64_t vectors) {
  for (int64_t j = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; j < vectors;
       j += int64_t(gridDim.x) * blockDim.x) {
    float v[W], back[W];
    for (int k = 0; k < W; ++k)
      v[k] = in[j * W + k];
    mpc_store_vec(buffer, j, v);
    mpc_load_vec(buffer, j, back);
    for (int k = 0; k < W; ++k)
      out[j * W + k] = back[k];
  }
}

/// The same one element per thread through mpc_store and mpc_load.
template <typename T>
__global__ void storeLoadKernel(const float *in, T *buffer, float *out,
                                int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    mpc_store(buffer, i, in[i]);
    out[i] = mpc_load(buffer, i);
  }
}

template <typename T>
std::vector<float> storeLoad(const std::vector<float> &x, bool vector) {
  // Whole vectors: padded with zeros, which are cut off again.
  constexpr int kWidth = 16 / sizeof(T);
  std::vector<float> padded = x;
  padded.resize((x.size() + kWidth - 1) / kWidth * kWidth, 0.0f);
  int64_t n = static_cast<int64_t>(padded.size());
  Device<float> in(padded), out(padded.size());
  Device<T> buffer(padded.size());
  if (vector)
    storeLoadVectorKernel<T, kWidth><<<blocksFor(n / kWidth), kThreads>>>(
        in.data, buffer.data, out.data, n / kWidth);
  else
    storeLoadKernel<T>
        <<<blocksFor(n), kThreads>>>(in.data, buffer.data, out.data, n);
  std::vector<float> result = out.download();
  result.resize(x.size());
  return result;
}

} // namespace

std::vector<float> deviceStoreLoad(DType type, const std::vector<float> &x,
                                   bool vector) {
  switch (type) {
  case DType::F16:
    return storeLoad<__half>(x, vector);
  case DType::BF16:
    return storeLoad<__nv_bfloat16>(x, vector);
  default:
    return storeLoad<float>(x, vector);
  }
}

std::vector<float> deviceUnary(cpu::UnaryOp op, const std::vector<float> &x) {
  switch (op) {
#define MPC_TEST_CASE(Name, mnemonic, function, cuda, accuracy)                \
  case cpu::UnaryOp::Name:                                                     \
    return map<float>(x, Unary##Name());
    MPC_UNARY_OPS(MPC_TEST_CASE)
#undef MPC_TEST_CASE
  }
  return {};
}

std::vector<float> deviceBinary(cpu::BinaryOp op, const std::vector<float> &x,
                                const std::vector<float> &y) {
  switch (op) {
#define MPC_TEST_CASE(Name, mnemonic, function, cuda, accuracy)                \
  case cpu::BinaryOp::Name:                                                    \
    return zip(x, y, Binary##Name());
    MPC_BINARY_OPS(MPC_TEST_CASE)
#undef MPC_TEST_CASE
  }
  return {};
}

std::vector<float> deviceUnaryGrad(cpu::UnaryGradOp op,
                                   const std::vector<float> &dy,
                                   const std::vector<float> &saved) {
  switch (op) {
#define MPC_TEST_CASE(Name, mnemonic, function, cuda, accuracy)                \
  case cpu::UnaryGradOp::Name:                                                 \
    return zip(dy, saved, UnaryGrad##Name());
    MPC_UNARY_GRAD_OPS(MPC_TEST_CASE)
#undef MPC_TEST_CASE
  }
  return {};
}

std::vector<float> deviceLibmTerm(LibmTerm term, const std::vector<float> &x) {
  switch (term) {
  case LibmTerm::GeluTanh:
    return map<float>(x, GeluTanh());
  case LibmTerm::GeluGradTanh:
    return map<float>(x, GeluGradTanh());
  case LibmTerm::SigmoidExp:
    return map<float>(x, SigmoidExp());
  }
  return {};
}

std::vector<float> devicePower(const std::vector<float> &x, float exponent) {
  return map<float>(x, Power{exponent});
}

std::vector<float> deviceRound(DType type, const std::vector<float> &x) {
  return type == DType::F16 ? map<float>(x, RoundF16())
                            : map<float>(x, RoundBF16());
}

std::vector<uint16_t> deviceToBits(DType type, const std::vector<float> &x) {
  return type == DType::F16 ? map<uint16_t>(x, HalfBits())
                            : map<uint16_t>(x, BFloat16Bits());
}

std::vector<float> deviceFromBits(DType type,
                                  const std::vector<uint16_t> &bits) {
  return type == DType::F16 ? map<float>(bits, FromHalfBits())
                            : map<float>(bits, FromBFloat16Bits());
}

std::vector<int32_t> deviceToInt(const std::vector<float> &x) {
  return map<int32_t>(x, ToInt());
}

std::vector<uint64_t> deviceDropoutKeys(uint64_t runSeed, uint64_t opSeed,
                                        int64_t steps) {
  std::vector<int64_t> step(steps);
  for (int64_t i = 0; i < steps; ++i)
    step[i] = i;
  return map<uint64_t>(step, DropoutKeys{runSeed, opSeed});
}

std::vector<uint64_t> deviceDropoutBits(uint64_t key, int64_t n) {
  std::vector<int64_t> indices(n);
  for (int64_t i = 0; i < n; ++i)
    indices[i] = i;
  return map<uint64_t>(indices, DropoutBits{key});
}

std::vector<float> deviceDropout(const std::vector<float> &x, uint64_t key,
                                 double rate, float scale) {
  Device<float> in(x), out(x.size());
  dropoutKernel<<<blocksFor(x.size()), kThreads>>>(
      in.data, out.data, int64_t(x.size()), key, rate, scale);
  return out.download();
}

std::vector<float> deviceInverseLossScale(const std::vector<float> &scale) {
  return map<float>(scale, InverseLossScale());
}

std::vector<float> deviceClipCoefficient(const std::vector<float> &norm,
                                         const std::vector<float> &maxNorm) {
  return zip(norm, maxNorm, ClipCoefficient());
}

std::vector<LossScaleState>
deviceLossScaleTrajectory(const math::LossScaleConfig &config,
                          LossScaleState initial,
                          const std::vector<uint8_t> &foundInf) {
  Device<uint8_t> flags(foundInf);
  Device<LossScaleState> trajectory(foundInf.size());
  lossScaleKernel<<<1, 1>>>(config, initial, flags.data, trajectory.data,
                            int64_t(foundInf.size()));
  return trajectory.download();
}

} // namespace mpc::gputest
