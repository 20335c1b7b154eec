//===- TrainingLoop.h - steps, logging, evaluation, checkpoints -*- C++ -*-===//

#ifndef MPC_RUNTIME_TRAIN_TRAININGLOOP_H
#define MPC_RUNTIME_TRAIN_TRAININGLOOP_H

#include "runtime/driver/Datasets.h"
#include "runtime/train/StepExecutor.h"

#include <cstdio>
#include <optional>
#include <string>

namespace mpc::train {

struct TrainingOptions {
  /// Train until this many steps have run in total (a resumed run counts
  /// the steps before the checkpoint).
  int64_t steps = 0;
  uint64_t seed = 0;
  int64_t logEvery = 50;
  /// 0: evaluate only at the end.
  int64_t evalEvery = 0;
  /// Written at the end when not empty.
  std::string savePath;
  /// Read before the first step when not empty.
  std::string resumePath;
  /// Whether the seed was given explicitly (a resumed run otherwise takes
  /// the checkpoint's).
  bool seedGiven = false;
  /// What the step computes in (f32, f16, bf16), or "" when unknown. A
  /// checkpoint records it with the batch size; a run resumes only with the
  /// same, as another would not continue bit for bit.
  std::string precision;
  /// Where the run's metrics go, as JSON Lines (MetricsLog.h), when not
  /// empty; `device` and `learningRate` are recorded there.
  std::string metricsPath;
  std::string device;
  std::optional<double> learningRate;
  /// A terminal for the line that counts the steps between log points, or
  /// null for none.
  std::FILE *progressTerminal = nullptr;
};

/// Validation loss and, when the graph has logits and integer labels,
/// accuracy.
struct Evaluation {
  double loss = 0;
  std::optional<double> accuracy;
  int64_t samples = 0;
};

/// What a finished run reports.
struct TrainingResult {
  std::vector<double> losses;
  std::optional<Evaluation> finalEvaluation;
  /// The loss scaler at the end, when the step scales the loss.
  std::optional<LossScaleStatus> lossScale;
};

/// A run stops when this many consecutive steps, or more, all overflowed
/// while the loss scale could not go lower (at its floor, or static).
constexpr int64_t kStuckLossScaleSteps = 20;

/// Runs the training loop: resumes when asked, trains, logs every
/// `logEvery` steps, evaluates, and saves. Progress goes to `log`; with loss
/// scaling each progress line adds the scale and the skipped steps, and the
/// run ends with their total; every line of an unfinished run ends with the
/// estimated time left. Log points and evaluations are also appended to the
/// metrics file when there is one. Returns false with a one-line `error` naming
/// the file or step on failure, including a loss scale stuck at its floor
/// (see kStuckLossScaleSteps); a failed run leaves no partial checkpoint.
bool runTraining(StepExecutor &executor, const driver::Dataset &data,
                 const TrainingOptions &options, std::FILE *log,
                 TrainingResult &result, std::string &error);

/// Evaluates on every full validation batch.
bool evaluateValidation(StepExecutor &executor, const driver::Dataset &data,
                        Evaluation &evaluation, std::string &error);

} // namespace mpc::train

#endif // MPC_RUNTIME_TRAIN_TRAININGLOOP_H
