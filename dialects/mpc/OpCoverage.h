//===- OpCoverage.h - which backend handles which op ------------*- C++ -*-===//
//
// Every op of the dialect is handled or rejected, by declaration, by each
// backend: the JSON importer, autodiff, the precision policy, the CPU
// reference and the CUDA emitter. Each exports a coverage function built
// from the OpSet it dispatches with and from its declared rejections, each
// group of them with the one-line reason its run-time error gives; the
// op-coverage test (tests/unit/OpCoverageTest.cpp) then finds an op that a
// backend forgot. This file holds the vocabulary, the op groups the
// backends share and the precision policy's declaration.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_DIALECTS_MPC_OPCOVERAGE_H
#define MPC_DIALECTS_MPC_OPCOVERAGE_H

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/OpSet.h"
#include "runtime/core/ScalarMath.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace mpc {

/// How one backend treats the ops of one name. Neither handled nor
/// rejected is a gap; both at once a contradiction.
struct Coverage {
  bool handled = false;
  /// Set when the backend declares that it never handles the op: why.
  std::optional<llvm::StringRef> rejection;
};

/// A group of ops a backend declares it never handles, and the reason its
/// run-time error gives.
struct Rejection {
  llvm::StringLiteral reason;
  bool (*contains)(mlir::OperationName);
};

/// The reason of the first group of `rejections` that holds `name`.
inline std::optional<llvm::StringRef>
rejectionOf(mlir::OperationName name, llvm::ArrayRef<Rejection> rejections) {
  for (const Rejection &rejection : rejections)
    if (rejection.contains(name))
      return llvm::StringRef(rejection.reason);
  return std::nullopt;
}

/// The op classes of runtime/core/ScalarMath.h's lists, each followed by a
/// comma: they open an OpSet's list (`OpSet<MPC_LISTED_OP_CLASSES CastOp>`).
#define MPC_LISTED_OP_CLASS(Name, mnemonic, function, cuda, accuracy) Name##Op,
#define MPC_LISTED_GRAD_OP_CLASS(Name, mnemonic, function, cuda, accuracy)     \
  Name##GradOp,
#define MPC_LISTED_OP_CLASSES                                                  \
  MPC_BINARY_OPS(MPC_LISTED_OP_CLASS)                                          \
  MPC_UNARY_OPS(MPC_LISTED_OP_CLASS)                                           \
  MPC_UNARY_GRAD_OPS(MPC_LISTED_GRAD_OP_CLASS)

/// Elementwise ops outside the lists: no scalar formula of their own, or one
/// that takes an attribute (pow's exponent), so each backend lowers them by
/// hand.
using StructuralElementwiseOps =
    OpSet<CastOp, BroadcastOp, SelectOp, MaskedFillOp, PowOp, WhereOp>;

/// The ops autodiff builds for the backward pass.
using GradientOps =
    OpSet<MPC_UNARY_GRAD_OPS(MPC_LISTED_GRAD_OP_CLASS) BroadcastOp,
          SoftmaxGradOp, LogSoftmaxGradOp, LayerNormGradOp, RmsNormGradOp,
          EmbeddingGradOp, SoftmaxCrossEntropyGradOp, CausalAttentionGradOp,
          CausalAttentionQkvGradOp, SliceGradOp>;
/// The optimizer's ops, built by mpc-build-train-step (and AdamW's merged
/// by mpc-multi-tensor-adamw for the CUDA backend); all keep f32.
using OptimizerOps = OpSet<SgdUpdateOp, MomentumUpdateOp, AdamWUpdateOp,
                           AdamWMultiUpdateOp, ClipByGlobalNormOp>;
/// The ops of dynamic loss scaling, built by mpc-loss-scaling.
using LossScalingOps = OpSet<UnscaleAndCheckOp, SelectOp, UpdateLossScaleOp>;
/// The kernel-sized groupings mpc-fuse creates.
using BackendOps = OpSet<FusedOp, YieldOp, FusedMatmulOp, AddLayerNormOp,
                         SoftmaxCrossEntropyWithGradOp>;

/// The precision policy: handled when the op declares exactly one of the
/// autocast category traits or KeepsPrecision (PrecisionTraits.h);
/// rejected when it is declared outside autocast.
Coverage precisionCoverage(mlir::OperationName name);

} // namespace mpc

#endif // MPC_DIALECTS_MPC_OPCOVERAGE_H
