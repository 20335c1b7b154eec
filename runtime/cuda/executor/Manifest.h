//===- Manifest.h - what a CUDA step artifact holds -------------*- C++ -*-===//
//
// The manifest.json of a CUDA artifact (docs/cuda-backend.md): parameters and
// optimizer state with their initializers, the functions of the step library
// with their inputs and outputs, the arena size and the loss scaling.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_EXECUTOR_MANIFEST_H
#define MPC_RUNTIME_CUDA_EXECUTOR_MANIFEST_H

#include "runtime/core/DType.h"
#include "runtime/driver/ParamInit.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpc::cuda {

/// Element types on the device: f32, f16, bf16, and i32 for integer
/// tensors, i1 for flags (never i64).
using DType = ::mpc::DType;
using ::mpc::dtypeName;
using ::mpc::elementSize;
using ::mpc::isFloat;

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  DType dtype = DType::F32;

  int64_t numElements() const;
  /// The bytes the tensor takes on the device.
  size_t bytes() const { return size_t(numElements()) * elementSize(dtype); }
};

/// A parameter or an optimizer state tensor (mpc.param), in module order.
struct StateSpec : TensorSpec {
  bool trainable = false;
  driver::InitSpec init;
};

/// One exported function of the step library.
struct FunctionSpec {
  std::string name;
  /// The exported symbol (mpc_fn_<name>).
  std::string entry;
  int64_t arenaBytes = 0, peakLiveBytes = 0;
  std::vector<TensorSpec> inputs, outputs;
};

/// Where the loss scaler keeps its state (mpc-loss-scaling).
struct LossScalingSpec {
  bool dynamic = false;
  /// The state tensor holding a dynamic scale.
  std::optional<std::string> scale;
  std::optional<double> staticScale;
  /// The smallest scale dynamic scaling backs off to.
  std::optional<double> floor;
  /// The state tensor counting the skipped steps.
  std::optional<std::string> skipped;
};

struct Manifest {
  int abi = 0;
  std::string graph;
  /// The arena every function fits in.
  int64_t arenaBytes = 0;
  std::vector<StateSpec> state;
  std::vector<FunctionSpec> functions;
  /// The input holding the labels of the logits (output 1), or -1.
  int labelInput = -1;
  std::optional<LossScalingSpec> lossScaling;

  /// The function named `name`, or null.
  const FunctionSpec *function(const std::string &name) const;
  /// The index of the state tensor named `name` in `state`, or none.
  std::optional<size_t> stateIndex(const std::string &name) const;
};

/// The functions every step artifact has.
constexpr const char *kTrainStep = "train_step";
constexpr const char *kForward = "forward";

/// Parses and checks manifest text; `path` names it in errors. Each error is
/// one line: "<path>: <JSON path>: what is wrong".
std::optional<Manifest> parseManifest(const std::string &text,
                                      const std::string &path,
                                      std::string &error);
/// Reads and parses the file at `path`.
std::optional<Manifest> readManifest(const std::string &path,
                                     std::string &error);

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_EXECUTOR_MANIFEST_H
