//===- CheckNumerics.cpp - marks the ops a run measures -------------------===//
//
// Numbers the ops of the training step (of every function, in a module
// without one) whose outputs --check-numerics measures, in program order,
// and records in the module how the report names each: the precision
// report's names (ReportSupport.h), so both reports speak of an op alike.
// The evaluation function is not probed: it repeats the step's forward.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/ReportSupport.h"

#include "dialects/mpc/MpcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mpc {
#define GEN_PASS_DEF_CHECKNUMERICS
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;
using namespace mpc;

namespace {

/// The graph nodes whose move to f32 takes `op`'s output out of its low
/// precision: its own, or for a cast, which autocast places where the
/// consumers want another precision, those of its consumers.
SmallVector<Attribute> repairNodes(Operation *op, Builder &builder) {
  SmallVector<std::string> names;
  auto addNames = [&](Location loc) {
    for (std::string &name : nodeNames(loc))
      if (!llvm::is_contained(names, name))
        names.push_back(std::move(name));
  };
  if (isa<CastOp>(op))
    for (Operation *user : op->getUsers())
      addNames(user->getLoc());
  else
    addNames(op->getLoc());
  SmallVector<Attribute> attrs;
  for (const std::string &name : names)
    attrs.push_back(builder.getStringAttr(name));
  return attrs;
}

/// The element type of the op's first float tensor result, if any.
FloatType outputPrecision(Operation *op) {
  for (Type type : op->getResultTypes())
    if (auto tensor = llvm::dyn_cast<RankedTensorType>(type))
      if (auto element = llvm::dyn_cast<FloatType>(tensor.getElementType()))
        return element;
  return {};
}

struct CheckNumericsPass
    : public mpc::impl::CheckNumericsBase<CheckNumericsPass> {
  using CheckNumericsBase::CheckNumericsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder builder(module.getContext());
    SmallVector<func::FuncOp> functions;
    if (auto step =
            module.lookupSymbol<func::FuncOp>(MpcDialect::kTrainStepFuncName))
      functions.push_back(step);
    else
      llvm::append_range(functions, module.getOps<func::FuncOp>());

    // A module instrumented before is numbered afresh.
    module.walk([](Operation *op) {
      op->removeAttr(MpcDialect::kNumericsProbeAttrName);
    });
    SmallVector<Attribute> probes;
    for (func::FuncOp function : functions)
      instrument(function, builder, probes);
    module->setAttr(MpcDialect::kNumericsProbesAttrName,
                    builder.getArrayAttr(probes));
  }

  void instrument(func::FuncOp function, Builder &builder,
                  SmallVector<Attribute> &probes) {
    SmallVector<Operation *> ops;
    llvm::DenseMap<Operation *, unsigned> order;
    function.getBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
      order[op] = ops.size();
      ops.push_back(op);
    });
    Operation *boundary = findLossOp(function);
    if (boundary && !hasBackward(boundary, order, ops))
      boundary = nullptr;

    for (Operation *op : ops) {
      // Loads and constants compute nothing; they pass on what was stored.
      if (llvm::isa<LoadOp, ConstantOp>(op))
        continue;
      FloatType precision = outputPrecision(op);
      if (!precision || (!allOps && !precision.isF16() && !precision.isBF16()))
        continue;
      bool backward = boundary && order.lookup(op) > order.lookup(boundary);
      std::string dtype;
      llvm::raw_string_ostream(dtype) << precision;
      op->setAttr(MpcDialect::kNumericsProbeAttrName,
                  builder.getI64IntegerAttr(probes.size()));
      probes.push_back(builder.getDictionaryAttr({
          builder.getNamedAttr("function",
                               builder.getStringAttr(function.getName())),
          builder.getNamedAttr("op", builder.getStringAttr(mpc::opName(op))),
          builder.getNamedAttr(
              "location",
              builder.getStringAttr(describeOrUnknown(op->getLoc()))),
          builder.getNamedAttr("dtype", builder.getStringAttr(dtype)),
          builder.getNamedAttr("backward", builder.getBoolAttr(backward)),
          builder.getNamedAttr("nodes",
                               builder.getArrayAttr(repairNodes(op, builder))),
      }));
    }
  }
};

} // namespace
