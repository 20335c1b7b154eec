//===- StepDescription.h - what a runtime needs to know of a step -*- C++
//-*-===//
//
// Facts about a training-step module that every runtime reads the same way:
// which input of @forward holds the class labels, and how @train_step scales
// its loss. The CPU executor and the CUDA manifest both use them.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_STEPDESCRIPTION_H
#define MPC_COMPILER_STEPDESCRIPTION_H

#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>

namespace mpc {

/// The loss scaler of @train_step, as mpc-loss-scaling built it.
struct LossScalingDescription {
  /// Whether the scale changes (mpc.update_loss_scale) or is a constant.
  bool dynamic = false;
  /// The scale a static scaler uses.
  double staticScale = 1;
  /// Dynamic: the lowest scale (min_scale of mpc.update_loss_scale).
  std::optional<double> floor;
  /// Dynamic: the state symbol holding the scale.
  std::optional<std::string> scaleSymbol;
  /// The state symbol counting skipped steps, when the module has one.
  std::optional<std::string> skippedSymbol;
};

/// The argument number of @forward's class labels: the labels operand of
/// the softmax_cross_entropy whose logits are @forward's second result, when
/// that operand is an argument; -1 otherwise (or without @forward).
int findLabelInput(mlir::ModuleOp module);

/// The loss scaler of @train_step, or none when the step does not scale its
/// loss (no mpc.unscale_and_check) or there is no @train_step.
std::optional<LossScalingDescription>
describeLossScaling(mlir::ModuleOp module);

} // namespace mpc

#endif // MPC_COMPILER_STEPDESCRIPTION_H
