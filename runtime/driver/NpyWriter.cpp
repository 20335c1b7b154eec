//===- NpyWriter.cpp - NumPy .npy arrays written --------------------------===//

#include "runtime/driver/NpyWriter.h"

#include <cstring>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the .npy writer copies values as little-endian"
#endif

namespace mpc::driver {

std::string encodeNpy(const HostTensor &tensor) {
  bool isFloat = tensor.dtype == DType::F32;
  // Python's tuple syntax: "()", "(4,)", "(2, 3)".
  std::string shape = "(";
  for (size_t i = 0; i < tensor.shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(tensor.shape[i]);
  shape += tensor.shape.size() == 1 ? ",)" : ")";
  std::string header = std::string("{'descr': '") + (isFloat ? "<f4" : "<i8") +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6), version (2) and length (2) come first; the header ends in a
  // newline and pads the data's start to a multiple of 64 bytes.
  size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  const char *data = isFloat
                         ? reinterpret_cast<const char *>(tensor.f32.data())
                         : reinterpret_cast<const char *>(tensor.i64.data());
  size_t size = isFloat ? tensor.f32.size() * sizeof(float)
                        : tensor.i64.size() * sizeof(int64_t);
  bytes.append(data, size);
  return bytes;
}

} // namespace mpc::driver
