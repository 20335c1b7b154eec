//===- StateCopies.cpp - the 16-bit copies among a step's state -----------===//

#include "runtime/train/StateCopies.h"

#include "runtime/core/ScalarMath.h"

namespace mpc::train {

std::vector<StateCopy> stateCopies(const std::vector<StateSpec> &specs) {
  std::vector<StateCopy> copies;
  for (size_t i = 0; i < specs.size(); ++i)
    if (specs[i].copyOf)
      for (size_t source = 0; source < i; ++source)
        if (specs[source].name == *specs[i].copyOf)
          copies.push_back({i, source, specs[i].dtype});
  return copies;
}

void refreshCopies(const std::vector<StateCopy> &copies,
                   std::vector<HostTensor> &state) {
  for (const StateCopy &copy : copies) {
    if (copy.copy >= state.size())
      return;
    std::vector<float> &values = state[copy.copy].f32;
    values = state[copy.source].f32;
    for (float &value : values)
      value = copy.dtype == DType::F16 ? math::roundF16(value)
                                       : math::roundBF16(value);
  }
}

std::vector<HostTensor> withoutCopies(const std::vector<StateSpec> &specs,
                                      std::vector<HostTensor> all) {
  std::vector<HostTensor> shown;
  for (size_t i = 0; i < all.size(); ++i)
    if (i >= specs.size() || !specs[i].copyOf)
      shown.push_back(std::move(all[i]));
  return shown;
}

std::vector<HostTensor> withCopies(const std::vector<StateSpec> &specs,
                                   std::vector<HostTensor> shown) {
  std::vector<HostTensor> all;
  size_t next = 0;
  for (const StateSpec &spec : specs) {
    if (spec.copyOf) {
      HostTensor copy;
      copy.name = spec.name;
      copy.shape = spec.shape;
      all.push_back(std::move(copy));
    } else if (next < shown.size()) {
      all.push_back(std::move(shown[next++]));
    } else {
      break;
    }
  }
  refreshCopies(stateCopies(specs), all);
  return all;
}

} // namespace mpc::train
