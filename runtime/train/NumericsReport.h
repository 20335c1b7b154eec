//===- NumericsReport.h - what --check-numerics found -----------*- C++ -*-===//
//
// Gathers the per-op output statistics of training steps (NumericsCounts of
// every probe that mpc-check-numerics placed) and says which ops point at a
// precision problem and why: an op that produces inf or NaN from finite
// inputs (an overflow), one that flushes more than a threshold of its
// nonzero results to zero or subnormals in a 16-bit type (an underflow),
// and one whose largest value comes near its type's largest finite number.
// Ops that only pass on the non-finite values of their inputs are counted
// but not blamed. Written as a table (one line per flagged op) and as JSON.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_TRAIN_NUMERICSREPORT_H
#define MPC_RUNTIME_TRAIN_NUMERICSREPORT_H

#include "runtime/core/NumericsCheck.h"
#include "runtime/core/NumericsProbe.h"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace mpc::train {

/// One instrumented op, as the compiler named it.
using NumericsProbe = numerics::NumericsProbe;

/// Why a probe is flagged.
enum class NumericsFinding { Overflow, Underflow, NearOverflow };

/// A share of nonzero values flushed above which a 16-bit op is flagged
/// (1%: gradients losing more than that stop matching f32).
constexpr double kUnderflowThreshold = 0.01;
/// A largest |value| above this share of the type's largest finite value
/// is flagged as near overflow.
constexpr double kNearOverflowShare = 0.5;

class NumericsReport {
public:
  explicit NumericsReport(std::vector<NumericsProbe> probes);

  /// Adds one step's counts, one per probe in probe order (program order).
  void record(uint64_t step,
              const std::vector<numerics::NumericsCounts> &counts);

  /// What one probe gathered over the recorded steps.
  struct ProbeSummary {
    numerics::NumericsCounts counts;
    /// The first and last step in which it stored a non-finite value, and
    /// in how many steps.
    std::optional<uint64_t> firstNonFiniteStep, lastNonFiniteStep;
    uint64_t nonFiniteSteps = 0;
    /// The steps in which it was the first op, in program order, to produce
    /// a non-finite value from finite inputs.
    uint64_t firstCulpritSteps = 0;
    std::vector<NumericsFinding> findings;
  };

  const std::vector<NumericsProbe> &probes() const { return probes_; }
  const std::vector<ProbeSummary> &summaries() const { return summaries_; }
  uint64_t steps() const { return steps_; }
  /// The indices of the probes with a finding, in program order.
  std::vector<size_t> flagged() const;
  /// Why probe `index` is flagged, in words (empty when it is not).
  std::string explain(size_t index) const;

  /// One line per flagged op (or one saying nothing was flagged).
  void writeTable(std::FILE *out) const;
  /// The whole report as one JSON object; false with `error` naming the
  /// file when it cannot be written.
  bool writeJson(const std::string &path, std::string &error) const;

private:
  void classify();

  std::vector<NumericsProbe> probes_;
  std::vector<ProbeSummary> summaries_;
  uint64_t steps_ = 0;
  std::optional<uint64_t> firstStep_, lastStep_;
};

/// The name of a finding in the JSON report.
const char *findingName(NumericsFinding finding);

} // namespace mpc::train

#endif // MPC_RUNTIME_TRAIN_NUMERICSREPORT_H
