//===- NumericsCheck.h - classifying an op's outputs, host and device -----===//
//
// What --check-numerics measures of one op output element, defined once for
// the CPU reference executor and the CUDA kernel: whether the value stored
// in the op's element type is inf or NaN, whether rounding to that type made
// it so (an overflow of a finite result), and whether a nonzero result was
// flushed to zero or to a subnormal of that type (an underflow). The counts
// of one op's output are summed in NumericsCounts.
//
// `computed` is the op's result before rounding to its element type (the
// f32 value the reference executor holds); a backend that only sees the
// stored value passes it as both, and then counts a flush to zero as a zero.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_NUMERICSCHECK_H
#define MPC_RUNTIME_CORE_NUMERICSCHECK_H

#include "DType.h"
#include "HostDevice.h"
#include "ScalarMath.h"

#include <stdint.h>

namespace mpc::numerics {

/// What became of one output element in its element type.
enum class ValueClass : uint8_t {
  Zero,      ///< computed as zero: nothing to flush
  Normal,    ///< finite, and a normal number (or a nonzero f32 subnormal
             ///< computed as such: f32 is the reference)
  Flushed,   ///< nonzero, stored as zero or a subnormal of a 16-bit type
  Overflow,  ///< finite, stored as inf: rounding overflowed
  NonFinite, ///< computed as inf or NaN already
};

/// The smallest positive normal number of `dtype` (f16: 2^-14; bf16 and
/// f32 share f32's exponent: 2^-126).
MPC_HD float smallestNormal(mpc_dtype dtype) {
  return dtype == MPC_F16 ? 6.103515625e-05f : 1.17549435e-38f;
}

/// `computed` rounded to `dtype` (f32, f16 or bf16), as the op stores it.
MPC_HD float storedValue(mpc_dtype dtype, float computed) {
  if (dtype == MPC_F16)
    return math::roundF16(computed);
  if (dtype == MPC_BF16)
    return math::roundBF16(computed);
  return computed;
}

/// Classifies one output element: `computed` before rounding, `stored`
/// after rounding to `dtype`.
MPC_HD ValueClass classifyValue(mpc_dtype dtype, float computed, float stored) {
  if (!math::isFinite(computed))
    return ValueClass::NonFinite;
  if (!math::isFinite(stored))
    return ValueClass::Overflow;
  if (computed == 0.0f)
    return ValueClass::Zero;
  // f32 is the reference precision: its own subnormals are not a loss.
  if (dtype != MPC_F32 && ::fabsf(stored) < smallestNormal(dtype))
    return ValueClass::Flushed;
  return ValueClass::Normal;
}

/// The statistics of one op output (or of several, summed).
struct NumericsCounts {
  uint64_t elements = 0;
  /// Stored as inf or NaN (Overflow and NonFinite).
  uint64_t nonFinite = 0;
  /// Of nonFinite, those whose computed value was finite (Overflow).
  uint64_t overflowed = 0;
  /// Of nonFinite, those of an op whose inputs were all finite: the op
  /// produced them (set by the caller, which sees the inputs).
  uint64_t produced = 0;
  /// Computed as nonzero (Normal, Flushed, Overflow, NonFinite).
  uint64_t nonzero = 0;
  /// Of nonzero, those stored as zero or a subnormal (Flushed).
  uint64_t flushed = 0;
  /// The largest finite |stored value|.
  float maxAbs = 0.0f;

  /// Counts one element of class `kind` whose stored value is `stored`.
  MPC_HD void add(ValueClass kind, float stored) {
    ++elements;
    if (kind != ValueClass::Zero)
      ++nonzero;
    if (kind == ValueClass::Overflow || kind == ValueClass::NonFinite)
      ++nonFinite;
    if (kind == ValueClass::Overflow)
      ++overflowed;
    if (kind == ValueClass::Flushed)
      ++flushed;
    float magnitude = ::fabsf(stored);
    if (math::isFinite(stored) && magnitude > maxAbs)
      maxAbs = magnitude;
  }

  /// Adds the counts of `other`.
  MPC_HD void merge(const NumericsCounts &other) {
    elements += other.elements;
    nonFinite += other.nonFinite;
    overflowed += other.overflowed;
    produced += other.produced;
    nonzero += other.nonzero;
    flushed += other.flushed;
    if (other.maxAbs > maxAbs)
      maxAbs = other.maxAbs;
  }
};

/// What the CUDA step gathers of one probed op in a step (a device array
/// of these, one per probe, zeroed before the step): the statistics of the
/// op's float outputs, and those of its float inputs, measured before the
/// op runs (its outputs may overwrite them), which say whether the inputs
/// were all finite.
struct ProbeCounts {
  NumericsCounts outputs;
  NumericsCounts inputs;
};

/// The statistics of one probed op, as the CPU reference executor takes
/// them: the outputs' counts, whose non-finite values count as produced
/// when every float input was finite.
MPC_HD NumericsCounts probeStatistics(const ProbeCounts &probe) {
  NumericsCounts counts = probe.outputs;
  counts.produced = probe.inputs.nonFinite == 0 ? counts.nonFinite : 0;
  return counts;
}

} // namespace mpc::numerics

#endif // MPC_RUNTIME_CORE_NUMERICSCHECK_H
