//===- Checkpoint.h - Training checkpoints as safetensors files -*- C++ -*-===//
//
// A checkpoint is a set of named tensors (parameters, optimizer state) and
// string metadata, stored in the safetensors format: an 8-byte little-endian
// header length N, N bytes of JSON header, then the raw tensor data. The
// header lists the tensors in the order their data follows.
//
// The file functions read or write the whole file and hand the bytes to the
// in-memory ones (parseCheckpoint, serializeCheckpoint), where the format
// lives; `path` then only names the checkpoint in messages.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_CHECKPOINT_H
#define MPC_RUNTIME_DRIVER_CHECKPOINT_H

#include "runtime/driver/Tensor.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
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
/// Temporary files of earlier saves of `path` whose writer died (killed
/// while saving) are removed first.
bool writeCheckpoint(const std::string &path, const Checkpoint &checkpoint,
                     std::string &error);

/// The bytes writeCheckpoint stores for `checkpoint`, or nullopt with a
/// "PATH: what" error when it cannot be stored (an invalid name or shape).
std::optional<std::string> serializeCheckpoint(const Checkpoint &checkpoint,
                                               const std::string &path,
                                               std::string &error);

/// Reads and validates the safetensors file at `path`. Only F32 and I64
/// tensors are accepted.
std::optional<Checkpoint> readCheckpoint(const std::string &path,
                                         std::string &error);

/// Validates and reads the contents of a safetensors file as readCheckpoint
/// does. Tensors come back in the order of their data; tensors that start
/// at the same offset (empty ones) in the order the header lists them.
std::optional<Checkpoint> parseCheckpoint(std::string_view bytes,
                                          const std::string &path,
                                          std::string &error);

/// "" when `checkpoint` holds exactly the tensors of `expected` (by name)
/// with the same dtypes and shapes; else the first difference, in one line.
std::string checkpointMismatch(const Checkpoint &checkpoint,
                               const std::vector<HostTensor> &expected);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_CHECKPOINT_H
