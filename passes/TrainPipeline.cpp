//===- TrainPipeline.cpp - mpc-train-pipeline -----------------------------===//
//
// The passes between import and execution, in order, from one option string.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

/// Appends ` name=value` when the option was given, so the train-step pass
/// can tell given options from the graph's training defaults.
template <typename T>
void appendIfGiven(std::string &text, llvm::StringRef name,
                   const detail::PassOptions::Option<T> &option) {
  if (!option.hasValue())
    return;
  llvm::raw_string_ostream os(text);
  os << ' ' << name << '=';
  if constexpr (std::is_same_v<T, double>)
    os << llvm::format("%.17g", static_cast<double>(option));
  else
    os << static_cast<const T &>(option);
}

} // namespace

void mpc::buildTrainPipeline(OpPassManager &pm,
                             const TrainPipelineOptions &options) {
  // Before autodiff, so the backward is the fused gradient.
  if (options.fuseAttention)
    pm.addPass(createFuseAttention());

  std::string trainStepOptions;
  appendIfGiven(trainStepOptions, "optimizer", options.optimizer);
  appendIfGiven(trainStepOptions, "learning-rate", options.learningRate);
  appendIfGiven(trainStepOptions, "beta1", options.beta1);
  appendIfGiven(trainStepOptions, "beta2", options.beta2);
  appendIfGiven(trainStepOptions, "epsilon", options.epsilon);
  appendIfGiven(trainStepOptions, "weight-decay", options.weightDecay);
  appendIfGiven(trainStepOptions, "momentum", options.momentum);
  appendIfGiven(trainStepOptions, "clip-norm", options.clipNorm);
  appendIfGiven(trainStepOptions, "keep-outputs", options.keepOutputs);
  appendIfGiven(trainStepOptions, "record-grad-norm", options.recordGradNorm);
  appendIfGiven(trainStepOptions, "lr-schedule", options.lrSchedule);
  appendIfGiven(trainStepOptions, "warmup-steps", options.warmupSteps);
  appendIfGiven(trainStepOptions, "decay-steps", options.decaySteps);
  appendIfGiven(trainStepOptions, "min-lr-ratio", options.minLrRatio);
  appendIfGiven(trainStepOptions, "lr-step-size", options.lrStepSize);
  appendIfGiven(trainStepOptions, "lr-gamma", options.lrGamma);
  std::unique_ptr<Pass> trainStep = createBuildTrainStep();
  // Only typed values are printed above, so the options always parse.
  (void)trainStep->initializeOptions(trainStepOptions,
                                     [](const Twine &) { return failure(); });
  pm.addPass(std::move(trainStep));

  if (options.dtype != "f32")
    pm.addPass(createAutocast(
        AutocastOptions{options.dtype, options.policy.getValue()}));

  LossScalingOptions scaling;
  scaling.mode = options.lossScaling;
  scaling.initScale = options.initScale;
  scaling.growthFactor = options.growthFactor;
  scaling.backoffFactor = options.backoffFactor;
  scaling.growthInterval = options.growthInterval;
  scaling.hysteresis = options.hysteresis;
  scaling.minScale = options.minScale;
  scaling.maxScale = options.maxScale;
  pm.addPass(createLossScaling(scaling));

  // After loss scaling, whose check and skip it makes once per optimizer
  // step; without an accumulate option, the graph's training.accumulate.
  std::string accumulateOptions;
  appendIfGiven(accumulateOptions, "accumulate", options.accumulate);
  std::unique_ptr<Pass> accumulate = createAccumulateGradients();
  (void)accumulate->initializeOptions(accumulateOptions,
                                      [](const Twine &) { return failure(); });
  pm.addPass(std::move(accumulate));

  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mpc::registerTrainPipeline() {
  PassPipelineRegistration<TrainPipelineOptions>(
      "mpc-train-pipeline",
      "Builds the mixed-precision training step: train step, autocast, loss "
      "scaling, cleanup",
      buildTrainPipeline);
}
