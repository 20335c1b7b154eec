//===- Checkpoint.h - Training checkpoints as safetensors files -*- C++ -*-===//
//
// A checkpoint is a set of named tensors (parameters, optimizer state) and
// string metadata, stored in the safetensors format: an 8-byte little-endian
// header length N, N bytes of JSON header, then the raw tensor data.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_CHECKPOINT_H
#define MPC_RUNTIME_DRIVER_CHECKPOINT_H

#include "runtime/driver/Tensor.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mpc::driver {

/// The contents of one checkpoint file.
struct Checkpoint {
  /// In file order.
  std::vector<HostTensor> tensors;
  /// The header's "__metadata__" entries.
  std::map<std::string, std::string> metadata;
};

/// Writes `checkpoint` to `path` atomically: the bytes go to a temporary
/// file beside it, which is synced and renamed over `path` only when
/// complete. On failure `path` is untouched and the temporary file removed.
bool writeCheckpoint(const std::string &path, const Checkpoint &checkpoint,
                     std::string &error);

/// Reads and validates the safetensors file at `path`. Only F32 and I64
/// tensors are accepted.
std::optional<Checkpoint> readCheckpoint(const std::string &path,
                                         std::string &error);

/// "" when `checkpoint` holds exactly the tensors of `expected` (by name)
/// with the same dtypes and shapes; else the first difference, in one line.
std::string checkpointMismatch(const Checkpoint &checkpoint,
                               const std::vector<HostTensor> &expected);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_CHECKPOINT_H
