//===- FuseRewrites.h - the rewrites of mpc-fuse ----------------*- C++ -*-===//
//
// The steps of mpc-fuse, each in its own file: merging equivalent loads,
// folding the loss scaler's selects into `skip_if`, GEMM epilogues, casts
// to and from 16 bits folded into the ops around them, residual adds merged
// into their layer norms, the loss merged with its gradient, and
// elementwise grouping into mpc.fused regions. None of them fuses an op that
// mpc-check-numerics probes (isNumericsProbe).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_PASSES_FUSEREWRITES_H
#define MPC_PASSES_FUSEREWRITES_H

#include "dialects/mpc/MpcDialect.h"

#include "mlir/IR/PatternMatch.h"

namespace mpc {

/// Whether mpc-check-numerics measures `op`'s outputs. Such an op is never
/// fused with another: its outputs are then written to memory as they are
/// on the CPU, and the CUDA step measures them after the op's kernel.
inline bool isNumericsProbe(mlir::Operation *op) {
  return op && op->hasAttr(MpcDialect::kNumericsProbeAttrName);
}

/// Whether `value` is available at `op` in its block: an argument of the
/// block or the result of an op before `op`.
inline bool dominates(mlir::Value value, mlir::Operation *op) {
  if (auto argument = mlir::dyn_cast<mlir::BlockArgument>(value))
    return argument.getOwner() == op->getBlock();
  mlir::Operation *def = value.getDefiningOp();
  return def->getBlock() == op->getBlock() && def->isBeforeInBlock(op);
}

/// Replaces every mpc.load in `block` by an earlier load of the same symbol
/// and type when no mpc.store to that symbol lies between them.
void mergeEquivalentLoads(mlir::Block &block, mlir::RewriterBase &rewriter);

/// Folds `mpc.select %flag, %old, %new` around every result of an optimizer
/// update into the update's `skip_if` operand.
void populateSkipIfPatterns(mlir::RewritePatternSet &patterns);

/// Folds bias adds and relu/gelu (and gelu_grad as `dgelu`) into the
/// matmuls that produce their operand, as mpc.fused_matmul epilogues.
void populateEpiloguePatterns(mlir::RewritePatternSet &patterns);

/// Merges a residual add (two operands of one type and shape) with the
/// layer norm that reads its sum into mpc.add_layer_norm.
void populateResidualNormPatterns(mlir::RewritePatternSet &patterns);

/// Folds a narrowing cast into the op whose result it narrows (layer norm,
/// the loss gradient: OpTrait::NarrowableResult), and lets the loss read
/// 16-bit logits in place of their f32 cast.
void populateNarrowingPatterns(mlir::RewritePatternSet &patterns);

/// Merges each mpc.softmax_cross_entropy_grad of `block` with the loss it
/// differentiates (same logits, labels and attributes) into one
/// mpc.softmax_cross_entropy_with_grad, where its loss gradient is available
/// and before every reader of either result.
void mergeLossGradients(mlir::Block &block, mlir::RewriterBase &rewriter);

/// Groups the elementwise ops of `block` into mpc.fused regions.
mlir::LogicalResult fuseElementwise(mlir::Block &block,
                                    mlir::RewriterBase &rewriter);

} // namespace mpc

#endif // MPC_PASSES_FUSEREWRITES_H
