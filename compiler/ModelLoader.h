//===- ModelLoader.h - a model file to a training-step module ---*- C++ -*-===//

#ifndef MPC_COMPILER_MODELLOADER_H
#define MPC_COMPILER_MODELLOADER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <optional>
#include <string>
#include <vector>

namespace mpc {

struct ModelLoadOptions {
  /// The batch size: binds a JSON graph's "batch" dims; an MLIR module was
  /// compiled for one and must match.
  std::optional<int64_t> batchSize;
  /// Micro-batches per optimizer step (mpc-train-pipeline accumulate);
  /// unset: the graph's training.accumulate.
  std::optional<int64_t> accumulate;
  /// Mixed precision when compiling a graph: f16 or bf16; empty or f32
  /// trains in f32.
  std::string dtype;
  /// A policy file for autocast.
  std::string policyFile;
  /// none, static, dynamic; empty: auto (dynamic for f16).
  std::string lossScaling;
  /// The first loss scale; unset: mpc-loss-scaling's default.
  std::optional<double> initScale;
  /// table or json: print the precision report to standard output.
  std::string precisionReport;
  /// Store the gradients' global norm each step (mpc-build-train-step
  /// record-grad-norm), for the metrics.
  bool recordGradNorm = false;
  /// Instrument the step with mpc-check-numerics: its f16/bf16 ops, or with
  /// `checkAllOps` every float op.
  bool checkNumerics = false;
  bool checkAllOps = false;
  /// The learning-rate schedule (mpc-build-train-step's options of the same
  /// names); unset: the graph's training settings.
  std::string lrSchedule;
  std::optional<int64_t> warmupSteps, decaySteps, lrStepSize;
  std::optional<double> minLrRatio, lrGamma;
  /// The optimizer and its settings (mpc-build-train-step's options of the
  /// same names); unset: the graph's training settings, else AdamW.
  std::string optimizer;
  std::optional<double> learningRate, weightDecay;
  /// An ONNX model's graph output that is the loss; empty: its only scalar
  /// float output.
  std::string loss;
  /// A JSON file holding a graph's `training` object alone: the settings of
  /// a model that has no place for them (ONNX). Its keys replace the
  /// graph's own; the options above override both.
  std::string trainingFile;
};

/// Reads `path`, a JSON graph, an ONNX model (.onnx) or an MLIR module, and
/// returns a verified
/// module holding @train_step and @forward: a graph is imported and given
/// its training step (mpc-build-train-step with the graph's settings), as is
/// a module that has none yet, through mpc-train-pipeline with the
/// precision options. On failure returns null and sets `error` to
/// one line naming the file and position. An ONNX model with several
/// unsupported nodes has one line each: the first in `error`, the others in
/// `moreErrors` when given.
mlir::OwningOpRef<mlir::ModuleOp>
loadTrainingModule(const std::string &path, const ModelLoadOptions &options,
                   mlir::MLIRContext &context, std::string &error,
                   std::vector<std::string> *moreErrors = nullptr);

/// Reads `path` as loadTrainingModule does, for evaluating @forward on
/// given inputs: a model with a loss gets its training step (so that --dtype
/// and a checkpoint apply as in training); a model without one (an ONNX
/// inference graph) is imported alone, with autocast when `options.dtype`
/// is f16 or bf16.
mlir::OwningOpRef<mlir::ModuleOp>
loadForwardModule(const std::string &path, const ModelLoadOptions &options,
                  mlir::MLIRContext &context, std::string &error,
                  std::vector<std::string> *moreErrors = nullptr);

} // namespace mpc

#endif // MPC_COMPILER_MODELLOADER_H
