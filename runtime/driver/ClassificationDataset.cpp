//===- ClassificationDataset.cpp - Labelled rows of a CSV table -----------===//

#include "runtime/driver/Datasets.h"

#include "runtime/driver/InputSpecs.h"
#include "runtime/driver/Text.h"

#include <algorithm>

namespace mpc::driver {
namespace {

using DType = HostTensor::DType;

/// Checks that the table's vectors agree with its row and column counts.
bool tableIsConsistent(const CsvTable &table) {
  if (table.rows < 0 || table.columns < 2)
    return false;
  size_t rows = static_cast<size_t>(table.rows);
  size_t features = static_cast<size_t>(table.columns - 1);
  return table.labels.size() == rows &&
         table.features.size() / features == rows &&
         table.features.size() % features == 0;
}

/// "PATH:LINE" for row `row`, or "PATH" when the table lacks line numbers.
std::string rowLocation(const CsvTable &table, const std::string &path,
                        size_t row) {
  if (row < table.lineNumbers.size())
    return path + ":" + std::to_string(table.lineNumbers[row]);
  return path;
}

/// Checks every label against the values the label input admits, or
/// against `numClasses` when the graph does not bound them (unchecked when
/// not positive).
bool checkLabels(const CsvTable &table, const std::string &path,
                 HostTensor labels, int64_t numClasses, std::string &error) {
  if (!labels.valueBound) {
    if (numClasses < 1)
      return true;
    labels.valueBound = numClasses;
  }
  for (size_t row = 0; row < table.labels.size(); ++row) {
    int64_t label = table.labels[row];
    if (labels.admits(label))
      continue;
    error = rowLocation(table, path, row) + ": label " + std::to_string(label) +
            " is out of range for " + std::to_string(*labels.valueBound) +
            " classes";
    if (labels.ignoredValue)
      error += " and is not the ignored label " +
               std::to_string(*labels.ignoredValue);
    return false;
  }
  return true;
}

} // namespace

ClassificationDataset::ClassificationDataset(CsvTable table, std::string path,
                                             uint64_t seed, bool featuresFirst)
    : ShuffledRowsDataset(table.rows, seed), table(std::move(table)),
      path(std::move(path)), featuresFirst(featuresFirst) {}

std::unique_ptr<ClassificationDataset>
ClassificationDataset::create(CsvTable table, const std::string &path,
                              uint64_t seed,
                              const std::vector<HostTensor> &inputSpecs,
                              int64_t numClasses, std::string &error) {
  auto fail = [&](const std::string &what) {
    error = path + ": " + what;
    return nullptr;
  };
  if (!tableIsConsistent(table))
    return fail("the table's values do not match its row and column counts");
  if (inputSpecs.size() != 2)
    return fail("classification data feeds 2 graph inputs (features and "
                "labels), but the graph's inputs are " +
                describeInputs(inputSpecs));
  bool featuresFirst = inputSpecs[0].dtype == DType::F32;
  const HostTensor &features = inputSpecs[featuresFirst ? 0 : 1];
  const HostTensor &labels = inputSpecs[featuresFirst ? 1 : 0];
  if (features.dtype != DType::F32 || labels.dtype != DType::I64)
    return fail("classification data needs one F32 input (features) and one "
                "I64 input (labels), but the graph's inputs are " +
                describeInputs(inputSpecs));
  std::string problem;
  std::optional<int64_t> perRow = sampleElements(features, problem);
  if (!perRow)
    return fail(problem);
  if (labels.shape.size() != 1 || labels.shape[0] != features.shape[0])
    return fail("the label input " + describeInput(labels) +
                " must have shape [" + std::to_string(features.shape[0]) +
                "], one label per sample");
  if (*perRow != table.columns - 1)
    return fail(std::to_string(table.columns - 1) +
                " features per row, but graph input '" +
                printable(features.name) + "' takes " +
                std::to_string(*perRow));
  // The classes the graph's loss takes, else the caller's count.
  if (!checkLabels(table, path, labels, numClasses, error))
    return nullptr;
  std::unique_ptr<ClassificationDataset> dataset(
      new ClassificationDataset(std::move(table), path, seed, featuresFirst));
  int64_t batch = features.shape[0];
  if (batch > dataset->trainSize())
    return fail("batch " + std::to_string(batch) + " is larger than the " +
                std::to_string(dataset->trainSize()) + " training samples");
  return dataset;
}

void ClassificationDataset::fillRows(const std::vector<int64_t> &rows,
                                     std::vector<HostTensor> &inputs) const {
  if (inputs.size() != 2)
    return;
  HostTensor &features = inputs[featuresFirst ? 0 : 1];
  HostTensor &labels = inputs[featuresFirst ? 1 : 0];
  size_t perRow = static_cast<size_t>(table.columns - 1);
  size_t slots =
      std::min({rows.size(), labels.i64.size(), features.f32.size() / perRow});
  for (size_t b = 0; b < slots; ++b) {
    auto source = table.features.begin() + rows[b] * perRow;
    std::copy(source, source + perRow, features.f32.begin() + b * perRow);
    labels.i64[b] = table.labels[rows[b]];
  }
}

std::string ClassificationDataset::describe() const {
  return path + ": " + std::to_string(trainSize()) + " train / " +
         std::to_string(validationSize()) + " validation samples, " +
         std::to_string(table.columns - 1) + " features";
}

} // namespace mpc::driver
