//===- MetricsLog.h - a run's metrics as JSON Lines -------------*- C++ -*-===//
//
// mpc-run --metrics FILE writes one JSON object per line: a "start" record
// each time a run starts or resumes, then one "step" record per log point
// and per evaluation. Each record is appended with a single write, so a
// reader (scripts/mpc-plot, a tail -f) never sees half a line from a live
// run. A resumed run keeps the records up to its checkpoint's step and
// drops the later ones, which it computes again, so no step appears twice.
// docs/training.md gives the format; kMetricsVersion is its version.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_TRAIN_METRICSLOG_H
#define MPC_RUNTIME_TRAIN_METRICSLOG_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace mpc::train {

/// The "format" of every start record.
inline constexpr char kMetricsFormat[] = "mpc-metrics";
/// The version of the format, raised whenever a field changes meaning or
/// disappears (a new field does not change it).
inline constexpr int kMetricsVersion = 1;

/// What a start record says about the run.
struct MetricsRunInfo {
  std::string graph, device;
  /// f32, f16 or bf16; "" when unknown (written as null).
  std::string precision;
  int64_t batch = 0;
  uint64_t seed = 0;
  /// The step the run trains to.
  int64_t steps = 0;
  /// What the throughput counts: "samples" or "tokens".
  std::string items;
  /// The optimizer's learning rate, when known.
  std::optional<double> learningRate;
};

/// One log point or evaluation. A field that was not measured at this step
/// is written as null, and so is a value that is not finite (JSON has no
/// NaN or infinity).
struct MetricsRecord {
  int64_t step = 0;
  /// The mean training loss of the steps since the previous log point, and
  /// their throughput in items per second; none at an evaluation that is
  /// not a log point.
  std::optional<double> loss, itemsPerSecond;
  std::optional<double> validationLoss, validationAccuracy;
  /// The loss scaler after this step, when the step scales its loss.
  std::optional<double> lossScale;
  std::optional<int64_t> skippedSteps;
  /// The global norm of this step's gradients, when the step records it.
  std::optional<double> gradNorm;
  /// The learning rate of this step's update, when the step records its
  /// schedule; else the run's rate (MetricsRunInfo) is written.
  std::optional<double> learningRate;
};

class MetricsLog {
public:
  /// Opens `path` for a run that begins at `startStep`. A new run
  /// (`resumed` false) replaces the file. A resumed run keeps the file's
  /// records up to `startStep`, which must be of the same graph, and drops
  /// the rest; a last line cut short by a killed run is dropped too. Either
  /// way the file is rewritten atomically, with this run's start record at
  /// its end. Returns null with a one-line `error` naming the file and, for
  /// a bad record, its line.
  static std::unique_ptr<MetricsLog> open(const std::string &path,
                                          const MetricsRunInfo &run,
                                          int64_t startStep, bool resumed,
                                          std::string &error);

  /// Appends `record` as one line, with the wall-clock time and the
  /// training time so far (which a resumed run continues from the last
  /// record it kept).
  bool append(const MetricsRecord &record, std::string &error);

  ~MetricsLog();
  MetricsLog(const MetricsLog &) = delete;
  MetricsLog &operator=(const MetricsLog &) = delete;

private:
  MetricsLog(std::string path, int fd, std::string device,
             std::optional<double> learningRate, double elapsedBefore);

  std::string path;
  int fd;
  std::string device;
  std::optional<double> learningRate;
  /// Seconds of training recorded before this run started.
  double elapsedBefore;
  /// When this run opened the file, on the steady clock, in seconds.
  double openedAt;
};

} // namespace mpc::train

#endif // MPC_RUNTIME_TRAIN_METRICSLOG_H
