//===- AxisLoops.h - loops along one axis of a slice ------------*- C++ -*-===//
//
// Internal to the kernels library. Softmax-like kernels work on slices
// [length, inner] of an [outer, length, inner] view: the reduction runs along
// `length` for each of the `inner` positions at once, so the innermost loop
// is the contiguous one (when inner is 1 these are plain row loops).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CPU_KERNELS_AXISLOOPS_H
#define MPC_RUNTIME_CPU_KERNELS_AXISLOOPS_H

#include <algorithm>
#include <cstdint>

namespace mpc::cpu::detail {

/// acc[i] = max over j < length of x[j * inner + i] (length >= 1).
inline void maxAlongAxis(const float *x, int64_t length, int64_t inner,
                         float *acc) {
  std::copy(x, x + inner, acc);
  for (int64_t j = 1; j < length; ++j)
    for (int64_t i = 0; i < inner; ++i)
      acc[i] = std::max(acc[i], x[j * inner + i]);
}

/// acc[i] = sum over j < length of term(j * inner + i, i), in f32 in
/// increasing j.
template <typename Term>
void sumAlongAxis(int64_t length, int64_t inner, float *acc, Term &&term) {
  std::fill(acc, acc + inner, 0.0f);
  for (int64_t j = 0; j < length; ++j)
    for (int64_t i = 0; i < inner; ++i)
      acc[i] += term(j * inner + i, i);
}

/// Calls f(j * inner + i, i) for every j < length and i < inner.
template <typename F> void forAlongAxis(int64_t length, int64_t inner, F &&f) {
  for (int64_t j = 0; j < length; ++j)
    for (int64_t i = 0; i < inner; ++i)
      f(j * inner + i, i);
}

} // namespace mpc::cpu::detail

#endif // MPC_RUNTIME_CPU_KERNELS_AXISLOOPS_H
