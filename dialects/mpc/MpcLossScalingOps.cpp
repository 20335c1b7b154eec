//===- MpcLossScalingOps.cpp - verifiers of the loss-scaling ops ----------===//

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

using namespace mlir;
using namespace mpc;

LogicalResult UnscaleAndCheckOp::verify() {
  if (getGrads().getTypes() != getUnscaled().getTypes())
    return emitOpError("unscaled types must match the gradient types");
  return success();
}

LogicalResult UpdateLossScaleOp::verify() {
  auto emit = [&] { return emitOpError(); };
  if (failed(verifyHyperparameter("growth_factor",
                                  getGrowthFactor().convertToDouble(),
                                  kAboveOne, emit)) ||
      failed(verifyHyperparameter("backoff_factor",
                                  getBackoffFactor().convertToDouble(),
                                  kOpenUnitInterval, emit)) ||
      failed(verifyHyperparameter("min_scale", getMinScale().convertToDouble(),
                                  kPositive, emit)) ||
      failed(verifyHyperparameter("max_scale", getMaxScale().convertToDouble(),
                                  kPositive, emit)))
    return failure();
  if (getGrowthInterval() < 1)
    return emitOpError("growth_interval must be at least 1, got ")
           << getGrowthInterval();
  if (getHysteresis() < 1)
    return emitOpError("hysteresis must be at least 1, got ")
           << getHysteresis();
  if (getMinScale() > getMaxScale())
    return emitOpError("min_scale ")
           << getMinScale().convertToDouble() << " exceeds max_scale "
           << getMaxScale().convertToDouble();
  return success();
}
