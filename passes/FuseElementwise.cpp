//===- FuseElementwise.cpp - elementwise ops grouped into mpc.fused -------===//
//
// Every elementwise op joins the group of an elementwise producer of the
// same iteration shape (its result shape), in program order, so chains,
// siblings and the ops around a shared input become one kernel. A producer
// whose result a consumer broadcasts stays apart: merging it would
// recompute it per element of the larger shape. A merge that would let a
// group's output come back into it through another op (or another group,
// or the order of loads and stores of a symbol) is refused, so the groups
// form a DAG; the block is then rescheduled in that DAG's topological order,
// each group at its first member's place when its inputs allow. An op that
// mpc-check-numerics probes forms a group of its own, which carries its
// probe index.
//
//===----------------------------------------------------------------------===//

#include "passes/FuseRewrites.h"

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"

#include <queue>

using namespace mlir;

namespace mpc {
namespace {

bool isElementwise(Operation *op) {
  return op->hasTrait<mpc::OpTrait::Elementwise>() &&
         op->getNumResults() == 1 &&
         isa<RankedTensorType>(op->getResult(0).getType());
}

/// A scalar constant: cloned into the bodies that read it rather than
/// passed in.
bool isScalarConstant(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  return constant && tensorType(constant.getResult()).getRank() == 0;
}

/// The ops of one block as a graph whose nodes are groups: every op starts
/// in a group of its own, elementwise ops are merged.
class Grouping {
public:
  explicit Grouping(Block &block);

  /// Decides the groups, in program order.
  void group();
  /// Rewrites the block: each group of elementwise ops becomes one
  /// mpc.fused, in a topological order of the groups. Fails, changing
  /// nothing, if the groups have no such order.
  LogicalResult rewrite(RewriterBase &rewriter);

private:
  unsigned find(unsigned node) {
    while (parent[node] != node)
      node = parent[node] = parent[parent[node]];
    return node;
  }
  void merge(unsigned into, unsigned other);
  /// The groups that depend directly on group `root`.
  SmallVector<unsigned> successors(unsigned root);
  /// Whether making one group of `roots` closes a cycle.
  bool createsCycle(ArrayRef<unsigned> roots);
  void addMemoryOrder();
  SmallVector<unsigned> schedule();
  void emitGroup(RewriterBase &rewriter, unsigned root, Operation *terminator);

  Block &block;
  SmallVector<Operation *> ops;
  DenseMap<Operation *, unsigned> position;
  SmallVector<unsigned> parent;
  /// Members of each group root, in program order once merged.
  SmallVector<SmallVector<unsigned, 1>> members;
  /// Order edges between loads, stores and ops with unknown effects.
  SmallVector<SmallVector<unsigned, 0>> memoryOrder;
  llvm::SetVector<Operation *> clonedConstants;
};

Grouping::Grouping(Block &block) : block(block) {
  for (Operation &op : block) {
    position[&op] = ops.size();
    parent.push_back(ops.size());
    members.push_back({static_cast<unsigned>(ops.size())});
    ops.push_back(&op);
  }
  memoryOrder.resize(ops.size());
  addMemoryOrder();
}

void Grouping::addMemoryOrder() {
  // Per symbol: the last store and the loads since it.
  struct SymbolState {
    std::optional<unsigned> store;
    SmallVector<unsigned> loads;
  };
  llvm::StringMap<SymbolState> symbols;
  std::optional<unsigned> barrier;
  SmallVector<unsigned> sinceBarrier;
  for (auto [index, op] : llvm::enumerate(ops)) {
    unsigned i = index;
    if (isMemoryEffectFree(op) || op->hasTrait<mlir::OpTrait::IsTerminator>())
      continue;
    if (auto load = dyn_cast<LoadOp>(op)) {
      SymbolState &state = symbols[load.getParam()];
      if (state.store)
        memoryOrder[*state.store].push_back(i);
      state.loads.push_back(i);
    } else if (auto store = dyn_cast<StoreOp>(op)) {
      SymbolState &state = symbols[store.getParam()];
      if (state.store)
        memoryOrder[*state.store].push_back(i);
      for (unsigned load : state.loads)
        memoryOrder[load].push_back(i);
      state.store = i;
      state.loads.clear();
    } else {
      // Unknown effects: ordered against every memory op.
      for (unsigned before : sinceBarrier)
        memoryOrder[before].push_back(i);
      if (barrier)
        memoryOrder[*barrier].push_back(i);
      barrier = i;
      sinceBarrier.clear();
      continue;
    }
    if (barrier)
      memoryOrder[*barrier].push_back(i);
    sinceBarrier.push_back(i);
  }
}

void Grouping::merge(unsigned into, unsigned other) {
  into = find(into);
  other = find(other);
  if (into == other)
    return;
  parent[other] = into;
  members[into].append(members[other].begin(), members[other].end());
  llvm::sort(members[into]);
  members[other].clear();
}

SmallVector<unsigned> Grouping::successors(unsigned root) {
  SmallVector<unsigned> result;
  for (unsigned member : members[root]) {
    for (Operation *user : ops[member]->getUsers())
      if (Operation *inBlock = block.findAncestorOpInBlock(*user))
        result.push_back(find(position.lookup(inBlock)));
    for (unsigned next : memoryOrder[member])
      result.push_back(find(next));
  }
  return result;
}

bool Grouping::createsCycle(ArrayRef<unsigned> roots) {
  llvm::SmallDenseSet<unsigned, 4> inside(roots.begin(), roots.end());
  DenseSet<unsigned> visited;
  SmallVector<unsigned> stack;
  for (unsigned root : roots)
    for (unsigned next : successors(root))
      if (!inside.contains(next) && visited.insert(next).second)
        stack.push_back(next);
  while (!stack.empty()) {
    unsigned node = stack.pop_back_val();
    for (unsigned next : successors(node)) {
      if (inside.contains(next))
        return true;
      if (visited.insert(next).second)
        stack.push_back(next);
    }
  }
  return false;
}

void Grouping::group() {
  for (auto [index, op] : llvm::enumerate(ops)) {
    if (!isElementwise(op) || isNumericsProbe(op))
      continue;
    ArrayRef<int64_t> shape = tensorType(op->getResult(0)).getShape();
    SmallVector<unsigned> chosen{static_cast<unsigned>(index)};
    for (Value operand : op->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      if (!producer || producer->getBlock() != &block ||
          !isElementwise(producer) || isNumericsProbe(producer) ||
          tensorType(operand).getShape() != shape)
        continue;
      unsigned root = find(position.lookup(producer));
      if (llvm::is_contained(chosen, root))
        continue;
      chosen.push_back(root);
      if (createsCycle(chosen))
        chosen.pop_back();
    }
    for (unsigned root : ArrayRef(chosen).drop_front())
      merge(index, root);
  }
}

SmallVector<unsigned> Grouping::schedule() {
  // Kahn's algorithm over the groups, the earliest first member first.
  unsigned terminator = ops.size() - 1;
  DenseMap<unsigned, unsigned> pending;
  DenseMap<unsigned, SmallVector<unsigned>> edges;
  for (unsigned node = 0; node < terminator; ++node) {
    if (find(node) != node)
      continue;
    pending.try_emplace(node, 0);
    llvm::SmallDenseSet<unsigned, 8> seen;
    for (unsigned next : successors(node))
      if (next != node && next != terminator && seen.insert(next).second) {
        edges[node].push_back(next);
        ++pending[next];
      }
  }
  using Entry = std::pair<unsigned, unsigned>; // (first member, root)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> ready;
  for (auto [node, count] : pending)
    if (count == 0)
      ready.push({members[node].front(), node});
  SmallVector<unsigned> order;
  while (!ready.empty()) {
    unsigned node = ready.top().second;
    ready.pop();
    order.push_back(node);
    for (unsigned next : edges.lookup(node))
      if (--pending[next] == 0)
        ready.push({members[next].front(), next});
  }
  return order;
}

void Grouping::emitGroup(RewriterBase &rewriter, unsigned root,
                         Operation *terminator) {
  llvm::SmallPtrSet<Operation *, 8> inGroup;
  for (unsigned member : members[root])
    inGroup.insert(ops[member]);
  auto isOutside = [&](OpOperand &use) {
    Operation *owner = block.findAncestorOpInBlock(*use.getOwner());
    return !owner || !inGroup.contains(owner);
  };

  llvm::SetVector<Value> inputs;
  SmallVector<Value> outputs;
  SmallVector<Location> locs;
  for (unsigned member : members[root]) {
    Operation *op = ops[member];
    locs.push_back(op->getLoc());
    for (Value operand : op->getOperands())
      if (!inGroup.contains(operand.getDefiningOp()) &&
          !isScalarConstant(operand))
        inputs.insert(operand);
    Value result = op->getResult(0);
    if (llvm::any_of(result.getUses(), isOutside))
      outputs.push_back(result);
  }
  // A group nothing reads still yields its last value.
  if (outputs.empty())
    outputs.push_back(ops[members[root].back()]->getResult(0));

  rewriter.setInsertionPoint(terminator);
  auto fused = rewriter.create<FusedOp>(rewriter.getFusedLoc(locs),
                                        ValueRange(outputs).getTypes(),
                                        inputs.getArrayRef());
  SmallVector<Location> argLocs;
  for (Value input : inputs)
    argLocs.push_back(input.getLoc());
  Block *body = rewriter.createBlock(
      &fused.getBody(), {}, ValueRange(inputs.getArrayRef()).getTypes(),
      argLocs);
  IRMapping mapping;
  mapping.map(inputs.getArrayRef(), body->getArguments());
  for (unsigned member : members[root]) {
    Operation *op = ops[member];
    for (Value operand : op->getOperands())
      if (isScalarConstant(operand) && !mapping.contains(operand)) {
        rewriter.clone(*operand.getDefiningOp(), mapping);
        clonedConstants.insert(operand.getDefiningOp());
      }
    // The probe index moves to the mpc.fused (below).
    rewriter.clone(*op, mapping)
        ->removeAttr(MpcDialect::kNumericsProbeAttrName);
  }
  SmallVector<Value> yielded;
  for (Value output : outputs)
    yielded.push_back(mapping.lookup(output));
  rewriter.create<YieldOp>(fused.getLoc(), yielded);
  // A probed op is a group of its own: the kernel's output is its output.
  Operation *only = ops[members[root].front()];
  if (members[root].size() == 1 && isNumericsProbe(only))
    fused->setAttr(MpcDialect::kNumericsProbeAttrName,
                   only->getAttr(MpcDialect::kNumericsProbeAttrName));

  for (auto [output, result] : llvm::zip(outputs, fused.getResults()))
    rewriter.replaceUsesWithIf(output, Value(result), isOutside);
  for (unsigned member : llvm::reverse(members[root]))
    rewriter.eraseOp(ops[member]);
}

LogicalResult Grouping::rewrite(RewriterBase &rewriter) {
  Operation *terminator = ops.back();
  SmallVector<unsigned> order = schedule();
  unsigned groups =
      llvm::count_if(llvm::seq<unsigned>(0, ops.size() - 1),
                     [&](unsigned node) { return find(node) == node; });
  if (order.size() != groups)
    return terminator->emitOpError(
        "mpc-fuse: the elementwise groups of this block form a cycle");
  for (unsigned node : order) {
    Operation *op = ops[node];
    if (isElementwise(op))
      emitGroup(rewriter, node, terminator);
    else
      rewriter.moveOpBefore(op, terminator);
  }
  for (Operation *constant : clonedConstants)
    if (constant->use_empty())
      rewriter.eraseOp(constant);
  return success();
}

} // namespace

LogicalResult fuseElementwise(Block &block, RewriterBase &rewriter) {
  if (block.empty() || !block.back().hasTrait<mlir::OpTrait::IsTerminator>())
    return success();
  Grouping grouping(block);
  grouping.group();
  return grouping.rewrite(rewriter);
}

} // namespace mpc
