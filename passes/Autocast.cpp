//===- Autocast.cpp - assigns every float op a precision ------------------===//
//
// Per function: builds the graph of ops with a category, paints it
// (AutocastPainting.h), rewrites the element types of the painted ops and
// inserts the casts the new types need. Ops that keep their types (loads,
// stores, constants, casts, the optimizer) bound the graph.
//
//===----------------------------------------------------------------------===//

#include "passes/AutocastPainting.h"
#include "passes/Passes.h"
#include "passes/PrecisionPolicy.h"

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/OpCoverage.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

namespace mpc {
#define GEN_PASS_DEF_AUTOCAST
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;
using namespace mpc;

namespace {

bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

bool hasFloatTensor(TypeRange types) {
  return llvm::any_of(types, isFloatTensor);
}

RankedTensorType withElementType(Type type, Type element) {
  return cast<RankedTensorType>(type).clone(element);
}

/// One op autocast decides.
struct Decision {
  Operation *op;
  PolicyEntry entry;
  /// The node's `precision` field, or the policy file's entry for the
  /// node, which wins, when it has one.
  FloatType override;
  /// The policy file's reason for the override, when it gave one.
  std::string note;
  /// The element type of its float operands and results once decided.
  FloatType precision;
};

/// Reuses one load per parameter until it is stored, so that a parameter
/// read twice is still cast once.
void mergeRepeatedLoads(Block &block) {
  llvm::DenseMap<StringAttr, LoadOp> current;
  for (Operation &op : llvm::make_early_inc_range(block)) {
    if (auto store = dyn_cast<StoreOp>(op)) {
      current.erase(store.getParamAttr().getAttr());
      continue;
    }
    auto load = dyn_cast<LoadOp>(op);
    if (!load)
      continue;
    auto [it, inserted] =
        current.try_emplace(load.getParamAttr().getAttr(), load);
    if (!inserted && it->second.getType() == load.getType()) {
      load.replaceAllUsesWith(it->second.getResult());
      load.erase();
    }
  }
}

/// Limits a mask's fill value to the finite range of `precision`, so that a
/// "very negative" f32 fill does not become -inf in f16 (a row of -inf makes
/// softmax NaN). Infinite fills are the author's choice and stay.
void clampFillValue(Operation *op, FloatType precision) {
  auto clamp = [&](APFloat value) -> std::optional<APFloat> {
    if (value.isInfinity())
      return std::nullopt;
    APFloat largest = APFloat::getLargest(precision.getFloatSemantics());
    bool losesInfo;
    largest.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
    if (abs(value) <= largest)
      return std::nullopt;
    if (value.isNegative())
      largest.changeSign();
    return largest;
  };
  OpBuilder b(op);
  if (auto mask = dyn_cast<CausalMaskOp>(op)) {
    if (auto value = clamp(mask.getValueAttr().getValue()))
      mask.setValueAttr(b.getF64FloatAttr(value->convertToDouble()));
  } else if (auto fill = dyn_cast<MaskedFillOp>(op)) {
    if (auto value = clamp(fill.getValueAttr().getValue()))
      fill.setValueAttr(b.getF64FloatAttr(value->convertToDouble()));
  }
}

class FunctionAutocast {
public:
  FunctionAutocast(func::FuncOp function, FloatType low,
                   const PrecisionPolicy &policy, llvm::StringSet<> &usedNodes)
      : function(function), low(low), policy(policy), usedNodes(usedNodes),
        f32(Float32Type::get(function.getContext())) {}

  LogicalResult run();

private:
  LogicalResult collectDecisions(Block &block);
  void paint();
  /// The element type `use` needs: the consumer's precision when autocast
  /// decides it, else the type it had before.
  Type requiredElementType(OpOperand &use) const;
  void rewriteResultTypes();
  void insertCasts(Block &block);
  Value castTo(Value value, Type element);

  func::FuncOp function;
  FloatType low;
  const PrecisionPolicy &policy;
  /// The policy file's node entries some op followed.
  llvm::StringSet<> &usedNodes;
  FloatType f32;
  SmallVector<Decision> decisions;
  llvm::DenseMap<Operation *, unsigned> decisionOf;
  /// The element types the uses of undecided ops had before the rewrite.
  llvm::DenseMap<OpOperand *, Type> keptUseTypes;
  llvm::DenseMap<std::pair<Value, Type>, Value> casts;
};

LogicalResult FunctionAutocast::collectDecisions(Block &block) {
  for (Operation &op : block) {
    bool decided = !op.hasTrait<mpc::OpTrait::KeepsPrecision>() &&
                   !op.hasTrait<mlir::OpTrait::IsTerminator>() &&
                   hasFloatTensor(op.getResultTypes());
    if (!decided) {
      for (OpOperand &use : op.getOpOperands())
        if (isFloatTensor(use.get().getType()))
          keptUseTypes[&use] =
              cast<RankedTensorType>(use.get().getType()).getElementType();
      continue;
    }
    std::optional<PolicyEntry> entry = policy.lookup(&op);
    if (!entry) {
      if (std::optional<StringRef> reason =
              precisionCoverage(op.getName()).rejection)
        return op.emitOpError("is outside autocast: ") << *reason;
      return op.emitOpError(
          "has no autocast category (allow, deny, infer or clear); declare "
          "one for the op, or move it with a policy file");
    }
    FloatType override;
    if (auto precision =
            op.getAttrOfType<TypeAttr>(MpcDialect::kPrecisionAttrName))
      override = cast<FloatType>(precision.getValue());
    std::string note;
    if (const auto *node = policy.lookupNode(&op)) {
      override = node->getValue().precision;
      note = node->getValue().reason;
      usedNodes.insert(node->getKey());
    }
    decisionOf[&op] = decisions.size();
    decisions.push_back({&op, *entry, override, std::move(note), f32});
  }
  return success();
}

void FunctionAutocast::paint() {
  PaintGraph graph;
  for (const Decision &decision : decisions) {
    PrecisionCategory category = decision.entry.category;
    if (decision.override)
      category = decision.override.isF32() ? PrecisionCategory::deny
                                           : PrecisionCategory::allow;
    graph.addNode(category);
  }
  for (auto [consumer, decision] : llvm::enumerate(decisions))
    for (Value operand : decision.op->getOperands())
      if (isFloatTensor(operand.getType()))
        if (auto it = decisionOf.find(operand.getDefiningOp());
            it != decisionOf.end())
          graph.addEdge(it->second, consumer);

  llvm::BitVector lowNodes =
      paintLowPrecision(graph, /*inferFollowsAllow=*/low.isBF16());
  for (unsigned node : lowNodes.set_bits()) {
    Decision &decision = decisions[node];
    decision.precision = decision.override && !decision.override.isF32()
                             ? decision.override
                             : low;
  }
}

Type FunctionAutocast::requiredElementType(OpOperand &use) const {
  if (auto statistics = dyn_cast<F32StatisticsOpInterface>(use.getOwner()))
    if (statistics.keepsF32(use.get()))
      return f32;
  auto it = decisionOf.find(use.getOwner());
  if (it != decisionOf.end())
    return decisions[it->second].precision;
  return keptUseTypes.lookup(&use);
}

void FunctionAutocast::rewriteResultTypes() {
  for (const Decision &decision : decisions) {
    Operation *op = decision.op;
    auto statistics = dyn_cast<F32StatisticsOpInterface>(op);
    for (OpResult result : op->getResults()) {
      if (!isFloatTensor(result.getType()) ||
          (statistics && statistics.keepsF32(result)))
        continue;
      Type element = decision.precision;
      // A low GEMM accumulates in f32: a consumer that wants f32 gets the
      // f32 result directly rather than a 16-bit round trip. A loss that
      // computes in f32 from any float reads the 16-bit result, as under
      // PyTorch autocast: the logits are rounded once, and are half the
      // bytes for the loss, its gradient and the memory plan.
      if (isa<MatmulOp>(op) && element != f32 &&
          llvm::any_of(result.getUses(), [&](OpOperand &use) {
            return requiredElementType(use) == f32 &&
                   !use.getOwner()->hasTrait<mpc::OpTrait::F32LossOfAnyFloat>();
          }))
        element = f32;
      result.setType(withElementType(result.getType(), element));
    }
    if (decision.precision != f32)
      clampFillValue(op, decision.precision);
    PrecisionReason reason =
        decision.override ? PrecisionReason::node_override
        : decision.entry.category == PrecisionCategory::allow ||
                decision.entry.category == PrecisionCategory::deny
            ? decision.entry.source
            : PrecisionReason::neighbours;
    op->setAttr(
        MpcDialect::kAutocastAttrName,
        AutocastAttr::get(op->getContext(), decision.entry.category, reason));
    if (!decision.note.empty())
      op->setAttr(MpcDialect::kPrecisionNoteAttrName,
                  StringAttr::get(op->getContext(), decision.note));
  }
}

Value FunctionAutocast::castTo(Value value, Type element) {
  Value &cached = casts[{value, element}];
  if (cached)
    return cached;
  OpBuilder b(function.getContext());
  if (Operation *producer = value.getDefiningOp())
    b.setInsertionPointAfter(producer);
  else
    b.setInsertionPointToStart(value.getParentBlock());
  cached = b.createOrFold<CastOp>(
      value.getLoc(), withElementType(value.getType(), element), value);
  return cached;
}

void FunctionAutocast::insertCasts(Block &block) {
  for (Operation &op : llvm::make_early_inc_range(block))
    for (OpOperand &use : op.getOpOperands()) {
      if (!isFloatTensor(use.get().getType()))
        continue;
      Type required = requiredElementType(use);
      if (required &&
          required !=
              cast<RankedTensorType>(use.get().getType()).getElementType())
        use.set(castTo(use.get(), required));
    }
}

LogicalResult FunctionAutocast::run() {
  if (!function.getBody().hasOneBlock())
    return function.emitOpError("autocast expects a single-block function");
  Block &block = function.getBody().front();
  mergeRepeatedLoads(block);
  if (failed(collectDecisions(block)))
    return failure();
  paint();
  rewriteResultTypes();
  insertCasts(block);
  return success();
}

struct AutocastPass : public mpc::impl::AutocastBase<AutocastPass> {
  using AutocastBase::AutocastBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = module.getContext();
    FloatType low;
    if (dtype == "f16")
      low = Float16Type::get(context);
    else if (dtype == "bf16")
      low = BFloat16Type::get(context);
    else {
      module.emitError("option 'dtype' must be f16 or bf16, got '")
          << dtype << "'";
      return signalPassFailure();
    }
    WalkResult annotated = module.walk([](Operation *op) {
      return op->hasAttr(MpcDialect::kAutocastAttrName)
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (annotated.wasInterrupted()) {
      module.emitError("autocast has already run on this module (ops carry "
                       "mpc.autocast)");
      return signalPassFailure();
    }

    PrecisionPolicy policy;
    if (!policyFile.empty()) {
      FailureOr<PrecisionPolicy> loaded =
          PrecisionPolicy::load(policyFile, module.getLoc());
      if (failed(loaded))
        return signalPassFailure();
      policy = std::move(*loaded);
    }
    llvm::StringSet<> usedNodes;
    for (auto function : module.getOps<func::FuncOp>())
      if (failed(FunctionAutocast(function, low, policy, usedNodes).run()))
        return signalPassFailure();
    // A node name the graph does not have is a typo or another graph's
    // policy: applying the rest would silently leave that node as it was.
    for (const auto &node : policy.nodes())
      if (!usedNodes.contains(node.getKey())) {
        module.emitError("the policy file '")
            << policyFile << "' lists node '" << node.getKey() << "' (/nodes/"
            << node.getKey()
            << "), but no op of the graph comes from a node of that name";
        return signalPassFailure();
      }
  }
};

} // namespace
