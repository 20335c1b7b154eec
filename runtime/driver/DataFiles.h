//===- DataFiles.h - Readers of raw training data files ---------*- C++ -*-===//
//
// Loads the data files a training run reads (CSV tables, text corpora and
// NumPy arrays), optionally gzip-compressed, into memory. Every reader
// validates its input and reports a one-line "PATH[:LINE]: what" error
// instead of failing on malformed files.
//
// Every buffer a reader fills is bounded by readLimit() (MemoryBudget.h).
//
// Each format has an in-memory parser (parseCsv, parseNpy, gunzip) that the
// file loaders call once the bytes are read; `path` then only names the
// input in messages.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_DATAFILES_H
#define MPC_RUNTIME_DRIVER_DATAFILES_H

#include "runtime/driver/MemoryBudget.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpc::driver {

/// The bytes of the file at `path`, gunzipped when the path ends in ".gz".
/// The file must be a regular file (not a device or a FIFO), and neither it
/// nor its decompressed data may exceed `limit` bytes.
std::optional<std::string> readFileBytes(const std::string &path,
                                         std::string &error,
                                         uint64_t limit = readLimit());

/// Decompresses the gzip data `bytes` as gzread would: one or more members,
/// then optionally trailing bytes that do not start another member, which
/// are ignored. Errors are "PATH: not gzip data", "PATH: corrupt gzip data:
/// why", or "PATH: decompresses to more than ..." once the output would
/// exceed `limit` bytes.
std::optional<std::string> gunzip(std::string_view bytes,
                                  const std::string &path, std::string &error,
                                  uint64_t limit = readLimit());

/// A numeric table whose last column is an integer class label.
struct CsvTable {
  int64_t rows = 0;
  /// Including the label column.
  int64_t columns = 0;
  /// rows x (columns - 1), row-major.
  std::vector<float> features;
  /// One per row, non-negative.
  std::vector<int64_t> labels;
  /// The 1-based line of the file each row came from, for diagnostics.
  std::vector<int64_t> lineNumbers;
};

/// Reads a comma-separated table of numbers (".csv" or ".csv.gz"). A first
/// line whose first field is not a number is a header and is skipped; blank
/// lines at the end are ignored.
std::optional<CsvTable> loadCsv(const std::string &path, std::string &error);

/// Parses the contents of a CSV file as loadCsv does.
std::optional<CsvTable> parseCsv(std::string_view text, const std::string &path,
                                 std::string &error);

/// The bytes of a non-empty text file (which may be gzipped).
std::optional<std::string> loadCharCorpus(const std::string &path,
                                          std::string &error);

/// A NumPy array; floats are held as f32, integers and bools as i64.
struct NpyArray {
  std::vector<int64_t> shape;
  bool isFloat = false;
  std::vector<float> f32;
  std::vector<int64_t> i64;

  /// The product of the dimensions.
  int64_t numElements() const;
};

/// Reads a NumPy .npy file (format 1.0, 2.0 or 3.0) in C order with one of
/// the dtypes <f4 <f8 <i4 <i8 |u1 |i1 <i2 <u2 |b1; f8 is narrowed to f32.
/// Every float must be finite and within f32's range, else the error names
/// the first that is not: "PATH: element [7, 3]: value nan is not finite".
/// Neither the file nor the values it is read into may exceed `limit`
/// bytes.
std::optional<NpyArray> loadNpy(const std::string &path, std::string &error,
                                uint64_t limit = readLimit());

/// Parses the contents of a .npy file as loadNpy does.
std::optional<NpyArray> parseNpy(std::string_view bytes,
                                 const std::string &path, std::string &error,
                                 uint64_t limit = readLimit());

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_DATAFILES_H
