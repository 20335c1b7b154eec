//===- Manifest.cpp - what a CUDA step artifact holds ---------------------===//

#include "runtime/cuda/executor/Manifest.h"

#include "runtime/cuda/mpc_cuda_runtime.h"
#include "runtime/driver/JsonSyntaxError.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace mpc::cuda {
namespace {

using Json = nlohmann::json;

/// What a JSON value is, for "expected X, got Y" messages.
std::string kindOf(const Json &value) {
  switch (value.type()) {
  case Json::value_t::null:
    return "null";
  case Json::value_t::object:
    return "an object";
  case Json::value_t::array:
    return "an array";
  case Json::value_t::string:
    return "a string";
  case Json::value_t::boolean:
    return "a boolean";
  case Json::value_t::number_float:
    return "a number with a fraction";
  default:
    return value.is_number_integer() && value.get<int64_t>() < 0
               ? "a negative integer"
               : "a number";
  }
}

/// Reads the manifest's fields, naming each by its JSON path on failure.
class Reader {
public:
  Reader(const std::string &path, std::string &error)
      : path(path), error(error) {}

  bool read(const Json &root, Manifest &manifest);

private:
  bool fail(const std::string &where, const std::string &message) {
    error = path + ": " + (where.empty() ? "" : where + ": ") + message;
    return false;
  }
  static std::string at(const std::string &where, const std::string &key) {
    return where.empty() ? key : where + "." + key;
  }

  /// The field `key` of object `object` (at `where`), or null on failure.
  const Json *field(const Json &object, const std::string &where,
                    const std::string &key) {
    auto it = object.find(key);
    if (it == object.end()) {
      fail(at(where, key), "missing");
      return nullptr;
    }
    return &*it;
  }
  bool object(const Json &value, const std::string &where) {
    return value.is_object() ||
           fail(where, "expected an object, got " + kindOf(value));
  }
  bool string(const Json &object, const std::string &where,
              const std::string &key, std::string &value) {
    const Json *item = field(object, where, key);
    if (!item)
      return false;
    if (!item->is_string() || item->get<std::string>().empty())
      return fail(at(where, key),
                  "expected a non-empty string, got " + kindOf(*item));
    value = item->get<std::string>();
    return true;
  }
  bool integer(const Json &object, const std::string &where,
               const std::string &key, int64_t minimum, int64_t &value) {
    const Json *item = field(object, where, key);
    if (!item)
      return false;
    if (!item->is_number_integer() || item->get<int64_t>() < minimum)
      return fail(at(where, key),
                  "expected an integer >= " + std::to_string(minimum) +
                      ", got " + kindOf(*item));
    value = item->get<int64_t>();
    return true;
  }
  bool number(const Json &value, const std::string &where, double &result) {
    if (!value.is_number())
      return fail(where, "expected a number, got " + kindOf(value));
    result = value.get<double>();
    return true;
  }
  bool boolean(const Json &object, const std::string &where,
               const std::string &key, bool &value) {
    const Json *item = field(object, where, key);
    if (!item)
      return false;
    if (!item->is_boolean())
      return fail(at(where, key), "expected a boolean, got " + kindOf(*item));
    value = item->get<bool>();
    return true;
  }
  /// An optional name of a state tensor: a string naming one, or null.
  bool stateName(const Json &object, const std::string &where,
                 const std::string &key, const Manifest &manifest,
                 std::optional<std::string> &name);
  /// An optional number: a number, or null.
  bool optionalNumber(const Json &object, const std::string &where,
                      const std::string &key, std::optional<double> &value);

  bool tensor(const Json &value, const std::string &where, TensorSpec &spec);
  bool tensors(const Json &object, const std::string &where,
               const std::string &key, std::vector<TensorSpec> &specs);
  bool init(const Json &value, const std::string &where,
            driver::InitSpec &spec);
  bool state(const Json &root, Manifest &manifest);
  bool function(const Json &value, const std::string &where,
                const Manifest &manifest, FunctionSpec &spec);
  bool functions(const Json &root, Manifest &manifest);
  bool lossScaling(const Json &root, Manifest &manifest);

  const std::string &path;
  std::string &error;
};

bool Reader::stateName(const Json &object, const std::string &where,
                       const std::string &key, const Manifest &manifest,
                       std::optional<std::string> &name) {
  const Json *item = field(object, where, key);
  if (!item)
    return false;
  if (item->is_null())
    return true;
  if (!item->is_string())
    return fail(at(where, key),
                "expected a state name or null, got " + kindOf(*item));
  std::optional<size_t> index = manifest.stateIndex(item->get<std::string>());
  if (!index)
    return fail(at(where, key),
                "no state tensor named '" + item->get<std::string>() + "'");
  const StateSpec &spec = manifest.state[*index];
  if (spec.dtype != DType::F32 || spec.numElements() != 1)
    return fail(at(where, key),
                "state '" + spec.name + "' must be one f32 value, got " +
                    dtypeName(spec.dtype) + " with " +
                    std::to_string(spec.numElements()) + " elements");
  name = item->get<std::string>();
  return true;
}

bool Reader::optionalNumber(const Json &object, const std::string &where,
                            const std::string &key,
                            std::optional<double> &value) {
  const Json *item = field(object, where, key);
  if (!item)
    return false;
  if (item->is_null())
    return true;
  double result = 0;
  if (!number(*item, at(where, key), result))
    return false;
  value = result;
  return true;
}

bool Reader::tensor(const Json &value, const std::string &where,
                    TensorSpec &spec) {
  if (!object(value, where) || !string(value, where, "name", spec.name))
    return false;
  const Json *shape = field(value, where, "shape");
  if (!shape)
    return false;
  if (!shape->is_array())
    return fail(at(where, "shape"), "expected an array, got " + kindOf(*shape));
  for (size_t i = 0; i < shape->size(); ++i) {
    const Json &dim = (*shape)[i];
    if (!dim.is_number_integer() || dim.get<int64_t>() < 0)
      return fail(at(where, "shape") + "[" + std::to_string(i) + "]",
                  "expected an integer >= 0, got " + kindOf(dim));
    spec.shape.push_back(dim.get<int64_t>());
  }
  std::string dtype;
  if (!string(value, where, "dtype", dtype))
    return false;
  std::optional<DType> parsed = parseDType(dtype);
  if (parsed && *parsed != DType::I64) {
    spec.dtype = *parsed;
    return true;
  }
  return fail(at(where, "dtype"), "unknown dtype '" + dtype +
                                      "' (expected f32, f16, bf16, i32 or i1)");
}

bool Reader::tensors(const Json &object, const std::string &where,
                     const std::string &key, std::vector<TensorSpec> &specs) {
  const Json *list = field(object, where, key);
  if (!list)
    return false;
  if (!list->is_array())
    return fail(at(where, key), "expected an array, got " + kindOf(*list));
  specs.resize(list->size());
  for (size_t i = 0; i < list->size(); ++i)
    if (!tensor((*list)[i], at(where, key) + "[" + std::to_string(i) + "]",
                specs[i]))
      return false;
  return true;
}

bool Reader::init(const Json &value, const std::string &where,
                  driver::InitSpec &spec) {
  if (!object(value, where))
    return false;
  std::string kind;
  if (!string(value, where, "kind", kind))
    return false;
  std::optional<driver::InitSpec::Kind> parsed = driver::parseInitKind(kind);
  if (!parsed)
    return fail(at(where, "kind"), "unknown initializer '" + kind + "'");
  spec.kind = *parsed;
  const Json *first = field(value, where, "first");
  const Json *second = first ? field(value, where, "second") : nullptr;
  if (!second || !number(*first, at(where, "first"), spec.first) ||
      !number(*second, at(where, "second"), spec.second))
    return false;
  const Json *seed = field(value, where, "seed");
  if (!seed)
    return false;
  if (seed->is_null())
    return true;
  if (!seed->is_number_unsigned())
    return fail(at(where, "seed"),
                "expected an integer >= 0 or null, got " + kindOf(*seed));
  spec.seed = seed->get<uint64_t>();
  return true;
}

bool Reader::state(const Json &root, Manifest &manifest) {
  const Json *list = field(root, "", "state");
  if (!list)
    return false;
  if (!list->is_array())
    return fail("state", "expected an array, got " + kindOf(*list));
  std::set<std::string> names;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string where = "state[" + std::to_string(i) + "]";
    const Json &entry = (*list)[i];
    StateSpec spec;
    if (!tensor(entry, where, spec) ||
        !boolean(entry, where, "trainable", spec.trainable))
      return false;
    const Json *initializer = field(entry, where, "init");
    if (!initializer || !init(*initializer, at(where, "init"), spec.init))
      return false;
    if (!names.insert(spec.name).second)
      return fail(at(where, "name"), "'" + spec.name + "' named twice");
    manifest.state.push_back(std::move(spec));
  }
  return true;
}

bool Reader::function(const Json &value, const std::string &where,
                      const Manifest &manifest, FunctionSpec &spec) {
  if (!object(value, where) || !string(value, where, "name", spec.name) ||
      !string(value, where, "entry", spec.entry) ||
      !integer(value, where, "arena_bytes", 0, spec.arenaBytes) ||
      !integer(value, where, "peak_live_bytes", 0, spec.peakLiveBytes) ||
      !tensors(value, where, "inputs", spec.inputs) ||
      !tensors(value, where, "outputs", spec.outputs))
    return false;
  if (spec.arenaBytes > manifest.arenaBytes)
    return fail(at(where, "arena_bytes"),
                std::to_string(spec.arenaBytes) + " exceeds the arena_bytes " +
                    std::to_string(manifest.arenaBytes) + " of the module");
  if (spec.outputs.empty())
    return fail(at(where, "outputs"), "a function returns the loss first");
  const TensorSpec &loss = spec.outputs.front();
  if (loss.numElements() != 1 || !isFloat(loss.dtype))
    return fail(at(where, "outputs[0]"),
                "the loss must be one float value, got " +
                    std::to_string(loss.numElements()) + " " +
                    dtypeName(loss.dtype) + " values");
  return true;
}

bool Reader::functions(const Json &root, Manifest &manifest) {
  const Json *list = field(root, "", "functions");
  if (!list)
    return false;
  if (!list->is_array())
    return fail("functions", "expected an array, got " + kindOf(*list));
  for (size_t i = 0; i < list->size(); ++i) {
    FunctionSpec spec;
    std::string where = "functions[" + std::to_string(i) + "]";
    if (!function((*list)[i], where, manifest, spec))
      return false;
    if (manifest.function(spec.name))
      return fail(at(where, "name"), "'" + spec.name + "' named twice");
    manifest.functions.push_back(std::move(spec));
  }
  for (const char *name : {kTrainStep, kForward})
    if (!manifest.function(name))
      return fail("functions", std::string("no function named '") + name + "'");
  // The loop feeds both functions the same batches.
  const FunctionSpec &train = *manifest.function(kTrainStep);
  const FunctionSpec &forward = *manifest.function(kForward);
  bool same = train.inputs.size() == forward.inputs.size();
  for (size_t i = 0; same && i < train.inputs.size(); ++i)
    same = train.inputs[i].shape == forward.inputs[i].shape &&
           train.inputs[i].dtype == forward.inputs[i].dtype;
  if (!same)
    return fail("functions",
                "the inputs of 'forward' differ from those of 'train_step'");
  if (train.inputs.empty() || train.inputs.front().shape.empty())
    return fail("functions",
                "'train_step' needs inputs with a batch dimension");
  return true;
}

bool Reader::lossScaling(const Json &root, Manifest &manifest) {
  const Json *value = field(root, "", "loss_scaling");
  if (!value)
    return false;
  if (value->is_null())
    return true;
  const std::string where = "loss_scaling";
  LossScalingSpec spec;
  if (!object(*value, where) ||
      !boolean(*value, where, "dynamic", spec.dynamic) ||
      !stateName(*value, where, "scale", manifest, spec.scale) ||
      !optionalNumber(*value, where, "static_scale", spec.staticScale) ||
      !optionalNumber(*value, where, "floor", spec.floor) ||
      !stateName(*value, where, "skipped", manifest, spec.skipped))
    return false;
  if (spec.dynamic && !spec.scale)
    return fail(at(where, "scale"), "dynamic scaling needs its scale state");
  if (!spec.dynamic && !spec.staticScale)
    return fail(at(where, "static_scale"), "static scaling needs a scale");
  manifest.lossScaling = spec;
  return true;
}

bool Reader::read(const Json &root, Manifest &manifest) {
  if (!object(root, ""))
    return false;
  int64_t abi = 0;
  if (!integer(root, "", "abi", 0, abi))
    return false;
  if (abi != MPC_CUDA_ABI_VERSION)
    return fail("abi", "version " + std::to_string(abi) +
                           ", but this mpc runs version " +
                           std::to_string(MPC_CUDA_ABI_VERSION) +
                           " (recompile the model)");
  manifest.abi = int(abi);
  int64_t labelInput = 0;
  if (!string(root, "", "graph", manifest.graph) ||
      !integer(root, "", "arena_bytes", 0, manifest.arenaBytes) ||
      !state(root, manifest) || !functions(root, manifest) ||
      !integer(root, "", "label_input", -1, labelInput) ||
      !lossScaling(root, manifest))
    return false;
  const FunctionSpec &train = *manifest.function(kTrainStep);
  if (labelInput >= int64_t(train.inputs.size()))
    return fail("label_input", "input " + std::to_string(labelInput) +
                                   " of 'train_step', which has " +
                                   std::to_string(train.inputs.size()));
  manifest.labelInput = int(labelInput);
  return true;
}

} // namespace

int64_t TensorSpec::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

const FunctionSpec *Manifest::function(const std::string &name) const {
  for (const FunctionSpec &spec : functions)
    if (spec.name == name)
      return &spec;
  return nullptr;
}

std::optional<size_t> Manifest::stateIndex(const std::string &name) const {
  for (size_t i = 0; i < state.size(); ++i)
    if (state[i].name == name)
      return i;
  return std::nullopt;
}

std::optional<Manifest> parseManifest(const std::string &text,
                                      const std::string &path,
                                      std::string &error) {
  Json root = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    driver::JsonSyntaxError syntax;
    Json::sax_parse(text, &syntax);
    error = path + ": malformed JSON: " + syntax.reason;
    return std::nullopt;
  }
  Manifest manifest;
  if (!Reader(path, error).read(root, manifest))
    return std::nullopt;
  return manifest;
}

std::optional<Manifest> readManifest(const std::string &path,
                                     std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = path + ": cannot be read";
    return std::nullopt;
  }
  std::ostringstream text;
  text << file.rdbuf();
  return parseManifest(text.str(), path, error);
}

} // namespace mpc::cuda
