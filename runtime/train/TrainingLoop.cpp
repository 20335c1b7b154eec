//===- TrainingLoop.cpp - steps, logging, evaluation, checkpoints ---------===//
//
// A batch and a dropout mask are pure functions of the run's seed and the
// step, and the checkpoint holds every parameter, the optimizer and loss
// scaler state, the step and the seed, so a resumed run continues
// bit-exactly where the interrupted one stopped.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/TrainingLoop.h"

#include "runtime/core/StepNames.h"
#include "runtime/driver/Checkpoint.h"
#include "runtime/driver/Text.h"
#include "runtime/train/MetricsLog.h"
#include "runtime/train/Progress.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdlib>
#include <memory>

namespace mpc::train {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char *kFormat = "mpc-checkpoint-1";

/// Counts the rows of `logits` whose argmax is the label, into `correct`,
/// and the rows whose label is not the ignored one (the loss's
/// ignore_index), into `counted`.
void countCorrect(const HostTensor &logits, const HostTensor &labels,
                  int64_t &correct, int64_t &counted) {
  int64_t classes = logits.shape.back();
  for (int64_t row = 0, rows = labels.numElements(); row < rows; ++row) {
    if (labels.i64[row] == labels.ignoredValue)
      continue;
    ++counted;
    const float *values = logits.f32.data() + row * classes;
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c)
      if (values[c] > values[best])
        best = c;
    correct += best == labels.i64[row];
  }
}

/// The batch size: the leading dim of the first input (which the
/// executors check the step has).
int64_t batchOf(const StepExecutor &executor) {
  return executor.inputSpecs().front().shape.front();
}

/// Empty tensors of the executor's input shapes, ready to be filled.
std::vector<HostTensor> allocateInputs(const StepExecutor &executor) {
  std::vector<HostTensor> inputs = executor.inputSpecs();
  for (HostTensor &input : inputs) {
    if (input.dtype == HostTensor::DType::F32)
      input.f32.resize(input.numElements());
    else
      input.i64.resize(input.numElements());
  }
  return inputs;
}

/// Copies rows [first, first + B) of every tensor of `batch` into `micro`,
/// whose leading dim is B: one micro-batch of a larger batch.
void copyMicroBatch(const std::vector<HostTensor> &batch, int64_t first,
                    std::vector<HostTensor> &micro) {
  for (size_t i = 0; i < micro.size(); ++i) {
    int64_t rowSize = micro[i].numElements() / micro[i].shape.front();
    int64_t offset = first * rowSize, count = micro[i].numElements();
    if (micro[i].dtype == HostTensor::DType::F32)
      std::copy_n(batch[i].f32.begin() + offset, count, micro[i].f32.begin());
    else
      std::copy_n(batch[i].i64.begin() + offset, count, micro[i].i64.begin());
  }
}

bool parseInteger(const std::string &text, int64_t &value) {
  if (text.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  long long parsed = std::strtoll(text.c_str(), &end, 10);
  if (errno || *end || parsed < 0)
    return false;
  value = parsed;
  return true;
}

/// Reads the checkpoint to resume from and checks its metadata; sets the
/// step to continue from and the run's seed. Its tensors go into the
/// executor once it is initialized with that seed (restoreState).
std::optional<driver::Checkpoint>
readResumePoint(const StepExecutor &executor, const TrainingOptions &options,
                int64_t &step, uint64_t &seed, std::string &error) {
  const std::string &path = options.resumePath;
  std::optional<driver::Checkpoint> checkpoint =
      driver::readCheckpoint(path, error);
  if (!checkpoint)
    return std::nullopt;
  auto meta = [&](const char *key) {
    auto it = checkpoint->metadata.find(key);
    return it == checkpoint->metadata.end() ? std::string() : it->second;
  };
  // Metadata is the file's text: escaped in messages, which are one line.
  if (meta("format") != kFormat) {
    error = path + ": not an mpc checkpoint (metadata 'format' is '" +
            driver::printable(meta("format")) + "', expected '" + kFormat +
            "')";
    return std::nullopt;
  }
  if (meta("graph") != executor.graphName()) {
    error = path + ": checkpoint of graph '" +
            driver::printable(meta("graph")) + "', but the model is '" +
            driver::printable(executor.graphName()) + "'";
    return std::nullopt;
  }
  // The batches and the rounding of every op depend on these: another
  // value would not continue the run bit for bit. (Checkpoints written
  // before they were recorded lack them.)
  std::string savedBatch = meta("batch"),
              batch = std::to_string(batchOf(executor));
  if (!savedBatch.empty() && savedBatch != batch) {
    error = path + ": the run was trained with batch " + savedBatch + ", not " +
            batch + "; resume it with --batch " + savedBatch;
    return std::nullopt;
  }
  // Another count would sum other micro-batches (and have other state).
  std::string savedAccumulate = meta("accumulate"),
              accumulate = std::to_string(executor.microBatches());
  if (savedAccumulate.empty())
    savedAccumulate = "1";
  if (savedAccumulate != accumulate) {
    error = path + ": the run was trained with --accumulate " +
            driver::printable(savedAccumulate) + ", not " + accumulate +
            "; resume it with --accumulate " +
            driver::printable(savedAccumulate);
    return std::nullopt;
  }
  std::string savedPrecision = meta("dtype");
  if (!savedPrecision.empty() && !options.precision.empty() &&
      savedPrecision != options.precision) {
    error = path + ": the run was trained in " + savedPrecision + ", not " +
            options.precision + "; resume it with --dtype " + savedPrecision;
    return std::nullopt;
  }
  int64_t savedSeed = 0;
  if (!parseInteger(meta("step"), step) ||
      !parseInteger(meta("seed"), savedSeed)) {
    error = path +
            ": metadata 'step' and 'seed' must be non-negative "
            "integers, got '" +
            driver::printable(meta("step")) + "' and '" +
            driver::printable(meta("seed")) + "'";
    return std::nullopt;
  }
  if (options.seedGiven && uint64_t(savedSeed) != options.seed) {
    error = path + ": the run was trained with --seed " +
            std::to_string(savedSeed) + "; resume it with the same seed";
    return std::nullopt;
  }
  seed = uint64_t(savedSeed);
  return checkpoint;
}

/// Replaces the executor's parameters and state with the checkpoint's
/// (read from `path`), which must match them in names, shapes and dtypes.
bool restoreState(StepExecutor &executor, driver::Checkpoint &checkpoint,
                  const std::string &path, std::string &error) {
  std::vector<HostTensor> state = executor.state();
  std::string mismatch = driver::checkpointMismatch(checkpoint, state);
  if (!mismatch.empty()) {
    error = path + ": " + mismatch;
    return false;
  }
  // The checkpoint's tensors come in its own order; the executor's order
  // is the module's.
  for (HostTensor &tensor : state)
    for (HostTensor &saved : checkpoint.tensors)
      if (saved.name == tensor.name)
        tensor = std::move(saved);
  executor.setState(std::move(state));
  error = executor.deferredError();
  if (!error.empty()) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

bool save(const StepExecutor &executor, const TrainingOptions &options,
          int64_t step, uint64_t seed, std::string &error) {
  const std::string &path = options.savePath;
  driver::Checkpoint checkpoint;
  checkpoint.tensors = executor.state();
  error = executor.deferredError();
  if (!error.empty()) {
    error = path + ": " + error;
    return false;
  }
  checkpoint.metadata = {{"format", kFormat},
                         {"graph", executor.graphName()},
                         {"step", std::to_string(step)},
                         {"seed", std::to_string(seed)},
                         {"batch", std::to_string(batchOf(executor))}};
  if (!options.precision.empty())
    checkpoint.metadata["dtype"] = options.precision;
  if (executor.microBatches() > 1) {
    checkpoint.metadata["accumulate"] = std::to_string(executor.microBatches());
    // The loop saves between optimizer steps, where no micro-batch is
    // pending: the sums are zero, and the phase is 0.
    for (const HostTensor &tensor : checkpoint.tensors)
      if (tensor.name == mpc::step::kAccumulatePhase && tensor.f32.at(0) != 0) {
        error = path + ": not saved: the accumulation phase is " +
                std::to_string(tensor.f32[0]) +
                ", not 0, at the end of an optimizer step";
        return false;
      }
  }
  return driver::writeCheckpoint(path, checkpoint, error);
}

/// A scale as the log prints it: nine significant digits, which tell every
/// f32 value apart, and no trailing zeros (65536, 0.5).
std::string formatScale(double scale) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", scale);
  return text;
}

/// Watches the loss scaler for a run that cannot recover: every step
/// overflowing while the scale cannot go lower (at its floor, or static).
/// The executor counts such steps as it runs them (stuckSteps), so a storm
/// that starts between two log points is seen at the next one, or at the
/// end of the run, with no extra wait for the device. The loop also counts
/// whole windows between log points whose steps were all skipped and whose
/// end finds the scale at its lowest, which includes the steps that backed
/// the scale off to its floor.
class StuckScaleDetector {
public:
  StuckScaleDetector(int64_t step, const std::optional<LossScaleStatus> &status)
      : lastStep(step), lastSkipped(status ? status->skippedSteps : 0) {}

  /// Takes the status after `step` steps; fails once at least
  /// kStuckLossScaleSteps consecutive steps overflowed at the lowest scale.
  bool check(int64_t step, const LossScaleStatus &status, std::string &error) {
    int64_t steps = step - lastStep;
    bool allSkipped = status.skippedSteps - lastSkipped == steps;
    // The scale is an f32 value: compare with the floor as f32.
    bool lowest =
        !status.dynamic ||
        (status.floor && status.scale <= static_cast<float>(*status.floor));
    lastStep = step;
    lastSkipped = status.skippedSteps;
    run = allSkipped && lowest ? run + steps : 0;
    int64_t stuck = std::max(run, status.stuckSteps);
    if (stuck < kStuckLossScaleSteps)
      return true;
    std::string last = "the last " + std::to_string(stuck) +
                       " steps all overflowed and were skipped; ";
    if (status.dynamic)
      error = "loss scale stuck at its floor " + formatScale(*status.floor) +
              ": " + last +
              "the gradients are inf or NaN even at the smallest scale: "
              "check the data for inf or NaN, or lower the learning rate";
    else
      error = "static loss scale " + formatScale(status.scale) + ": " + last +
              "use a smaller or a dynamic loss scale, and check the data "
              "for inf or NaN";
    return false;
  }

private:
  int64_t lastStep, lastSkipped, run = 0;
};

/// A loss as the log prints it: four decimals, or four significant digits
/// for a loss too small for them (a loss weighted by a tiny factor).
std::string formatLoss(double loss) {
  char text[32];
  bool tiny = loss != 0 && std::fabs(loss) < 1e-3;
  std::snprintf(text, sizeof text, tiny ? "%.3e" : "%.4f", loss);
  return text;
}

void printEvaluation(std::FILE *log, int64_t step, const Evaluation &e,
                     const driver::Dataset &data) {
  std::fprintf(log, "eval  step %" PRId64 "  val_loss %s", step,
               formatLoss(e.loss).c_str());
  if (e.accuracy)
    std::fprintf(log, "  val_accuracy %.2f%%", 100.0 * *e.accuracy);
  std::fprintf(log, "  (%" PRId64 " %s)\n", e.samples, data.itemName());
  std::fflush(log);
}

} // namespace

bool evaluateValidation(StepExecutor &executor, const driver::Dataset &data,
                        Evaluation &evaluation, std::string &error) {
  std::vector<HostTensor> inputs = allocateInputs(executor);
  int64_t batch = inputs.front().shape.front();
  int64_t batches = data.numValidationBatches(batch);
  if (batches == 0) {
    error = "the validation split holds fewer than one batch of " +
            std::to_string(batch);
    return false;
  }
  int labels = executor.labelInput();
  double lossSum = 0;
  int64_t correct = 0, counted = 0;
  std::vector<HostTensor> outputs;
  for (int64_t i = 0; i < batches; ++i) {
    data.validationBatch(i, batch, inputs);
    if (!executor.evaluate(inputs, outputs, error))
      return false;
    lossSum += outputs[0].f32[0];
    if (labels >= 0)
      countCorrect(outputs[1], inputs[labels], correct, counted);
  }
  evaluation.loss = lossSum / double(batches);
  evaluation.samples = batches * batch * data.itemsPerSample();
  // Without a counted row (every label ignored) there is no accuracy.
  if (labels >= 0 && counted > 0)
    evaluation.accuracy = double(correct) / double(counted);
  return true;
}

bool runTraining(StepExecutor &executor, const driver::Dataset &data,
                 const TrainingOptions &options, std::FILE *log,
                 TrainingResult &result, std::string &error) {
  int64_t step = 0;
  uint64_t seed = options.seed;
  std::optional<driver::Checkpoint> checkpoint;
  if (!options.resumePath.empty()) {
    checkpoint = readResumePoint(executor, options, step, seed, error);
    if (!checkpoint)
      return false;
  }
  // Initialized with the run's seed, a resumed run's from its checkpoint:
  // the executor mixes it into every dropout mask.
  executor.initialize(seed);
  error = executor.deferredError();
  if (!error.empty())
    return false;
  if (checkpoint) {
    if (!restoreState(executor, *checkpoint, options.resumePath, error))
      return false;
    std::fprintf(log, "resumed from %s at step %" PRId64 "\n",
                 options.resumePath.c_str(), step);
  }

  std::vector<HostTensor> inputs = allocateInputs(executor);
  int64_t batch = inputs.front().shape.front();
  // With gradient accumulation, an optimizer step takes the batch of
  // `micro` times the step's batch that (seed, step) defines, fed as
  // `micro` consecutive row slices; so it trains as a run with the large
  // batch does, to rounding.
  int64_t micro = executor.microBatches();
  std::vector<HostTensor> largeBatch =
      micro > 1 ? inputs : std::vector<HostTensor>();
  double itemsPerStep = double(micro * batch * data.itemsPerSample());
  std::unique_ptr<MetricsLog> metrics;
  if (!options.metricsPath.empty()) {
    MetricsRunInfo run{executor.graphName(),
                       options.device,
                       options.precision,
                       micro * batch,
                       seed,
                       options.steps,
                       data.itemName(),
                       options.learningRate};
    metrics = MetricsLog::open(options.metricsPath, run, step,
                               !options.resumePath.empty(), error);
    if (!metrics)
      return false;
  }
  Progress progress(step, options.steps, options.progressTerminal);
  StuckScaleDetector stuck(step, executor.lossScaleStatus());
  Clock::time_point windowStart = Clock::now();
  int64_t windowSteps = 0;
  // The step's record for the metrics file: filled at a log point and at
  // an evaluation, written once the step is through with both.
  std::optional<MetricsRecord> record;
  auto writeRecord = [&] {
    if (!metrics || !record)
      return true;
    bool written = metrics->append(*record, error);
    record.reset();
    return written;
  };
  for (; step < options.steps; ++step) {
    if (micro == 1) {
      data.trainBatch(seed, step, batch, inputs);
      if (!executor.trainStep(inputs, uint64_t(step), error)) {
        error = "step " + std::to_string(step + 1) + ": " + error;
        return false;
      }
    } else {
      data.trainBatch(seed, step, micro * batch, largeBatch);
      for (int64_t k = 0; k < micro; ++k) {
        copyMicroBatch(largeBatch, k * batch, inputs);
        // Each micro-batch is a call of its own number, which selects its
        // dropout masks.
        if (!executor.trainStep(inputs, uint64_t(step * micro + k), error)) {
          error = "step " + std::to_string(step + 1) + ", micro-batch " +
                  std::to_string(k + 1) + " of " + std::to_string(micro) +
                  ": " + error;
          return false;
        }
      }
    }
    ++windowSteps;
    int64_t done = step + 1;
    bool logPoint = done % options.logEvery == 0 || done == options.steps;
    if (!logPoint)
      progress.stepDone(done);
    if (logPoint) {
      progress.clear();
      // The losses are read only here, so a device runs the steps between
      // log points without waiting for the host.
      size_t first = result.losses.size();
      std::vector<double> taken;
      if (!executor.takeLosses(taken, error)) {
        error = "step " + std::to_string(done) + ": " + error;
        return false;
      }
      if (taken.size() != size_t(windowSteps * micro)) {
        error = "step " + std::to_string(done) + ": the backend returned " +
                std::to_string(taken.size()) + " losses for " +
                std::to_string(windowSteps * micro) +
                (micro == 1 ? " steps" : " micro-batches");
        return false;
      }
      // A step's loss is the mean over its batch: with accumulation, the
      // mean of its micro-batches' means.
      for (size_t i = 0; i < taken.size(); i += size_t(micro)) {
        double sum = 0;
        for (int64_t k = 0; k < micro; ++k)
          sum += taken[i + size_t(k)];
        result.losses.push_back(sum / double(micro));
      }
      double windowLoss = 0;
      for (size_t i = first; i < result.losses.size(); ++i)
        windowLoss += result.losses[i];
      double seconds =
          std::chrono::duration<double>(Clock::now() - windowStart).count();
      double meanLoss = windowLoss / double(windowSteps),
             itemsPerSecond = itemsPerStep * double(windowSteps) / seconds;
      std::fprintf(log, "step %" PRId64 "/%" PRId64 "  loss %s  %.0f %s/s",
                   done, options.steps, formatLoss(meanLoss).c_str(),
                   itemsPerSecond, data.itemName());
      std::optional<double> rate = executor.learningRate();
      if (rate)
        std::fprintf(log, "  lr %.4e", *rate);
      std::optional<LossScaleStatus> scaling = executor.lossScaleStatus();
      error = executor.deferredError();
      if (!error.empty()) {
        error = "step " + std::to_string(done) + ": " + error;
        return false;
      }
      if (scaling)
        std::fprintf(log, "  loss_scale %s  skipped %" PRId64,
                     formatScale(scaling->scale).c_str(),
                     scaling->skippedSteps);
      if (std::optional<double> left = progress.secondsLeft(done))
        std::fprintf(log, "  eta %s", formatDuration(*left).c_str());
      std::fprintf(log, "\n");
      std::fflush(log);
      record = MetricsRecord{};
      record->step = done;
      record->loss = meanLoss;
      record->itemsPerSecond = itemsPerSecond;
      record->learningRate = rate;
      if (metrics) {
        record->gradNorm = executor.gradNorm();
        error = executor.deferredError();
        if (!error.empty()) {
          error = "step " + std::to_string(done) + ": " + error;
          return false;
        }
      }
      if (scaling) {
        record->lossScale = scaling->scale;
        record->skippedSteps = scaling->skippedSteps;
      }
      if (scaling && !stuck.check(done, *scaling, error)) {
        error = "step " + std::to_string(done) + ": " + error;
        return false;
      }
      windowStart = Clock::now();
      windowSteps = 0;
    }
    if (options.evalEvery > 0 && done % options.evalEvery == 0 &&
        done != options.steps) {
      progress.clear();
      Evaluation evaluation;
      if (!evaluateValidation(executor, data, evaluation, error))
        return false;
      printEvaluation(log, done, evaluation, data);
      if (!record) {
        record = MetricsRecord{};
        record->step = done;
      }
      record->validationLoss = evaluation.loss;
      record->validationAccuracy = evaluation.accuracy;
    }
    // The last step's record waits for the final evaluation.
    if (done != options.steps && !writeRecord())
      return false;
  }

  Evaluation evaluation;
  if (!evaluateValidation(executor, data, evaluation, error))
    return false;
  printEvaluation(log, step, evaluation, data);
  // A resumed run with no step left has no record: its checkpoint's step
  // already has one.
  if (record) {
    record->validationLoss = evaluation.loss;
    record->validationAccuracy = evaluation.accuracy;
    if (!writeRecord())
      return false;
  }
  result.finalEvaluation = evaluation;
  result.lossScale = executor.lossScaleStatus();
  error = executor.deferredError();
  if (!error.empty())
    return false;
  if (result.lossScale) {
    std::fprintf(log,
                 "loss scaling: %" PRId64 " of %" PRId64
                 " steps skipped (overflow), final scale %s\n",
                 result.lossScale->skippedSteps, step,
                 formatScale(result.lossScale->scale).c_str());
    std::fflush(log);
  }

  if (!options.savePath.empty()) {
    if (!save(executor, options, step, seed, error))
      return false;
    std::fprintf(log, "saved %s at step %" PRId64 "\n",
                 options.savePath.c_str(), step);
  }
  return true;
}

} // namespace mpc::train
