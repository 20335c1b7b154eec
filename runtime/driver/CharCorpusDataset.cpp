//===- CharCorpusDataset.cpp - Windows of a byte-level text corpus --------===//

#include "runtime/driver/Datasets.h"

#include "runtime/driver/InputSpecs.h"
#include "runtime/driver/Random.h"

#include <algorithm>
#include <cstdio>

namespace mpc::driver {
namespace {

using DType = HostTensor::DType;

/// Bytes are the tokens, so 256 ids cover any text.
constexpr int64_t kByteVocabulary = 256;

/// Checks that the inputs are two I64 tensors of one shape [B, T].
bool isTokenPair(const std::vector<HostTensor> &specs) {
  if (specs.size() != 2)
    return false;
  for (const HostTensor &spec : specs)
    if (spec.dtype != DType::I64 || spec.shape.size() != 2 ||
        spec.shape[0] < 1 || spec.shape[1] < 1)
      return false;
  return specs[0].shape == specs[1].shape;
}

/// Finds the first byte of `text` at or above `vocabulary`.
bool checkVocabulary(const std::string &text, const std::string &path,
                     int64_t vocabulary, std::string &error) {
  for (size_t offset = 0; offset < text.size(); ++offset) {
    unsigned char byte = static_cast<unsigned char>(text[offset]);
    if (byte < vocabulary)
      continue;
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", byte);
    error = path + ": byte " + hex + " at offset " + std::to_string(offset) +
            " is outside the vocabulary of " + std::to_string(vocabulary);
    return false;
  }
  return true;
}

/// The first 90% of `length` bytes, rounded down, without overflow.
int64_t trainingLength(int64_t length) {
  return length / 10 * 9 + length % 10 * 9 / 10;
}

} // namespace

CharCorpusDataset::CharCorpusDataset(std::string text, std::string path,
                                     int64_t window, int64_t vocabulary)
    : text(std::move(text)), path(std::move(path)), window(window),
      vocabulary(vocabulary),
      trainLength(trainingLength(static_cast<int64_t>(this->text.size()))) {}

std::unique_ptr<CharCorpusDataset>
CharCorpusDataset::create(std::string text, const std::string &path,
                          const std::vector<HostTensor> &inputSpecs,
                          int64_t vocabulary, std::string &error) {
  auto fail = [&](const std::string &what) {
    error = path + ": " + what;
    return nullptr;
  };
  if (!isTokenPair(inputSpecs))
    return fail("a character corpus feeds 2 I64 graph inputs of one shape "
                "[B, T] (tokens, then targets), but the graph's inputs are " +
                describeInputs(inputSpecs));
  // Both inputs take every byte: the tightest bound is the vocabulary.
  if (vocabulary < 1)
    vocabulary = kByteVocabulary;
  for (const HostTensor &spec : inputSpecs)
    vocabulary = std::min(vocabulary, spec.valueBound.value_or(vocabulary));
  if (!checkVocabulary(text, path, vocabulary, error))
    return nullptr;
  int64_t window = inputSpecs[0].shape[1];
  int64_t length = static_cast<int64_t>(text.size());
  int64_t splits[2] = {trainingLength(length), length - trainingLength(length)};
  const char *names[2] = {"training split (the first 90%)",
                          "validation split (the last 10%)"};
  for (int i = 0; i < 2; ++i)
    if (splits[i] <= window)
      return fail("the " + std::string(names[i]) + " holds " +
                  std::to_string(splits[i]) + " bytes, but sequence length " +
                  std::to_string(window) + " needs at least " +
                  std::to_string(static_cast<uint64_t>(window) + 1));
  return std::unique_ptr<CharCorpusDataset>(
      new CharCorpusDataset(std::move(text), path, window, vocabulary));
}

void CharCorpusDataset::fillWindow(int64_t row, int64_t offset,
                                   std::vector<HostTensor> &inputs) const {
  if (inputs.size() != 2)
    return;
  std::vector<int64_t> &tokens = inputs[0].i64;
  std::vector<int64_t> &targets = inputs[1].i64;
  size_t base = static_cast<size_t>(row * window);
  if (base + window > tokens.size() || base + window > targets.size())
    return;
  for (int64_t t = 0; t < window; ++t) {
    tokens[base + t] = static_cast<unsigned char>(text[offset + t]);
    targets[base + t] = static_cast<unsigned char>(text[offset + t + 1]);
  }
}

void CharCorpusDataset::trainBatch(uint64_t seed, int64_t step, int64_t batch,
                                   std::vector<HostTensor> &inputs) const {
  for (HostTensor &input : inputs)
    resizeForBatch(input, batch);
  // Starts range over [0, trainLength - T - 1], so the targets of the last
  // window stay inside the training text.
  uint64_t starts = static_cast<uint64_t>(trainSize());
  for (int64_t b = 0; b < batch; ++b) {
    uint64_t bits = random::hash(seed, static_cast<uint64_t>(step), b);
    fillWindow(b, static_cast<int64_t>(random::below(bits, starts)), inputs);
  }
}

int64_t CharCorpusDataset::nonOverlappingValidationWindows() const {
  // Each window needs one byte past its end for the last target.
  int64_t length = static_cast<int64_t>(text.size()) - trainLength;
  return (length - 1) / window;
}

int64_t CharCorpusDataset::numValidationBatches(int64_t batch) const {
  return batch > 0 ? nonOverlappingValidationWindows() / batch : 0;
}

void CharCorpusDataset::validationBatch(int64_t index, int64_t batch,
                                        std::vector<HostTensor> &inputs) const {
  for (HostTensor &input : inputs)
    resizeForBatch(input, batch);
  uint64_t windows = static_cast<uint64_t>(nonOverlappingValidationWindows());
  uint64_t start = static_cast<uint64_t>(index) * static_cast<uint64_t>(batch);
  for (int64_t b = 0; b < batch; ++b) {
    int64_t slot = static_cast<int64_t>((start + b) % windows);
    fillWindow(b, trainLength + slot * window, inputs);
  }
}

std::string CharCorpusDataset::describe() const {
  return path + ": " + std::to_string(trainLength) + " train / " +
         std::to_string(text.size() - trainLength) +
         " validation bytes, sequence length " + std::to_string(window) +
         ", vocabulary " + std::to_string(vocabulary);
}

} // namespace mpc::driver
