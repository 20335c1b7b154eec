//===- DeviceTensors.cpp - host tensors in the device's layout ------------===//

#include "runtime/cuda/executor/DeviceTensors.h"

#include <cstring>

namespace mpc::cuda {

using driver::HostTensor;

HostTensor hostSpec(const TensorSpec &spec) {
  HostTensor tensor;
  tensor.name = spec.name;
  tensor.shape = spec.shape;
  tensor.dtype =
      isFloat(spec.dtype) ? HostTensor::DType::F32 : HostTensor::DType::I64;
  tensor.valueBound = spec.valueBound;
  tensor.ignoredValue = spec.ignoredValue;
  return tensor;
}

bool packTensor(const HostTensor &value, DType dtype, int64_t count, void *out,
                std::string &error) {
  if (value.numStoredElements() != count ||
      (value.dtype == HostTensor::DType::F32) != isFloat(dtype)) {
    error = "tensor '" + value.name + "' holds " +
            std::to_string(value.numStoredElements()) + " " +
            safetensorsName(value.dtype) + " values, expected " +
            std::to_string(count) + " for " + dtypeName(dtype);
    return false;
  }
  switch (dtype) {
  case DType::F32:
    std::memcpy(out, value.f32.data(), size_t(count) * 4);
    return true;
  case DType::F16:
  case DType::BF16: {
    auto *bits = static_cast<uint16_t *>(out);
    for (int64_t i = 0; i < count; ++i)
      bits[i] = dtype == DType::F16 ? floatToHalf(value.f32[i])
                                    : floatToBFloat16(value.f32[i]);
    return true;
  }
  case DType::I32: {
    auto *ints = static_cast<int32_t *>(out);
    for (int64_t i = 0; i < count; ++i) {
      int64_t v = value.i64[i];
      if (v < INT32_MIN || v > INT32_MAX) {
        error = "tensor '" + value.name + "': value " + std::to_string(v) +
                " does not fit the device's int32";
        return false;
      }
      ints[i] = int32_t(v);
    }
    return true;
  }
  case DType::I1: {
    auto *bytes = static_cast<uint8_t *>(out);
    for (int64_t i = 0; i < count; ++i)
      bytes[i] = value.i64[i] != 0;
    return true;
  }
  case DType::I64:
    std::memcpy(out, value.i64.data(), size_t(count) * 8);
    return true;
  }
  return true;
}

void unpackTensor(const void *in, DType dtype, int64_t count,
                  HostTensor &value) {
  if (isFloat(dtype))
    value.f32.resize(size_t(count));
  else
    value.i64.resize(size_t(count));
  switch (dtype) {
  case DType::F32:
    std::memcpy(value.f32.data(), in, size_t(count) * 4);
    return;
  case DType::F16:
  case DType::BF16: {
    const auto *bits = static_cast<const uint16_t *>(in);
    for (int64_t i = 0; i < count; ++i)
      value.f32[i] =
          dtype == DType::F16 ? halfToFloat(bits[i]) : bfloat16ToFloat(bits[i]);
    return;
  }
  case DType::I32: {
    const auto *ints = static_cast<const int32_t *>(in);
    for (int64_t i = 0; i < count; ++i)
      value.i64[i] = ints[i];
    return;
  }
  case DType::I1: {
    const auto *bytes = static_cast<const uint8_t *>(in);
    for (int64_t i = 0; i < count; ++i)
      value.i64[i] = bytes[i];
    return;
  }
  case DType::I64:
    std::memcpy(value.i64.data(), in, size_t(count) * 8);
    return;
  }
}

} // namespace mpc::cuda
