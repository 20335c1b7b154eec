//===- ModelLoader.h - a model file to a training-step module ---*- C++ -*-===//

#ifndef MPC_COMPILER_MODELLOADER_H
#define MPC_COMPILER_MODELLOADER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <optional>
#include <string>

namespace mpc {

struct ModelLoadOptions {
  /// The batch size: binds a JSON graph's "batch" dims; an MLIR module was
  /// compiled for one and must match.
  std::optional<int64_t> batchSize;
};

/// Reads `path`, a JSON graph or an MLIR module, and returns a verified
/// module holding @train_step and @forward: a graph is imported and given
/// its training step (mpc-build-train-step with the graph's settings), as is
/// a module that has none yet. On failure returns null and sets `error` to
/// one line naming the file and position.
mlir::OwningOpRef<mlir::ModuleOp>
loadTrainingModule(const std::string &path, const ModelLoadOptions &options,
                   mlir::MLIRContext &context, std::string &error);

} // namespace mpc

#endif // MPC_COMPILER_MODELLOADER_H
