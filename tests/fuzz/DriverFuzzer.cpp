//===- DriverFuzzer.cpp - libFuzzer target for the driver's file readers --===//
//
// The first byte of an input picks a format by its value modulo 4 (seeds use
// '0' to '3'): 0 a CSV table, 1 a gzipped CSV table, 2 a .npy array, 3 a
// safetensors checkpoint. The other bytes are the file's contents, given to
// the in-memory parsers that loadCsv, loadNpy and readCheckpoint use.
// Besides the sanitizers' own checks it checks the readers' contract:
//
//  - a rejected input yields one line of error in printable ASCII that
//    starts with the file's path and a colon;
//  - an accepted input leaves the error empty and holds what the readers
//    promise: a CSV table has rows x (columns - 1) finite features and a
//    non-negative label and an increasing line number per row; an array
//    holds numElements values of one type; each checkpoint tensor holds
//    numElements values of its dtype, and the checkpoint serializes and
//    parses back bit for bit, in the same order.
//
// The seeds in corpus-driver/ are small files of each format, named after
// it; the regression-* ones reproduce bugs that were fixed.
//
// Build: cmake -DMPC_BUILD_FUZZERS=ON with clang (see scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "runtime/driver/Checkpoint.h"
#include "runtime/driver/DataFiles.h"
#include "runtime/driver/Text.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <string_view>

using namespace mpc::driver;

namespace {

enum Format { kCsv, kCsvGz, kNpy, kSafetensors, kNumFormats };

const char *const kPaths[kNumFormats] = {"fuzz.csv", "fuzz.csv.gz", "fuzz.npy",
                                         "fuzz.safetensors"};

[[noreturn]] void fail(const char *what, std::string_view detail = "") {
  std::fprintf(stderr, "mpc-fuzz-driver: %s: %s\n", what,
               printable(detail, 400).c_str());
  std::abort();
}

void checkRejection(const std::string &path, const std::string &error) {
  if (error.rfind(path + ":", 0) != 0)
    fail("the error must start with the path and a colon", error);
  if (error.find('\n') != std::string::npos)
    fail("the error must be one line", error);
  for (char c : error)
    if (c < 0x20 || c > 0x7e)
      fail("the error must be printable ASCII", error);
}

/// The product of `shape`, or -1 if a dimension is negative or it overflows.
int64_t elementCount(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0 || (dim && count > std::numeric_limits<int64_t>::max() / dim))
      return -1;
    count *= dim;
  }
  return count;
}

void checkCsv(const CsvTable &table) {
  if (table.rows < 1 || table.columns < 2)
    fail("an accepted table has no rows or fewer than 2 columns");
  uint64_t rows = static_cast<uint64_t>(table.rows);
  if (table.features.size() != rows * (table.columns - 1))
    fail("features.size() must be rows x (columns - 1)");
  if (table.labels.size() != rows || table.lineNumbers.size() != rows)
    fail("there must be one label and one line number per row");
  for (float value : table.features)
    if (!std::isfinite(value))
      fail("a feature is not finite");
  for (int64_t label : table.labels)
    if (label < 0)
      fail("a label is negative");
  int64_t previous = 0;
  for (int64_t line : table.lineNumbers) {
    if (line <= previous)
      fail("line numbers must increase from 1");
    previous = line;
  }
}

void checkNpy(const NpyArray &array, size_t size) {
  int64_t count = elementCount(array.shape);
  if (count < 0)
    fail("an accepted array has a bad shape", formatShape(array.shape));
  if (array.numElements() != count)
    fail("numElements() disagrees with the shape", formatShape(array.shape));
  // Every element takes at least one byte of the file.
  if (static_cast<uint64_t>(count) > size)
    fail("an array has more elements than the file has bytes");
  size_t values = static_cast<size_t>(count);
  bool holds = array.isFloat ? array.f32.size() == values && array.i64.empty()
                             : array.i64.size() == values && array.f32.empty();
  if (!holds)
    fail("an array must hold numElements values of one type");
}

void checkTensors(const Checkpoint &checkpoint, size_t size) {
  std::set<std::string> names;
  uint64_t bytes = 0;
  for (const HostTensor &tensor : checkpoint.tensors) {
    int64_t count = elementCount(tensor.shape);
    if (count < 0)
      fail("a tensor has a bad shape", tensor.name);
    if (tensor.numElements() != count || tensor.numStoredElements() != count)
      fail("a tensor must hold numElements values", tensor.name);
    bool isFloat = tensor.dtype == HostTensor::DType::F32;
    if (!(isFloat ? tensor.i64.empty() : tensor.f32.empty()))
      fail("a tensor holds values of the other dtype", tensor.name);
    if (tensor.name == "__metadata__" || !names.insert(tensor.name).second)
      fail("a tensor name is reserved or repeated", tensor.name);
    bytes += static_cast<uint64_t>(count) * (isFloat ? 4 : 8);
  }
  if (bytes > size)
    fail("the tensors hold more bytes than the file");
}

bool sameBits(const HostTensor &a, const HostTensor &b) {
  return a.name == b.name && a.shape == b.shape && a.dtype == b.dtype &&
         a.i64 == b.i64 && a.f32.size() == b.f32.size() &&
         (a.f32.empty() ||
          std::memcmp(a.f32.data(), b.f32.data(), a.f32.size() * 4) == 0);
}

void checkRoundTrip(const Checkpoint &checkpoint, const std::string &path) {
  std::string error;
  std::optional<std::string> bytes =
      serializeCheckpoint(checkpoint, path, error);
  if (!bytes)
    fail("a checkpoint that was read cannot be written", error);
  std::optional<Checkpoint> again = parseCheckpoint(*bytes, path, error);
  if (!again)
    fail("a written checkpoint does not read back", error);
  if (again->metadata != checkpoint.metadata)
    fail("the metadata changed in a round trip");
  if (again->tensors.size() != checkpoint.tensors.size())
    fail("the number of tensors changed in a round trip");
  for (size_t i = 0; i < checkpoint.tensors.size(); ++i)
    if (!sameBits(checkpoint.tensors[i], again->tensors[i]))
      fail("a tensor changed in a round trip", checkpoint.tensors[i].name);
}

/// Parses `bytes` as `format`; returns whether it was accepted, after
/// checking what was read.
bool parse(Format format, std::string_view bytes, const std::string &path,
           std::string &error) {
  switch (format) {
  case kCsv:
  case kCsvGz: {
    std::optional<std::string> text;
    if (format == kCsvGz) {
      text = gunzip(bytes, path, error);
      if (!text)
        return false;
      bytes = *text;
    }
    std::optional<CsvTable> table = parseCsv(bytes, path, error);
    if (table)
      checkCsv(*table);
    return table.has_value();
  }
  case kNpy: {
    std::optional<NpyArray> array = parseNpy(bytes, path, error);
    if (array)
      checkNpy(*array, bytes.size());
    return array.has_value();
  }
  case kSafetensors:
  case kNumFormats:
    break;
  }
  std::optional<Checkpoint> checkpoint = parseCheckpoint(bytes, path, error);
  if (checkpoint) {
    checkTensors(*checkpoint, bytes.size());
    checkRoundTrip(*checkpoint, path);
  }
  return checkpoint.has_value();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  auto format = static_cast<Format>(data[0] % kNumFormats);
  std::string_view bytes(reinterpret_cast<const char *>(data) + 1, size - 1);
  std::string path = kPaths[format];
  std::string error;
  if (!parse(format, bytes, path, error))
    checkRejection(path, error);
  else if (!error.empty())
    fail("an accepted input must leave the error empty", error);
  return 0;
}
