//===- MetricsFuzzer.cpp - libFuzzer target for a resumed metrics file ----===//
//
// A resumed run reads the metrics file it continues (MetricsLog::open with
// `resumed`): it keeps the records up to its start step and rewrites the
// file. The input is that file's contents; the run is graph "mlp", resumed
// at step 50. Besides the sanitizers' own checks it checks the reader's
// contract:
//
//  - a rejected file yields one line of error that starts with its path
//    and a colon, and the file is left as it was;
//  - an accepted file is rewritten as whole JSON lines, each an object,
//    the last of them this run's start record, and no step record past 50.
//
// The seeds in corpus-metrics/ are files mpc-run wrote, cut and damaged.
//
// Build: cmake -DMPC_BUILD_FUZZERS=ON with clang (see scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "runtime/train/MetricsLog.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

using namespace mpc::train;

namespace {

constexpr int64_t kStartStep = 50;

[[noreturn]] void fail(const char *what, const std::string &detail) {
  std::fprintf(stderr, "mpc-fuzz-metrics: %s: %s\n", what, detail.c_str());
  std::abort();
}

std::string readWhole(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

void writeWhole(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::string path =
      "/tmp/mpc-fuzz-metrics." + std::to_string(getpid()) + ".jsonl";
  std::string input(reinterpret_cast<const char *>(data), size);
  writeWhole(path, input);

  MetricsRunInfo run;
  run.graph = "mlp";
  run.device = "cpu";
  run.precision = "f32";
  run.batch = 32;
  run.steps = 100;
  run.items = "samples";
  std::string error;
  std::unique_ptr<MetricsLog> log =
      MetricsLog::open(path, run, kStartStep, /*resumed=*/true, error);
  if (!log) {
    if (error.empty() || error.find('\n') != std::string::npos ||
        error.rfind(path + ":", 0) != 0)
      fail("not one line naming the file", error);
    if (readWhole(path) != input)
      fail("a refused file was changed", error);
    return 0;
  }
  if (!error.empty())
    fail("accepted with an error", error);
  log.reset();
  std::istringstream lines(readWhole(path));
  std::string line, last;
  while (std::getline(lines, line)) {
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (!record.is_object())
      fail("a kept line is not a JSON object", line);
    if (record.value("event", "") == "step" && record["step"].is_number() &&
        record["step"].get<double>() > kStartStep)
      fail("a record past the start step was kept", line);
    last = line;
  }
  nlohmann::json start = nlohmann::json::parse(last, nullptr, false);
  if (!start.is_object() || start.value("event", "") != "start" ||
      start.value("step", int64_t(-1)) != kStartStep)
    fail("the file does not end with this run's start record", last);
  return 0;
}
