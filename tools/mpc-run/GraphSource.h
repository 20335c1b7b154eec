//===- GraphSource.h - A model file, loaded by the compiler -----*- C++ -*-===//
//
// MODEL as a training-step module, for the parts of mpc-run that are built
// with the compiler (GraphSource.cpp, CpuDevice.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_TOOLS_MPC_RUN_GRAPHSOURCE_H
#define MPC_TOOLS_MPC_RUN_GRAPHSOURCE_H

#include "tools/mpc-run/Flags.h"

#include "compiler/ModelLoader.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mpc::run {

/// A model file loaded into a module holding @train_step and @forward.
struct LoadedGraph {
  /// Owns the module; shared, so that a Model can keep it for its executor.
  std::shared_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// The graph's training.steps and training.seed, when it sets them.
  std::optional<int64_t> steps, seed;
  /// What @train_step computes in: f32, f16 or bf16.
  std::string precision;
  /// The learning rate of @train_step's optimizer, when it has one.
  std::optional<double> learningRate;
};

/// Loads MODEL with the precision flags; fails with one line naming the
/// file and the position when it does not load.
LoadedGraph loadGraph(const Flags &flags);

/// The compiler's options that the flags give (precision, schedule,
/// optimizer, an ONNX model's loss); fails on a bad value.
ModelLoadOptions modelLoadOptions(const Flags &flags);

/// Fails with `error`, after printing `moreErrors` (one line each) first.
[[noreturn]] void failToLoad(std::string error,
                             std::vector<std::string> moreErrors);

} // namespace mpc::run

#endif // MPC_TOOLS_MPC_RUN_GRAPHSOURCE_H
