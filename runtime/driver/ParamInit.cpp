//===- ParamInit.cpp - parameter initializers -----------------------------===//

#include "runtime/driver/ParamInit.h"

#include "runtime/core/Hash.h"
#include "runtime/driver/Random.h"

#include <algorithm>
#include <cmath>

namespace mpc::driver {
namespace {

using Kind = InitSpec::Kind;

/// A standard normal draw from two uniform draws (Box–Muller).
double normal(uint64_t stream, uint64_t index) {
  double u1 = random::uniform01(random::hash(stream, index, 0));
  double u2 = random::uniform01(random::hash(stream, index, 1));
  // 1 - u1 is in (0, 1], so the logarithm is finite.
  return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * M_PI * u2);
}

double uniform(uint64_t stream, uint64_t index, double low, double high) {
  return low + (high - low) * random::uniform01(random::hash(stream, index, 2));
}

/// FNV-1a of a param's name: a stable stream id for it.
uint64_t nameHash(const std::string &name) { return fnv1a(name); }

} // namespace

void initializeParam(const InitSpec &init, const std::string &name,
                     uint64_t seed, HostTensor &value) {
  uint64_t stream = init.seed ? random::mix(*init.seed)
                              : random::hash(seed, nameHash(name), 3);
  int64_t n = value.numElements();
  if (init.kind == Kind::Values) {
    // The values were checked against the param's shape where they were
    // read (the module's verifier, or loadInitValues for a manifest).
    if (init.values && static_cast<int64_t>(init.values->size()) == n)
      value.f32.assign(init.values->begin(), init.values->end());
    return;
  }
  if (value.dtype == HostTensor::DType::I64) {
    std::fill(value.i64.begin(), value.i64.end(), 0);
    return;
  }
  double first = init.first, second = init.second;
  double fanIn = 1, fanOut = 1;
  if (value.shape.size() >= 2) {
    fanIn = double(value.shape[value.shape.size() - 2]);
    fanOut = double(value.shape.back());
  }
  for (int64_t i = 0; i < n; ++i) {
    double v = 0;
    switch (init.kind) {
    case Kind::Zeros:
      v = 0;
      break;
    case Kind::Ones:
      v = 1;
      break;
    case Kind::Constant:
      v = first;
      break;
    case Kind::Normal:
      v = first + second * normal(stream, i);
      break;
    case Kind::Uniform:
      v = uniform(stream, i, first, second);
      break;
    case Kind::XavierUniform: {
      double bound = first * std::sqrt(6.0 / (fanIn + fanOut));
      v = uniform(stream, i, -bound, bound);
      break;
    }
    case Kind::XavierNormal:
      v = first * std::sqrt(2.0 / (fanIn + fanOut)) * normal(stream, i);
      break;
    case Kind::Values:
      break; // Handled above.
    }
    value.f32[i] = static_cast<float>(v);
  }
}

} // namespace mpc::driver
