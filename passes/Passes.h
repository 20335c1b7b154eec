//===- Passes.h - mpc passes ------------------------------------*- C++ -*-===//

#ifndef MPC_PASSES_PASSES_H
#define MPC_PASSES_PASSES_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include <memory>

namespace mpc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// The options of `mpc-train-pipeline`: the whole mixed-precision training
/// step from an imported graph, in one option string.
struct TrainPipelineOptions
    : public mlir::PassPipelineOptions<TrainPipelineOptions> {
  Option<std::string> dtype{*this, "dtype",
                            llvm::cl::desc("f32 (no autocast), f16 or bf16"),
                            llvm::cl::init("f32")};
  Option<std::string> policy{
      *this, "policy",
      llvm::cl::desc("A JSON file moving ops between autocast categories")};
  Option<bool> fuseAttention{
      *this, "fuse-attention",
      llvm::cl::desc("Replace causal attention chains with "
                     "mpc.causal_attention (mpc-fuse-attention)"),
      llvm::cl::init(true)};
  Option<std::string> optimizer{*this, "optimizer",
                                llvm::cl::desc("sgd, momentum or adamw")};
  Option<double> learningRate{*this, "learning-rate",
                              llvm::cl::desc("Step size")};
  Option<double> beta1{*this, "beta1", llvm::cl::desc("AdamW beta1")};
  Option<double> beta2{*this, "beta2", llvm::cl::desc("AdamW beta2")};
  Option<double> epsilon{*this, "epsilon", llvm::cl::desc("AdamW epsilon")};
  Option<double> weightDecay{*this, "weight-decay",
                             llvm::cl::desc("Weight decay")};
  Option<double> momentum{*this, "momentum",
                          llvm::cl::desc("Momentum: the buffer's decay")};
  Option<double> clipNorm{*this, "clip-norm",
                          llvm::cl::desc("Clip to this global L2 norm")};
  Option<bool> keepOutputs{
      *this, "keep-outputs",
      llvm::cl::desc("Return the forward's other results from @train_step")};
  Option<bool> recordGradNorm{
      *this, "record-grad-norm",
      llvm::cl::desc("Store the gradients' global norm each step")};
  Option<std::string> lrSchedule{
      *this, "lr-schedule", llvm::cl::desc("constant, cosine, linear or step")};
  Option<int64_t> warmupSteps{*this, "warmup-steps",
                              llvm::cl::desc("Steps of linear warmup")};
  Option<int64_t> decaySteps{
      *this, "decay-steps",
      llvm::cl::desc("cosine, linear: the step the decay ends at")};
  Option<double> minLrRatio{
      *this, "min-lr-ratio",
      llvm::cl::desc("cosine, linear: the floor, a fraction of the rate")};
  Option<int64_t> lrStepSize{*this, "lr-step-size",
                             llvm::cl::desc("step: steps between decays")};
  Option<double> lrGamma{*this, "lr-gamma",
                         llvm::cl::desc("step: the factor of each decay")};
  Option<int64_t> accumulate{
      *this, "accumulate",
      llvm::cl::desc("Micro-batches per optimizer step (gradient "
                     "accumulation); unset: the graph's, else 1")};
  Option<std::string> lossScaling{
      *this, "loss-scaling",
      llvm::cl::desc("none, static, dynamic, or auto (dynamic for f16)"),
      llvm::cl::init("auto")};
  Option<double> initScale{*this, "init-scale",
                           llvm::cl::desc("The first loss scale"),
                           llvm::cl::init(65536)};
  Option<double> growthFactor{*this, "growth-factor",
                              llvm::cl::desc("Loss scale growth factor"),
                              llvm::cl::init(2)};
  Option<double> backoffFactor{*this, "backoff-factor",
                               llvm::cl::desc("Loss scale backoff factor"),
                               llvm::cl::init(0.5)};
  Option<int64_t> growthInterval{
      *this, "growth-interval",
      llvm::cl::desc("Clean steps before the loss scale grows"),
      llvm::cl::init(2000)};
  Option<int64_t> hysteresis{
      *this, "hysteresis",
      llvm::cl::desc("Overflows tolerated before the loss scale backs off"),
      llvm::cl::init(1)};
  Option<double> minScale{*this, "min-scale",
                          llvm::cl::desc("Floor of the loss scale"),
                          llvm::cl::init(1)};
  Option<double> maxScale{*this, "max-scale",
                          llvm::cl::desc("Ceiling of the loss scale"),
                          llvm::cl::init(16777216)};
};

/// Adds import's successors to `pm`: attention fusion (unless
/// fuse-attention=false), train step, autocast (unless dtype is f32), loss
/// scaling, canonicalize and CSE.
void buildTrainPipeline(mlir::OpPassManager &pm,
                        const TrainPipelineOptions &options);

/// Registers `mpc-train-pipeline`.
void registerTrainPipeline();

/// The options of `mpc-cuda-pipeline`: what the CUDA translation needs
/// after the training step.
struct CudaPipelineOptions
    : public mlir::PassPipelineOptions<CudaPipelineOptions> {
  Option<bool> epilogues{
      *this, "epilogues",
      llvm::cl::desc("Fold bias and activations into GEMM epilogues"),
      llvm::cl::init(true)};
  Option<std::string> report{
      *this, "report",
      llvm::cl::desc("Print the memory plan to this file ('-': stdout)")};
  Option<std::string> costReport{
      *this, "cost-report",
      llvm::cl::desc("Print the cost report to this file ('-': stdout)")};
  Option<std::string> costFormat{*this, "cost-format",
                                 llvm::cl::desc("The cost report's format"),
                                 llvm::cl::init("table")};
  Option<std::string> chip{
      *this, "chip", llvm::cl::desc("The chip the cost report predicts for"),
      llvm::cl::init("h100-sxm")};
};

/// Adds the CUDA backend's passes to `pm`: mpc-fuse, then mpc-plan-memory,
/// then mpc-cost-report when a cost report is asked for.
void buildCudaPipeline(mlir::OpPassManager &pm,
                       const CudaPipelineOptions &options);

/// Registers `mpc-cuda-pipeline`.
void registerCudaPipeline();

} // namespace mpc

#endif // MPC_PASSES_PASSES_H
