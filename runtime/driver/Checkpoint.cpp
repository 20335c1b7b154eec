//===- Checkpoint.cpp - Writing and comparing safetensors checkpoints -----===//

#include "runtime/driver/Checkpoint.h"

#include "runtime/driver/ArtifactCache.h"
#include "runtime/driver/Text.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <limits>
#include <set>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoints are written by copying little-endian values as they are"
#endif

namespace mpc::driver {
namespace {

using DType = HostTensor::DType;
using Json = nlohmann::json;

/// The byte size of `tensor`'s data, or nullopt (with `problem` set) when
/// its shape is invalid or disagrees with the values it holds.
std::optional<uint64_t> dataSize(const HostTensor &tensor,
                                 std::string &problem) {
  int64_t count = 1;
  for (int64_t dim : tensor.shape) {
    if (dim < 0 ||
        (dim && count > std::numeric_limits<int64_t>::max() /
                            int64_t(elementSize(tensor.dtype)) / dim)) {
      problem = "tensor '" + printable(tensor.name) + "' has shape " +
                formatShape(tensor.shape);
      return std::nullopt;
    }
    count *= dim;
  }
  if (count != tensor.numStoredElements()) {
    problem = "tensor '" + printable(tensor.name) + "' holds " +
              std::to_string(tensor.numStoredElements()) +
              " values, but its shape " + formatShape(tensor.shape) +
              " needs " + std::to_string(count);
    return std::nullopt;
  }
  return static_cast<uint64_t>(count * int64_t(elementSize(tensor.dtype)));
}

/// Checks that `name` can be a header key of its own, beside `names`.
bool checkName(const std::string &name, const std::set<std::string> &names,
               std::string &problem) {
  if (!isValidUtf8(name))
    problem = "tensor name '" + printable(name) + "' is not valid UTF-8";
  else if (name == "__metadata__")
    problem = "'__metadata__' is reserved and cannot name a tensor";
  else if (names.count(name))
    problem = "two tensors are named '" + printable(name) + "'";
  else
    return true;
  return false;
}

/// The "__metadata__" entry's value, in key order.
std::optional<Json> metadataEntry(const Checkpoint &checkpoint,
                                  std::string &problem) {
  Json metadata = Json::object();
  for (const auto &[key, value] : checkpoint.metadata) {
    if (!isValidUtf8(key) || !isValidUtf8(value)) {
      problem = "metadata '" + printable(key) + "' is not valid UTF-8";
      return std::nullopt;
    }
    metadata[key] = value;
  }
  return metadata;
}

/// The JSON header: the metadata when there is some, then the tensors in
/// the order of their data, so that readers can restore the order of empty
/// tensors, which share an offset. It is padded with spaces to a multiple
/// of 8 bytes so the data that follows stays aligned.
std::optional<std::string> headerText(const Checkpoint &checkpoint,
                                      std::string &problem) {
  // Entries are joined here as nlohmann::ordered_json would print them: its
  // lookups are linear, which made a header of many tensors quadratic.
  std::string text = "{";
  auto addEntry = [&text](const std::string &key, const Json &value) {
    if (text.size() > 1)
      text += ',';
    text += Json(key).dump() + ':' + value.dump();
  };
  if (!checkpoint.metadata.empty()) {
    std::optional<Json> metadata = metadataEntry(checkpoint, problem);
    if (!metadata)
      return std::nullopt;
    addEntry("__metadata__", *metadata);
  }
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const HostTensor &tensor : checkpoint.tensors) {
    std::optional<uint64_t> size = dataSize(tensor, problem);
    if (!size || !checkName(tensor.name, names, problem))
      return std::nullopt;
    names.insert(tensor.name);
    // Fields in sorted order, as earlier files have them.
    addEntry(tensor.name, {{"data_offsets", {offset, offset + *size}},
                           {"dtype", safetensorsName(tensor.dtype)},
                           {"shape", tensor.shape}});
    offset += *size;
  }
  text += '}';
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

/// headerText, with a failure reported as "PATH: what" in `error`.
std::optional<std::string> headerFor(const Checkpoint &checkpoint,
                                     const std::string &path,
                                     std::string &error) {
  std::string problem;
  std::optional<std::string> header = headerText(checkpoint, problem);
  if (!header)
    error = path + ": " + problem;
  return header;
}

/// Passes the length-prefixed header and every tensor's values, in order,
/// to `write(data, size)`, which returns false on failure.
template <typename Write>
bool writeContents(const std::string &header, const Checkpoint &checkpoint,
                   Write write) {
  unsigned char length[8];
  for (int i = 0; i < 8; ++i)
    length[i] = static_cast<unsigned char>(uint64_t(header.size()) >> (8 * i));
  if (!write(length, 8) || !write(header.data(), header.size()))
    return false;
  for (const HostTensor &tensor : checkpoint.tensors) {
    bool isFloat = tensor.dtype == DType::F32;
    const void *data = isFloat ? static_cast<const void *>(tensor.f32.data())
                               : static_cast<const void *>(tensor.i64.data());
    size_t count = isFloat ? tensor.f32.size() : tensor.i64.size();
    size_t size = count * elementSize(tensor.dtype);
    if (size && !write(data, size))
      return false;
  }
  return true;
}

/// The errno of the failure just seen, never 0.
int lastErrno() { return errno ? errno : EIO; }

/// Writes the checkpoint to `temporary` and syncs it to disk. Returns 0, or
/// the errno of the failure with `action` naming the step that failed.
int writeSynced(const std::string &temporary, const std::string &header,
                const Checkpoint &checkpoint, std::string &action) {
  errno = 0;
  FILE *file = std::fopen(temporary.c_str(), "wb");
  if (!file) {
    action = "cannot create " + temporary;
    return lastErrno();
  }
  action = "cannot write " + temporary;
  auto toFile = [file](const void *data, size_t size) {
    return std::fwrite(data, 1, size, file) == size;
  };
  bool written = writeContents(header, checkpoint, toFile) &&
                 std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  int errnum = written ? 0 : lastErrno();
  // fclose reports errors of writes it flushes last, e.g. on NFS.
  if (std::fclose(file) != 0 && !errnum)
    errnum = lastErrno();
  return errnum;
}

/// Makes a completed rename durable; failure only weakens durability, so it
/// is not reported.
void syncParentDirectory(const std::string &path) {
  size_t slash = path.rfind('/');
  std::string directory = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0)
    return;
  ::fsync(fd);
  ::close(fd);
}

} // namespace

std::optional<std::string> serializeCheckpoint(const Checkpoint &checkpoint,
                                               const std::string &path,
                                               std::string &error) {
  std::optional<std::string> header = headerFor(checkpoint, path, error);
  if (!header)
    return std::nullopt;
  std::string bytes;
  writeContents(*header, checkpoint, [&bytes](const void *data, size_t size) {
    bytes.append(static_cast<const char *>(data), size);
    return true;
  });
  return bytes;
}

bool writeCheckpoint(const std::string &path, const Checkpoint &checkpoint,
                     std::string &error) {
  std::optional<std::string> header = headerFor(checkpoint, path, error);
  if (!header)
    return false;
  // Same directory, so the rename cannot cross file systems; the pid keeps
  // concurrent writers apart. Writers killed while saving left theirs.
  removeStaleTemporaries(path);
  std::string temporary = temporaryPath(path);
  std::string action;
  int errnum = writeSynced(temporary, *header, checkpoint, action);
  if (!errnum && std::rename(temporary.c_str(), path.c_str()) != 0) {
    action = "cannot rename " + temporary + " to it";
    errnum = lastErrno();
  }
  if (errnum) {
    std::remove(temporary.c_str());
    error = systemError(path, action.c_str(), errnum);
    return false;
  }
  syncParentDirectory(path);
  return true;
}

std::string checkpointMismatch(const Checkpoint &checkpoint,
                               const std::vector<HostTensor> &expected) {
  std::map<std::string, const HostTensor *> stored;
  for (const HostTensor &tensor : checkpoint.tensors)
    stored.emplace(tensor.name, &tensor);
  std::set<std::string> wanted;
  for (const HostTensor &graph : expected) {
    wanted.insert(graph.name);
    auto found = stored.find(graph.name);
    std::string name = "'" + printable(graph.name) + "'";
    if (found == stored.end())
      return "the checkpoint lacks " + name;
    const HostTensor &saved = *found->second;
    if (saved.dtype != graph.dtype)
      return "tensor " + name + " is " + safetensorsName(saved.dtype) +
             " in the checkpoint, but " + safetensorsName(graph.dtype) +
             " in the graph";
    if (saved.shape != graph.shape)
      return "tensor " + name + " has shape " + formatShape(saved.shape) +
             " in the checkpoint, but " + formatShape(graph.shape) +
             " in the graph";
  }
  for (const HostTensor &tensor : checkpoint.tensors)
    if (!wanted.count(tensor.name))
      return "the checkpoint has '" + printable(tensor.name) +
             "', which the graph does not";
  return "";
}

} // namespace mpc::driver
