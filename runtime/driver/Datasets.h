//===- Datasets.h - Training and validation batches -------------*- C++ -*-===//
//
// Turns loaded data files into the input tensors of a training graph. Every
// training batch is a pure function of (seed, step), so a resumed run draws
// exactly the batches an uninterrupted one would; validation batches are
// consecutive and unshuffled. A dataset checks all of its data when it is
// created, the validation split too, so that no bad value is met mid-run.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_DATASETS_H
#define MPC_RUNTIME_DRIVER_DATASETS_H

#include "runtime/driver/DataFiles.h"
#include "runtime/driver/Tensor.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mpc::driver {

/// A source of batches for a graph's inputs.
///
/// The `inputs` passed to the batch methods carry the graph's input names,
/// shapes and dtypes, in graph order. A batch method sets each input's
/// leading dimension to `batch`, sizes its value vector to match and fills
/// it (F32 inputs get floats, I64 inputs integers).
class Dataset {
public:
  virtual ~Dataset() = default;

  /// Training samples (classification rows, or corpus windows).
  virtual int64_t trainSize() const = 0;
  virtual int64_t validationSize() const = 0;

  /// Fills `inputs` with training batch `step` drawn under `seed`.
  virtual void trainBatch(uint64_t seed, int64_t step, int64_t batch,
                          std::vector<HostTensor> &inputs) const = 0;

  /// Fills `inputs` with the `index`-th consecutive validation batch;
  /// `index` should be below numValidationBatches(batch) (larger ones wrap).
  virtual void validationBatch(int64_t index, int64_t batch,
                               std::vector<HostTensor> &inputs) const = 0;

  /// Whole validation batches of `batch` samples; a remainder is dropped.
  virtual int64_t numValidationBatches(int64_t batch) const {
    return batch > 0 ? validationSize() / batch : 0;
  }

  /// One line for the log, e.g. "digits.csv.gz: 1437 train / 360 validation
  /// samples, 64 features".
  virtual std::string describe() const = 0;

  /// What one sample contributes to throughput: 1 sample, or T tokens.
  virtual int64_t itemsPerSample() const { return 1; }
  /// The plural noun for itemsPerSample(): "samples" or "tokens".
  virtual const char *itemName() const { return "samples"; }
};

/// A dataset of N rows, shuffled once under the seed and split into a
/// training part (the first 80%, rounded down) and a validation part (the
/// rest). Epoch e visits the training rows in a permutation drawn from
/// (seed, e); the samples of step s are positions s*B .. s*B+B-1 of the
/// concatenated epochs.
class ShuffledRowsDataset : public Dataset {
public:
  int64_t trainSize() const override {
    return static_cast<int64_t>(trainRows.size());
  }
  int64_t validationSize() const override {
    return static_cast<int64_t>(validationRows.size());
  }
  void trainBatch(uint64_t seed, int64_t step, int64_t batch,
                  std::vector<HostTensor> &inputs) const override;
  void validationBatch(int64_t index, int64_t batch,
                       std::vector<HostTensor> &inputs) const override;

  /// The row indices of the training and validation parts, in split order.
  const std::vector<int64_t> &trainRowIndices() const { return trainRows; }
  const std::vector<int64_t> &validationRowIndices() const {
    return validationRows;
  }

  /// The training row at position `position` of the epoch sequence (the
  /// row step s, slot b reads when position = s*B + b).
  int64_t trainRowAt(uint64_t seed, uint64_t position) const;

protected:
  ShuffledRowsDataset(int64_t numRows, uint64_t splitSeed);

  /// Copies row `rows[b]` into slot b of every input.
  virtual void fillRows(const std::vector<int64_t> &rows,
                        std::vector<HostTensor> &inputs) const = 0;

private:
  std::vector<int64_t> trainRows;
  std::vector<int64_t> validationRows;

  /// The permutation of the most recently used epoch; consecutive steps
  /// almost always share it.
  mutable std::mutex cacheMutex;
  mutable uint64_t cachedSeed = 0;
  mutable int64_t cachedEpoch = -1;
  mutable std::vector<int64_t> cachedOrder;
};

/// Rows of a CSV table: the features feed a float input of shape [B, F...]
/// (prod(F...) = features per row), the label an integer input of shape [B].
class ClassificationDataset : public ShuffledRowsDataset {
public:
  /// Validates `table` against the graph's `inputSpecs` (exactly one float
  /// and one integer input) and its labels against the label input's
  /// valueBound, or else `numClasses` (-1 if unknown). `seed` drives the
  /// train/validation split.
  static std::unique_ptr<ClassificationDataset>
  create(CsvTable table, const std::string &path, uint64_t seed,
         const std::vector<HostTensor> &inputSpecs, int64_t numClasses,
         std::string &error);

  std::string describe() const override;

private:
  ClassificationDataset(CsvTable table, std::string path, uint64_t seed,
                        bool featuresFirst);
  void fillRows(const std::vector<int64_t> &rows,
                std::vector<HostTensor> &inputs) const override;

  CsvTable table;
  std::string path;
  /// Whether the features input precedes the labels input in the graph.
  bool featuresFirst;
};

/// A text corpus whose bytes are token ids. The first 90% of the bytes is
/// the training text, the rest validation. Both graph inputs are integer
/// [B, T]: tokens, then targets (the tokens shifted by one).
class CharCorpusDataset : public Dataset {
public:
  /// Validates `text` against the graph's `inputSpecs` and `vocabulary`
  /// (-1 means 256): every byte must be below it and below the inputs'
  /// valueBounds.
  static std::unique_ptr<CharCorpusDataset>
  create(std::string text, const std::string &path,
         const std::vector<HostTensor> &inputSpecs, int64_t vocabulary,
         std::string &error);

  /// Windows of T+1 bytes in each split: length - T.
  int64_t trainSize() const override { return trainLength - window; }
  int64_t validationSize() const override {
    return static_cast<int64_t>(text.size()) - trainLength - window;
  }
  /// Row b of step s starts at a uniform offset drawn from (seed, s, b).
  void trainBatch(uint64_t seed, int64_t step, int64_t batch,
                  std::vector<HostTensor> &inputs) const override;
  /// Consecutive non-overlapping windows of the validation text.
  void validationBatch(int64_t index, int64_t batch,
                       std::vector<HostTensor> &inputs) const override;
  int64_t numValidationBatches(int64_t batch) const override;
  std::string describe() const override;
  int64_t itemsPerSample() const override { return window; }
  const char *itemName() const override { return "tokens"; }

  /// Tokens in a batch of `batch` windows.
  int64_t tokensPerBatch(int64_t batch) const { return batch * window; }

private:
  CharCorpusDataset(std::string text, std::string path, int64_t window,
                    int64_t vocabulary);
  /// Fills row `row` of both inputs with the window starting at `offset`.
  void fillWindow(int64_t row, int64_t offset,
                  std::vector<HostTensor> &inputs) const;
  int64_t nonOverlappingValidationWindows() const;

  std::string text;
  std::string path;
  /// T, the sequence length.
  int64_t window;
  int64_t vocabulary;
  int64_t trainLength;
};

/// One .npy array and the graph input it feeds; an empty `inputName` binds
/// it to the next graph input no array names.
struct ArrayBinding {
  std::string inputName;
  NpyArray array;
  std::string path;
};

/// Row-aligned NumPy arrays of N rows, one per graph input, with the same
/// shuffled split and batching as ClassificationDataset.
class ArrayDataset : public ShuffledRowsDataset {
public:
  /// Binds `arrays` to `inputSpecs` (by name where given, else in order) and
  /// validates row counts, shapes and element types, and every value of an
  /// integer array against its input's valueBound.
  static std::unique_ptr<ArrayDataset>
  create(std::vector<ArrayBinding> arrays, uint64_t seed,
         const std::vector<HostTensor> &inputSpecs, std::string &error);

  std::string describe() const override;

private:
  ArrayDataset(std::vector<ArrayBinding> arrays, int64_t numRows,
               uint64_t seed);
  void fillRows(const std::vector<int64_t> &rows,
                std::vector<HostTensor> &inputs) const override;

  /// Indexed like the graph inputs.
  std::vector<ArrayBinding> arrays;
};

/// Opens the data files `paths` for a graph with inputs `inputSpecs`,
/// choosing by extension: one .csv/.csv.gz (classification, with
/// `vocabOrClasses` classes), one .txt/.txt.gz (character corpus, with a
/// vocabulary of `vocabOrClasses`), or one or more .npy files, each
/// optionally written NAME=FILE.npy to bind it to input NAME.
/// `vocabOrClasses` is -1 when unknown.
std::unique_ptr<Dataset> openDataset(const std::vector<std::string> &paths,
                                     uint64_t seed,
                                     const std::vector<HostTensor> &inputSpecs,
                                     int64_t vocabOrClasses,
                                     std::string &error);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_DATASETS_H
