//===- NpyReader.cpp - NumPy .npy arrays ----------------------------------===//

#include "runtime/driver/DataFiles.h"

#include "runtime/driver/NpyHeader.h"
#include "runtime/driver/Text.h"

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

/// Stores the `count` little-endian values of type `From` at `data` in `out`.
template <typename From, typename To>
void convertValues(const char *data, int64_t count, std::vector<To> &out) {
  out.resize(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    From value;
    std::memcpy(&value, data + i * sizeof(From), sizeof(From));
    out[i] = static_cast<To>(value);
  }
}

/// One supported dtype: its descr without the byte-order character, its
/// size, and how to convert it.
struct NpyDType {
  const char *code;
  int64_t size;
  void (*convert)(const char *data, int64_t count, NpyArray &array);
};

template <typename From> void toFloat(const char *d, int64_t n, NpyArray &a) {
  a.isFloat = true;
  convertValues<From>(d, n, a.f32);
}
template <typename From> void toInt(const char *d, int64_t n, NpyArray &a) {
  convertValues<From>(d, n, a.i64);
}
void boolToInt(const char *d, int64_t n, NpyArray &a) {
  a.i64.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    a.i64[i] = d[i] != 0;
}

const NpyDType kNpyDTypes[] = {
    {"f4", 4, toFloat<float>}, {"f8", 8, toFloat<double>},
    {"i4", 4, toInt<int32_t>}, {"i8", 8, toInt<int64_t>},
    {"u1", 1, toInt<uint8_t>}, {"i1", 1, toInt<int8_t>},
    {"i2", 2, toInt<int16_t>}, {"u2", 2, toInt<uint16_t>},
    {"b1", 1, boolToInt},
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
                                 const std::string &path, std::string &error) {
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
  NpyArray array;
  array.shape = header->shape;
  type->convert(bytes.data() + dataStart, *count, array);
  return array;
}

std::optional<NpyArray> loadNpy(const std::string &path, std::string &error) {
  std::optional<std::string> bytes = readFileBytes(path, error);
  if (!bytes)
    return std::nullopt;
  return parseNpy(*bytes, path, error);
}

} // namespace mpc::driver
