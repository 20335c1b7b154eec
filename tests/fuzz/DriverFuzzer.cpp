//===- DriverFuzzer.cpp - libFuzzer target for the driver's file readers --===//
//
// The first byte of an input picks a format by its value modulo 6 (seeds use
// '0' to '5'): 0 a CSV table, 1 a gzipped CSV table, 2 a .npy array, 3 a
// safetensors checkpoint, 4 a .npy array fed to a graph input, 5 a character
// corpus. The other bytes are the file's contents, given to the in-memory
// parsers that loadCsv, loadNpy and readCheckpoint use; for 4 and 5 the
// first of them sets the bound of the graph's integer inputs (1 to 256), and
// for 5 the next one the sequence length (1 to 256). Accepted CSV tables
// and .npy arrays also go through the datasets' up-front checks against a
// graph shaped after them.
// Besides the sanitizers' own checks it checks the readers' contract:
//
//  - a rejected input yields one line of error in printable ASCII that
//    starts with the file's path and a colon;
//  - an accepted input leaves the error empty and holds what the readers
//    promise: a CSV table has rows x (columns - 1) finite features and a
//    non-negative label and an increasing line number per row; an array
//    holds numElements values of one type, floats all finite; each
//    checkpoint tensor holds numElements values of its dtype, and the
//    checkpoint serializes and parses back bit for bit, in the same order;
//    gzip data decompress to at most the reader's limit; a dataset's
//    integer values lie within its inputs' bounds.
//
// The seeds in corpus-driver/ are small files of each format, named after
// it; the regression-* ones reproduce bugs that were fixed.
//
// Build: cmake -DMPC_BUILD_FUZZERS=ON with clang (see scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "runtime/driver/Checkpoint.h"
#include "runtime/driver/DataFiles.h"
#include "runtime/driver/Datasets.h"
#include "runtime/driver/Text.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>

using namespace mpc::driver;

namespace {

enum Format {
  kCsv,
  kCsvGz,
  kNpy,
  kSafetensors,
  kNpyDataset,
  kCorpus,
  kNumFormats
};

const char *const kPaths[kNumFormats] = {"fuzz.csv", "fuzz.csv.gz",
                                         "fuzz.npy", "fuzz.safetensors",
                                         "data.npy", "corpus.txt"};

/// What gzip data may decompress to here: small, so that bombs are cheap,
/// but above what -max_len inputs of ordinary data give.
constexpr uint64_t kGzipLimit = 1 << 22;

using DType = HostTensor::DType;

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
  for (float value : array.f32)
    if (!std::isfinite(value))
      fail("an accepted array holds a value that is not finite");
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

HostTensor inputSpec(const std::string &name, std::vector<int64_t> shape,
                     DType dtype, std::optional<int64_t> bound = {}) {
  HostTensor spec;
  spec.name = name;
  spec.shape = std::move(shape);
  spec.dtype = dtype;
  spec.valueBound = bound;
  return spec;
}

/// The bound a fuzz input sets in its first byte: 1 to 256.
int64_t boundFrom(std::string_view &bytes) {
  int64_t bound =
      bytes.empty() ? 256 : static_cast<unsigned char>(bytes[0]) + 1;
  if (!bytes.empty())
    bytes.remove_prefix(1);
  return bound;
}

/// Feeds an accepted table to a classifier shaped after it whose labels
/// take values below `classes`.
void checkClassification(const CsvTable &table, const std::string &path,
                         int64_t classes) {
  std::vector<HostTensor> specs = {
      inputSpec("x", {1, table.columns - 1}, DType::F32),
      inputSpec("y", {1}, DType::I64, classes)};
  std::string error;
  if (!ClassificationDataset::create(table, path, 0, specs, -1, error)) {
    checkRejection(path, error);
    return;
  }
  for (int64_t label : table.labels)
    if (label >= classes)
      fail("an accepted table holds a label out of range");
}

/// Feeds an accepted array to a one-input graph shaped after it, its
/// integers bounded by `bound`. Returns whether the dataset accepted it.
bool checkArrayDataset(NpyArray array, const std::string &path, int64_t bound,
                       std::string &error) {
  if (array.shape.empty() || array.shape[0] < 1)
    return true; // No rows to batch: not a dataset's concern here.
  std::vector<int64_t> shape = array.shape;
  shape[0] = 1;
  std::vector<HostTensor> specs = {
      inputSpec("in", shape, array.isFloat ? DType::F32 : DType::I64, bound)};
  std::vector<int64_t> values = array.i64;
  std::vector<ArrayBinding> arrays;
  arrays.push_back({"", std::move(array), path});
  if (!ArrayDataset::create(std::move(arrays), 0, specs, error))
    return false;
  for (int64_t value : values)
    if (value < 0 || value >= bound)
      fail("an accepted array holds a value outside its input's bound");
  return true;
}

/// Opens `bytes` as a corpus for a graph of sequence length and vocabulary
/// set by its first two bytes.
bool checkCorpus(std::string_view bytes, const std::string &path,
                 std::string &error) {
  int64_t vocabulary = boundFrom(bytes);
  int64_t window = boundFrom(bytes);
  std::vector<HostTensor> specs = {
      inputSpec("tokens", {1, window}, DType::I64, vocabulary),
      inputSpec("targets", {1, window}, DType::I64, vocabulary)};
  if (!CharCorpusDataset::create(std::string(bytes), path, specs, -1, error))
    return false;
  for (char byte : bytes)
    if (static_cast<unsigned char>(byte) >= vocabulary)
      fail("an accepted corpus holds a byte outside the vocabulary");
  return true;
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
      text = gunzip(bytes, path, error, kGzipLimit);
      if (!text)
        return false;
      if (text->size() > kGzipLimit)
        fail("gzip data decompressed past the limit");
      bytes = *text;
    }
    std::optional<CsvTable> table = parseCsv(bytes, path, error);
    if (table) {
      checkCsv(*table);
      checkClassification(*table, path, 10);
    }
    return table.has_value();
  }
  case kNpy:
  case kNpyDataset: {
    int64_t bound = format == kNpyDataset ? boundFrom(bytes) : 0;
    std::optional<NpyArray> array = parseNpy(bytes, path, error);
    if (!array)
      return false;
    checkNpy(*array, bytes.size());
    return format == kNpy ||
           checkArrayDataset(std::move(*array), path, bound, error);
  }
  case kCorpus:
    return checkCorpus(bytes, path, error);
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
