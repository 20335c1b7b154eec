//===- ParamInit.cpp - parameter initializers -----------------------------===//

#include "runtime/cpu/ParamInit.h"

#include "runtime/driver/Random.h"

#include <cmath>

using mpc::driver::HostTensor;
namespace rng = mpc::driver::random;

namespace mpc::cpu {
namespace {

/// A standard normal draw from two uniform draws (Box–Muller).
double normal(uint64_t stream, uint64_t index) {
  double u1 = rng::uniform01(rng::hash(stream, index, 0));
  double u2 = rng::uniform01(rng::hash(stream, index, 1));
  // 1 - u1 is in (0, 1], so the logarithm is finite.
  return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * M_PI * u2);
}

double uniform(uint64_t stream, uint64_t index, double low, double high) {
  return low + (high - low) * rng::uniform01(rng::hash(stream, index, 2));
}

/// FNV-1a of a param's name: a stable stream id for it.
uint64_t nameHash(llvm::StringRef name) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : name)
    hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

} // namespace

void initializeParam(InitAttr init, llvm::StringRef name, uint64_t seed,
                     HostTensor &value) {
  uint64_t stream = init.getSeed() ? rng::mix(*init.getSeed())
                                   : rng::hash(seed, nameHash(name), 3);
  int64_t n = value.numElements();
  if (value.dtype == HostTensor::DType::I64) {
    std::fill(value.i64.begin(), value.i64.end(), 0);
    return;
  }
  double first = init.getFirstValue(), second = init.getSecondValue();
  double fanIn = 1, fanOut = 1;
  if (value.shape.size() >= 2) {
    fanIn = double(value.shape[value.shape.size() - 2]);
    fanOut = double(value.shape.back());
  }
  for (int64_t i = 0; i < n; ++i) {
    double v = 0;
    switch (init.getKind()) {
    case InitKind::zeros:
      v = 0;
      break;
    case InitKind::ones:
      v = 1;
      break;
    case InitKind::constant:
      v = first;
      break;
    case InitKind::normal:
      v = first + second * normal(stream, i);
      break;
    case InitKind::uniform:
      v = uniform(stream, i, first, second);
      break;
    case InitKind::xavier_uniform: {
      double bound = first * std::sqrt(6.0 / (fanIn + fanOut));
      v = uniform(stream, i, -bound, bound);
      break;
    }
    case InitKind::xavier_normal:
      v = first * std::sqrt(2.0 / (fanIn + fanOut)) * normal(stream, i);
      break;
    }
    value.f32[i] = static_cast<float>(v);
  }
}

} // namespace mpc::cpu
