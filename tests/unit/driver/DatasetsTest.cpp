//===- DatasetsTest.cpp - Training and validation batches -----------------===//

#include "runtime/driver/Datasets.h"

#include "runtime/driver/Random.h"
#include "tests/unit/driver/TestFiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace mpc::driver;
using namespace mpc::driver::test;

namespace {

using DType = HostTensor::DType;

HostTensor spec(const std::string &name, std::vector<int64_t> shape,
                DType dtype) {
  HostTensor tensor;
  tensor.name = name;
  tensor.shape = std::move(shape);
  tensor.dtype = dtype;
  return tensor;
}

/// Row r has features r*100 + f (exact in float) and label r % classes; it
/// came from line r + 2 (after a header).
CsvTable makeTable(int64_t rows, int64_t features, int64_t classes) {
  CsvTable table;
  table.rows = rows;
  table.columns = features + 1;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t f = 0; f < features; ++f)
      table.features.push_back(static_cast<float>(r * 100 + f));
    table.labels.push_back(r % classes);
    table.lineNumbers.push_back(r + 2);
  }
  return table;
}

std::vector<HostTensor> classifierInputs(int64_t batch, int64_t features) {
  return {spec("x", {batch, features}, DType::F32),
          spec("y", {batch}, DType::I64)};
}

std::unique_ptr<ClassificationDataset>
makeClassifier(int64_t rows, int64_t batch, uint64_t seed = 7) {
  std::string error;
  auto dataset =
      ClassificationDataset::create(makeTable(rows, 3, 5), "t.csv", seed,
                                    classifierInputs(batch, 3), 5, error);
  EXPECT_TRUE(dataset) << error;
  return dataset;
}

/// The table rows in a batch of classifierInputs(), read back from the
/// features (and checked against the labels).
std::vector<int64_t> batchRows(const std::vector<HostTensor> &inputs) {
  std::vector<int64_t> rows;
  int64_t width = inputs[0].shape[1];
  for (size_t b = 0; b < inputs[1].i64.size(); ++b) {
    int64_t row = static_cast<int64_t>(inputs[0].f32[b * width]) / 100;
    EXPECT_EQ(inputs[1].i64[b], row % 5);
    rows.push_back(row);
  }
  return rows;
}

std::vector<int64_t> trainRows(const Dataset &dataset, uint64_t seed,
                               int64_t step, int64_t batch) {
  std::vector<HostTensor> inputs = classifierInputs(batch, 3);
  dataset.trainBatch(seed, step, batch, inputs);
  return batchRows(inputs);
}

//===----------------------------------------------------------------------===//
// Random
//===----------------------------------------------------------------------===//

TEST(Random, IsAPureFunctionOfItsArguments) {
  EXPECT_EQ(random::hash(1, 2, 3), random::hash(1, 2, 3));
  std::set<uint64_t> values;
  for (uint64_t a = 0; a < 10; ++a)
    for (uint64_t b = 0; b < 10; ++b)
      values.insert(random::hash(42, a, b));
  EXPECT_EQ(values.size(), 100u);
  EXPECT_NE(random::hash(1, 2, 3), random::hash(1, 3, 2));
  EXPECT_NE(random::hash(1, 2, 3), random::hash(2, 2, 3));
}

TEST(Random, UniformDrawsStayInRange) {
  double sum = 0;
  for (uint64_t i = 0; i < 10000; ++i) {
    double u = random::uniform01(random::hash(5, 0, i));
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    ASSERT_LT(random::below(random::hash(5, 1, i), 7), 7u);
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
  EXPECT_LT(random::uniform01(~uint64_t(0)), 1.0);
  EXPECT_EQ(random::below(~uint64_t(0), 10), 9u);
}

//===----------------------------------------------------------------------===//
// ClassificationDataset
//===----------------------------------------------------------------------===//

TEST(Classification, SplitsEightyTwenty) {
  for (auto [rows, train] : {std::pair<int64_t, int64_t>{1797, 1437},
                             {10, 8},
                             {11, 8},
                             {14, 11},
                             {1000, 800}}) {
    auto dataset = makeClassifier(rows, 4);
    ASSERT_TRUE(dataset);
    EXPECT_EQ(dataset->trainSize(), train) << rows;
    EXPECT_EQ(dataset->validationSize(), rows - train) << rows;
    std::vector<int64_t> all = dataset->trainRowIndices();
    all.insert(all.end(), dataset->validationRowIndices().begin(),
               dataset->validationRowIndices().end());
    std::sort(all.begin(), all.end());
    for (int64_t r = 0; r < rows; ++r)
      ASSERT_EQ(all[r], r) << "rows are lost or repeated";
  }
}

TEST(Classification, SplitIsShuffledBySeed) {
  auto a = makeClassifier(100, 4, 1);
  auto b = makeClassifier(100, 4, 1);
  auto c = makeClassifier(100, 4, 2);
  EXPECT_EQ(a->validationRowIndices(), b->validationRowIndices());
  EXPECT_NE(a->validationRowIndices(), c->validationRowIndices());
  std::vector<int64_t> firstRows(80);
  for (int64_t r = 0; r < 80; ++r)
    firstRows[r] = r;
  EXPECT_NE(a->trainRowIndices(), firstRows);
}

TEST(Classification, BatchesArePureFunctionsOfSeedAndStep) {
  auto dataset = makeClassifier(50, 8);
  auto resumed = makeClassifier(50, 8);
  std::vector<std::vector<int64_t>> run;
  for (int64_t step = 0; step < 20; ++step)
    run.push_back(trainRows(*dataset, 3, step, 8));
  // A resumed run, starting anywhere and in any order, sees the same data.
  for (int64_t step : {13, 2, 19, 0, 7})
    EXPECT_EQ(trainRows(*resumed, 3, step, 8), run[step]) << step;
  EXPECT_NE(run[0], run[1]);
  EXPECT_NE(trainRows(*dataset, 4, 0, 8), run[0]) << "the seed is ignored";
}

TEST(Classification, EachEpochVisitsEveryTrainingRowOnce) {
  // 40 training rows in batches of 3: batches straddle epoch boundaries.
  auto dataset = makeClassifier(50, 3);
  ASSERT_EQ(dataset->trainSize(), 40);
  std::vector<int64_t> positions;
  for (int64_t step = 0; step < 40; ++step)
    for (int64_t row : trainRows(*dataset, 9, step, 3))
      positions.push_back(row);
  std::vector<int64_t> expected = dataset->trainRowIndices();
  std::sort(expected.begin(), expected.end());
  std::vector<std::vector<int64_t>> epochs;
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<int64_t> rows(positions.begin() + epoch * 40,
                              positions.begin() + epoch * 40 + 40);
    epochs.push_back(rows);
    std::sort(rows.begin(), rows.end());
    EXPECT_EQ(rows, expected) << "epoch " << epoch;
  }
  EXPECT_NE(epochs[0], epochs[1]) << "every epoch has its own order";
  EXPECT_NE(epochs[1], epochs[2]);
  EXPECT_EQ(dataset->trainRowAt(9, 45), positions[45]);
}

TEST(Classification, FillsMultiDimFeaturesInGraphInputOrder) {
  std::string error;
  // Labels first, features as [B, 2, 2].
  std::vector<HostTensor> specs = {spec("label", {4}, DType::I64),
                                   spec("image", {4, 2, 2}, DType::F32)};
  auto dataset = ClassificationDataset::create(makeTable(30, 4, 5), "t.csv", 1,
                                               specs, 5, error);
  ASSERT_TRUE(dataset) << error;
  std::vector<HostTensor> inputs = specs;
  dataset->trainBatch(1, 3, 4, inputs);
  ASSERT_EQ(inputs[0].i64.size(), 4u);
  ASSERT_EQ(inputs[1].f32.size(), 16u);
  EXPECT_TRUE(inputs[0].f32.empty());
  for (int64_t b = 0; b < 4; ++b) {
    int64_t row = static_cast<int64_t>(inputs[1].f32[b * 4]) / 100;
    EXPECT_EQ(inputs[0].i64[b], row % 5);
    for (int64_t f = 0; f < 4; ++f)
      EXPECT_EQ(inputs[1].f32[b * 4 + f], row * 100 + f);
  }
}

TEST(Classification, BatchSizeComesFromTheCall) {
  auto dataset = makeClassifier(50, 8);
  std::vector<HostTensor> inputs = classifierInputs(8, 3);
  dataset->trainBatch(1, 0, 5, inputs);
  EXPECT_EQ(inputs[0].shape, (std::vector<int64_t>{5, 3}));
  EXPECT_EQ(inputs[0].f32.size(), 15u);
  EXPECT_EQ(inputs[1].shape, (std::vector<int64_t>{5}));
  EXPECT_EQ(inputs[1].i64.size(), 5u);
}

TEST(Classification, ValidationBatchesAreConsecutiveAndUnshuffled) {
  auto dataset = makeClassifier(103, 4);
  ASSERT_EQ(dataset->validationSize(), 21);
  EXPECT_EQ(dataset->numValidationBatches(4), 5);
  EXPECT_EQ(dataset->numValidationBatches(21), 1);
  EXPECT_EQ(dataset->numValidationBatches(22), 0);
  const std::vector<int64_t> &rows = dataset->validationRowIndices();
  for (int64_t index = 0; index < 5; ++index) {
    std::vector<HostTensor> inputs = classifierInputs(4, 3);
    dataset->validationBatch(index, 4, inputs);
    EXPECT_EQ(batchRows(inputs),
              std::vector<int64_t>(rows.begin() + index * 4,
                                   rows.begin() + index * 4 + 4));
  }
}

TEST(Classification, Describe) {
  std::string error;
  auto dataset =
      ClassificationDataset::create(makeTable(1797, 64, 10), "digits.csv.gz", 1,
                                    classifierInputs(32, 64), 10, error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->describe(),
            "digits.csv.gz: 1437 train / 360 validation samples, 64 features");
  EXPECT_EQ(dataset->itemsPerSample(), 1);
  EXPECT_STREQ(dataset->itemName(), "samples");
}

TEST(Classification, CreateErrors) {
  struct Case {
    CsvTable table;
    std::vector<HostTensor> specs;
    int64_t classes;
    const char *message;
  };
  std::vector<HostTensor> floats = {spec("x", {4, 3}, DType::F32),
                                    spec("y", {4}, DType::F32)};
  CsvTable badLabel = makeTable(20, 3, 5);
  badLabel.labels[6] = 12;
  CsvTable inconsistent = makeTable(20, 3, 5);
  inconsistent.features.pop_back();
  const Case cases[] = {
      {makeTable(20, 65, 5), classifierInputs(4, 64), 5,
       "d.csv: 65 features per row, but graph input 'x' takes 64"},
      {badLabel, classifierInputs(4, 3), 10,
       "d.csv:8: label 12 is out of range for 10 classes"},
      {makeTable(1797, 3, 5), classifierInputs(2000, 3), 5,
       "d.csv: batch 2000 is larger than the 1437 training samples"},
      {makeTable(20, 3, 5),
       {spec("x", {4, 3}, DType::F32)},
       5,
       "d.csv: classification data feeds 2 graph inputs (features and "
       "labels), but the graph's inputs are 'x' (F32 [4, 3])"},
      {makeTable(20, 3, 5), floats, 5,
       "d.csv: classification data needs one F32 input (features) and one "
       "I64 input (labels), but the graph's inputs are 'x' (F32 [4, 3]), "
       "'y' (F32 [4])"},
      {makeTable(20, 3, 5),
       {spec("x", {4, 3}, DType::F32), spec("y", {4, 1}, DType::I64)},
       5,
       "d.csv: the label input 'y' (I64 [4, 1]) must have shape [4], one "
       "label per sample"},
      {makeTable(20, 3, 5),
       {spec("x", {-1, 3}, DType::F32), spec("y", {-1}, DType::I64)},
       5,
       "d.csv: graph input 'x' (F32 [-1, 3]) has no positive batch "
       "dimension"},
      {inconsistent, classifierInputs(4, 3), 5,
       "d.csv: the table's values do not match its row and column counts"},
  };
  for (const Case &c : cases) {
    std::string error;
    EXPECT_FALSE(ClassificationDataset::create(c.table, "d.csv", 1, c.specs,
                                               c.classes, error));
    EXPECT_EQ(error, c.message);
  }
  // Unknown class counts skip the label check.
  std::string error;
  EXPECT_TRUE(ClassificationDataset::create(badLabel, "d.csv", 1,
                                            classifierInputs(4, 3), -1, error))
      << error;
}

TEST(Classification, LabelsAreCheckedAgainstTheLabelInputsBound) {
  // The graph's own bound on its label input (its classes) decides, also
  // when the caller knows no class count; every row is checked, the
  // validation split's too.
  std::vector<HostTensor> specs = classifierInputs(4, 3);
  specs[1].valueBound = 5;
  CsvTable table = makeTable(200, 3, 5);
  std::string error;
  EXPECT_TRUE(
      ClassificationDataset::create(table, "d.csv", 1, specs, -1, error))
      << error;
  for (size_t row : {size_t(0), size_t(123), size_t(199)}) {
    CsvTable bad = table;
    bad.labels[row] = 5;
    EXPECT_FALSE(
        ClassificationDataset::create(bad, "d.csv", 1, specs, -1, error));
    EXPECT_EQ(error, "d.csv:" + std::to_string(row + 2) +
                         ": label 5 is out of range for 5 classes");
  }
}

TEST(Classification, LabelsMayBeTheLossesIgnoredValue) {
  // The loss's ignore_index is a label the input takes besides its classes;
  // any other label outside them is still refused, naming both.
  std::vector<HostTensor> specs = classifierInputs(4, 3);
  specs[1].valueBound = 5;
  specs[1].ignoredValue = -100;
  CsvTable table = makeTable(200, 3, 5);
  table.labels[7] = -100;
  table.labels[150] = -100;
  std::string error;
  EXPECT_TRUE(
      ClassificationDataset::create(table, "d.csv", 1, specs, -1, error))
      << error;
  table.labels[9] = -1;
  EXPECT_FALSE(
      ClassificationDataset::create(table, "d.csv", 1, specs, -1, error));
  EXPECT_EQ(error, "d.csv:11: label -1 is out of range for 5 classes and is "
                   "not the ignored label -100");
  // Without an ignored value, -100 is out of range.
  specs[1].ignoredValue.reset();
  table.labels[9] = 0;
  EXPECT_FALSE(
      ClassificationDataset::create(table, "d.csv", 1, specs, -1, error));
  EXPECT_EQ(error, "d.csv:9: label -100 is out of range for 5 classes");
}

//===----------------------------------------------------------------------===//
// CharCorpusDataset
//===----------------------------------------------------------------------===//

/// Lowercase letters without repeating patterns, so that a window of a few
/// letters occurs once.
std::string corpusText(size_t length) {
  std::string text;
  for (size_t i = 0; i < length; ++i)
    text += static_cast<char>('a' + random::hash(17, 0, i) % 26);
  return text;
}

std::vector<HostTensor> tokenInputs(int64_t batch, int64_t window) {
  return {spec("tokens", {batch, window}, DType::I64),
          spec("targets", {batch, window}, DType::I64)};
}

std::string windowText(const HostTensor &tensor, int64_t row, int64_t window) {
  std::string text;
  for (int64_t t = 0; t < window; ++t)
    text += static_cast<char>(tensor.i64[row * window + t]);
  return text;
}

TEST(CharCorpus, TrainWindowsComeFromTheFirstNinetyPercent) {
  std::string text = corpusText(1000);
  std::string error;
  auto dataset =
      CharCorpusDataset::create(text, "c.txt", tokenInputs(4, 16), 128, error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->trainSize(), 900 - 16);
  EXPECT_EQ(dataset->validationSize(), 100 - 16);
  std::string train = text.substr(0, 900);
  std::set<size_t> offsets;
  for (int64_t step = 0; step < 50; ++step) {
    std::vector<HostTensor> inputs = tokenInputs(4, 16);
    dataset->trainBatch(5, step, 4, inputs);
    ASSERT_EQ(inputs[0].i64.size(), 64u);
    for (int64_t b = 0; b < 4; ++b) {
      std::string tokens = windowText(inputs[0], b, 16);
      std::string targets = windowText(inputs[1], b, 16);
      EXPECT_EQ(tokens.substr(1), targets.substr(0, 15));
      size_t offset = train.find(tokens + targets.back());
      ASSERT_NE(offset, std::string::npos) << "not a training window";
      offsets.insert(offset);
    }
  }
  EXPECT_GT(offsets.size(), 150u) << "offsets are not spread out";
}

TEST(CharCorpus, BatchesArePureFunctionsOfSeedAndStep) {
  std::string error;
  auto dataset = CharCorpusDataset::create(corpusText(5000), "c.txt",
                                           tokenInputs(2, 8), -1, error);
  ASSERT_TRUE(dataset) << error;
  auto batch = [&](uint64_t seed, int64_t step) {
    std::vector<HostTensor> inputs = tokenInputs(2, 8);
    dataset->trainBatch(seed, step, 2, inputs);
    return inputs[0].i64;
  };
  EXPECT_EQ(batch(1, 10), batch(1, 10));
  EXPECT_NE(batch(1, 10), batch(1, 11));
  EXPECT_NE(batch(1, 10), batch(2, 10));
}

TEST(CharCorpus, ValidationTakesConsecutiveWindows) {
  std::string text = corpusText(1000);
  std::string error;
  auto dataset =
      CharCorpusDataset::create(text, "c.txt", tokenInputs(2, 10), 128, error);
  ASSERT_TRUE(dataset) << error;
  // 100 validation bytes hold 9 windows of 10 plus a last target: 4 batches.
  EXPECT_EQ(dataset->numValidationBatches(2), 4);
  for (int64_t index = 0; index < 4; ++index) {
    std::vector<HostTensor> inputs = tokenInputs(2, 10);
    dataset->validationBatch(index, 2, inputs);
    for (int64_t b = 0; b < 2; ++b) {
      size_t start = 900 + (index * 2 + b) * 10;
      EXPECT_EQ(windowText(inputs[0], b, 10), text.substr(start, 10));
      EXPECT_EQ(windowText(inputs[1], b, 10), text.substr(start + 1, 10));
    }
  }
}

TEST(CharCorpus, DescribesItsTokens) {
  std::string error;
  auto dataset = CharCorpusDataset::create(corpusText(1000), "c.txt",
                                           tokenInputs(4, 16), 128, error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->itemsPerSample(), 16);
  EXPECT_STREQ(dataset->itemName(), "tokens");
  EXPECT_EQ(dataset->tokensPerBatch(4), 64);
  EXPECT_EQ(dataset->describe(), "c.txt: 900 train / 100 validation bytes, "
                                 "sequence length 16, vocabulary 128");
}

TEST(CharCorpus, CreateErrors) {
  struct Case {
    std::string text;
    std::vector<HostTensor> specs;
    int64_t vocabulary;
    const char *message;
  };
  std::string accented = corpusText(2000);
  accented[1234] = '\xc3';
  const Case cases[] = {
      {accented, tokenInputs(2, 8), 128,
       "c.txt: byte 0xc3 at offset 1234 is outside the vocabulary of 128"},
      {std::string(150, 'A') + "a" + std::string(49, 'A'), tokenInputs(2, 8),
       97, "c.txt: byte 0x61 at offset 150 is outside the vocabulary of 97"},
      {corpusText(60), tokenInputs(2, 64), 128,
       "c.txt: the training split (the first 90%) holds 54 bytes, but "
       "sequence length 64 needs at least 65"},
      {corpusText(300), tokenInputs(2, 64), 128,
       "c.txt: the validation split (the last 10%) holds 30 bytes, but "
       "sequence length 64 needs at least 65"},
      {corpusText(300),
       {spec("tokens", {2, 8}, DType::I64), spec("t", {2, 8}, DType::F32)},
       128,
       "c.txt: a character corpus feeds 2 I64 graph inputs of one shape "
       "[B, T] (tokens, then targets), but the graph's inputs are 'tokens' "
       "(I64 [2, 8]), 't' (F32 [2, 8])"},
      {corpusText(300),
       {spec("tokens", {2, 8}, DType::I64), spec("t", {2, 9}, DType::I64)},
       128,
       "c.txt: a character corpus feeds 2 I64 graph inputs of one shape "
       "[B, T] (tokens, then targets), but the graph's inputs are 'tokens' "
       "(I64 [2, 8]), 't' (I64 [2, 9])"},
      {corpusText(300),
       {spec("tokens", {16}, DType::I64)},
       128,
       "c.txt: a character corpus feeds 2 I64 graph inputs of one shape "
       "[B, T] (tokens, then targets), but the graph's inputs are 'tokens' "
       "(I64 [16])"},
  };
  for (const Case &c : cases) {
    std::string error;
    EXPECT_FALSE(CharCorpusDataset::create(c.text, "c.txt", c.specs,
                                           c.vocabulary, error));
    EXPECT_EQ(error, c.message);
  }
}

TEST(CharCorpus, BytesAreCheckedAgainstTheInputsBounds) {
  // The tightest of the vocabulary and the inputs' own bounds (an
  // embedding's rows, a loss's classes) decides, at any offset.
  std::string text = corpusText(2000);
  text[1999] = 'z' + 1;
  std::vector<HostTensor> specs = tokenInputs(2, 8);
  specs[0].valueBound = 200;
  specs[1].valueBound = 'z' + 1;
  std::string error;
  for (int64_t vocabulary : {int64_t(-1), int64_t(128)}) {
    EXPECT_FALSE(
        CharCorpusDataset::create(text, "c.txt", specs, vocabulary, error));
    EXPECT_EQ(error, "c.txt: byte 0x7b at offset 1999 is outside the "
                     "vocabulary of 123");
  }
  specs[1].valueBound = 'z' + 2;
  auto dataset = CharCorpusDataset::create(text, "c.txt", specs, -1, error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->describe(), "c.txt: 1800 train / 200 validation bytes, "
                                 "sequence length 8, vocabulary 124");
}

//===----------------------------------------------------------------------===//
// ArrayDataset
//===----------------------------------------------------------------------===//

/// x[r] = {r, r + 0.5} as [N, 2] floats; y[r] = 10 r as [N] integers.
NpyArray floatRows(int64_t rows) {
  NpyArray array;
  array.shape = {rows, 2};
  array.isFloat = true;
  for (int64_t r = 0; r < rows; ++r) {
    array.f32.push_back(static_cast<float>(r));
    array.f32.push_back(static_cast<float>(r) + 0.5f);
  }
  return array;
}

NpyArray intRows(int64_t rows) {
  NpyArray array;
  array.shape = {rows};
  for (int64_t r = 0; r < rows; ++r)
    array.i64.push_back(10 * r);
  return array;
}

std::vector<HostTensor> arrayInputs(int64_t batch) {
  return {spec("x", {batch, 2}, DType::F32), spec("y", {batch}, DType::I64)};
}

TEST(Arrays, BindsByOrderOrByNameAndKeepsRowsAligned) {
  for (bool byName : {false, true}) {
    std::vector<ArrayBinding> arrays;
    // By name, the arrays may come in any order.
    if (byName)
      arrays = {{"y", intRows(40), "y.npy"}, {"x", floatRows(40), "x.npy"}};
    else
      arrays = {{"", floatRows(40), "x.npy"}, {"", intRows(40), "y.npy"}};
    std::string error;
    auto dataset =
        ArrayDataset::create(std::move(arrays), 3, arrayInputs(4), error);
    ASSERT_TRUE(dataset) << error;
    EXPECT_EQ(dataset->trainSize(), 32);
    EXPECT_EQ(dataset->validationSize(), 8);
    std::set<int64_t> seen;
    for (int64_t step = 0; step < 8; ++step) {
      std::vector<HostTensor> inputs = arrayInputs(4);
      dataset->trainBatch(3, step, 4, inputs);
      for (int64_t b = 0; b < 4; ++b) {
        float row = inputs[0].f32[b * 2];
        EXPECT_EQ(inputs[0].f32[b * 2 + 1], row + 0.5f);
        EXPECT_EQ(inputs[1].i64[b], static_cast<int64_t>(row) * 10);
        seen.insert(static_cast<int64_t>(row));
      }
    }
    EXPECT_EQ(seen.size(), 32u) << "one epoch visits every training row";
    std::vector<HostTensor> inputs = arrayInputs(4);
    dataset->validationBatch(1, 4, inputs);
    EXPECT_EQ(inputs[1].i64[0], dataset->validationRowIndices()[4] * 10);
  }
}

TEST(Arrays, Describe) {
  std::string error;
  auto dataset = ArrayDataset::create(
      {{"", floatRows(10), "x.npy"}, {"", intRows(10), "y.npy"}}, 1,
      arrayInputs(2), error);
  ASSERT_TRUE(dataset) << error;
  EXPECT_EQ(dataset->describe(),
            "x.npy, y.npy: 8 train / 2 validation samples");
}

TEST(Arrays, CreateErrors) {
  struct Case {
    std::vector<ArrayBinding> arrays;
    std::vector<HostTensor> specs;
    const char *message;
  };
  NpyArray wide = floatRows(40);
  wide.shape = {40, 1, 2};
  NpyArray lying = intRows(40);
  lying.i64.pop_back();
  const Case cases[] = {
      {{{"", floatRows(40), "x.npy"}, {"", intRows(39), "y.npy"}},
       arrayInputs(4),
       "y.npy: 39 rows, but x.npy has 40"},
      {{{"", wide, "x.npy"}, {"", intRows(40), "y.npy"}},
       arrayInputs(4),
       "x.npy: array shape [40, 1, 2] does not fit graph input 'x' (F32 "
       "[4, 2]); the dims after the first must match"},
      {{{"", intRows(40), "y.npy"}, {"", floatRows(40), "x.npy"}},
       {spec("y", {4}, DType::F32), spec("x", {4, 2}, DType::F32)},
       "y.npy: an integer array cannot feed graph input 'y' (F32 [4])"},
      {{{"", floatRows(40), "x.npy"}, {"", floatRows(40), "z.npy"}},
       {spec("x", {4, 2}, DType::F32), spec("z", {4, 2}, DType::I64)},
       "z.npy: a float array cannot feed graph input 'z' (I64 [4, 2])"},
      {{{"w", floatRows(40), "x.npy"}, {"", intRows(40), "y.npy"}},
       arrayInputs(4),
       "x.npy: the graph has no input 'w' (its inputs are 'x' (F32 [4, 2]), "
       "'y' (I64 [4]))"},
      {{{"x", floatRows(40), "a.npy"}, {"x", floatRows(40), "b.npy"}},
       arrayInputs(4),
       "b.npy: graph input 'x' is already fed by a.npy"},
      {{{"", floatRows(40), "x.npy"}},
       arrayInputs(4),
       "x.npy: 1 .npy files for a graph with 2 inputs ('x' (F32 [4, 2]), "
       "'y' (I64 [4]))"},
      {{{"", floatRows(40), "x.npy"}, {"", intRows(40), "y.npy"}},
       arrayInputs(33),
       "x.npy: batch 33 is larger than the 32 training samples"},
      {{{"", floatRows(40), "x.npy"}, {"", intRows(40), "y.npy"}},
       {spec("x", {4, 2}, DType::F32), spec("y", {8}, DType::I64)},
       "y.npy: graph inputs 'x' (F32 [4, 2]), 'y' (I64 [8]) disagree on the "
       "batch size"},
      {{{"", floatRows(40), "x.npy"}, {"", lying, "y.npy"}},
       arrayInputs(4),
       "y.npy: the array's values do not match its shape [40]"},
      {{}, arrayInputs(4), "no .npy files given"},
  };
  for (const Case &c : cases) {
    std::string error;
    EXPECT_FALSE(ArrayDataset::create(c.arrays, 1, c.specs, error));
    EXPECT_EQ(error, c.message);
  }
}

TEST(Arrays, IntegerValuesAreCheckedAgainstTheInputsBound) {
  // y holds 10 r; an input that takes values below 400 refuses row 40 and
  // above, negative ids always, wherever they lie (here in the last rows,
  // which are all validation rows or not).
  std::vector<HostTensor> specs = arrayInputs(4);
  specs[1].valueBound = 400;
  std::string error;
  EXPECT_TRUE(ArrayDataset::create(
      {{"", floatRows(40), "x.npy"}, {"", intRows(40), "y.npy"}}, 1, specs,
      error))
      << error;
  EXPECT_FALSE(ArrayDataset::create(
      {{"", floatRows(41), "x.npy"}, {"", intRows(41), "y.npy"}}, 1, specs,
      error));
  EXPECT_EQ(error, "y.npy: element [40]: value 400 is outside [0, 400), the "
                   "values graph input 'y' takes");
  NpyArray negative = intRows(40);
  negative.i64[17] = -1;
  EXPECT_FALSE(ArrayDataset::create(
      {{"", floatRows(40), "x.npy"}, {"", negative, "y.npy"}}, 1, specs,
      error));
  EXPECT_EQ(error, "y.npy: element [17]: value -1 is outside [0, 400), the "
                   "values graph input 'y' takes");
  // Token ids [N, T]: the index names the row and the position.
  NpyArray tokens;
  tokens.shape = {40, 3};
  tokens.i64.assign(120, 7);
  tokens.i64[3 * 35 + 2] = 64;
  std::vector<HostTensor> tokenSpecs = {spec("ids", {4, 3}, DType::I64)};
  tokenSpecs[0].valueBound = 64;
  EXPECT_FALSE(
      ArrayDataset::create({{"", tokens, "ids.npy"}}, 1, tokenSpecs, error));
  EXPECT_EQ(error, "ids.npy: element [35, 2]: value 64 is outside [0, 64), "
                   "the values graph input 'ids' takes");
  // An input nothing bounds takes any integer.
  tokenSpecs[0].valueBound.reset();
  EXPECT_TRUE(
      ArrayDataset::create({{"", tokens, "ids.npy"}}, 1, tokenSpecs, error))
      << error;
}

//===----------------------------------------------------------------------===//
// openDataset
//===----------------------------------------------------------------------===//

TEST(OpenDataset, ChoosesTheDatasetByExtension) {
  ScratchDir dir;
  std::string csv = "a,b,label\n";
  for (int r = 0; r < 20; ++r)
    csv += std::to_string(r) + "," + std::to_string(r * 2) + "," +
           std::to_string(r % 3) + "\n";
  writeGzip(dir.path("t.csv.gz"), csv);
  writeGzip(dir.path("c.txt.gz"), corpusText(500));
  writeFile(dir.path("x.npy"), npyFile(npyDict("<f8", "(20, 2)"),
                                       rawBytes(std::vector<double>(40, 1.0))));
  writeFile(dir.path("y.npy"), npyFile(npyDict("|u1", "(20,)"),
                                       rawBytes(std::vector<uint8_t>(20, 3))));
  std::string error;
  auto table =
      openDataset({dir.path("t.csv.gz")}, 1, classifierInputs(4, 2), 3, error);
  ASSERT_TRUE(table) << error;
  EXPECT_EQ(table->describe(), dir.path("t.csv.gz") +
                                   ": 16 train / 4 validation samples, 2 "
                                   "features");
  auto corpus =
      openDataset({dir.path("c.txt.gz")}, 1, tokenInputs(2, 8), 128, error);
  ASSERT_TRUE(corpus) << error;
  EXPECT_STREQ(corpus->itemName(), "tokens");
  auto arrays = openDataset({"y=" + dir.path("y.npy"), dir.path("x.npy")}, 1,
                            arrayInputs(4), -1, error);
  ASSERT_TRUE(arrays) << error;
  std::vector<HostTensor> inputs = arrayInputs(4);
  arrays->trainBatch(1, 0, 4, inputs);
  EXPECT_EQ(inputs[0].f32, std::vector<float>(8, 1.0f));
  EXPECT_EQ(inputs[1].i64, std::vector<int64_t>(4, 3));
}

TEST(OpenDataset, Errors) {
  ScratchDir dir;
  writeFile(dir.path("t.csv"), "1,2,0\n");
  std::string missing = dir.path("nope.csv");
  struct Case {
    std::vector<std::string> paths;
    std::string message;
  };
  const Case cases[] = {
      {{missing}, missing + ": cannot open: No such file or directory"},
      {{dir.path("nope.npy")},
       dir.path("nope.npy") + ": cannot open: No such file or directory"},
      {{dir.path("x.parquet")},
       dir.path("x.parquet") + ": unsupported data file; expected .csv, "
                               ".csv.gz, .txt, .txt.gz or .npy"},
      {{dir.path("t.csv"), dir.path("t.csv")},
       dir.path("t.csv") + ": cannot be combined with " + dir.path("t.csv") +
           " (only .npy files can be given together)"},
      {{dir.path("t.csv"), dir.path("x.npy")},
       dir.path("x.npy") + ": cannot be combined with " + dir.path("t.csv") +
           " (only .npy files can be given together)"},
      {{}, "no data files given"},
  };
  for (const Case &c : cases) {
    std::string error;
    EXPECT_FALSE(openDataset(c.paths, 1, classifierInputs(4, 2), 3, error));
    EXPECT_EQ(error, c.message);
  }
}

} // namespace
