//===- ArrayDataset.cpp - Row-aligned NumPy arrays as graph inputs --------===//

#include "runtime/driver/Datasets.h"

#include "runtime/driver/InputSpecs.h"
#include "runtime/driver/Text.h"

#include <algorithm>

namespace mpc::driver {
namespace {

using DType = HostTensor::DType;

/// Orders `arrays` like `specs`: named arrays go to the input of that name,
/// the others to the remaining inputs in order. There are as many arrays as
/// specs.
bool bindArrays(std::vector<ArrayBinding> &arrays,
                const std::vector<HostTensor> &specs, std::string &error) {
  constexpr size_t kUnbound = ~size_t(0);
  // owner[i] is the index of the array feeding input i.
  std::vector<size_t> owner(specs.size(), kUnbound);
  auto bind = [&](size_t array, size_t input) {
    if (owner[input] != kUnbound) {
      error = arrays[array].path + ": graph input '" +
              printable(specs[input].name) + "' is already fed by " +
              arrays[owner[input]].path;
      return false;
    }
    owner[input] = array;
    return true;
  };
  for (size_t array = 0; array < arrays.size(); ++array) {
    const std::string &name = arrays[array].inputName;
    if (name.empty())
      continue;
    auto named = std::find_if(specs.begin(), specs.end(),
                              [&](auto &spec) { return spec.name == name; });
    if (named == specs.end()) {
      error = arrays[array].path + ": the graph has no input '" +
              printable(name) + "' (its inputs are " + describeInputs(specs) +
              ")";
      return false;
    }
    if (!bind(array, named - specs.begin()))
      return false;
  }
  size_t next = 0;
  for (size_t array = 0; array < arrays.size(); ++array) {
    if (!arrays[array].inputName.empty())
      continue;
    while (next < owner.size() && owner[next] != kUnbound)
      ++next;
    if (next == owner.size() || !bind(array, next))
      return false;
  }
  std::vector<ArrayBinding> bound;
  for (size_t array : owner)
    bound.push_back(std::move(arrays[array]));
  arrays = std::move(bound);
  return true;
}

/// Checks every value of an integer array against the bound of the graph
/// input it feeds (ids, labels), so that a bad value is found now rather
/// than when a batch reaches it.
bool checkValues(const ArrayBinding &binding, const HostTensor &spec,
                 std::string &error) {
  const NpyArray &array = binding.array;
  if (array.isFloat || !spec.valueBound)
    return true;
  for (size_t i = 0; i < array.i64.size(); ++i) {
    int64_t value = array.i64[i];
    if (spec.admits(value))
      continue;
    error = binding.path + ": element " +
            formatIndex(array.shape, static_cast<int64_t>(i)) + ": value " +
            std::to_string(value) + " is outside " + spec.admittedValues() +
            ", the values graph input '" + printable(spec.name) + "' takes";
    return false;
  }
  return true;
}

/// Checks that `array` can feed `spec` sample by sample.
bool checkArray(const ArrayBinding &binding, const HostTensor &spec,
                std::string &error) {
  const NpyArray &array = binding.array;
  auto fail = [&](const std::string &what) {
    error = binding.path + ": " + what;
    return false;
  };
  std::optional<int64_t> perSample = sampleElements(spec, error);
  if (!perSample)
    return fail(error);
  if (array.shape.size() != spec.shape.size() ||
      !std::equal(array.shape.begin() + 1, array.shape.end(),
                  spec.shape.begin() + 1))
    return fail("array shape " + formatShape(array.shape) +
                " does not fit graph input " + describeInput(spec) +
                "; the dims after the first must match");
  size_t held = array.isFloat ? array.f32.size() : array.i64.size();
  if (array.shape[0] < 0 ||
      held / *perSample != static_cast<size_t>(array.shape[0]) ||
      held % *perSample)
    return fail("the array's values do not match its shape " +
                formatShape(array.shape));
  if (array.isFloat != (spec.dtype == DType::F32))
    return fail(std::string(array.isFloat ? "a float" : "an integer") +
                " array cannot feed graph input " + describeInput(spec));
  return checkValues(binding, spec, error);
}

} // namespace

ArrayDataset::ArrayDataset(std::vector<ArrayBinding> arrays, int64_t numRows,
                           uint64_t seed)
    : ShuffledRowsDataset(numRows, seed), arrays(std::move(arrays)) {}

std::unique_ptr<ArrayDataset>
ArrayDataset::create(std::vector<ArrayBinding> arrays, uint64_t seed,
                     const std::vector<HostTensor> &inputSpecs,
                     std::string &error) {
  if (arrays.empty()) {
    error = "no .npy files given";
    return nullptr;
  }
  std::string first = arrays.front().path;
  if (arrays.size() != inputSpecs.size()) {
    error = first + ": " + std::to_string(arrays.size()) +
            " .npy files for a graph with " +
            std::to_string(inputSpecs.size()) + " inputs (" +
            describeInputs(inputSpecs) + ")";
    return nullptr;
  }
  if (!bindArrays(arrays, inputSpecs, error))
    return nullptr;
  for (size_t i = 0; i < arrays.size(); ++i)
    if (!checkArray(arrays[i], inputSpecs[i], error))
      return nullptr;
  int64_t rows = arrays.front().array.shape[0];
  int64_t batch = inputSpecs.front().shape[0];
  for (size_t i = 1; i < arrays.size(); ++i) {
    auto fail = [&](const std::string &what) {
      error = arrays[i].path + ": " + what;
      return nullptr;
    };
    if (arrays[i].array.shape[0] != rows)
      return fail(std::to_string(arrays[i].array.shape[0]) + " rows, but " +
                  arrays.front().path + " has " + std::to_string(rows));
    if (inputSpecs[i].shape[0] != batch)
      return fail("graph inputs " + describeInputs(inputSpecs) +
                  " disagree on the batch size");
  }
  std::unique_ptr<ArrayDataset> dataset(
      new ArrayDataset(std::move(arrays), rows, seed));
  if (batch > dataset->trainSize()) {
    error = first + ": batch " + std::to_string(batch) +
            " is larger than the " + std::to_string(dataset->trainSize()) +
            " training samples";
    return nullptr;
  }
  return dataset;
}

/// Copies rows `rows` of `from` (rows of `width` values) to slots 0.. of
/// `to`, as far as `to` has room.
template <typename T>
static void copyRows(const std::vector<T> &from,
                     const std::vector<int64_t> &rows, size_t width,
                     std::vector<T> &to) {
  size_t slots = std::min(rows.size(), width ? to.size() / width : 0);
  for (size_t b = 0; b < slots; ++b)
    std::copy_n(from.begin() + rows[b] * width, width, to.begin() + b * width);
}

void ArrayDataset::fillRows(const std::vector<int64_t> &rows,
                            std::vector<HostTensor> &inputs) const {
  size_t count = std::min(arrays.size(), inputs.size());
  for (size_t i = 0; i < count; ++i) {
    const NpyArray &array = arrays[i].array;
    size_t width =
        array.shape[0]
            ? static_cast<size_t>(array.numElements() / array.shape[0])
            : 0;
    if (array.isFloat && inputs[i].dtype == DType::F32)
      copyRows(array.f32, rows, width, inputs[i].f32);
    else if (!array.isFloat && inputs[i].dtype == DType::I64)
      copyRows(array.i64, rows, width, inputs[i].i64);
  }
}

std::string ArrayDataset::describe() const {
  std::string files;
  for (const ArrayBinding &binding : arrays)
    files += (files.empty() ? "" : ", ") + binding.path;
  return files + ": " + std::to_string(trainSize()) + " train / " +
         std::to_string(validationSize()) + " validation samples";
}

} // namespace mpc::driver
