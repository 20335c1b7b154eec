//===- MetricsLog.cpp - a run's metrics as JSON Lines ---------------------===//

#include "runtime/train/MetricsLog.h"

#include "runtime/core/JsonDepth.h"
#include "runtime/core/JsonSyntaxError.h"
#include "runtime/driver/DataFiles.h"
#include "runtime/driver/OutputPath.h"
#include "runtime/driver/Text.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace mpc::train {
namespace {

/// Keys keep the order they are written in, which the docs show.
using Json = nlohmann::ordered_json;

constexpr char kStartEvent[] = "start";
constexpr char kStepEvent[] = "step";

double steadySeconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double unixSeconds() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A number, or null when there is none or it is not finite.
Json number(std::optional<double> value) {
  if (!value || !std::isfinite(*value))
    return nullptr;
  return *value;
}

Json startRecord(const MetricsRunInfo &run, int64_t step) {
  Json record;
  record["event"] = kStartEvent;
  record["format"] = kMetricsFormat;
  record["version"] = kMetricsVersion;
  record["step"] = step;
  record["wall_time"] = unixSeconds();
  record["graph"] = run.graph;
  record["device"] = run.device;
  record["dtype"] = run.precision.empty() ? Json(nullptr) : Json(run.precision);
  record["batch"] = run.batch;
  record["seed"] = run.seed;
  record["steps"] = run.steps;
  record["items"] = run.items;
  record["learning_rate"] = number(run.learningRate);
  return record;
}

/// A record of a metrics file, as far as resuming needs it.
struct KeptRecord {
  std::string line;
  bool start;
  int64_t step;
  std::optional<double> elapsed;
};

/// Reads line `number` of `path`; false with a one-line `error` naming it
/// when it is not a record of this format.
bool readRecord(const std::string &path, size_t number, std::string_view line,
                const std::string &graph, KeptRecord &record,
                std::string &error) {
  std::string where = path + ":" + std::to_string(number) + ": ";
  if (findJsonNestingBeyond(line, kMaxJsonDepth)) {
    error = where + "not a metrics record (nested too deep)";
    return false;
  }
  Json json = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    JsonSyntaxError syntax;
    Json::sax_parse(line, &syntax);
    error = where + "not JSON: " + syntax.reason;
    return false;
  }
  auto event = json.is_object() ? json.find("event") : json.end();
  if (event == json.end() || !event->is_string() ||
      (*event != kStartEvent && *event != kStepEvent)) {
    error = where + "not a metrics record (no \"event\" of \"start\" or "
                    "\"step\")";
    return false;
  }
  auto step = json.find("step");
  if (step == json.end() || !step->is_number_integer() || *step < 0) {
    error = where + "\"step\" must be a non-negative integer";
    return false;
  }
  record.line = std::string(line);
  record.start = *event == kStartEvent;
  record.step = step->get<int64_t>();
  if (record.start) {
    auto format = json.find("format"), version = json.find("version");
    if (format == json.end() || *format != kMetricsFormat ||
        version == json.end() || !version->is_number_integer()) {
      error = where + "a start record without \"format\": \"" + kMetricsFormat +
              "\" and an integer \"version\"";
      return false;
    }
    if (*version != kMetricsVersion) {
      error = where + "metrics format version " + version->dump() +
              ", but mpc-run writes version " +
              std::to_string(kMetricsVersion) + "; give another --metrics file";
      return false;
    }
    auto recordGraph = json.find("graph");
    if (recordGraph == json.end() || *recordGraph != graph) {
      error =
          where + "metrics of graph " +
          (recordGraph == json.end() ? std::string("(none)")
                                     : driver::printable(recordGraph->dump())) +
          ", but the model is '" + driver::printable(graph) +
          "'; give another --metrics file";
      return false;
    }
  } else if (auto elapsed = json.find("elapsed");
             elapsed != json.end() && elapsed->is_number()) {
    record.elapsed = elapsed->get<double>();
  }
  return true;
}

/// The lines of `text` a run resumed at `startStep` keeps, and the training
/// time they record; false with a one-line `error`.
bool keptLines(const std::string &path, std::string_view text,
               const std::string &graph, int64_t startStep, std::string &kept,
               double &elapsed, std::string &error) {
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    size_t end = text.find('\n');
    // A last line without its line break was cut short by a killed run.
    if (end == std::string_view::npos)
      break;
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos)
      continue;
    KeptRecord record;
    if (!readRecord(path, number, line, graph, record, error))
      return false;
    // The resumed run writes its own start record at startStep, and every
    // step record after it.
    if (record.start ? record.step >= startStep : record.step > startStep)
      continue;
    if (record.elapsed)
      elapsed = *record.elapsed;
    kept += record.line;
    kept += '\n';
  }
  return true;
}

} // namespace

std::unique_ptr<MetricsLog> MetricsLog::open(const std::string &path,
                                             const MetricsRunInfo &run,
                                             int64_t startStep, bool resumed,
                                             std::string &error) {
  std::string contents;
  double elapsed = 0;
  struct stat info;
  if (resumed && ::stat(path.c_str(), &info) == 0) {
    std::optional<std::string> text = driver::readFileBytes(path, error);
    if (!text)
      return nullptr;
    if (!keptLines(path, *text, run.graph, startStep, contents, elapsed, error))
      return nullptr;
  }
  contents += startRecord(run, startStep).dump() + "\n";
  if (!driver::writeOutputFile(path, contents, error))
    return nullptr;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    error = driver::systemError(path, "cannot open", errno);
    return nullptr;
  }
  return std::unique_ptr<MetricsLog>(
      new MetricsLog(path, fd, run.device, run.learningRate, elapsed));
}

MetricsLog::MetricsLog(std::string path, int fd, std::string device,
                       std::optional<double> learningRate, double elapsedBefore)
    : path(std::move(path)), fd(fd), device(std::move(device)),
      learningRate(learningRate), elapsedBefore(elapsedBefore),
      openedAt(steadySeconds()) {}

MetricsLog::~MetricsLog() { ::close(fd); }

bool MetricsLog::append(const MetricsRecord &record, std::string &error) {
  Json json;
  json["event"] = kStepEvent;
  json["step"] = record.step;
  json["wall_time"] = unixSeconds();
  json["elapsed"] = elapsedBefore + (steadySeconds() - openedAt);
  json["loss"] = number(record.loss);
  json["val_loss"] = number(record.validationLoss);
  json["val_accuracy"] = number(record.validationAccuracy);
  json["learning_rate"] =
      number(record.learningRate ? record.learningRate : learningRate);
  json["loss_scale"] = number(record.lossScale);
  json["skipped_steps"] =
      record.skippedSteps ? Json(*record.skippedSteps) : Json(nullptr);
  json["grad_norm"] = number(record.gradNorm);
  json["items_per_second"] = number(record.itemsPerSecond);
  json["device"] = device;
  // One write per line: O_APPEND puts it at the end whole, so a reader
  // never sees part of a record.
  std::string line = json.dump() + "\n";
  ssize_t written = ::write(fd, line.data(), line.size());
  if (written == ssize_t(line.size()))
    return true;
  error = written < 0 ? driver::systemError(path, "cannot write", errno)
                      : path + ": cannot write: the disk is full";
  return false;
}

} // namespace mpc::train
