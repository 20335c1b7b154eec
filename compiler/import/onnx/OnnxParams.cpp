//===- OnnxParams.cpp - initializers that become trainable params ---------===//
//
// The walk starts at the loss and follows, op by op, the operands the op
// builds a gradient for (GradientOpInterface); a constant made from a float
// initializer that the walk reaches is a weight. Which operands have a
// gradient is asked of the op itself, so that the rule here never drifts
// from the autodiff that will train the weights.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/OnnxParams.h"

#include "dialects/mpc/MpcInterfaces.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ParamValue.h"
#include "runtime/core/StepNames.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace mlir;

namespace mpc::onnx_import {

bool readsOnlyShape(llvm::StringRef opType) {
  return opType == "Shape" || opType == "Size";
}

bool passesInitializerThrough(llvm::StringRef opType) {
  return llvm::StringSwitch<bool>(opType)
      .Cases("Identity", "Transpose", "Reshape", "Flatten", true)
      .Cases("Squeeze", "Unsqueeze", "Cast", true)
      .Default(false);
}

namespace {

/// Which operands of `op` get a gradient: the op builds its gradients, for
/// stand-in result gradients, into a block that is then thrown away.
llvm::SmallVector<bool> operandsWithGradient(GradientOpInterface op) {
  llvm::SmallVector<bool> has(op->getNumOperands(), false);
  Block scratch;
  OpBuilder builder(op->getContext());
  builder.setInsertionPointToEnd(&scratch);
  llvm::SmallVector<Value> resultGrads(op->getResults());
  llvm::SmallVector<Value> operandGrads;
  if (succeeded(op.buildGradients(builder, resultGrads, operandGrads)))
    for (auto [index, grad] : llvm::enumerate(operandGrads))
      if (index < has.size())
        has[index] = static_cast<bool>(grad);
  // The ops use values outside the block: drop them before erasing.
  for (Operation &created : scratch)
    created.dropAllReferences();
  while (!scratch.empty())
    scratch.back().erase();
  return has;
}

/// The constants made from initializers that the loss depends on through
/// operands with a gradient.
llvm::DenseSet<Operation *> reachedInitializers(Value loss) {
  llvm::DenseSet<Operation *> reached;
  llvm::DenseSet<Value> seen{loss};
  llvm::SmallVector<Value> worklist{loss};
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val().getDefiningOp();
    if (!op)
      continue;
    if (isa<ConstantOp>(op)) {
      if (op->hasAttr(kInitializerAttrName))
        reached.insert(op);
      continue;
    }
    auto differentiable = dyn_cast<GradientOpInterface>(op);
    if (!differentiable)
      continue;
    for (auto [operand, has] :
         llvm::zip(op->getOperands(), operandsWithGradient(differentiable)))
      if (has && seen.insert(operand).second)
        worklist.push_back(operand);
  }
  return reached;
}

bool allFinite(const std::vector<float> &values) {
  return llvm::all_of(values, [](float value) { return std::isfinite(value); });
}

/// The symbol name of the param made from initializer `name`: the name
/// itself, unless the step has a symbol of that name
/// (step::isFixedSymbolName); then the name with "onnx." before it, as
/// many times as it takes to reach a name that no other param has.
std::string paramSymbolName(StringRef name, const llvm::StringSet<> &taken) {
  std::string symbol = name.str();
  if (!step::isFixedSymbolName(symbol))
    return symbol;
  do
    symbol = "onnx." + symbol;
  while (taken.contains(symbol) || step::isFixedSymbolName(symbol));
  return symbol;
}

} // namespace

void promoteInitializersToParams(ModuleOp module, func::FuncOp forward,
                                 bool hasLoss,
                                 const llvm::StringSet<> *declared) {
  llvm::DenseSet<Operation *> reached;
  if (hasLoss) {
    auto terminator = forward.getBody().front().getTerminator();
    reached = reachedInitializers(terminator->getOperand(0));
  }
  // Every constant of a weight, by initializer name, in the order of first
  // appearance: an initializer used twice is one param.
  llvm::MapVector<StringAttr, llvm::SmallVector<ConstantOp>> weights;
  llvm::DenseSet<StringAttr> isWeight;
  for (Operation *op : reached) {
    auto name = op->getAttrOfType<StringAttr>(kInitializerAttrName);
    if (!declared || declared->contains(name.getValue()))
      isWeight.insert(name);
  }
  forward.walk([&](ConstantOp constant) {
    auto name = constant->getAttrOfType<StringAttr>(kInitializerAttrName);
    if (!name)
      return;
    constant->removeAttr(kInitializerAttrName);
    if (isWeight.contains(name))
      weights[name].push_back(constant);
  });

  // Param names in use, so that a renamed param takes a free one.
  llvm::StringSet<> taken;
  for (auto &entry : weights)
    taken.insert(entry.first.getValue());
  OpBuilder moduleBuilder = OpBuilder::atBlockBegin(module.getBody());
  moduleBuilder.setInsertionPoint(forward);
  for (auto &[name, constants] : weights) {
    auto type = cast<RankedTensorType>(constants.front().getType());
    std::vector<float> values;
    std::string problem;
    if (!readParamValue(constants.front().getValue(), values, problem) ||
        !allFinite(values))
      continue; // Not a weight anyone trains: inf/NaN marks a mask.
    auto paramType = RankedTensorType::get(
        type.getShape(), Float32Type::get(module.getContext()));
    std::string symbol = paramSymbolName(name.getValue(), taken);
    taken.insert(symbol);
    auto param = moduleBuilder.create<ParamOp>(
        constants.front().getLoc(), moduleBuilder.getStringAttr(symbol),
        TypeAttr::get(paramType), buildParamValue(paramType, name, values),
        UnitAttr());
    // A renamed param keeps the initializer's name for its user.
    if (symbol != name.getValue())
      param->setAttr(MpcDialect::kNameAttrName, name);
    for (ConstantOp constant : constants) {
      OpBuilder builder(constant);
      Value weight = builder.create<LoadOp>(
          constant.getLoc(), paramType,
          FlatSymbolRefAttr::get(param.getSymNameAttr()));
      if (type != paramType)
        weight = builder.create<CastOp>(constant.getLoc(), type, weight);
      constant.replaceAllUsesWith(weight);
      constant.erase();
    }
  }
}

} // namespace mpc::onnx_import
