//===- CheckpointReader.cpp - Reading and validating safetensors files ----===//
//
// A checkpoint may come from anywhere (a crashed run, another tool, a
// corrupted disk), so every field is validated before use and every size is
// computed with overflow checks; a bad file yields a one-line error.
//
//===----------------------------------------------------------------------===//

#include "runtime/driver/Checkpoint.h"

#include "runtime/core/JsonSyntaxError.h"
#include "runtime/driver/DataFiles.h"
#include "runtime/driver/MemoryBudget.h"
#include "runtime/driver/Text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <new>
#include <tuple>
#include <vector>

namespace mpc::driver {
namespace {

using Json = nlohmann::json;
using DType = HostTensor::DType;

/// "an object", "a number", "null": what a JSON value is, for messages.
std::string kindOf(const Json &value) {
  std::string name = value.type_name();
  if (value.is_null())
    return name;
  return (name[0] == 'a' || name[0] == 'o' ? "an " : "a ") + name;
}

/// Where one tensor's bytes lie in the data buffer.
struct Span {
  uint64_t begin;
  uint64_t end;
  /// The tensor's index in the header, which is the order it was written
  /// in: the only order empty tensors at one offset have.
  size_t headerIndex;
  size_t tensor;
};

/// The largest header a reader accepts, as the safetensors library's own
/// (MAX_HEADER_SIZE): beyond it, its JSON would take gigabytes to parse.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

/// A pass over the header's JSON that records the keys of its top-level
/// object in order and, when the text is not JSON, where and why.
struct HeaderKeys : JsonSyntaxError {
  std::vector<std::string> topLevel;
  /// Objects and arrays open around the next event.
  int depth = 0;

  bool start_object(size_t) {
    ++depth;
    return true;
  }
  bool end_object() {
    --depth;
    return true;
  }
  bool start_array(size_t) {
    ++depth;
    return true;
  }
  bool end_array() {
    --depth;
    return true;
  }
  bool key(Json::string_t &key) {
    if (depth == 1)
      topLevel.push_back(key);
    return true;
  }
};

/// Reads one safetensors file held in memory.
class CheckpointReader {
public:
  CheckpointReader(const std::string &path, std::string_view bytes,
                   std::string &error)
      : path(path), bytes(bytes), error(error) {}

  std::optional<Checkpoint> read();

private:
  bool fail(const std::string &what) {
    error = path + ": " + what;
    return false;
  }
  bool failTensor(const std::string &name, const std::string &what) {
    return fail("tensor '" + printable(name) + "': " + what);
  }
  bool parseHeader(Json &header);
  bool readMetadata(const Json &entry, Checkpoint &checkpoint);
  bool readTensor(const std::string &name, const Json &entry,
                  HostTensor &tensor, Span &span);
  bool readDType(const std::string &name, const Json &entry, DType &dtype);
  bool readShape(const std::string &name, const Json &entry, DType dtype,
                 std::vector<int64_t> &shape, uint64_t &size);
  bool readOffsets(const std::string &name, const Json &entry,
                   const HostTensor &tensor, uint64_t size, Span &span);
  bool checkOverlaps(const std::vector<Span> &spans,
                     const Checkpoint &checkpoint);

  const std::string &path;
  std::string_view bytes;
  std::string &error;
  /// The file offset of the data buffer, just past the header.
  uint64_t dataStart = 0;
  /// The header's keys and their positions in it; the DOM sorts its keys.
  std::map<std::string, size_t> headerIndex;
};

bool CheckpointReader::parseHeader(Json &header) {
  std::string_view text(bytes.data() + 8, dataStart - 8);
  // The DOM keeps only the last of duplicate keys, so a first pass notes
  // the keys in order. (A parse callback could, but nlohmann::json then
  // scans the whole header after each entry, which is quadratic.)
  HeaderKeys keys;
  if (!Json::sax_parse(text.begin(), text.end(), &keys)) {
    // The parser counts the bytes it read, including the offending one.
    size_t offset = 8 + std::max<size_t>(keys.position, 1) - 1;
    return fail("the header is not valid JSON (at file offset " +
                std::to_string(offset) + "): " + printable(keys.reason, 160));
  }
  header = Json::parse(text.begin(), text.end(), nullptr,
                       /*allow_exceptions=*/false);
  if (header.is_discarded())
    return fail("the header is not valid JSON");
  if (!header.is_object())
    return fail("the header is " + kindOf(header) + ", not a JSON object");
  for (std::string &key : keys.topLevel)
    if (!headerIndex.emplace(key, headerIndex.size()).second)
      return fail("the header names '" + printable(key) + "' twice");
  return true;
}

bool CheckpointReader::readMetadata(const Json &entry, Checkpoint &checkpoint) {
  if (!entry.is_object())
    return fail("\"__metadata__\" is " + kindOf(entry) + ", not an object");
  for (auto item = entry.begin(); item != entry.end(); ++item) {
    if (!item->is_string())
      return fail("metadata '" + printable(item.key()) + "' is " +
                  kindOf(*item) + ", not a string");
    checkpoint.metadata[item.key()] = item->get<std::string>();
  }
  return true;
}

bool CheckpointReader::readDType(const std::string &name, const Json &entry,
                                 DType &dtype) {
  auto field = entry.find("dtype");
  if (field == entry.end())
    return failTensor(name, "the entry lacks \"dtype\"");
  if (!field->is_string())
    return failTensor(name,
                      "\"dtype\" is " + kindOf(*field) + ", not a string");
  const std::string &text = field->get_ref<const std::string &>();
  // Host tensors hold f32 or i64 values only.
  std::optional<DType> parsed = parseSafetensorsDType(text);
  if (parsed != DType::F32 && parsed != DType::I64)
    return failTensor(name, "dtype \"" + printable(text) +
                                "\" is not supported (only F32 and I64)");
  dtype = *parsed;
  return true;
}

bool CheckpointReader::readShape(const std::string &name, const Json &entry,
                                 DType dtype, std::vector<int64_t> &shape,
                                 uint64_t &size) {
  auto field = entry.find("shape");
  if (field == entry.end())
    return failTensor(name, "the entry lacks \"shape\"");
  if (!field->is_array())
    return failTensor(name,
                      "\"shape\" is " + kindOf(*field) + ", not an array");
  constexpr uint64_t kLimit = std::numeric_limits<int64_t>::max();
  for (const Json &dim : *field) {
    if (dim.is_number_integer() && !dim.is_number_unsigned())
      return failTensor(name, "the shape has a negative dimension " +
                                  std::to_string(dim.get<int64_t>()));
    if (!dim.is_number_unsigned() || dim.get<uint64_t>() > kLimit)
      return failTensor(name, "the shape holds " +
                                  (dim.is_number() ? dim.dump() : kindOf(dim)) +
                                  ", not a dimension");
    shape.push_back(dim.get<int64_t>());
  }
  size = elementSize(dtype);
  for (int64_t dim : shape) {
    if (dim && size > kLimit / dim)
      return failTensor(name, "shape " + formatShape(shape) +
                                  " has too many elements");
    size *= dim;
  }
  return true;
}

bool CheckpointReader::readOffsets(const std::string &name, const Json &entry,
                                   const HostTensor &tensor, uint64_t size,
                                   Span &span) {
  auto field = entry.find("data_offsets");
  if (field == entry.end())
    return failTensor(name, "the entry lacks \"data_offsets\"");
  if (!field->is_array() || field->size() != 2 ||
      !(*field)[0].is_number_unsigned() || !(*field)[1].is_number_unsigned())
    return failTensor(name, "\"data_offsets\" must be [begin, end], two "
                            "non-negative integers");
  span.begin = (*field)[0].get<uint64_t>();
  span.end = (*field)[1].get<uint64_t>();
  std::string offsets = "data_offsets [" + std::to_string(span.begin) + ", " +
                        std::to_string(span.end) + "]";
  if (span.end < span.begin)
    return failTensor(name, offsets + " end before they begin");
  if (span.end - span.begin != size)
    return failTensor(
        name, offsets + " span " + std::to_string(span.end - span.begin) +
                  " bytes, but " + safetensorsName(tensor.dtype) + " " +
                  formatShape(tensor.shape) + " needs " + std::to_string(size));
  uint64_t present = bytes.size() - dataStart;
  if (span.end > present)
    return failTensor(
        name, offsets + " reach past the " + std::to_string(present) +
                  "-byte data buffer; the file is truncated: " +
                  std::to_string(bytes.size()) + " bytes present, at least " +
                  std::to_string(dataStart + span.end) + " needed");
  return true;
}

bool CheckpointReader::readTensor(const std::string &name, const Json &entry,
                                  HostTensor &tensor, Span &span) {
  if (!entry.is_object())
    return failTensor(name,
                      "the entry is " + kindOf(entry) + ", not an object");
  uint64_t size = 0;
  tensor.name = name;
  if (!readDType(name, entry, tensor.dtype) ||
      !readShape(name, entry, tensor.dtype, tensor.shape, size) ||
      !readOffsets(name, entry, tensor, size, span))
    return false;
  // Sizes are bounded by the file now, so allocating is safe.
  const char *data = bytes.data() + dataStart + span.begin;
  bool isFloat = tensor.dtype == DType::F32;
  if (isFloat)
    tensor.f32.resize(size / 4);
  else
    tensor.i64.resize(size / 8);
  void *values = isFloat ? static_cast<void *>(tensor.f32.data())
                         : static_cast<void *>(tensor.i64.data());
  if (size)
    std::memcpy(values, data, size);
  return true;
}

bool CheckpointReader::checkOverlaps(const std::vector<Span> &spans,
                                     const Checkpoint &checkpoint) {
  uint64_t end = 0;
  const Span *last = nullptr;
  for (const Span &span : spans) {
    if (span.begin == span.end)
      continue; // Empty tensors occupy no bytes.
    if (last && span.begin < end)
      return fail("tensors '" +
                  printable(checkpoint.tensors[last->tensor].name) + "' and '" +
                  printable(checkpoint.tensors[span.tensor].name) +
                  "' overlap in the data buffer (at byte " +
                  std::to_string(span.begin) + ")");
    if (span.end > end) {
      end = span.end;
      last = &span;
    }
  }
  return true;
}

std::optional<Checkpoint> CheckpointReader::read() {
  if (bytes.size() < 8) {
    fail("the file is " + std::to_string(bytes.size()) +
         " bytes long, too short for the 8-byte header length");
    return std::nullopt;
  }
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i)
    length = length << 8 | static_cast<unsigned char>(bytes[i]);
  if (length > bytes.size() - 8) {
    fail("header length " + std::to_string(length) + " exceeds the file size " +
         std::to_string(bytes.size()));
    return std::nullopt;
  }
  if (length > kMaxHeaderBytes) {
    fail("header length " + std::to_string(length) + " exceeds the limit of " +
         std::to_string(kMaxHeaderBytes) + " bytes");
    return std::nullopt;
  }
  dataStart = 8 + length;
  Json header;
  if (!parseHeader(header))
    return std::nullopt;
  Checkpoint checkpoint;
  std::vector<Span> spans;
  for (auto entry = header.begin(); entry != header.end(); ++entry) {
    if (entry.key() == "__metadata__") {
      if (!readMetadata(*entry, checkpoint))
        return std::nullopt;
      continue;
    }
    HostTensor tensor;
    Span span{0, 0, headerIndex[entry.key()], checkpoint.tensors.size()};
    if (!readTensor(entry.key(), *entry, tensor, span))
      return std::nullopt;
    checkpoint.tensors.push_back(std::move(tensor));
    spans.push_back(span);
  }
  // Tensors come back in data order, which is the order they were written.
  std::sort(spans.begin(), spans.end(), [](const Span &a, const Span &b) {
    return std::tie(a.begin, a.end, a.headerIndex) <
           std::tie(b.begin, b.end, b.headerIndex);
  });
  if (!checkOverlaps(spans, checkpoint))
    return std::nullopt;
  Checkpoint ordered;
  ordered.metadata = std::move(checkpoint.metadata);
  for (const Span &span : spans)
    ordered.tensors.push_back(std::move(checkpoint.tensors[span.tensor]));
  return ordered;
}

} // namespace

std::optional<Checkpoint> parseCheckpoint(std::string_view bytes,
                                          const std::string &path,
                                          std::string &error) {
  return CheckpointReader(path, bytes, error).read();
}

std::optional<Checkpoint> readCheckpoint(const std::string &path,
                                         std::string &error) {
  // The file is bounded (MemoryBudget.h); its tensors, held beside it, and
  // its header's JSON may still not fit.
  try {
    std::optional<std::string> bytes = readFileBytes(path, error);
    if (!bytes)
      return std::nullopt;
    return parseCheckpoint(*bytes, path, error);
  } catch (const std::bad_alloc &) {
    error = path + ": out of memory while reading the checkpoint (" +
            formatBytes(usableMemory()) + " usable)";
    return std::nullopt;
  }
}

} // namespace mpc::driver
