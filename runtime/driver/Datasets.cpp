//===- Datasets.cpp - Shuffled row splits and choosing a dataset ----------===//

#include "runtime/driver/Datasets.h"

#include "runtime/driver/InputSpecs.h"
#include "runtime/driver/MemoryBudget.h"
#include "runtime/driver/Random.h"
#include "runtime/driver/Text.h"

#include <new>
#include <numeric>
#include <optional>

namespace mpc::driver {

//===----------------------------------------------------------------------===//
// ShuffledRowsDataset
//===----------------------------------------------------------------------===//

namespace {

/// Streams of the counter-based RNG, kept apart so the split and the epoch
/// orders never reuse each other's numbers.
enum Stream : uint64_t { kSplitStream = 1, kEpochStream = 2 };

/// A Fisher-Yates shuffle of 0..n-1 whose i-th swap draws hash(key, 0, i).
std::vector<int64_t> permutation(int64_t n, uint64_t key) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t(0));
  for (int64_t i = n - 1; i > 0; --i) {
    uint64_t j = random::below(random::hash(key, 0, i), i + 1);
    std::swap(order[i], order[j]);
  }
  return order;
}

} // namespace

ShuffledRowsDataset::ShuffledRowsDataset(int64_t numRows, uint64_t splitSeed) {
  std::vector<int64_t> order =
      permutation(numRows, random::hash(splitSeed, kSplitStream, 0));
  // The training part is 80% rounded down; validation takes the rest.
  int64_t trainCount = numRows / 5 * 4 + numRows % 5 * 4 / 5;
  trainRows.assign(order.begin(), order.begin() + trainCount);
  validationRows.assign(order.begin() + trainCount, order.end());
}

int64_t ShuffledRowsDataset::trainRowAt(uint64_t seed,
                                        uint64_t position) const {
  uint64_t size = trainRows.size();
  int64_t epoch = static_cast<int64_t>(position / size);
  std::lock_guard<std::mutex> lock(cacheMutex);
  if (epoch != cachedEpoch || seed != cachedSeed) {
    cachedOrder = permutation(static_cast<int64_t>(size),
                              random::hash(seed, kEpochStream, epoch));
    cachedEpoch = epoch;
    cachedSeed = seed;
  }
  return trainRows[cachedOrder[position % size]];
}

void ShuffledRowsDataset::trainBatch(uint64_t seed, int64_t step, int64_t batch,
                                     std::vector<HostTensor> &inputs) const {
  for (HostTensor &input : inputs)
    resizeForBatch(input, batch);
  if (trainRows.empty() || batch < 1)
    return;
  // Unsigned, so that absurd steps wrap instead of overflowing.
  uint64_t start = static_cast<uint64_t>(step) * static_cast<uint64_t>(batch);
  std::vector<int64_t> rows(static_cast<size_t>(batch));
  for (int64_t b = 0; b < batch; ++b)
    rows[b] = trainRowAt(seed, start + b);
  fillRows(rows, inputs);
}

void ShuffledRowsDataset::validationBatch(
    int64_t index, int64_t batch, std::vector<HostTensor> &inputs) const {
  for (HostTensor &input : inputs)
    resizeForBatch(input, batch);
  if (validationRows.empty() || batch < 1)
    return;
  uint64_t start = static_cast<uint64_t>(index) * static_cast<uint64_t>(batch);
  std::vector<int64_t> rows(static_cast<size_t>(batch));
  for (int64_t b = 0; b < batch; ++b)
    rows[b] = validationRows[(start + b) % validationRows.size()];
  fillRows(rows, inputs);
}

//===----------------------------------------------------------------------===//
// openDataset
//===----------------------------------------------------------------------===//

namespace {

enum class DataKind { Csv, Text, Npy };

std::optional<DataKind> kindOf(const std::string &path) {
  if (endsWith(path, ".csv") || endsWith(path, ".csv.gz"))
    return DataKind::Csv;
  if (endsWith(path, ".txt") || endsWith(path, ".txt.gz"))
    return DataKind::Text;
  if (endsWith(path, ".npy"))
    return DataKind::Npy;
  return std::nullopt;
}

/// Splits "NAME=FILE" into its parts; a '/' before the '=' means the '='
/// belongs to the file name.
std::pair<std::string, std::string> splitBinding(const std::string &arg) {
  size_t equals = arg.find('=');
  if (equals == std::string::npos || equals == 0 || arg.find('/') < equals)
    return {"", arg};
  return {arg.substr(0, equals), arg.substr(equals + 1)};
}

std::unique_ptr<Dataset> openArrays(const std::vector<std::string> &paths,
                                    uint64_t seed,
                                    const std::vector<HostTensor> &inputSpecs,
                                    std::string &error) {
  std::vector<ArrayBinding> arrays;
  for (const std::string &arg : paths) {
    auto [name, path] = splitBinding(arg);
    std::optional<NpyArray> array = loadNpy(path, error);
    if (!array)
      return nullptr;
    arrays.push_back({name, std::move(*array), path});
  }
  return ArrayDataset::create(std::move(arrays), seed, inputSpecs, error);
}

/// Checks that every path is of one supported kind and returns it.
std::optional<DataKind> commonKind(const std::vector<std::string> &paths,
                                   std::string &error) {
  if (paths.empty()) {
    error = "no data files given";
    return std::nullopt;
  }
  std::optional<DataKind> first;
  for (const std::string &arg : paths) {
    const std::string &path = splitBinding(arg).second;
    std::optional<DataKind> kind = kindOf(path);
    if (!kind) {
      error = path + ": unsupported data file; expected .csv, .csv.gz, "
                     ".txt, .txt.gz or .npy";
      return std::nullopt;
    }
    if (first && (*kind != *first || *kind != DataKind::Npy)) {
      error = path + ": cannot be combined with " + paths.front() +
              " (only .npy files can be given together)";
      return std::nullopt;
    }
    first = kind;
  }
  return first;
}

/// openDataset, once the paths are known to be of one `kind`.
std::unique_ptr<Dataset> openKind(DataKind kind,
                                  const std::vector<std::string> &paths,
                                  uint64_t seed,
                                  const std::vector<HostTensor> &inputSpecs,
                                  int64_t vocabOrClasses, std::string &error) {
  const std::string &path = paths.front();
  switch (kind) {
  case DataKind::Csv: {
    std::optional<CsvTable> table = loadCsv(path, error);
    if (!table)
      return nullptr;
    return ClassificationDataset::create(std::move(*table), path, seed,
                                         inputSpecs, vocabOrClasses, error);
  }
  case DataKind::Text: {
    std::optional<std::string> text = loadCharCorpus(path, error);
    if (!text)
      return nullptr;
    return CharCorpusDataset::create(std::move(*text), path, inputSpecs,
                                     vocabOrClasses, error);
  }
  case DataKind::Npy:
    return openArrays(paths, seed, inputSpecs, error);
  }
  return nullptr;
}

} // namespace

std::unique_ptr<Dataset> openDataset(const std::vector<std::string> &paths,
                                     uint64_t seed,
                                     const std::vector<HostTensor> &inputSpecs,
                                     int64_t vocabOrClasses,
                                     std::string &error) {
  std::optional<DataKind> kind = commonKind(paths, error);
  if (!kind)
    return nullptr;
  // Each buffer a reader fills is bounded (MemoryBudget.h), but what the
  // bytes are parsed into may still not fit beside them.
  try {
    return openKind(*kind, paths, seed, inputSpecs, vocabOrClasses, error);
  } catch (const std::bad_alloc &) {
    error = paths.front() + ": out of memory while loading the data (" +
            formatBytes(usableMemory()) + " usable)";
    return nullptr;
  }
}

} // namespace mpc::driver
