//===- GraphImporter.cpp - JSON graph to mpc IR ---------------------------===//
//
// The importer validates everything it reads and reports the first problem
// as one diagnostic: "FILE:LINE:COL: error: JSON_POINTER: message". It is
// built without exceptions, so it never calls a throwing nlohmann accessor
// (at(), get<T>() on a mismatched type): every read is checked first.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/json/GraphImporter.h"
#include "compiler/import/json/JsonReader.h"
#include "compiler/import/json/NodeImporter.h"
#include "dialects/mpc/ForwardFunction.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"
#include "runtime/core/StepNames.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include <nlohmann/json.hpp>

#include <deque>

using namespace mlir;
using json = nlohmann::json;

namespace mpc {

void registerGraphImportDialects(DialectRegistry &registry) {
  registry.insert<MpcDialect, func::FuncDialect>();
}

bool looksLikeJsonGraph(llvm::StringRef text) {
  // A JSON document starts with '{' (or '[', which no MLIR file starts with,
  // so that a graph that is not an object gets the importer's message). MLIR
  // file metadata starts with "{-#". A UTF-8 byte order mark, which JSON
  // parsers skip and MLIR's rejects, may come first.
  text.consume_front("\xEF\xBB\xBF");
  text = text.ltrim();
  return (text.starts_with("{") && !text.starts_with("{-#")) ||
         text.starts_with("[");
}

bool isJsonGraphFile(llvm::StringRef fileName, llvm::StringRef text) {
  return fileName.ends_with_insensitive(".json") || looksLikeJsonGraph(text);
}

namespace {

/// Builds the module of one graph: the training block, the inputs as the
/// arguments of @forward, the params as symbols loaded at its top, the nodes
/// in dependency order, and the loss and outputs as its results.
class Importer {
public:
  Importer(llvm::StringRef text, llvm::StringRef fileName, MLIRContext *context,
           const GraphImportOptions &options)
      : text(text), context(context), builder(context), options(options),
        reader(fileName, context) {}

  OwningOpRef<ModuleOp> run();
  /// The document as a training object alone (a settings file).
  FailureOr<DictionaryAttr> runTraining();

private:
  /// A named tensor declared by an input or a param.
  struct TensorDecl {
    std::string name;
    RankedTensorType type;
  };

  /// The array `root[key]`, or null when the graph has none.
  FailureOr<const json *> readArraySection(const json &root,
                                           llvm::StringRef key);
  /// A param's dtype is a float and its shape has no "batch" dim.
  FailureOr<TensorDecl> readTensorDecl(const json &object,
                                       const std::string &pointer,
                                       llvm::StringRef what, bool isParam);
  FailureOr<InitAttr> readInit(const json &value, const std::string &pointer,
                               RankedTensorType type);
  LogicalResult importTraining(const json &root);
  /// The training object `section` at `prefix` ("/training" in a graph, ""
  /// in a settings file), into `training`.
  LogicalResult readTraining(const json &section, const std::string &prefix);
  /// training.param_groups: [{match, weight_decay?, lr_scale?}, ...].
  FailureOr<ArrayAttr> readParamGroups(const json &value,
                                       llvm::StringRef pointer);
  LogicalResult importInputs(const json &root, Block &body);
  LogicalResult importParams(const json &root, ModuleOp module, Block &body);
  LogicalResult importNodes(const json &root);
  FailureOr<GraphNode> readNode(const json &object, size_t index);
  FailureOr<std::vector<size_t>> sortNodes(std::vector<GraphNode> &nodes);
  LogicalResult checkNodeNames(llvm::ArrayRef<GraphNode> nodes);
  LogicalResult importResults(const json &root, func::FuncOp forward);
  LogicalResult defineValue(llvm::StringRef name, Value value,
                            llvm::StringRef pointer);

  llvm::StringRef text;
  MLIRContext *context;
  OpBuilder builder;
  GraphImportOptions options;
  JsonReader reader;

  NamedAttrList training;
  llvm::SmallVector<std::string> inputNames;
  /// Every value defined so far, and where in the file it is defined.
  llvm::StringMap<Value> values;
  llvm::StringMap<std::string> definedAt;
};

//===----------------------------------------------------------------------===//
// Graph sections
//===----------------------------------------------------------------------===//

LogicalResult Importer::defineValue(llvm::StringRef name, Value value,
                                    llvm::StringRef pointer) {
  auto [it, inserted] = definedAt.try_emplace(name, pointer.str());
  if (!inserted) {
    reader.error(pointer) << "value '" << name << "' is already defined at "
                          << it->second;
    return failure();
  }
  values[name] = value;
  return success();
}

FailureOr<ArrayAttr> Importer::readParamGroups(const json &value,
                                               llvm::StringRef pointer) {
  if (!value.is_array()) {
    reader.error(pointer) << "expected an array of parameter groups, got "
                          << jsonKindName(value);
    return failure();
  }
  static constexpr llvm::StringLiteral keys[] = {"match", "weight_decay",
                                                 "lr_scale"};
  SmallVector<Attribute> groups;
  for (size_t i = 0; i < value.size(); ++i) {
    std::string where = (pointer + "/" + llvm::Twine(i)).str();
    const json &group = value[i];
    if (failed(reader.checkKeys(group, where, keys, "a parameter group")))
      return failure();
    const json *match =
        reader.require(group, "match", where, "a parameter group");
    if (!match)
      return failure();
    FailureOr<std::string> pattern = reader.readName(*match, where + "/match");
    if (failed(pattern))
      return failure();
    NamedAttrList entry;
    entry.append("match", builder.getStringAttr(*pattern));
    for (llvm::StringRef key : {"weight_decay", "lr_scale"}) {
      auto member = group.find(key.str());
      if (member == group.end())
        continue;
      std::string memberPointer = where + "/" + key.str();
      FailureOr<double> number =
          reader.readNumber(*member, memberPointer, false);
      if (failed(number))
        return failure();
      bool scale = key == "lr_scale";
      if (scale ? !(*number > 0) : *number < 0) {
        reader.error(memberPointer)
            << key << " must be " << (scale ? "> 0" : ">= 0") << ", got "
            << *number;
        return failure();
      }
      entry.append(key, builder.getF64FloatAttr(*number));
    }
    if (entry.getAttrs().size() == 1) {
      reader.error(where)
          << "a parameter group sets weight_decay, lr_scale or both";
      return failure();
    }
    groups.push_back(entry.getDictionary(builder.getContext()));
  }
  return builder.getArrayAttr(groups);
}

LogicalResult Importer::importTraining(const json &root) {
  const json *section = jsonMember(root, "training");
  if (!section)
    return success();
  return readTraining(*section, "/training");
}

LogicalResult Importer::readTraining(const json &section,
                                     const std::string &prefix) {
  static constexpr llvm::StringLiteral keys[] = {
      "batch_size",   "optimizer",    "learning_rate", "steps",
      "seed",         "weight_decay", "lr_schedule",   "warmup_steps",
      "decay_steps",  "min_lr_ratio", "lr_step_size",  "lr_gamma",
      "param_groups", "accumulate"};
  if (failed(reader.checkKeys(section, prefix, keys, "training")))
    return failure();
  for (auto it = section.begin(); it != section.end(); ++it) {
    std::string pointer = prefix + "/" + it.key();
    llvm::StringRef key = it.key();
    const json &value = it.value();
    if (key == "param_groups") {
      FailureOr<ArrayAttr> groups = readParamGroups(value, pointer);
      if (failed(groups))
        return failure();
      training.append(key, *groups);
    } else if (key == "optimizer") {
      static constexpr llvm::StringLiteral optimizers[] = {"sgd", "momentum",
                                                           "adamw"};
      auto optimizer =
          reader.readChoice(value, pointer, "optimizer", optimizers);
      if (failed(optimizer))
        return failure();
      training.append(key, builder.getStringAttr(*optimizer));
    } else if (key == "lr_schedule") {
      static constexpr llvm::StringLiteral schedules[] = {"constant", "cosine",
                                                          "linear", "step"};
      auto schedule =
          reader.readChoice(value, pointer, "lr_schedule", schedules);
      if (failed(schedule))
        return failure();
      training.append(key, builder.getStringAttr(*schedule));
    } else if (key == "min_lr_ratio" || key == "lr_gamma") {
      auto number = reader.readNumber(value, pointer, false);
      if (failed(number))
        return failure();
      bool minRatio = key == "min_lr_ratio";
      if (minRatio ? !(*number >= 0 && *number <= 1)
                   : !(*number > 0 && *number <= 1)) {
        reader.error(pointer)
            << key << " must lie in " << (minRatio ? "[0, 1]" : "(0, 1]")
            << ", got " << *number;
        return failure();
      }
      training.append(key, builder.getF64FloatAttr(*number));
    } else if (key == "learning_rate" || key == "weight_decay") {
      auto number = reader.readNumber(value, pointer, false);
      if (failed(number))
        return failure();
      if (key == "learning_rate" ? *number <= 0 : *number < 0) {
        reader.error(pointer)
            << key << " must be " << (key == "learning_rate" ? "> 0" : ">= 0")
            << ", got " << *number;
        return failure();
      }
      training.append(key, builder.getF64FloatAttr(*number));
    } else {
      bool mayBeZero = key == "seed" || key == "warmup_steps";
      auto number = reader.readInt(value, pointer, mayBeZero ? 0 : 1);
      if (failed(number))
        return failure();
      if (key == "batch_size")
        reader.setBatchSize(*number);
      // The step counts its micro-batches in f32, exact to 2^24.
      constexpr int64_t kMaxAccumulate = int64_t(1) << 24;
      if (key == "accumulate" && *number > kMaxAccumulate) {
        reader.error(pointer) << "accumulate must be at most " << kMaxAccumulate
                              << ", got " << *number;
        return failure();
      }
      training.append(key, builder.getI64IntegerAttr(*number));
    }
  }
  return success();
}

FailureOr<const json *> Importer::readArraySection(const json &root,
                                                   llvm::StringRef key) {
  const json *section = jsonMember(root, key);
  if (section && !section->is_array()) {
    reader.error(("/" + key).str())
        << key << " must be an array, got " << jsonKindName(*section);
    return failure();
  }
  return section;
}

FailureOr<Importer::TensorDecl>
Importer::readTensorDecl(const json &object, const std::string &pointer,
                         llvm::StringRef what, bool isParam) {
  // One problem, one diagnostic: stop at the first.
  const json *name = reader.require(object, "name", pointer, what);
  const json *shapeValue =
      name ? reader.require(object, "shape", pointer, what) : nullptr;
  if (!shapeValue)
    return failure();
  auto nameText = reader.readName(*name, pointer + "/name");
  if (failed(nameText))
    return failure();
  // A param outlives the batch size it was trained with.
  auto shape = reader.readShape(*shapeValue, pointer + "/shape",
                                /*allowBatch=*/!isParam);
  if (failed(shape))
    return failure();
  Type elementType = builder.getF32Type();
  if (const json *dtype = jsonMember(object, "dtype")) {
    auto read = reader.readDType(*dtype, pointer + "/dtype", isParam);
    if (failed(read))
      return failure();
    elementType = *read;
  }
  return TensorDecl{*nameText, RankedTensorType::get(*shape, elementType)};
}

FailureOr<InitAttr> Importer::readInit(const json &value,
                                       const std::string &pointer,
                                       RankedTensorType type) {
  // The kind first: it decides which arguments the object may hold.
  if (!value.is_object()) {
    reader.error(pointer) << "init must be an object, got "
                          << jsonKindName(value);
    return failure();
  }
  const json *kindValue = reader.require(value, "kind", pointer, "init");
  if (!kindValue)
    return failure();
  static constexpr llvm::StringLiteral kinds[] = {
      "zeros",   "ones",           "constant",     "normal",
      "uniform", "xavier_uniform", "xavier_normal"};
  auto kindName =
      reader.readChoice(*kindValue, pointer + "/kind", "init kind", kinds);
  if (failed(kindName))
    return failure();
  std::optional<InitKind> kind = symbolizeInitKind(*kindName);
  llvm::ArrayRef<InitArgument> arguments = initArguments(*kind);
  llvm::SmallVector<llvm::StringLiteral> keys = {"kind", "seed"};
  for (const InitArgument &argument : arguments)
    keys.push_back(argument.name);
  if (failed(
          reader.checkKeys(value, pointer, keys,
                           ("'" + stringifyInitKind(*kind) + "' init").str())))
    return failure();

  double numbers[2] = {0.0, 0.0};
  for (auto [index, argument] : llvm::enumerate(arguments)) {
    numbers[index] = argument.defaultValue;
    if (const json *given = jsonMember(value, argument.name)) {
      auto number =
          reader.readNumber(*given, pointer + "/" + argument.name.str(), false);
      if (failed(number))
        return failure();
      numbers[index] = *number;
    }
  }
  if (*kind == InitKind::constant && !jsonMember(value, "value")) {
    reader.error(pointer) << "a constant init needs 'value'";
    return failure();
  }
  std::optional<uint64_t> seed;
  if (const json *seedValue = jsonMember(value, "seed")) {
    auto read = reader.readInt(*seedValue, pointer + "/seed", 0);
    if (failed(read))
      return failure();
    seed = static_cast<uint64_t>(*read);
  }
  auto init = InitAttr::getChecked([&] { return reader.error(pointer); },
                                   context, *kind, llvm::APFloat(numbers[0]),
                                   llvm::APFloat(numbers[1]), seed);
  if (!init)
    return failure();
  if (failed(init.verifyFor(type, [&] { return reader.error(pointer); })))
    return failure();
  return init;
}

LogicalResult Importer::importInputs(const json &root, Block &body) {
  auto section = readArraySection(root, "inputs");
  if (failed(section) || !*section)
    return section;
  static constexpr llvm::StringLiteral keys[] = {"name", "shape", "dtype"};
  for (size_t i = 0; i < (*section)->size(); ++i) {
    const json &input = (**section)[i];
    std::string pointer = "/inputs/" + std::to_string(i);
    if (failed(reader.checkKeys(input, pointer, keys, "input")))
      return failure();
    auto decl = readTensorDecl(input, pointer, "input", /*isParam=*/false);
    if (failed(decl))
      return failure();
    Value argument = body.addArgument(decl->type, reader.locationOf(pointer));
    if (failed(defineValue(decl->name, argument, pointer + "/name")))
      return failure();
    inputNames.push_back(decl->name);
  }
  return success();
}

LogicalResult Importer::importParams(const json &root, ModuleOp module,
                                     Block &body) {
  auto section = readArraySection(root, "params");
  if (failed(section) || !*section)
    return section;
  static constexpr llvm::StringLiteral keys[] = {"name", "shape", "dtype",
                                                 "init"};
  OpBuilder moduleBuilder = OpBuilder::atBlockEnd(module.getBody());
  for (size_t i = 0; i < (*section)->size(); ++i) {
    const json &param = (**section)[i];
    std::string pointer = "/params/" + std::to_string(i);
    if (failed(reader.checkKeys(param, pointer, keys, "param")))
      return failure();
    auto decl = readTensorDecl(param, pointer, "param", /*isParam=*/true);
    if (failed(decl))
      return failure();
    const json *initValue = reader.require(param, "init", pointer, "param");
    if (!initValue)
      return failure();
    auto init = readInit(*initValue, pointer + "/init", decl->type);
    if (failed(init))
      return failure();
    // Params are symbols of the module, next to the function @forward and
    // the symbols the training step adds.
    if (decl->name == MpcDialect::kForwardFuncName) {
      reader.error(pointer + "/name")
          << "param name '" << MpcDialect::kForwardFuncName
          << "' is taken by the function @" << MpcDialect::kForwardFuncName;
      return failure();
    }
    if (mpc::step::isFixedSymbolName(decl->name)) {
      reader.error(pointer + "/name")
          << "param name '" << decl->name
          << "' is taken by the training step's own @" << decl->name
          << "; give the param another name";
      return failure();
    }
    Location loc = reader.namedLocationOf(decl->name, pointer);
    Value loaded = builder.create<LoadOp>(loc, decl->type, decl->name);
    if (failed(defineValue(decl->name, loaded, pointer + "/name")))
      return failure();
    moduleBuilder.create<ParamOp>(loc, decl->name, decl->type, *init);
  }
  return success();
}

FailureOr<GraphNode> Importer::readNode(const json &object, size_t index) {
  std::string pointer = "/nodes/" + std::to_string(index);
  static constexpr llvm::StringLiteral keys[] = {"op",   "inputs", "outputs",
                                                 "name", "attrs",  "precision"};
  if (failed(reader.checkKeys(object, pointer, keys, "node")))
    return failure();
  const json *op = reader.require(object, "op", pointer, "node");
  const json *outputs =
      op ? reader.require(object, "outputs", pointer, "node") : nullptr;
  if (!outputs)
    return failure();
  if (!op->is_string()) {
    reader.error(pointer + "/op")
        << "op must be a string, got " << jsonKindName(*op);
    return failure();
  }
  if (!outputs->is_array() || outputs->size() != 1) {
    reader.error(pointer + "/outputs")
        << "outputs must be an array of exactly one "
           "value name";
    return failure();
  }
  auto output = reader.readName((*outputs)[0], pointer + "/outputs/0");
  if (failed(output))
    return failure();
  std::string name = *output;
  if (const json *nameValue = jsonMember(object, "name")) {
    auto read = reader.readName(*nameValue, pointer + "/name");
    if (failed(read))
      return failure();
    name = *read;
  }
  GraphNode node(reader.namedLocationOf(name, pointer));
  node.object = &object;
  node.pointer = pointer;
  node.name = name;
  node.op = op->get_ref<const std::string &>();
  node.output = *output;
  if (const json *inputs = jsonMember(object, "inputs")) {
    if (!inputs->is_array()) {
      reader.error(pointer + "/inputs")
          << "inputs must be an array of value names, "
             "got "
          << jsonKindName(*inputs);
      return failure();
    }
    for (size_t i = 0; i < inputs->size(); ++i) {
      auto input = reader.readName((*inputs)[i],
                                   pointer + "/inputs/" + std::to_string(i));
      if (failed(input))
        return failure();
      node.inputs.push_back(*input);
    }
  }
  if (const json *attrs = jsonMember(object, "attrs");
      attrs && !attrs->is_object()) {
    reader.error(pointer + "/attrs")
        << "attrs must be an object, got " << jsonKindName(*attrs);
    return failure();
  }
  return node;
}

FailureOr<std::vector<size_t>>
Importer::sortNodes(std::vector<GraphNode> &nodes) {
  // Which node defines each value; graph inputs and params are already in
  // `definedAt`.
  llvm::StringMap<size_t> producer;
  for (auto [index, node] : llvm::enumerate(nodes)) {
    std::string pointer = node.pointer + "/outputs/0";
    auto previous = definedAt.find(node.output);
    if (previous != definedAt.end()) {
      reader.error(pointer) << "value '" << node.output
                            << "' is already defined at " << previous->second;
      return failure();
    }
    definedAt[node.output] = pointer;
    producer[node.output] = index;
  }
  // Kahn's algorithm, taking ready nodes in file order.
  std::vector<unsigned> waitingOn(nodes.size(), 0);
  std::vector<llvm::SmallVector<size_t>> users(nodes.size());
  for (auto [index, node] : llvm::enumerate(nodes)) {
    for (auto [position, input] : llvm::enumerate(node.inputs)) {
      if (values.count(input))
        continue;
      auto it = producer.find(input);
      if (it == producer.end()) {
        llvm::SmallVector<llvm::StringRef> known;
        for (auto &entry : definedAt)
          known.push_back(entry.getKey());
        llvm::sort(known);
        InFlightDiagnostic diagnostic =
            reader.error(node.pointer + "/inputs/" + std::to_string(position))
            << "unknown value '" << input << "'";
        if (auto nearest = nearestName(input, known))
          diagnostic << " (did you mean '" << *nearest << "'?)";
        return failure();
      }
      ++waitingOn[index];
      users[it->second].push_back(index);
    }
  }
  std::deque<size_t> ready;
  for (size_t index = 0; index < nodes.size(); ++index)
    if (waitingOn[index] == 0)
      ready.push_back(index);
  std::vector<size_t> order;
  while (!ready.empty()) {
    size_t index = ready.front();
    ready.pop_front();
    order.push_back(index);
    for (size_t user : users[index])
      if (--waitingOn[user] == 0)
        ready.push_back(user);
  }
  if (order.size() == nodes.size())
    return order;

  // Every node left waits on another left node: walk back until a value
  // repeats to name one cycle.
  size_t start = 0;
  while (waitingOn[start] == 0)
    ++start;
  llvm::SmallVector<size_t> path;
  llvm::DenseMap<size_t, size_t> seenAt;
  size_t current = start;
  while (!seenAt.count(current)) {
    seenAt[current] = path.size();
    path.push_back(current);
    for (const std::string &input : nodes[current].inputs) {
      auto it = producer.find(input);
      if (it != producer.end() && waitingOn[it->second] != 0) {
        current = it->second;
        break;
      }
    }
  }
  std::string cycle;
  for (size_t i = seenAt[current]; i < path.size(); ++i)
    cycle += "'" + nodes[path[i]].output + "' <- ";
  cycle += "'" + nodes[current].output + "'";
  reader.error(nodes[current].pointer) << "the graph has a cycle: " << cycle;
  return failure();
}

LogicalResult Importer::checkNodeNames(llvm::ArrayRef<GraphNode> nodes) {
  // Node names are the names of op locations: each names one node. (Two
  // nodes named after the same output are caught as a value defined twice.)
  llvm::StringMap<std::string> namedAt;
  for (const GraphNode &node : nodes) {
    bool explicitName = jsonMember(*node.object, "name");
    std::string pointer = node.pointer + (explicitName ? "/name" : "");
    auto [it, inserted] = namedAt.try_emplace(node.name, pointer);
    if (!inserted) {
      reader.error(pointer) << "node name '" << node.name
                            << "' is already used at " << it->second;
      return failure();
    }
  }
  return success();
}

LogicalResult Importer::importNodes(const json &root) {
  auto section = readArraySection(root, "nodes");
  if (failed(section) || !*section)
    return section;
  std::vector<GraphNode> nodes;
  nodes.reserve((*section)->size());
  for (size_t i = 0; i < (*section)->size(); ++i) {
    auto node = readNode((**section)[i], i);
    if (failed(node))
      return failure();
    nodes.push_back(std::move(*node));
  }
  auto order = sortNodes(nodes);
  if (failed(order) || failed(checkNodeNames(nodes)))
    return failure();
  NodeImporter nodeImporter(reader, builder);
  for (size_t index : *order) {
    GraphNode &node = nodes[index];
    FailureOr<Value> result = nodeImporter.import(node, values);
    if (failed(result))
      return failure();
    values[node.output] = *result;
  }
  return success();
}

LogicalResult Importer::importResults(const json &root, func::FuncOp forward) {
  const json *loss = reader.require(root, "loss", "", "the graph");
  if (!loss)
    return failure();
  llvm::SmallVector<Value> results;
  llvm::SmallVector<std::string> names;
  auto resolve = [&](const json &value,
                     const std::string &pointer) -> LogicalResult {
    auto name = reader.readName(value, pointer);
    if (failed(name))
      return failure();
    Value resolved = values.lookup(*name);
    if (!resolved) {
      reader.error(pointer) << "unknown value '" << *name << "'";
      return failure();
    }
    results.push_back(resolved);
    names.push_back(*name);
    return success();
  };
  if (failed(resolve(*loss, "/loss")))
    return failure();
  auto lossType = tensorType(results.front());
  if (lossType.getRank() != 0 ||
      !llvm::isa<FloatType>(lossType.getElementType())) {
    reader.error("/loss") << "the loss '" << names.front()
                          << "' must be a scalar float, got " << lossType;
    return failure();
  }
  if (const json *outputs = jsonMember(root, "outputs")) {
    if (!outputs->is_array()) {
      reader.error("/outputs")
          << "outputs must be an array of value names, got "
          << jsonKindName(*outputs);
      return failure();
    }
    for (size_t i = 0; i < outputs->size(); ++i)
      if (failed(resolve((*outputs)[i], "/outputs/" + std::to_string(i))))
        return failure();
  }

  finishForwardFunction(forward, reader.locationOf("/loss"), results,
                        inputNames, names, /*firstIsLoss=*/true);
  return success();
}

OwningOpRef<ModuleOp> Importer::run() {
  context->loadDialect<MpcDialect, func::FuncDialect>();
  json root;
  if (failed(reader.parse(text, root)))
    return nullptr;
  static constexpr llvm::StringLiteral keys[] = {"version", "name",    "inputs",
                                                 "params",  "nodes",   "loss",
                                                 "outputs", "training"};
  if (failed(reader.checkKeys(root, "", keys, "the graph")))
    return nullptr;
  const json *version = reader.require(root, "version", "", "the graph");
  if (!version)
    return nullptr;
  if (!version->is_number_integer() || version->get<int64_t>() != 1) {
    reader.error("/version")
        << "unsupported graph format version (this mpc reads "
           "version 1)";
    return nullptr;
  }
  if (failed(importTraining(root)))
    return nullptr;
  if (options.batchSize) {
    reader.setBatchSize(options.batchSize);
    // The module records the batch size its shapes were built with.
    training.set("batch_size", builder.getI64IntegerAttr(*options.batchSize));
  }

  Location rootLoc = reader.locationOf("");
  OwningOpRef<ModuleOp> module = ModuleOp::create(rootLoc);
  if (const json *name = jsonMember(root, "name")) {
    auto text = reader.readName(*name, "/name");
    if (failed(text))
      return nullptr;
    llvm::StringRef moduleName = *text;
    if (llvm::isDigit(moduleName.front()) ||
        !llvm::all_of(moduleName,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; })) {
      reader.error("/name")
          << "module name '" << moduleName
          << "' must be letters, digits and '_', not starting "
             "with a digit";
      return nullptr;
    }
    module->setSymName(*text);
  }
  if (!training.empty())
    (*module)->setAttr(MpcDialect::kTrainingAttrName,
                       training.getDictionary(context));

  auto forward = func::FuncOp::create(rootLoc, MpcDialect::kForwardFuncName,
                                      builder.getFunctionType({}, {}));
  module->push_back(forward);
  Block *body = new Block();
  forward.getBody().push_back(body);
  builder.setInsertionPointToEnd(body);
  if (failed(importInputs(root, *body)) ||
      failed(importParams(root, *module, *body)) || failed(importNodes(root)) ||
      failed(importResults(root, forward)))
    return nullptr;
  // Params were appended after @forward; keep them first, as they read.
  forward->moveAfter(&module->getBody()->back());
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

FailureOr<DictionaryAttr> Importer::runTraining() {
  json root;
  if (failed(reader.parse(text, root)))
    return failure();
  if (!root.is_object()) {
    reader.error("") << "the training settings must be an object, got "
                     << jsonKindName(root);
    return failure();
  }
  if (failed(readTraining(root, "")))
    return failure();
  return training.getDictionary(context);
}

} // namespace

FailureOr<DictionaryAttr> importTrainingSettings(llvm::StringRef text,
                                                 llvm::StringRef fileName,
                                                 MLIRContext *context) {
  return Importer(text, fileName, context, GraphImportOptions()).runTraining();
}

OwningOpRef<ModuleOp> importGraph(llvm::StringRef text,
                                  llvm::StringRef fileName,
                                  MLIRContext *context,
                                  const GraphImportOptions &options) {
  return Importer(text, fileName, context, options).run();
}

} // namespace mpc
