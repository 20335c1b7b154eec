//===- StepContract.cpp - what a compiled training step is ----------------===//
//
// The contract's comparisons and entry names, and the manifest reader: it
// checks every field, naming each by its JSON path when it is wrong.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/StepContract.h"

#include "runtime/core/JsonDepth.h"
#include "runtime/core/JsonSyntaxError.h"
#include "runtime/core/ScalarMath.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace mpc {
namespace {

using Json = nlohmann::json;
namespace key = manifest;

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

/// '<name>', for messages.
std::string quote(const std::string &name) { return "'" + name + "'"; }

/// Reads the manifest's fields, naming each by its JSON path on failure.
class Reader {
public:
  Reader(const std::string &path, std::string &error)
      : path(path), error(error) {}

  bool read(const Json &root, StepContract &contract);

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
  /// The number member `key` of `object`.
  bool number(const Json &object, const std::string &where,
              const std::string &key, double &result) {
    const Json *item = field(object, where, key);
    return item && number(*item, at(where, key), result);
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
                 const std::string &key, const StepContract &contract,
                 std::optional<std::string> &name);
  /// An optional number: a number, or null.
  bool optionalNumber(const Json &object, const std::string &where,
                      const std::string &key, std::optional<double> &value);

  bool tensor(const Json &value, const std::string &where, TensorSpec &spec);
  bool tensors(const Json &object, const std::string &where,
               const std::string &key, std::vector<TensorSpec> &specs);
  bool init(const Json &value, const std::string &where, InitSpec &spec);
  /// The values file of a Kind::Values initializer.
  bool initValues(const Json &value, const std::string &where, InitSpec &spec);
  /// The source of a copy: an earlier trainable f32 tensor of its shape;
  /// the copy is f16 or bf16 state.
  bool copySource(const Json &entry, const std::string &where,
                  const StepContract &contract, StateSpec &spec);
  bool state(const Json &root, StepContract &contract);
  bool function(const Json &value, const std::string &where,
                const StepContract &contract, FunctionSpec &spec);
  bool functions(const Json &root, StepContract &contract);
  bool lossScaling(const Json &root, StepContract &contract);
  bool learningRate(const Json &root, StepContract &contract);
  bool numericsProbes(const Json &root, StepContract &contract);

  const std::string &path;
  std::string &error;
};

bool Reader::stateName(const Json &object, const std::string &where,
                       const std::string &key, const StepContract &contract,
                       std::optional<std::string> &name) {
  const Json *item = field(object, where, key);
  if (!item)
    return false;
  if (item->is_null())
    return true;
  if (!item->is_string())
    return fail(at(where, key),
                "expected a state name or null, got " + kindOf(*item));
  std::optional<size_t> index = contract.stateIndex(item->get<std::string>());
  if (!index)
    return fail(at(where, key),
                "no state tensor named " + quote(item->get<std::string>()));
  const StateSpec &spec = contract.state[*index];
  if (spec.dtype != DType::F32 || spec.numElements() != 1)
    return fail(at(where, key),
                "state " + quote(spec.name) + " must be one f32 value, got " +
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
  if (!object(value, where) || !string(value, where, key::kName, spec.name))
    return false;
  const Json *shape = field(value, where, key::kShape);
  if (!shape)
    return false;
  if (!shape->is_array())
    return fail(at(where, key::kShape),
                "expected an array, got " + kindOf(*shape));
  for (size_t i = 0; i < shape->size(); ++i) {
    const Json &dim = (*shape)[i];
    if (!dim.is_number_integer() || dim.get<int64_t>() < 0)
      return fail(at(where, key::kShape) + "[" + std::to_string(i) + "]",
                  "expected an integer >= 0, got " + kindOf(dim));
    spec.shape.push_back(dim.get<int64_t>());
  }
  std::string dtype;
  if (!string(value, where, key::kDType, dtype))
    return false;
  std::optional<DType> parsed = parseDType(dtype);
  if (!parsed || *parsed == DType::I64)
    return fail(at(where, key::kDType),
                "unknown dtype " + quote(dtype) +
                    " (expected f32, f16, bf16, i32 or i1)");
  spec.dtype = *parsed;
  // Optional: manifests written before it was recorded lack it.
  if (value.contains(key::kValueBound)) {
    int64_t bound = 0;
    if (!integer(value, where, key::kValueBound, 1, bound))
      return false;
    spec.valueBound = bound;
  }
  // Optional: absent, the input takes no value outside its bound.
  if (value.contains(key::kIgnoredValue)) {
    // An op's ignore_index fits in 32 bits, as labels do on the device.
    const Json &ignored = value[key::kIgnoredValue];
    if (!ignored.is_number_integer() ||
        (ignored.is_number_unsigned() &&
         ignored.get<uint64_t>() > uint64_t(INT32_MAX)) ||
        ignored.get<int64_t>() < INT32_MIN ||
        ignored.get<int64_t>() > INT32_MAX)
      return fail(at(where, key::kIgnoredValue),
                  "expected a 32-bit integer, got " + kindOf(ignored));
    spec.ignoredValue = ignored.get<int64_t>();
  }
  return true;
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

bool Reader::init(const Json &value, const std::string &where, InitSpec &spec) {
  if (!object(value, where))
    return false;
  std::string kind;
  if (!string(value, where, key::kKind, kind))
    return false;
  std::optional<InitSpec::Kind> parsed = parseInitKind(kind);
  if (!parsed)
    return fail(at(where, key::kKind), "unknown initializer " + quote(kind));
  spec.kind = *parsed;
  const Json *first = field(value, where, key::kFirst);
  const Json *second = first ? field(value, where, key::kSecond) : nullptr;
  if (!second || !number(*first, at(where, key::kFirst), spec.first) ||
      !number(*second, at(where, key::kSecond), spec.second))
    return false;
  const Json *seed = field(value, where, key::kSeed);
  if (!seed)
    return false;
  if (seed->is_null())
    return true;
  if (!seed->is_number_unsigned())
    return fail(at(where, key::kSeed),
                "expected an integer >= 0 or null, got " + kindOf(*seed));
  spec.seed = seed->get<uint64_t>();
  return true;
}

bool Reader::initValues(const Json &value, const std::string &where,
                        InitSpec &spec) {
  if (spec.kind != InitSpec::Kind::Values)
    return true;
  if (!string(value, where, key::kFile, spec.file))
    return false;
  // The file lies inside the artifact directory.
  if (spec.file.empty() || spec.file.front() == '/' ||
      spec.file.find("..") != std::string::npos)
    return fail(at(where, key::kFile),
                "expected a path inside the artifact, got " + quote(spec.file));
  return true;
}

bool Reader::copySource(const Json &entry, const std::string &where,
                        const StepContract &contract, StateSpec &spec) {
  const Json &source = entry[key::kCopyOf];
  std::string place = at(where, key::kCopyOf);
  if (!source.is_string())
    return fail(place, "expected a state name, got " + kindOf(source));
  std::optional<size_t> index = contract.stateIndex(source.get<std::string>());
  if (!index)
    return fail(place, "no earlier state tensor named " +
                           quote(source.get<std::string>()));
  const StateSpec &original = contract.state[*index];
  if (!original.trainable || original.dtype != DType::F32 ||
      original.shape != spec.shape)
    return fail(place, quote(original.name) +
                           " must be a trainable f32 tensor of the copy's "
                           "shape");
  if (spec.trainable || (spec.dtype != DType::F16 && spec.dtype != DType::BF16))
    return fail(where, std::string("a copy must be f16 or bf16 state, got ") +
                           dtypeName(spec.dtype) +
                           (spec.trainable ? " (trainable)" : ""));
  spec.copyOf = original.name;
  return true;
}

bool Reader::state(const Json &root, StepContract &contract) {
  const Json *list = field(root, "", key::kState);
  if (!list)
    return false;
  if (!list->is_array())
    return fail(key::kState, "expected an array, got " + kindOf(*list));
  std::set<std::string> names;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string where = key::kState + ("[" + std::to_string(i) + "]");
    const Json &entry = (*list)[i];
    StateSpec spec;
    if (!tensor(entry, where, spec) ||
        !boolean(entry, where, key::kTrainable, spec.trainable))
      return false;
    const Json *initializer = field(entry, where, key::kInit);
    if (!initializer || !init(*initializer, at(where, key::kInit), spec.init) ||
        !initValues(*initializer, at(where, key::kInit), spec.init))
      return false;
    if (!names.insert(spec.name).second)
      return fail(at(where, key::kName), quote(spec.name) + " named twice");
    if (entry.contains(key::kCopyOf) &&
        !copySource(entry, where, contract, spec))
      return false;
    contract.state.push_back(std::move(spec));
  }
  return true;
}

bool Reader::function(const Json &value, const std::string &where,
                      const StepContract &contract, FunctionSpec &spec) {
  if (!object(value, where) || !string(value, where, key::kName, spec.name) ||
      !string(value, where, key::kEntry, spec.entry) ||
      !integer(value, where, key::kArenaBytes, 0, spec.arenaBytes) ||
      !integer(value, where, key::kPeakLiveBytes, 0, spec.peakLiveBytes) ||
      !tensors(value, where, key::kInputs, spec.inputs) ||
      !tensors(value, where, key::kOutputs, spec.outputs))
    return false;
  if (spec.arenaBytes > contract.arenaBytes)
    return fail(at(where, key::kArenaBytes),
                std::to_string(spec.arenaBytes) + " exceeds the " +
                    key::kArenaBytes + " " +
                    std::to_string(contract.arenaBytes) + " of the module");
  std::string problem = lossProblem(spec);
  if (!problem.empty())
    return fail(at(where, key::kOutputs) + (spec.outputs.empty() ? "" : "[0]"),
                problem);
  return true;
}

bool Reader::functions(const Json &root, StepContract &contract) {
  const Json *list = field(root, "", key::kFunctions);
  if (!list)
    return false;
  if (!list->is_array())
    return fail(key::kFunctions, "expected an array, got " + kindOf(*list));
  for (size_t i = 0; i < list->size(); ++i) {
    FunctionSpec spec;
    std::string where = key::kFunctions + ("[" + std::to_string(i) + "]");
    if (!function((*list)[i], where, contract, spec))
      return false;
    if (contract.function(spec.name))
      return fail(at(where, key::kName), quote(spec.name) + " named twice");
    contract.functions.push_back(std::move(spec));
  }
  std::string problem = stepProblem(contract);
  if (!problem.empty())
    return fail(key::kFunctions, problem);
  return true;
}

bool Reader::lossScaling(const Json &root, StepContract &contract) {
  const Json *value = field(root, "", key::kLossScaling);
  if (!value)
    return false;
  if (value->is_null())
    return true;
  const std::string where = key::kLossScaling;
  LossScalingSpec spec;
  if (!object(*value, where) ||
      !boolean(*value, where, key::kDynamic, spec.dynamic) ||
      !stateName(*value, where, key::kScale, contract, spec.scale) ||
      !optionalNumber(*value, where, key::kStaticScale, spec.staticScale) ||
      !optionalNumber(*value, where, key::kFloor, spec.floor) ||
      !stateName(*value, where, key::kSkipped, contract, spec.skipped))
    return false;
  if (spec.dynamic && !spec.scale)
    return fail(at(where, key::kScale),
                "dynamic scaling needs its scale state");
  if (!spec.dynamic && !spec.staticScale)
    return fail(at(where, key::kStaticScale), "static scaling needs a scale");
  contract.lossScaling = spec;
  return true;
}

bool Reader::learningRate(const Json &root, StepContract &contract) {
  // Optional: a step that does not record its rate logs none.
  if (!root.contains(key::kLearningRate) || root[key::kLearningRate].is_null())
    return true;
  const Json &value = root[key::kLearningRate];
  const std::string where = key::kLearningRate;
  LearningRateSpec spec;
  int64_t kind = 0;
  mpc_lr_schedule &schedule = spec.schedule;
  if (!object(value, where) || !number(value, where, key::kPeak, spec.peak) ||
      !integer(value, where, key::kKind, MPC_LR_CONSTANT, kind) ||
      !integer(value, where, key::kWarmupSteps, 0, schedule.warmup_steps) ||
      !integer(value, where, key::kDecaySteps, 0, schedule.decay_steps) ||
      !number(value, where, key::kMinRatio, schedule.min_ratio) ||
      !integer(value, where, key::kStepSize, 0, schedule.step_size) ||
      !number(value, where, key::kGamma, schedule.gamma))
    return false;
  if (kind > MPC_LR_STEP)
    return fail(at(where, key::kKind),
                "unknown schedule kind " + std::to_string(kind));
  if (!(spec.peak > 0))
    return fail(at(where, key::kPeak), "the rate must be positive");
  spec.schedule.kind = static_cast<int32_t>(kind);
  contract.learningRate = spec;
  return true;
}

bool Reader::numericsProbes(const Json &root, StepContract &contract) {
  auto list = root.find(key::kNumericsProbes);
  if (list == root.end())
    return true;
  if (!list->is_array())
    return fail(key::kNumericsProbes,
                "expected an array, got " + kindOf(*list));
  contract.numericsProbes.emplace();
  for (size_t i = 0; i < list->size(); ++i) {
    std::string where = key::kNumericsProbes + ("[" + std::to_string(i) + "]");
    const Json &entry = (*list)[i];
    numerics::NumericsProbe probe;
    if (!object(entry, where) ||
        !string(entry, where, key::kFunction, probe.function) ||
        !string(entry, where, key::kOp, probe.op) ||
        !string(entry, where, key::kLocation, probe.location) ||
        !string(entry, where, key::kDType, probe.dtype) ||
        !boolean(entry, where, key::kBackward, probe.backward))
      return false;
    const Json *nodes = field(entry, where, key::kNodes);
    if (!nodes)
      return false;
    std::string nodesAt = at(where, key::kNodes);
    if (!nodes->is_array())
      return fail(nodesAt, "expected an array, got " + kindOf(*nodes));
    for (size_t n = 0; n < nodes->size(); ++n) {
      const Json &node = (*nodes)[n];
      if (!node.is_string() || node.get<std::string>().empty())
        return fail(nodesAt + "[" + std::to_string(n) + "]",
                    "expected a non-empty string, got " + kindOf(node));
      probe.nodes.push_back(node.get<std::string>());
    }
    contract.numericsProbes->push_back(std::move(probe));
  }
  return true;
}

bool Reader::read(const Json &root, StepContract &contract) {
  if (!object(root, ""))
    return false;
  int64_t abi = 0;
  if (!integer(root, "", key::kAbi, 0, abi))
    return false;
  if (abi != step::kAbiVersion)
    return fail(key::kAbi, "version " + std::to_string(abi) +
                               ", but this mpc runs version " +
                               std::to_string(step::kAbiVersion) +
                               " (recompile the model)");
  contract.abi = int(abi);
  int64_t labelInput = 0;
  if (!string(root, "", key::kGraph, contract.graph) ||
      !integer(root, "", key::kArenaBytes, 0, contract.arenaBytes) ||
      !state(root, contract) || !functions(root, contract) ||
      !integer(root, "", key::kLabelInput, -1, labelInput) ||
      !lossScaling(root, contract) || !learningRate(root, contract) ||
      !numericsProbes(root, contract))
    return false;
  if (root.contains(key::kAccumulate)) {
    if (!integer(root, "", key::kAccumulate, 2, contract.accumulate))
      return false;
    if (!contract.accumulatePhaseIndex())
      return fail(key::kAccumulate,
                  std::to_string(contract.accumulate) +
                      " micro-batches, but no f32 scalar state " +
                      quote(step::kAccumulatePhase) + " holds the phase");
  }
  const FunctionSpec &train = *contract.function(step::kTrainStep);
  if (labelInput >= int64_t(train.inputs.size()))
    return fail(key::kLabelInput, "input " + std::to_string(labelInput) +
                                      " of " + quote(step::kTrainStep) +
                                      ", which has " +
                                      std::to_string(train.inputs.size()));
  contract.labelInput = int(labelInput);
  return true;
}

} // namespace

bool operator==(const TensorSpec &a, const TensorSpec &b) {
  return a.name == b.name && a.shape == b.shape && a.dtype == b.dtype &&
         a.valueBound == b.valueBound && a.ignoredValue == b.ignoredValue;
}

bool operator==(const StateSpec &a, const StateSpec &b) {
  return static_cast<const TensorSpec &>(a) ==
             static_cast<const TensorSpec &>(b) &&
         a.trainable == b.trainable && a.init == b.init && a.copyOf == b.copyOf;
}

bool operator==(const FunctionSpec &a, const FunctionSpec &b) {
  return a.name == b.name && a.entry == b.entry &&
         a.arenaBytes == b.arenaBytes && a.peakLiveBytes == b.peakLiveBytes &&
         a.inputs == b.inputs && a.outputs == b.outputs;
}

bool operator==(const LossScalingSpec &a, const LossScalingSpec &b) {
  return a.dynamic == b.dynamic && a.scale == b.scale &&
         a.staticScale == b.staticScale && a.floor == b.floor &&
         a.skipped == b.skipped;
}

bool operator==(const LearningRateSpec &a, const LearningRateSpec &b) {
  const mpc_lr_schedule &x = a.schedule, &y = b.schedule;
  return a.peak == b.peak && x.kind == y.kind &&
         x.warmup_steps == y.warmup_steps && x.decay_steps == y.decay_steps &&
         x.min_ratio == y.min_ratio && x.step_size == y.step_size &&
         x.gamma == y.gamma;
}

double LearningRateSpec::at(double step) const {
  return math::scheduledLearningRate(peak, schedule, step);
}

bool operator==(const StepContract &a, const StepContract &b) {
  return a.abi == b.abi && a.graph == b.graph && a.arenaBytes == b.arenaBytes &&
         a.state == b.state && a.functions == b.functions &&
         a.labelInput == b.labelInput && a.lossScaling == b.lossScaling &&
         a.learningRate == b.learningRate && a.accumulate == b.accumulate &&
         a.numericsProbes == b.numericsProbes;
}

std::string entryPointName(std::string_view name) {
  std::string entry = step::kEntryPrefix;
  for (char c : name) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                 (c >= 'A' && c <= 'Z');
    entry += alnum ? c : '_';
  }
  return entry;
}

std::string lossProblem(const FunctionSpec &function) {
  if (function.outputs.empty())
    return "a function returns the loss first";
  const TensorSpec &loss = function.outputs.front();
  // Counted without overflow: a shape of a file may be anything.
  int64_t count = 1;
  bool overflows = false;
  for (int64_t dim : loss.shape)
    overflows = overflows || __builtin_mul_overflow(count, dim, &count);
  if (!overflows && count == 1 && isFloat(loss.dtype))
    return "";
  return "the loss must be one float value, got " +
         (overflows ? std::string("too many") : std::to_string(count)) + " " +
         dtypeName(loss.dtype) + " values";
}

std::string stepProblem(const StepContract &contract) {
  for (const char *name : {step::kTrainStep, step::kForward}) {
    const FunctionSpec *function = contract.function(name);
    if (!function)
      return "no function named " + quote(name);
    std::string problem = lossProblem(*function);
    if (!problem.empty())
      return quote(name) + ": " + problem;
  }
  // The loop feeds both functions the same batches.
  const FunctionSpec &train = *contract.function(step::kTrainStep);
  const FunctionSpec &forward = *contract.function(step::kForward);
  bool same = train.inputs.size() == forward.inputs.size();
  for (size_t i = 0; same && i < train.inputs.size(); ++i)
    same = train.inputs[i].shape == forward.inputs[i].shape &&
           train.inputs[i].dtype == forward.inputs[i].dtype;
  if (!same)
    return "the inputs of " + quote(step::kForward) + " differ from those of " +
           quote(step::kTrainStep);
  if (train.inputs.empty())
    return quote(step::kTrainStep) +
           " takes no inputs, but training feeds it batches of data: it needs "
           "an input with a batch dimension ([B, ...])";
  if (train.inputs.front().shape.empty())
    return "the first input of " + quote(step::kTrainStep) + ", " +
           quote(train.inputs.front().name) +
           ", is a scalar, but training feeds it batches of data: it needs a "
           "batch dimension ([B, ...])";
  return "";
}

std::optional<StepContract> parseManifest(const std::string &text,
                                          const std::string &path,
                                          std::string &error) {
  if (std::optional<size_t> deep = findJsonNestingBeyond(text, kMaxJsonDepth)) {
    error = path + ": byte offset " + std::to_string(*deep) +
            ": the manifest is nested deeper than " +
            std::to_string(kMaxJsonDepth) + " levels";
    return std::nullopt;
  }
  Json root = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    JsonSyntaxError syntax;
    Json::sax_parse(text, &syntax);
    error = path + ": malformed JSON: " + syntax.reason;
    return std::nullopt;
  }
  StepContract contract;
  if (!Reader(path, error).read(root, contract))
    return std::nullopt;
  return contract;
}

std::optional<StepContract> readManifest(const std::string &path,
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

} // namespace mpc
