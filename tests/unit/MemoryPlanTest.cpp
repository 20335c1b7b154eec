//===- MemoryPlanTest.cpp - mpc-plan-memory's plans are valid -------------===//
//
// Compiles the example models, runs mpc-plan-memory (after mpc-fuse, and
// without it) and checks the plan it records with rules restated here from
// the IR alone: arena values live at the same time share no byte, offsets
// are aligned and inside the arena, the peak is what the live ranges give,
// no value kept in parameter or state storage is overwritten while it is
// still read, and a result written over its op's operand
// (OverwritesOperandOpInterface) has the operand's bytes, which nothing
// reads afterwards.
//
//===----------------------------------------------------------------------===//

#include "compiler/ModelLoader.h"
#include "compiler/import/json/GraphImporter.h"
#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/PrecisionTraits.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseMap.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

using namespace mlir;
using mpc::BufferAttr;
using mpc::BufferKind;
using mpc::MpcDialect;

namespace {

struct Case {
  const char *graph;
  const char *dtype;
  bool fuse;
};

std::string caseName(const ::testing::TestParamInfo<Case> &info) {
  return std::string(info.param.graph) + "_" + info.param.dtype +
         (info.param.fuse ? "_fused" : "");
}

int64_t deviceBytes(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  Type element = tensor.getElementType();
  int64_t perElement = element.isInteger(1)                  ? 1
                       : element.isF16() || element.isBF16() ? 2
                                                             : 4;
  return tensor.getNumElements() * perElement;
}

/// The checks of one planned function.
class FunctionChecker {
public:
  explicit FunctionChecker(func::FuncOp function)
      : function(function), body(function.getBody().front()) {}

  void check() {
    readPlan();
    if (::testing::Test::HasFatalFailure())
      return;
    checkArena();
    checkStorage();
  }

  int64_t arenaValueBytes = 0;
  int64_t stores = 0, inPlaceStores = 0;

private:
  /// The value a reshape chain starting at `value` reads.
  Value reshapeRoot(Value value) {
    while (auto reshape = value.getDefiningOp<mpc::ReshapeOp>())
      value = reshape.getInput();
    return value;
  }

  /// The value whose storage `value` lives in: through reshapes and
  /// results written over an operand.
  Value root(Value value) {
    value = reshapeRoot(value);
    while (Value operand = overwritten.lookup(value))
      value = reshapeRoot(operand);
    return value;
  }

  /// Records a result of `op` given the bytes of the operand it may
  /// overwrite, which must be as large and read by nothing after `op`.
  void readOverwrites(Operation &op, int64_t index) {
    auto overwrites = dyn_cast<mpc::OverwritesOperandOpInterface>(op);
    if (!overwrites)
      return;
    for (OpResult result : op.getResults()) {
      OpOperand *operand = overwrites.overwritableOperand(result);
      if (!operand || buffer[result].getKind() != BufferKind::arena ||
          buffer[result] != buffer[operand->get()])
        continue;
      EXPECT_EQ(deviceBytes(result.getType()),
                deviceBytes(operand->get().getType()))
          << "written over an operand of another size";
      overwritten[result] = operand->get();
      overwrittenAt[reshapeRoot(operand->get())] = index;
    }
  }

  void readPlan() {
    for (BlockArgument argument : body.getArguments())
      buffer[argument] =
          BufferAttr::get(function.getContext(), BufferKind::input,
                          argument.getArgNumber(), nullptr);
    int64_t index = 0;
    for (Operation &op : body) {
      at[&op] = index;
      for (Region &region : op.getRegions())
        region.walk([&](Operation *nested) {
          EXPECT_FALSE(nested->hasAttr(MpcDialect::kBuffersAttrName))
              << "inside a fused body";
        });
      auto buffers = op.getAttrOfType<ArrayAttr>(MpcDialect::kBuffersAttrName);
      if (op.getNumResults() == 0) {
        EXPECT_FALSE(buffers);
      } else {
        ASSERT_TRUE(buffers) << op.getName().getStringRef().str();
        ASSERT_EQ(buffers.size(), op.getNumResults());
        for (auto [result, attr] : llvm::zip(op.getResults(), buffers))
          buffer[result] = cast<BufferAttr>(attr);
      }
      // Readers count where the op holding them is.
      op.walk([&](Operation *nested) {
        for (Value operand : nested->getOperands())
          if (buffer.count(operand)) {
            int64_t &last = lastRead[root(operand)];
            last = std::max(last, index);
            auto gone = overwrittenAt.find(reshapeRoot(operand));
            EXPECT_FALSE(gone != overwrittenAt.end() && gone->second < index)
                << "read after a result was written over it";
          }
      });
      readOverwrites(op, index);
      if (auto reshape = dyn_cast<mpc::ReshapeOp>(op)) {
        EXPECT_EQ(buffer[reshape.getResult()], buffer[reshape.getInput()]);
      }
      if (auto load = dyn_cast<mpc::LoadOp>(op)) {
        BufferAttr loaded = buffer[load.getResult()];
        EXPECT_TRUE(loaded.getKind() == BufferKind::arena ||
                    loaded.getSymbol() == load.getParamAttr());
      }
      if (auto store = dyn_cast<mpc::StoreOp>(op)) {
        ++stores;
        BufferAttr stored = buffer[store.getValue()];
        if (stored.getKind() == BufferKind::state &&
            stored.getSymbol() == store.getParamAttr())
          ++inPlaceStores;
      }
      ++index;
    }
  }

  void checkArena() {
    auto arenaBytes =
        function->getAttrOfType<IntegerAttr>(MpcDialect::kArenaBytesAttrName);
    auto peak = function->getAttrOfType<IntegerAttr>(
        MpcDialect::kPeakLiveBytesAttrName);
    ASSERT_TRUE(arenaBytes && peak);
    struct Interval {
      int64_t offset, size, first, last;
    };
    std::vector<Interval> arena;
    for (Operation &op : body)
      for (Value result : op.getResults()) {
        if (root(result) != result ||
            buffer[result].getKind() != BufferKind::arena)
          continue;
        int64_t first = at[&op];
        arena.push_back({buffer[result].getOffset(),
                         deviceBytes(result.getType()), first,
                         std::max(first, lastRead.lookup(result))});
      }
    int64_t points = static_cast<int64_t>(at.size());
    std::vector<int64_t> liveAt(points, 0);
    for (size_t a = 0; a < arena.size(); ++a) {
      const Interval &x = arena[a];
      arenaValueBytes += x.size;
      EXPECT_EQ(x.offset % mpc::kArenaAlignment, 0);
      EXPECT_GE(x.offset, 0);
      EXPECT_LE(x.offset + x.size, arenaBytes.getInt());
      for (int64_t p = x.first; p <= x.last; ++p)
        liveAt[p] += x.size;
      for (size_t b = a + 1; b < arena.size(); ++b) {
        const Interval &y = arena[b];
        if (x.first <= y.last && y.first <= x.last) {
          EXPECT_TRUE(x.offset + x.size <= y.offset ||
                      y.offset + y.size <= x.offset)
              << "arena values " << a << " and " << b << " share bytes";
        }
      }
    }
    int64_t expectedPeak = 0;
    for (int64_t live : liveAt)
      expectedPeak = std::max(expectedPeak, live);
    EXPECT_EQ(peak.getInt(), expectedPeak);
    EXPECT_GE(arenaBytes.getInt(), peak.getInt());
  }

  static bool perElement(Operation *op) {
    return op->hasTrait<mpc::OpTrait::Elementwise>() ||
           isa<mpc::FusedOp, mpc::SgdUpdateOp, mpc::MomentumUpdateOp,
               mpc::AdamWUpdateOp, mpc::UpdateLossScaleOp>(op);
  }

  /// A value kept in @symbol's storage must not be read after the storage
  /// next changes: a store that copies in another value, or an op that
  /// writes its result there (which may read it only element by element).
  void checkStorage() {
    for (Operation &op : body)
      for (Value value : op.getResults()) {
        BufferAttr held = buffer[value];
        if (root(value) != value || held.getKind() != BufferKind::state)
          continue;
        FlatSymbolRefAttr symbol = held.getSymbol();
        int64_t defined = at[&op];
        if (!isa<mpc::LoadOp>(op))
          checkInPlaceWrite(value, symbol, defined);
        for (Operation &later : body) {
          int64_t point = at[&later];
          if (point <= defined || !writes(later, symbol))
            continue;
          int64_t last = lastRead.lookup(value);
          EXPECT_LE(last, point) << "@" << symbol.getValue().str()
                                 << " overwritten while still read";
          if (last == point)
            for (OpOperand &use : value.getUses())
              if (use.getOwner() == &later) {
                EXPECT_TRUE(perElement(&later));
                EXPECT_TRUE(llvm::any_of(later.getResults(), [&](Value r) {
                  return buffer[r] == held && r.getType() == value.getType();
                }));
              }
          break;
        }
      }
  }

  /// Whether `op` changes @symbol's storage.
  bool writes(Operation &op, FlatSymbolRefAttr symbol) {
    if (auto store = dyn_cast<mpc::StoreOp>(op))
      return store.getParamAttr() == symbol &&
             buffer[store.getValue()].getSymbol() != symbol;
    if (isa<mpc::LoadOp>(op))
      return false;
    return llvm::any_of(op.getResults(), [&](Value result) {
      return root(result) == result &&
             buffer[result].getKind() == BufferKind::state &&
             buffer[result].getSymbol() == symbol;
    });
  }

  /// A value computed straight into @symbol: stored there later, with
  /// nothing reading or writing @symbol in between.
  void checkInPlaceWrite(Value value, FlatSymbolRefAttr symbol,
                         int64_t defined) {
    std::optional<int64_t> stored;
    for (OpOperand &use : value.getUses())
      if (auto store = dyn_cast<mpc::StoreOp>(use.getOwner()))
        if (store.getParamAttr() == symbol)
          stored = at[store];
    ASSERT_TRUE(stored) << "in @" << symbol.getValue().str()
                        << " but never stored there";
    for (Operation &op : body) {
      int64_t point = at[&op];
      if (point <= defined || point >= *stored)
        continue;
      if (auto load = dyn_cast<mpc::LoadOp>(op)) {
        EXPECT_NE(load.getParamAttr(), symbol)
            << "load of @" << symbol.getValue().str();
      }
      if (auto store = dyn_cast<mpc::StoreOp>(op)) {
        EXPECT_NE(store.getParamAttr(), symbol)
            << "store to @" << symbol.getValue().str();
      }
    }
  }

  func::FuncOp function;
  Block &body;
  llvm::DenseMap<Operation *, int64_t> at;
  llvm::DenseMap<Value, BufferAttr> buffer;
  llvm::DenseMap<Value, int64_t> lastRead;
  /// Results written over an operand, and the operand.
  llvm::DenseMap<Value, Value> overwritten;
  /// The values so overwritten, and where.
  llvm::DenseMap<Value, int64_t> overwrittenAt;
};

class MemoryPlanTest : public ::testing::TestWithParam<Case> {};

TEST_P(MemoryPlanTest, PlanIsValid) {
  const Case &param = GetParam();
  DialectRegistry registry;
  mpc::registerGraphImportDialects(registry);
  MLIRContext context(registry);
  mpc::ModelLoadOptions options;
  options.dtype = param.dtype;
  std::string error;
  OwningOpRef<ModuleOp> module = mpc::loadTrainingModule(
      std::string(MPC_EXAMPLES_DIR) + "/" + param.graph + ".json", options,
      context, error);
  ASSERT_TRUE(module) << error;
  PassManager pm(&context);
  if (param.fuse)
    pm.addPass(mpc::createFuse());
  pm.addPass(mpc::createPlanMemory());
  ASSERT_TRUE(succeeded(pm.run(*module)));

  for (auto function : module->getOps<func::FuncOp>()) {
    SCOPED_TRACE(function.getSymName().str());
    FunctionChecker checker(function);
    checker.check();
    // Every parameter and state update of these models can be in place.
    EXPECT_EQ(checker.inPlaceStores, checker.stores);
    auto arena =
        function->getAttrOfType<IntegerAttr>(MpcDialect::kArenaBytesAttrName);
    std::printf("%s %s%s @%s: arena %lld bytes for %lld bytes of arena "
                "values; %lld of %lld stores in place\n",
                param.graph, param.dtype, param.fuse ? " fused" : "",
                function.getSymName().str().c_str(),
                static_cast<long long>(arena ? arena.getInt() : -1),
                static_cast<long long>(checker.arenaValueBytes),
                static_cast<long long>(checker.inPlaceStores),
                static_cast<long long>(checker.stores));
  }

  // A second run records the same plan.
  std::string first;
  llvm::raw_string_ostream firstText(first);
  module->print(firstText);
  PassManager again(&context);
  again.addPass(mpc::createPlanMemory());
  ASSERT_TRUE(succeeded(again.run(*module)));
  std::string second;
  llvm::raw_string_ostream secondText(second);
  module->print(secondText);
  EXPECT_EQ(first, second);
}

/// Plans the checker must reject, each breaking one rule.
constexpr const char *kBrokenPlans[] = {
    // %a and %b are both read by the add but share bytes.
    R"mlir(
  func.func @f(%x: tensor<64xf32>) -> tensor<64xf32> attributes {mpc.arena_bytes = 512 : i64, mpc.peak_live_bytes = 768 : i64} {
    %a = mpc.relu %x {mpc.buffers = [#mpc.buffer<arena, 0>]} : tensor<64xf32>
    %b = mpc.exp %x {mpc.buffers = [#mpc.buffer<arena, 0>]} : tensor<64xf32>
    %c = mpc.add %a, %b {mpc.buffers = [#mpc.buffer<arena, 256>]} : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
    return %c : tensor<64xf32>
  })mlir",
    // Past the end of the arena.
    R"mlir(
  func.func @f(%x: tensor<64xf32>) -> tensor<64xf32> attributes {mpc.arena_bytes = 256 : i64, mpc.peak_live_bytes = 256 : i64} {
    %a = mpc.relu %x {mpc.buffers = [#mpc.buffer<arena, 256>]} : tensor<64xf32>
    return %a : tensor<64xf32>
  })mlir",
    // The loaded weights are read after a store overwrote them.
    R"mlir(
  mpc.param @w : tensor<64xf32> = #mpc.init<zeros>
  func.func @f(%x: tensor<64xf32>) -> tensor<64xf32> attributes {mpc.arena_bytes = 256 : i64, mpc.peak_live_bytes = 256 : i64} {
    %w = mpc.load @w {mpc.buffers = [#mpc.buffer<state, 0, @w>]} : tensor<64xf32>
    mpc.store %x, @w : tensor<64xf32>
    %y = mpc.mul %w, %x {mpc.buffers = [#mpc.buffer<arena, 0>]} : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
    return %y : tensor<64xf32>
  })mlir",
    // Computed into @w while the old weights are still read.
    R"mlir(
  mpc.param @w : tensor<64xf32> = #mpc.init<zeros>
  func.func @f(%x: tensor<64xf32>) -> tensor<64xf32> attributes {mpc.arena_bytes = 256 : i64, mpc.peak_live_bytes = 256 : i64} {
    %w = mpc.load @w {mpc.buffers = [#mpc.buffer<state, 0, @w>]} : tensor<64xf32>
    %n = mpc.sub %w, %x {mpc.buffers = [#mpc.buffer<state, 0, @w>]} : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
    %y = mpc.mul %w, %x {mpc.buffers = [#mpc.buffer<arena, 0>]} : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
    mpc.store %n, @w : tensor<64xf32>
    return %y : tensor<64xf32>
  })mlir",
    // The loss gradient written over logits that are read afterwards.
    R"mlir(
  func.func @f(%z: tensor<4x64xf32>, %y: tensor<4xi32>, %dl: tensor<f32>) -> tensor<4x64xf32> attributes {mpc.arena_bytes = 2048 : i64, mpc.peak_live_bytes = 2048 : i64} {
    %e = mpc.exp %z {mpc.buffers = [#mpc.buffer<arena, 0>]} : tensor<4x64xf32>
    %g = mpc.softmax_cross_entropy_grad %dl, %e, %y {mpc.buffers = [#mpc.buffer<arena, 0>]} : (tensor<f32>, tensor<4x64xf32>, tensor<4xi32>) -> tensor<4x64xf32>
    %s = mpc.add %g, %e {mpc.buffers = [#mpc.buffer<arena, 1024>]} : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
    return %s : tensor<4x64xf32>
  })mlir",
    // The loss gradient written over logits of twice its bytes.
    R"mlir(
  func.func @f(%z: tensor<4x64xf32>, %y: tensor<4xi32>, %dl: tensor<f32>) -> tensor<4x64xbf16> attributes {mpc.arena_bytes = 1024 : i64, mpc.peak_live_bytes = 1024 : i64} {
    %e = mpc.exp %z {mpc.buffers = [#mpc.buffer<arena, 0>]} : tensor<4x64xf32>
    %g = mpc.softmax_cross_entropy_grad %dl, %e, %y {mpc.buffers = [#mpc.buffer<arena, 0>]} : (tensor<f32>, tensor<4x64xf32>, tensor<4xi32>) -> tensor<4x64xbf16>
    return %g : tensor<4x64xbf16>
  })mlir",
    // A matmul overwriting the weights it reads.
    R"mlir(
  mpc.param @w : tensor<8x8xf32> = #mpc.init<zeros>
  func.func @f(%x: tensor<8x8xf32>) attributes {mpc.arena_bytes = 0 : i64, mpc.peak_live_bytes = 0 : i64} {
    %w = mpc.load @w {mpc.buffers = [#mpc.buffer<state, 0, @w>]} : tensor<8x8xf32>
    %n = mpc.matmul %x, %w {mpc.buffers = [#mpc.buffer<state, 0, @w>]} : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
    mpc.store %n, @w : tensor<8x8xf32>
    return
  })mlir",
};

TEST(MemoryPlanCheckerTest, RejectsBrokenPlans) {
  DialectRegistry registry;
  mpc::registerGraphImportDialects(registry);
  MLIRContext context(registry);
  for (const char *source : kBrokenPlans) {
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(
        std::string("module {") + source + "}", &context);
    ASSERT_TRUE(module) << source;
    ::testing::TestPartResultArray failures;
    {
      ::testing::ScopedFakeTestPartResultReporter reporter(
          ::testing::ScopedFakeTestPartResultReporter::
              INTERCEPT_ONLY_CURRENT_THREAD,
          &failures);
      for (auto function : module->getOps<func::FuncOp>())
        FunctionChecker(function).check();
    }
    EXPECT_GT(failures.size(), 0) << "accepted:" << source;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Examples, MemoryPlanTest,
    ::testing::Values(Case{"mlp", "f32", false}, Case{"mlp", "f16", false},
                      Case{"mlp", "bf16", false}, Case{"gpt", "f32", false},
                      Case{"gpt", "f16", false}, Case{"gpt", "bf16", false},
                      Case{"mlp", "f16", true}, Case{"gpt", "bf16", true},
                      Case{"gpt", "f16", true}),
    caseName);

} // namespace
