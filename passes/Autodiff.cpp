//===- Autodiff.cpp - reverse-mode differentiation of a block -------------===//
//
// Walks the block backward from the loss. The ops themselves know their
// gradients (GradientOpInterface); this file only decides which ops to
// differentiate, calls them in reverse order and sums fan-out.
//
//===----------------------------------------------------------------------===//

#include "passes/Autodiff.h"

#include "dialects/mpc/MpcOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
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

/// The ops that have no gradient, and why.
constexpr mpc::Rejection kNonDifferentiable[] = {
    {"a parameter: the gradients are taken with respect to its loads",
     mpc::OpSet<mpc::ParamOp, mpc::LoadOp>::contains},
    {"writes state and has no result", mpc::OpSet<mpc::StoreOp>::contains},
    {"a constant does not depend on the parameters",
     mpc::OpSet<mpc::ConstantOp>::contains},
    {"gradient ops are not differentiated again (no second derivatives)",
     mpc::GradientOps::contains},
    {"optimizer ops come after the backward pass", mpc::OptimizerOps::contains},
    {"loss-scaling ops come after the backward pass",
     mpc::LossScalingOps::contains},
    {"created by mpc-fuse after the training step is built",
     mpc::BackendOps::contains},
};

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
    if (!differentiable) {
      InFlightDiagnostic error =
          op->emitOpError("has no gradient, but lies between a trainable "
                          "parameter and the loss");
      if (std::optional<StringRef> reason =
              rejectionOf(op->getName(), kNonDifferentiable))
        error << ": " << *reason;
      return error;
    }
    SmallVector<Value> operandGrads;
    size_t firstCreated = created.ops.size();
    if (failed(
            differentiable.buildGradients(builder, resultGrads, operandGrads)))
      return failure();
    // A node's precision override covers its backward too.
    if (Attribute precision = op->getAttr(MpcDialect::kPrecisionAttrName))
      for (Operation *gradientOp :
           ArrayRef(created.ops).drop_front(firstCreated))
        gradientOp->setAttr(MpcDialect::kPrecisionAttrName, precision);
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

mpc::Coverage mpc::autodiffCoverage(OperationName name) {
  return {name.hasInterface<GradientOpInterface>(),
          rejectionOf(name, kNonDifferentiable)};
}

std::optional<mpc::LossFunction> mpc::findLossFunction(ModuleOp module) {
  for (auto function : module.getOps<func::FuncOp>())
    for (unsigned i = 0, e = function.getNumResults(); i < e; ++i)
      if (function.getResultAttr(i, MpcDialect::kLossAttrName))
        return LossFunction{function, i};
  return std::nullopt;
}

SmallVector<mpc::ParamOp> mpc::trainableParams(ModuleOp module) {
  SmallVector<ParamOp> params;
  for (auto param : module.getOps<ParamOp>())
    if (!param.getState())
      params.push_back(param);
  return params;
}

FailureOr<SmallVector<Value>>
mpc::buildParamGradients(LossFunction loss, ArrayRef<ParamOp> params) {
  // The loads of each param, in the order of `params`.
  llvm::DenseMap<StringAttr, unsigned> index;
  for (auto [i, param] : llvm::enumerate(params))
    index[ParamOp(param).getSymNameAttr()] = i;
  SmallVector<Value> wrt;
  SmallVector<unsigned> owner;
  loss.function.walk([&](LoadOp op) {
    auto it = index.find(op.getParamAttr().getAttr());
    if (it == index.end())
      return;
    wrt.push_back(op.getResult());
    owner.push_back(it->second);
  });

  Operation *terminator = loss.function.getBody().front().getTerminator();
  Value lossValue = terminator->getOperand(loss.lossIndex);
  OpBuilder b(terminator);
  auto lossType = cast<RankedTensorType>(lossValue.getType());
  auto seedOp = b.create<ConstantOp>(
      lossValue.getLoc(),
      DenseElementsAttr::get(lossType,
                             b.getFloatAttr(lossType.getElementType(), 1.0)));
  seedOp->setAttr(MpcDialect::kLossSeedAttrName, b.getUnitAttr());
  Value seed = seedOp;
  FailureOr<SmallVector<Value>> grads = buildGradients(b, lossValue, seed, wrt);
  if (failed(grads))
    return failure();
  SmallVector<Value> total(params.size());
  for (auto [grad, i] : llvm::zip(*grads, owner)) {
    if (!grad)
      continue;
    total[i] = total[i] ? b.create<AddOp>(grad.getLoc(), total[i].getType(),
                                          total[i], grad)
                        : grad;
  }
  return total;
}

FailureOr<func::FuncOp> mpc::buildGradientFunction(ModuleOp module,
                                                   StringRef name) {
  std::optional<LossFunction> loss = findLossFunction(module);
  if (!loss)
    return module.emitError("no function has a result marked mpc.loss");
  SmallVector<ParamOp> params = trainableParams(module);
  auto function = cast<func::FuncOp>(loss->function->clone());
  function.setName(name);
  SymbolTable(module).insert(function,
                             std::next(Block::iterator(loss->function)));
  LossFunction cloned{function, loss->lossIndex};
  FailureOr<SmallVector<Value>> grads = buildParamGradients(cloned, params);
  if (failed(grads)) {
    function.erase();
    return failure();
  }
  Operation *terminator = function.getBody().front().getTerminator();
  OpBuilder b(terminator);
  SmallVector<Value> results{terminator->getOperand(loss->lossIndex)};
  for (auto [param, grad] : llvm::zip(params, *grads)) {
    if (!grad)
      grad = b.create<ConstantOp>(
          param.getLoc(),
          DenseElementsAttr::get(param.getTensorType(), b.getF32FloatAttr(0)));
    results.push_back(grad);
  }
  b.create<func::ReturnOp>(terminator->getLoc(), results);
  terminator->erase();
  // The signature follows the new results; their attributes are dropped.
  function.setType(b.getFunctionType(function.getArgumentTypes(),
                                     ValueRange(results).getTypes()));
  function.removeResAttrsAttr();
  return function;
}
