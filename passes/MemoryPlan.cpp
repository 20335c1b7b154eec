//===- MemoryPlan.cpp - device buffers of one function's values -----------===//
//
// Program order is the body's op order; op i is program point i. A value is
// live from its defining op through its last reader, where a reshape's
// readers count as its operand's (it aliases it) and the return reads the
// results at the last point. Values that get storage of their own share one
// arena packed by ArenaPacker; loads and in-place updates use the symbol's
// storage while the symbol still holds what they need; a result that its op
// may write over a dying operand (OverwritesOperandOpInterface) takes that
// operand's arena interval.
//
//===----------------------------------------------------------------------===//

#include "passes/MemoryPlan.h"

#include "dialects/mpc/ElementTypes.h"

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/PrecisionTraits.h"
#include "passes/ArenaPacker.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

#include <algorithm>

using namespace mlir;

namespace mpc {

std::optional<int64_t> deviceElementBytes(Type elementType) {
  if (std::optional<DType> dtype = deviceDType(elementType))
    return static_cast<int64_t>(elementSize(*dtype));
  return std::nullopt;
}

namespace {

/// Whether `op` computes each result element from the same element of its
/// operands only, so a result may overwrite an operand of its own type.
bool isPerElement(Operation *op) {
  return op->hasTrait<OpTrait::Elementwise>() ||
         isa<FusedOp, SgdUpdateOp, MomentumUpdateOp, AdamWUpdateOp,
             AdamWMultiUpdateOp, UpdateLossScaleOp>(op);
}

/// The first entry of the sorted `points` above `after`, if any.
std::optional<int64_t> nextAfter(ArrayRef<int64_t> points, int64_t after) {
  const int64_t *next = llvm::upper_bound(points, after);
  if (next == points.end())
    return std::nullopt;
  return *next;
}

/// Whether a sorted `points` has an entry strictly between `low` and `high`.
bool anyBetween(ArrayRef<int64_t> points, int64_t low, int64_t high) {
  std::optional<int64_t> next = nextAfter(points, low);
  return next && *next < high;
}

class Planner {
public:
  explicit Planner(func::FuncOp function)
      : function(function), body(function.getBody().front()) {}

  LogicalResult plan(FunctionMemoryPlan &result);

private:
  LogicalResult indexBody();
  void placeLoads();
  void placeInPlaceUpdates(FunctionMemoryPlan &result);
  void placeOverwrites(FunctionMemoryPlan &result);
  void packArenaValues(FunctionMemoryPlan &result);
  bool mayUpdateInPlace(StoreOp store, Value value);

  BufferAttr stateBuffer(StringRef symbol) {
    return BufferAttr::get(
        function.getContext(), BufferKind::state, 0,
        FlatSymbolRefAttr::get(function.getContext(), symbol));
  }

  func::FuncOp function;
  Block &body;
  /// The program point of each op of the body.
  DenseMap<Operation *, int64_t> point;
  /// Each value's storage owner: itself, or what a reshape chain aliases.
  DenseMap<Value, Value> owner;
  /// Per owner: where it is defined (-1 for arguments), its last reader
  /// (through aliases), its bytes.
  DenseMap<Value, int64_t> definedAt, lastReadAt, bytes;
  /// Per owner that does not get an arena interval: its buffer.
  DenseMap<Value, BufferAttr> fixed;
  /// Per symbol: the program points of its loads and stores, ascending.
  llvm::StringMap<SmallVector<int64_t>> loadsOf, storesOf;
  /// Per symbol: the owners living in its storage (loads, in-place values).
  llvm::StringMap<SmallVector<Value>> inStorageOf;
};

LogicalResult Planner::indexBody() {
  for (BlockArgument argument : body.getArguments()) {
    owner[argument] = argument;
    definedAt[argument] = -1;
    lastReadAt[argument] = -1;
    fixed[argument] = BufferAttr::get(function.getContext(), BufferKind::input,
                                      argument.getArgNumber(), nullptr);
  }
  int64_t index = 0;
  for (Operation &op : body) {
    point[&op] = index;
    // Uses inside a region (an mpc.fused body) count at the op holding it.
    op.walk([&](Operation *nested) {
      for (Value operand : nested->getOperands()) {
        auto found = owner.find(operand);
        if (found == owner.end())
          continue;
        int64_t &last = lastReadAt[found->second];
        last = std::max(last, index);
      }
    });
    if (auto load = dyn_cast<LoadOp>(op))
      loadsOf[load.getParam()].push_back(index);
    else if (auto store = dyn_cast<StoreOp>(op))
      storesOf[store.getParam()].push_back(index);
    for (OpResult result : op.getResults()) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type || !type.hasStaticShape())
        return op.emitOpError()
               << "result #" << result.getResultNumber() << " has type "
               << result.getType()
               << "; mpc-plan-memory needs a tensor of static shape";
      std::optional<int64_t> elementBytes =
          deviceElementBytes(type.getElementType());
      if (!elementBytes)
        return op.emitOpError()
               << "result #" << result.getResultNumber() << " has elements of "
               << type.getElementType() << ", which the device does not hold";
      if (auto reshape = dyn_cast<ReshapeOp>(op)) {
        owner[result] = owner.lookup(reshape.getInput());
        continue;
      }
      owner[result] = result;
      definedAt[result] = index;
      lastReadAt[result] = index;
      bytes[result] = type.getNumElements() * *elementBytes;
    }
    ++index;
  }
  return success();
}

void Planner::placeLoads() {
  // A load aliases its symbol's storage unless a later store overwrites it
  // while the loaded value is still read: then it is copied to the arena.
  for (Operation &op : body) {
    auto load = dyn_cast<LoadOp>(op);
    if (!load)
      continue;
    Value value = load.getResult();
    std::optional<int64_t> overwrite =
        nextAfter(storesOf[load.getParam()], point[load]);
    if (overwrite && lastReadAt[value] > *overwrite)
      continue;
    fixed[value] = stateBuffer(load.getParam());
    inStorageOf[load.getParam()].push_back(value);
  }
}

bool Planner::mayUpdateInPlace(StoreOp store, Value value) {
  // Only a value that would otherwise get an arena interval of its own.
  if (owner.lookup(value) != value || fixed.count(value))
    return false;
  StringRef symbol = store.getParam();
  Operation *producer = value.getDefiningOp();
  int64_t produced = point[producer];
  int64_t stored = point[store];
  // Between the write and the store the symbol must read as before.
  if (anyBetween(storesOf[symbol], produced, stored) ||
      anyBetween(loadsOf[symbol], produced, stored))
    return false;
  // The next store overwrites it: it must not be read after that.
  std::optional<int64_t> overwrite = nextAfter(storesOf[symbol], stored);
  if (overwrite && lastReadAt[value] > *overwrite)
    return false;
  // The symbol's old contents must be dead once the producer writes, except
  // for the producer's own per-element reads of them.
  for (Value old : inStorageOf[symbol]) {
    if (definedAt[old] >= produced || lastReadAt[old] < produced)
      continue;
    if (lastReadAt[old] > produced || !isPerElement(producer))
      return false;
    for (Value operand : producer->getOperands())
      if (owner.lookup(operand) == old && operand.getType() != value.getType())
        return false;
  }
  return true;
}

void Planner::placeInPlaceUpdates(FunctionMemoryPlan &result) {
  for (Operation &op : body) {
    auto store = dyn_cast<StoreOp>(op);
    if (!store)
      continue;
    Value value = store.getValue();
    if (!mayUpdateInPlace(store, value))
      continue;
    fixed[value] = stateBuffer(store.getParam());
    inStorageOf[store.getParam()].push_back(value);
    result.inPlaceBytes += bytes[value];
  }
}

void Planner::placeOverwrites(FunctionMemoryPlan &result) {
  for (Operation &op : body) {
    auto overwrites = dyn_cast<OverwritesOperandOpInterface>(op);
    if (!overwrites)
      continue;
    for (OpResult value : op.getResults()) {
      OpOperand *operand = overwrites.overwritableOperand(value);
      if (!operand)
        continue;
      // Both must be arena values of the same bytes, and nothing may read
      // the operand (or an alias of it) after this op.
      Value old = owner.lookup(operand->get());
      if (owner.lookup(value) != value || fixed.count(value) || !old ||
          fixed.count(old) || bytes[old] != bytes[value] ||
          lastReadAt[old] != point[&op] ||
          llvm::any_of(op.getOpOperands(), [&](OpOperand &other) {
            return &other != operand && owner.lookup(other.get()) == old;
          }))
        continue;
      // The result, and the reshapes that alias it, live on in `old`.
      for (auto &entry : owner)
        if (entry.second == value)
          entry.second = old;
      lastReadAt[old] = lastReadAt[value];
      ++result.overwrites;
      result.overwriteBytes += bytes[value];
    }
  }
}

void Planner::packArenaValues(FunctionMemoryPlan &result) {
  SmallVector<Value> values;
  std::vector<ArenaRequest> requests;
  for (Operation &op : body)
    for (Value value : op.getResults())
      if (owner.lookup(value) == value && !fixed.count(value)) {
        values.push_back(value);
        requests.push_back({bytes[value], definedAt[value], lastReadAt[value]});
      }
  ArenaLayout layout = packArena(requests, kArenaAlignment);
  for (auto [value, offset] : llvm::zip_equal(values, layout.offsets))
    fixed[value] = BufferAttr::get(function.getContext(), BufferKind::arena,
                                   offset, nullptr);
  result.arenaBytes = layout.arenaBytes;
  result.peakLiveBytes = peakLiveBytes(requests);
  result.arenaValues = static_cast<int64_t>(requests.size());
  for (const ArenaRequest &request : requests)
    result.arenaValueBytes += request.size;
}

LogicalResult Planner::plan(FunctionMemoryPlan &result) {
  if (failed(indexBody()))
    return failure();
  placeLoads();
  placeInPlaceUpdates(result);
  placeOverwrites(result);
  packArenaValues(result);
  for (Operation &op : body) {
    for (Value value : op.getResults())
      result.buffers[value] = fixed.lookup(owner.lookup(value));
    if (auto store = dyn_cast<StoreOp>(op)) {
      ++result.stores;
      if (fixed.lookup(owner.lookup(store.getValue())) ==
          stateBuffer(store.getParam()))
        ++result.inPlaceStores;
    }
  }
  return success();
}

} // namespace

FailureOr<FunctionMemoryPlan> planFunctionMemory(func::FuncOp function) {
  Region &region = function.getBody();
  if (!region.hasOneBlock())
    return function.emitOpError()
           << "has " << region.getBlocks().size()
           << " blocks; mpc-plan-memory plans a function of one block";
  FunctionMemoryPlan result;
  if (failed(Planner(function).plan(result)))
    return failure();
  return result;
}

} // namespace mpc
