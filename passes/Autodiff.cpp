//===- Autodiff.cpp - reverse-mode differentiation of a block -------------===//
//
// Walks the block backward from the loss. The ops themselves know their
// gradients (GradientOpInterface); this file only decides which ops to
// differentiate, calls them in reverse order and sums fan-out.
//
//===----------------------------------------------------------------------===//

#include "passes/Autodiff.h"

#include "dialects/mpc/MpcOps.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/ScopeExit.h"

using namespace mlir;

namespace {

/// Records the ops a builder creates, so the unused ones can be erased.
struct CreatedOps : public OpBuilder::Listener {
  void notifyOperationInserted(Operation *op,
                               OpBuilder::InsertPoint previous) override {
    ops.push_back(op);
  }
  SmallVector<Operation *> ops;
};

/// The values that depend on any of `wrt`, in the block of `loss`.
llvm::DenseSet<Value> dependentValues(Block *block, ArrayRef<Value> wrt) {
  llvm::DenseSet<Value> dependent(wrt.begin(), wrt.end());
  for (Operation &op : *block)
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return dependent.contains(v); }))
      dependent.insert(op.result_begin(), op.result_end());
  return dependent;
}

/// Adds `grad` to the gradient accumulated for `value`.
void accumulate(OpBuilder &b, llvm::DenseMap<Value, Value> &grads, Value value,
                Value grad) {
  Value &slot = grads[value];
  if (!slot) {
    slot = grad;
    return;
  }
  slot = b.create<mpc::AddOp>(grad.getLoc(), slot.getType(), slot, grad);
}

} // namespace

FailureOr<SmallVector<Value>> mpc::buildGradients(OpBuilder &builder,
                                                  Value loss, Value seed,
                                                  ArrayRef<Value> wrt) {
  Block *block = loss.getParentBlock();
  llvm::DenseSet<Value> dependent = dependentValues(block, wrt);

  CreatedOps created;
  OpBuilder::Listener *previousListener = builder.getListener();
  builder.setListener(&created);
  auto restoreListener =
      llvm::make_scope_exit([&] { builder.setListener(previousListener); });

  llvm::DenseMap<Value, Value> grads;
  grads[loss] = seed;
  Operation *lossOp = loss.getDefiningOp();
  for (Operation *op = lossOp; op; op = op->getPrevNode()) {
    SmallVector<Value> resultGrads;
    bool reached = false;
    for (Value result : op->getResults()) {
      resultGrads.push_back(grads.lookup(result));
      reached |= resultGrads.back() != nullptr;
    }
    if (!reached || !llvm::any_of(op->getOperands(), [&](Value v) {
          return dependent.contains(v);
        }))
      continue;
    auto differentiable = dyn_cast<GradientOpInterface>(op);
    if (!differentiable)
      return op->emitOpError("has no gradient, but lies between a "
                             "trainable parameter and the loss");
    SmallVector<Value> operandGrads;
    if (failed(differentiable.buildGradients(builder, resultGrads,
                                             operandGrads)))
      return failure();
    for (auto [operand, grad] : llvm::zip(op->getOperands(), operandGrads))
      if (grad && dependent.contains(operand))
        accumulate(builder, grads, operand, grad);
  }

  SmallVector<Value> result;
  for (Value value : wrt)
    result.push_back(grads.lookup(value));

  // Gradients of operands that do not depend on `wrt` were built but are
  // unused: erase them, users first.
  llvm::DenseSet<Value> kept(result.begin(), result.end());
  for (Operation *op : llvm::reverse(created.ops))
    if (op->use_empty() && isMemoryEffectFree(op) &&
        llvm::none_of(op->getResults(),
                      [&](Value v) { return kept.contains(v); }))
      op->erase();
  return result;
}
