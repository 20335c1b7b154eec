//===- NpyReader.cpp - NumPy .npy arrays ----------------------------------===//

#include "runtime/driver/DataFiles.h"

#include "runtime/driver/NpyHeader.h"
#include "runtime/driver/Text.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the .npy reader copies little-endian values as they are"
#endif

namespace mpc::driver {

int64_t NpyArray::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

namespace {

/// The first value a reader refuses: its flat index and why.
struct BadValue {
  int64_t index = -1;
  std::string what;
};

/// A value for messages, with the digits a float needs to round-trip.
std::string formatValue(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

/// Stores the `count` little-endian floats of type `From` at `data` as f32,
/// refusing values that are not finite or that f32 cannot hold.
template <typename From>
bool toFloat(const char *data, int64_t count, NpyArray &array, BadValue &bad) {
  array.isFloat = true;
  array.f32.resize(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    From value;
    std::memcpy(&value, data + i * sizeof(From), sizeof(From));
    if (!std::isfinite(value) ||
        std::fabs(double(value)) > std::numeric_limits<float>::max()) {
      bad = {i,
             "value " + formatValue(double(value)) +
                 (std::isfinite(value) ? " is out of range for a 32-bit float"
                                       : " is not finite")};
      return false;
    }
    array.f32[i] = static_cast<float>(value);
  }
  return true;
}

/// Stores the `count` little-endian integers of type `From` at `data` as i64.
template <typename From>
bool toInt(const char *data, int64_t count, NpyArray &array, BadValue &) {
  array.i64.resize(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    From value;
    std::memcpy(&value, data + i * sizeof(From), sizeof(From));
    array.i64[i] = static_cast<int64_t>(value);
  }
  return true;
}

bool boolToInt(const char *data, int64_t count, NpyArray &array, BadValue &) {
  array.i64.resize(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i)
    array.i64[i] = data[i] != 0;
  return true;
}

/// One supported dtype: its descr without the byte-order character, its
/// size, whether it is read as floats (f32) or integers (i64), and how.
struct NpyDType {
  const char *code;
  int64_t size;
  bool isFloat;
  bool (*convert)(const char *data, int64_t count, NpyArray &array,
                  BadValue &bad);
};

const NpyDType kNpyDTypes[] = {
    {"f4", 4, true, toFloat<float>},  {"f8", 8, true, toFloat<double>},
    {"i4", 4, false, toInt<int32_t>}, {"i8", 8, false, toInt<int64_t>},
    {"u1", 1, false, toInt<uint8_t>}, {"i1", 1, false, toInt<int8_t>},
    {"i2", 2, false, toInt<int16_t>}, {"u2", 2, false, toInt<uint16_t>},
    {"b1", 1, false, boolToInt},
};

/// Looks `descr` up; on failure sets `error` after "PATH: ".
const NpyDType *findDType(const std::string &descr, std::string &error) {
  char order = descr.empty() ? 0 : descr[0];
  if (order == '<' || order == '>' || order == '|' || order == '=') {
    for (const NpyDType &type : kNpyDTypes) {
      if (descr.substr(1) != type.code)
        continue;
      // Byte order only matters for multi-byte values.
      if (order == '>' && type.size > 1)
        break;
      return &type;
    }
  }
  if (order == '>')
    error = "big-endian dtype '" + printable(descr) + "' is not supported";
  else
    error = "dtype '" + printable(descr) +
            "' is not supported (supported: <f4 <f8 <i4 <i8 |u1 |i1 <i2 "
            "<u2 |b1)";
  return nullptr;
}

/// The element count of `shape`, or nullopt if the byte size for elements of
/// `itemSize` bytes would overflow.
std::optional<int64_t> checkedElements(const std::vector<int64_t> &shape,
                                       int64_t itemSize) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim != 0 &&
        count > std::numeric_limits<int64_t>::max() / itemSize / dim)
      return std::nullopt;
    count *= dim;
  }
  return count;
}

uint32_t readLittleEndian(std::string_view bytes, size_t offset, size_t width) {
  uint32_t value = 0;
  for (size_t i = 0; i < width; ++i)
    value |=
        static_cast<uint32_t>(static_cast<unsigned char>(bytes[offset + i]))
        << (8 * i);
  return value;
}

/// Validates the preamble and returns the header dict text and where the
/// data begins; on failure sets `error` after "PATH: ".
std::optional<std::string_view>
npyHeaderText(std::string_view bytes, size_t &dataStart, std::string &error) {
  if (bytes.size() < 8 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    error = "not a .npy file (no \\x93NUMPY magic)";
    return std::nullopt;
  }
  int major = static_cast<unsigned char>(bytes[6]);
  int minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0) {
    error = "unsupported .npy format version " + std::to_string(major) + "." +
            std::to_string(minor);
    return std::nullopt;
  }
  size_t width = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + width) {
    error = "the file ends inside the header length at byte 8";
    return std::nullopt;
  }
  size_t length = readLittleEndian(bytes, 8, width);
  if (length > bytes.size() - 8 - width) {
    error = "header length " + std::to_string(length) +
            " exceeds the file size " + std::to_string(bytes.size());
    return std::nullopt;
  }
  dataStart = 8 + width + length;
  return bytes.substr(8 + width, length);
}

} // namespace

std::optional<NpyArray> parseNpy(std::string_view bytes,
                                 const std::string &path, std::string &error,
                                 uint64_t limit) {
  auto failWith = [&](const std::string &what) -> std::optional<NpyArray> {
    error = path + ": " + what;
    return std::nullopt;
  };
  std::string problem;
  size_t dataStart = 0;
  std::optional<std::string_view> text =
      npyHeaderText(bytes, dataStart, problem);
  if (!text)
    return failWith(problem);
  std::optional<NpyHeader> header = parseNpyHeader(*text, problem);
  if (!header)
    return failWith("bad header: " + problem);
  if (header->fortranOrder)
    return failWith("fortran_order: True is not supported; save the array "
                    "in C order");
  const NpyDType *type = findDType(header->descr, problem);
  if (!type)
    return failWith(problem);
  std::optional<int64_t> count = checkedElements(header->shape, type->size);
  if (!count)
    return failWith("shape " + formatShape(header->shape) +
                    " has too many elements");
  uint64_t needed = static_cast<uint64_t>(*count * type->size);
  uint64_t present = bytes.size() - dataStart;
  if (needed != present)
    return failWith("shape " + formatShape(header->shape) + " of " +
                    printable(header->descr) + " needs " +
                    std::to_string(needed) + " data bytes, but " +
                    std::to_string(present) + " are present after offset " +
                    std::to_string(dataStart));
  // i64 values take up to 8 times the bytes of the file's.
  uint64_t held = static_cast<uint64_t>(*count) * (type->isFloat ? 4 : 8);
  if (held > limit)
    return failWith("shape " + formatShape(header->shape) + " of " +
                    printable(header->descr) + " takes " + formatBytes(held) +
                    " as " + (type->isFloat ? "f32" : "i64") +
                    " values, more than " + readLimitText(limit));
  NpyArray array;
  array.shape = header->shape;
  BadValue bad;
  if (!type->convert(bytes.data() + dataStart, *count, array, bad))
    return failWith("element " + formatIndex(array.shape, bad.index) + ": " +
                    bad.what);
  return array;
}

std::optional<NpyArray> loadNpy(const std::string &path, std::string &error,
                                uint64_t limit) {
  std::optional<std::string> bytes = readFileBytes(path, error, limit);
  if (!bytes)
    return std::nullopt;
  return parseNpy(*bytes, path, error, limit);
}

} // namespace mpc::driver
