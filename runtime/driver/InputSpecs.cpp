//===- InputSpecs.cpp - Checks and fills of graph input tensors -----------===//

#include "runtime/driver/InputSpecs.h"

#include "runtime/driver/Text.h"

#include <limits>

namespace mpc::driver {

std::string describeInput(const HostTensor &spec) {
  return "'" + printable(spec.name) + "' (" + safetensorsName(spec.dtype) +
         " " + formatShape(spec.shape) + ")";
}

std::string describeInputs(const std::vector<HostTensor> &specs) {
  std::string text;
  for (const HostTensor &spec : specs)
    text += (text.empty() ? "" : ", ") + describeInput(spec);
  return text.empty() ? "none" : text;
}

std::optional<int64_t> sampleElements(const HostTensor &spec,
                                      std::string &error) {
  if (spec.shape.empty() || spec.shape[0] < 1) {
    error = "graph input " + describeInput(spec) +
            " has no positive batch dimension";
    return std::nullopt;
  }
  int64_t count = 1;
  for (size_t i = 1; i < spec.shape.size(); ++i) {
    int64_t dim = spec.shape[i];
    if (dim < 1 ||
        count > std::numeric_limits<int64_t>::max() / spec.shape[0] / dim) {
      error = "graph input " + describeInput(spec) + " has an unusable shape";
      return std::nullopt;
    }
    count *= dim;
  }
  return count;
}

void resizeForBatch(HostTensor &input, int64_t batch) {
  if (input.shape.empty())
    input.shape.push_back(batch);
  input.shape[0] = batch;
  size_t count = static_cast<size_t>(input.numElements());
  if (input.dtype == HostTensor::DType::F32) {
    input.f32.assign(count, 0.0f);
    input.i64.clear();
  } else {
    input.i64.assign(count, 0);
    input.f32.clear();
  }
}

} // namespace mpc::driver
