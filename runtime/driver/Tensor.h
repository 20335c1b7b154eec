//===- Tensor.h - Host tensors exchanged with data files --------*- C++ -*-===//
//
// The in-memory tensor the driver's file formats read and write: a name, a
// shape and the values of one of two element types.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_TENSOR_H
#define MPC_RUNTIME_DRIVER_TENSOR_H

#include "runtime/core/DType.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpc::driver {

/// A named tensor in host memory. Exactly one of `f32` and `i64` holds the
/// values (row-major), chosen by `dtype`, which is F32 or I64; the other
/// stays empty.
struct HostTensor {
  using DType = ::mpc::DType;

  std::string name;
  std::vector<int64_t> shape;
  DType dtype = DType::F32;
  std::vector<float> f32;
  std::vector<int64_t> i64;
  /// For a graph input's spec: an integer input whose values index
  /// something (embedding rows, classes) takes values in [0, valueBound);
  /// none when the graph does not bound them.
  std::optional<int64_t> valueBound;
  /// The value marking a row to skip, which the input takes as well (the
  /// ignore_index of the cross-entropies it labels; it may be a class);
  /// none when there is none.
  std::optional<int64_t> ignoredValue;

  /// Whether the input takes `value`: in [0, valueBound) or ignoredValue,
  /// or anything when it is unbounded.
  bool admits(int64_t value) const {
    return !valueBound || (value >= 0 && value < *valueBound) ||
           value == ignoredValue;
  }
  /// The values `admits` takes, for messages: "[0, 10)", "[0, 10) or -100".
  std::string admittedValues() const {
    std::string text = "[0, " + std::to_string(valueBound.value_or(0)) + ")";
    if (ignoredValue)
      text += " or " + std::to_string(*ignoredValue);
    return text;
  }

  /// The product of the dimensions (1 for a scalar).
  int64_t numElements() const {
    int64_t count = 1;
    for (int64_t dim : shape)
      count *= dim;
    return count;
  }

  /// The number of values actually held in the vector `dtype` selects.
  int64_t numStoredElements() const {
    return dtype == DType::F32 ? static_cast<int64_t>(f32.size())
                               : static_cast<int64_t>(i64.size());
  }
};

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_TENSOR_H
