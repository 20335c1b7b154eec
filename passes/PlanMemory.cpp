//===- PlanMemory.cpp - static device memory of each function -------------===//
//
// Records MemoryPlan's result on the IR (`mpc.buffers` on each op,
// `mpc.arena_bytes` and `mpc.peak_live_bytes` on each function) for the
// CUDA emitter, and prints a summary on request. Recomputed from scratch on
// every run, so running it twice changes nothing.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/mpc/MpcOps.h"
#include "passes/MemoryPlan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mpc {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;
using namespace mpc;

namespace {

void recordPlan(func::FuncOp function, const FunctionMemoryPlan &plan) {
  Builder builder(function.getContext());
  Block &body = function.getBody().front();
  for (Operation &op : body) {
    // Ops inside an mpc.fused body run in registers: no buffers.
    for (Region &region : op.getRegions())
      region.walk([](Operation *nested) {
        nested->removeAttr(MpcDialect::kBuffersAttrName);
      });
    if (op.getNumResults() == 0) {
      op.removeAttr(MpcDialect::kBuffersAttrName);
      continue;
    }
    SmallVector<Attribute> buffers;
    for (Value result : op.getResults())
      buffers.push_back(plan.buffers.lookup(result));
    op.setAttr(MpcDialect::kBuffersAttrName, builder.getArrayAttr(buffers));
  }
  function->setAttr(MpcDialect::kArenaBytesAttrName,
                    builder.getI64IntegerAttr(plan.arenaBytes));
  function->setAttr(MpcDialect::kPeakLiveBytesAttrName,
                    builder.getI64IntegerAttr(plan.peakLiveBytes));
}

void printPlan(llvm::raw_ostream &os, func::FuncOp function,
               const FunctionMemoryPlan &plan) {
  auto mib = [](int64_t bytes) {
    return llvm::format("%.2f MiB", static_cast<double>(bytes) / (1 << 20));
  };
  int64_t packed =
      plan.arenaBytes == 0 ? 100 : plan.peakLiveBytes * 100 / plan.arenaBytes;
  os << "memory plan @" << function.getSymName() << ": " << plan.arenaValues
     << " values in the arena, arena " << mib(plan.arenaBytes) << " (peak live "
     << mib(plan.peakLiveBytes) << ", " << packed
     << "% packed); parameters and state " << mib(plan.inPlaceBytes)
     << " updated in place; " << plan.inPlaceStores << " of " << plan.stores
     << " parameter/state stores in place; results written over an operand: "
     << plan.overwrites << " (" << mib(plan.overwriteBytes) << ")\n"
     << "  bytes: arena " << plan.arenaBytes << ", peak live "
     << plan.peakLiveBytes << ", arena values unshared " << plan.arenaValueBytes
     << ", updated in place " << plan.inPlaceBytes
     << ", written over an operand " << plan.overwriteBytes << "\n";
}

struct PlanMemoryPass : public mpc::impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string text;
    llvm::raw_string_ostream summary(text);
    bool failedAny = false;
    for (auto function : module.getOps<func::FuncOp>()) {
      if (function.isExternal())
        continue;
      FailureOr<FunctionMemoryPlan> plan = planFunctionMemory(function);
      if (failed(plan)) {
        failedAny = true;
        continue;
      }
      recordPlan(function, *plan);
      printPlan(summary, function, *plan);
    }
    if (failedAny)
      return signalPassFailure();
    if (failed(writeReport(module, text)))
      signalPassFailure();
  }

private:
  LogicalResult writeReport(ModuleOp module, StringRef text) {
    if (report.empty())
      return success();
    if (report == "-") {
      llvm::outs() << text;
      llvm::outs().flush();
      return success();
    }
    std::error_code error;
    llvm::raw_fd_ostream file(report, error, llvm::sys::fs::OF_Text);
    if (error)
      // Located at the module but without it attached: one line.
      return emitError(module.getLoc(),
                       "cannot write the memory plan report to '")
             << report << "': " << error.message();
    file << text;
    return success();
  }
};

} // namespace
