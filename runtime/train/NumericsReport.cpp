//===- NumericsReport.cpp - what --check-numerics found -------------------===//

#include "runtime/train/NumericsReport.h"

#include "runtime/driver/OutputPath.h"

#include <nlohmann/json.hpp>

#include <cinttypes>

namespace mpc::train {

using numerics::NumericsCounts;

namespace {

/// The largest finite value of an element type named as in the manifest.
double largestFinite(const std::string &dtype) {
  if (dtype == "f16")
    return 65504.0;
  if (dtype == "bf16")
    return 3.3895313892515355e38;
  return 3.4028234663852886e38;
}

bool isLowPrecision(const std::string &dtype) {
  return dtype == "f16" || dtype == "bf16";
}

double flushedShare(const NumericsCounts &counts) {
  return counts.nonzero ? double(counts.flushed) / double(counts.nonzero) : 0;
}

std::string stepRange(std::optional<uint64_t> first,
                      std::optional<uint64_t> last) {
  if (!first)
    return "-";
  if (*first == *last)
    return "step " + std::to_string(*first);
  return "steps " + std::to_string(*first) + "-" + std::to_string(*last);
}

std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

} // namespace

const char *findingName(NumericsFinding finding) {
  switch (finding) {
  case NumericsFinding::Overflow:
    return "overflow";
  case NumericsFinding::Underflow:
    return "underflow";
  case NumericsFinding::NearOverflow:
    return "near_overflow";
  }
  return "";
}

NumericsReport::NumericsReport(std::vector<NumericsProbe> probes)
    : probes_(std::move(probes)), summaries_(probes_.size()) {}

void NumericsReport::record(uint64_t step,
                            const std::vector<NumericsCounts> &counts) {
  ++steps_;
  if (!firstStep_)
    firstStep_ = step;
  lastStep_ = step;
  bool culpritFound = false;
  for (size_t i = 0; i < counts.size() && i < summaries_.size(); ++i) {
    ProbeSummary &summary = summaries_[i];
    summary.counts.merge(counts[i]);
    if (counts[i].nonFinite == 0)
      continue;
    if (!summary.firstNonFiniteStep)
      summary.firstNonFiniteStep = step;
    summary.lastNonFiniteStep = step;
    ++summary.nonFiniteSteps;
    if (!culpritFound && counts[i].produced > 0) {
      ++summary.firstCulpritSteps;
      culpritFound = true;
    }
  }
  classify();
}

void NumericsReport::classify() {
  for (size_t i = 0; i < summaries_.size(); ++i) {
    ProbeSummary &summary = summaries_[i];
    const NumericsProbe &probe = probes_[i];
    summary.findings.clear();
    if (summary.counts.produced > 0)
      summary.findings.push_back(NumericsFinding::Overflow);
    if (isLowPrecision(probe.dtype) &&
        flushedShare(summary.counts) > kUnderflowThreshold)
      summary.findings.push_back(NumericsFinding::Underflow);
    if (summary.counts.produced == 0 && isLowPrecision(probe.dtype) &&
        summary.counts.maxAbs > kNearOverflowShare * largestFinite(probe.dtype))
      summary.findings.push_back(NumericsFinding::NearOverflow);
  }
}

std::vector<size_t> NumericsReport::flagged() const {
  std::vector<size_t> indices;
  for (size_t i = 0; i < summaries_.size(); ++i)
    if (!summaries_[i].findings.empty())
      indices.push_back(i);
  return indices;
}

std::string NumericsReport::explain(size_t index) const {
  const ProbeSummary &summary = summaries_[index];
  const NumericsProbe &probe = probes_[index];
  const NumericsCounts &counts = summary.counts;
  std::string text;
  for (NumericsFinding finding : summary.findings) {
    if (!text.empty())
      text += "; ";
    switch (finding) {
    case NumericsFinding::Overflow:
      text += "produced " + std::to_string(counts.produced) +
              " inf/NaN from finite inputs (" +
              std::to_string(counts.overflowed) + " by rounding to " +
              probe.dtype + ") in " +
              stepRange(summary.firstNonFiniteStep, summary.lastNonFiniteStep);
      if (summary.firstCulpritSteps)
        text += ", the first op to do so in " +
                std::to_string(summary.firstCulpritSteps) + " step(s)";
      text += isLowPrecision(probe.dtype)
                  ? ": overflows " + probe.dtype + ", compute it in f32"
                  : ": overflows even f32, a model or data problem";
      break;
    case NumericsFinding::Underflow:
      text += "flushed " + formatNumber(100 * flushedShare(counts)) +
              "% of nonzero values to zero or subnormal " + probe.dtype +
              ": underflow" +
              (probe.backward ? ", gradients lost (loss scaling or f32)"
                              : ", compute it in f32");
      break;
    case NumericsFinding::NearOverflow:
      text += "max |x| " + formatNumber(counts.maxAbs) + " is over half of " +
              probe.dtype + "'s largest " +
              formatNumber(largestFinite(probe.dtype)) + ": near overflow";
      break;
    }
  }
  return text;
}

void NumericsReport::writeTable(std::FILE *out) const {
  std::vector<size_t> indices = flagged();
  std::fprintf(out,
               "numerics: %zu op(s) checked over %" PRIu64
               " step(s) (%s), %zu flagged\n",
               probes_.size(), steps_, stepRange(firstStep_, lastStep_).c_str(),
               indices.size());
  for (size_t index : indices) {
    const NumericsProbe &probe = probes_[index];
    const NumericsCounts &counts = summaries_[index].counts;
    std::fprintf(out,
                 "numerics: %s %s %s %s [%s]: inf/nan %" PRIu64
                 ", flushed %s%%, max |x| %s: %s\n",
                 probe.function.c_str(),
                 probe.backward ? "backward" : "forward", probe.op.c_str(),
                 probe.location.c_str(), probe.dtype.c_str(), counts.nonFinite,
                 formatNumber(100 * flushedShare(counts)).c_str(),
                 formatNumber(counts.maxAbs).c_str(), explain(index).c_str());
  }
}

bool NumericsReport::writeJson(const std::string &path,
                               std::string &error) const {
  nlohmann::ordered_json ops = nlohmann::ordered_json::array();
  for (size_t i = 0; i < probes_.size(); ++i) {
    const NumericsProbe &probe = probes_[i];
    const ProbeSummary &summary = summaries_[i];
    const NumericsCounts &counts = summary.counts;
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (NumericsFinding finding : summary.findings)
      findings.push_back(findingName(finding));
    auto step = [](std::optional<uint64_t> value) {
      return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json();
    };
    ops.push_back({{"function", probe.function},
                   {"op", probe.op},
                   {"location", probe.location},
                   {"backward", probe.backward},
                   {"dtype", probe.dtype},
                   {"elements", counts.elements},
                   {"non_finite", counts.nonFinite},
                   {"produced_from_finite", counts.produced},
                   {"overflowed_by_rounding", counts.overflowed},
                   {"nonzero", counts.nonzero},
                   {"flushed", counts.flushed},
                   {"flushed_fraction", flushedShare(counts)},
                   {"max_abs", counts.maxAbs},
                   {"first_non_finite_step", step(summary.firstNonFiniteStep)},
                   {"last_non_finite_step", step(summary.lastNonFiniteStep)},
                   {"non_finite_steps", summary.nonFiniteSteps},
                   {"first_culprit_steps", summary.firstCulpritSteps},
                   {"findings", findings},
                   {"reason", explain(i)},
                   {"nodes", probe.nodes}});
  }
  nlohmann::ordered_json report = {
      {"steps", steps_},
      {"first_step", firstStep_ ? nlohmann::ordered_json(*firstStep_)
                                : nlohmann::ordered_json()},
      {"last_step", lastStep_ ? nlohmann::ordered_json(*lastStep_)
                              : nlohmann::ordered_json()},
      {"underflow_threshold", kUnderflowThreshold},
      {"ops", ops}};
  return driver::writeOutputFile(path, report.dump(2) + "\n", error);
}

} // namespace mpc::train
