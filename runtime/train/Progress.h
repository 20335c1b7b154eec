//===- Progress.h - how far a run is, and how long it has left --*- C++ -*-===//
//
// The estimate of the time left that each log line ends with, and the line
// on a terminal that counts the steps between log points. The estimate is
// the run's mean time per step so far, times the steps left; on a GPU the
// host runs ahead of the device between log points, so it is exact only at
// log points, where the loop waits for the device.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_TRAIN_PROGRESS_H
#define MPC_RUNTIME_TRAIN_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace mpc::train {

/// A duration in the log's words, to the nearest second below an hour and
/// the nearest minute above: "42s", "3m05s", "2h07m".
std::string formatDuration(double seconds);

class Progress {
public:
  /// A run from `startStep` to `steps`. With a `terminal` (standard error,
  /// when it is one) a single line there counts the steps between log
  /// points; without, nothing but the log lines is written.
  Progress(int64_t startStep, int64_t steps, std::FILE *terminal);
  /// Erases the terminal line, so that an error takes its place.
  ~Progress() { clear(); }
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;

  /// The seconds left after `done` steps, or none when nothing has run yet
  /// or the run is over.
  std::optional<double> secondsLeft(int64_t done) const;

  /// After step `done`, which is not a log point: redraws the terminal
  /// line, at most a few times a second.
  void stepDone(int64_t done);

  /// Erases the terminal line, so that a log line takes its place.
  void clear();

private:
  using Clock = std::chrono::steady_clock;

  int64_t startStep, steps;
  std::FILE *terminal;
  Clock::time_point started;
  std::optional<Clock::time_point> lastDrawn;
  /// Whether the terminal line is showing.
  bool shown = false;
};

} // namespace mpc::train

#endif // MPC_RUNTIME_TRAIN_PROGRESS_H
