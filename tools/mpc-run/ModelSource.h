//===- ModelSource.h - What mpc-run trains, and where from ------*- C++ -*-===//
//
// MODEL comes from a source: an artifact directory (ArtifactSource.cpp, in
// every build), or a JSON graph or an mpc module that the compiler loads
// (GraphSource.cpp; in a build without the compiler, NoGraphSource.cpp says
// so). A device (Device.h) opens it into a Model.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_TOOLS_MPC_RUN_MODELSOURCE_H
#define MPC_TOOLS_MPC_RUN_MODELSOURCE_H

#include "tools/mpc-run/Flags.h"

#include "runtime/train/StepExecutor.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace mpc::run {

/// What the run trains: the executor, and the model's own training
/// settings when it has them.
struct Model {
  /// What the executor refers to and must outlive it (a loaded graph's MLIR
  /// context); declared first, so it is destroyed last.
  std::shared_ptr<void> keepAlive;
  std::unique_ptr<train::StepExecutor> executor;
  std::optional<int64_t> steps, seed;
  /// What the step computes in (f32, f16, bf16), when known: a checkpoint
  /// records it, and a run resumes only in the same precision.
  std::string precision;
  /// The optimizer's learning rate, when known (an artifact's manifest does
  /// not record it); the metrics file records it.
  std::optional<double> learningRate;
};

//===----------------------------------------------------------------------===//
// ArtifactSource.cpp: MODEL is a compiled artifact directory.
//===----------------------------------------------------------------------===//

/// Whether `model` is a directory: a compiled CUDA artifact, not a model
/// file.
bool isArtifactDirectory(const std::string &model);

/// Fails when a flag that applies when compiling a model is given with an
/// artifact, which is compiled already.
void checkArtifactFlags(const Flags &flags);

/// Fails: MODEL, an artifact, runs with --device cuda only.
[[noreturn]] void failArtifactOnCpu(const Flags &flags);

/// Fails: this build lacks the compiler or CUDA, so --artifact cannot write
/// one.
[[noreturn]] void failCannotWriteArtifact(const Flags &flags);

//===----------------------------------------------------------------------===//
// GraphSource.cpp, or NoGraphSource.cpp: MODEL is a JSON graph or an mpc
// module.
//===----------------------------------------------------------------------===//

/// A model file as the CUDA device runs it: as the artifact it compiles to.
struct GraphArtifact {
  /// The graph's training.steps and training.seed, when it sets them.
  std::optional<int64_t> steps, seed;
  /// What the step computes in: f32, f16 or bf16.
  std::string precision;
  /// The learning rate of the step's optimizer, when it has one.
  std::optional<double> learningRate;
  /// Writes the artifact into the cache unless it is there, and returns its
  /// directory.
  std::function<std::string()> publish;
};

/// Loads MODEL with the precision flags, writing nothing until `publish`;
/// fails with one line when it does not load or this build has no compiler.
GraphArtifact loadGraphArtifact(const Flags &flags);

/// --artifact DIR: compiles MODEL for CUDA into DIR (with --arch, the step
/// library too) and exits; fails when this build cannot.
[[noreturn]] void writeArtifactAndExit(const Flags &flags);

} // namespace mpc::run

#endif // MPC_TOOLS_MPC_RUN_MODELSOURCE_H
