//===- GraphImporter.cpp - JSON graph to mpc IR ---------------------------===//
//
// The importer validates everything it reads and reports the first problem
// as one diagnostic: "FILE:LINE:COL: error: JSON_POINTER: message". It is
// built without exceptions, so it never calls a throwing nlohmann accessor
// (at(), get<T>() on a mismatched type): every read is checked first.
//
//===----------------------------------------------------------------------===//

#include "compiler/GraphImporter.h"
#include "compiler/JsonPositions.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <deque>
#include <limits>

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

namespace {

/// Deepest nesting a graph may use (constants of rank 8 sit at depth 12).
constexpr unsigned kMaxDepth = 64;
/// Largest tensor a graph may declare, in elements.
constexpr int64_t kMaxElements = int64_t(1) << 40;

/// nlohmann's DOM builder, keeping the parse error instead of throwing it.
class DomBuilder : public nlohmann::detail::json_sax_dom_parser<json> {
public:
  explicit DomBuilder(json &root) : json_sax_dom_parser(root, false) {}

  template <class Exception>
  bool parse_error(std::size_t position, const std::string &lastToken,
                   const Exception &exception) {
    // `position` is just past the character the lexer stopped on. A number
    // too large for a double (error 406) was read whole: point at its start.
    errorOffset = position;
    if (exception.id == 406 && lastToken.size() <= position)
      errorOffset = position - lastToken.size() + 1;
    errorMessage = exception.what();
    return false;
  }

  std::size_t errorOffset = 0;
  std::string errorMessage;
};

/// nlohmann's message without its "[json.exception...] " tag and "parse
/// error at line L, column C: " prefix (the location is reported separately).
std::string stripParseErrorPrefix(llvm::StringRef message) {
  size_t tagEnd = message.find("] ");
  if (message.starts_with("[json.exception") && tagEnd != llvm::StringRef::npos)
    message = message.drop_front(tagEnd + 2);
  size_t colon = message.find(": ");
  if (message.starts_with("parse error") && colon != llvm::StringRef::npos)
    message = message.drop_front(colon + 2);
  return message.str();
}

const json *member(const json &object, const char *key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const char *jsonKind(const json &value) {
  switch (value.type()) {
  case json::value_t::null:
    return "null";
  case json::value_t::object:
    return "an object";
  case json::value_t::array:
    return "an array";
  case json::value_t::string:
    return "a string";
  case json::value_t::boolean:
    return "a boolean";
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
    return "an integer";
  case json::value_t::number_float:
    return "a number";
  default:
    return "a binary value";
  }
}

/// The closest of `candidates` to `name`, if it is close enough to be a typo.
std::optional<llvm::StringRef>
nearestName(llvm::StringRef name, llvm::ArrayRef<llvm::StringRef> candidates) {
  std::optional<llvm::StringRef> best;
  unsigned bestDistance = std::max<unsigned>(2, name.size() / 3) + 1;
  for (llvm::StringRef candidate : candidates) {
    unsigned distance = name.edit_distance(candidate, true, bestDistance);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string formatDouble(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << value;
  return text;
}

/// What kind of tensor an operand of an op must be.
enum class OperandKind { Float, Index, Mask, Any };

OperandKind operandKind(char letter) {
  switch (letter) {
  case 'f':
    return OperandKind::Float;
  case 'i':
    return OperandKind::Index;
  case 'm':
    return OperandKind::Mask;
  default:
    return OperandKind::Any;
  }
}

const char *describe(OperandKind kind) {
  switch (kind) {
  case OperandKind::Float:
    return "a float (f32, f16, bf16)";
  case OperandKind::Index:
    return "an integer (i32, i64)";
  case OperandKind::Mask:
    return "a bool";
  case OperandKind::Any:
    return "any";
  }
  return "";
}

bool matches(OperandKind kind, Type elementType) {
  switch (kind) {
  case OperandKind::Float:
    return elementType.isF32() || elementType.isF16() || elementType.isBF16();
  case OperandKind::Index:
    return elementType.isSignlessInteger(32) ||
           elementType.isSignlessInteger(64);
  case OperandKind::Mask:
    return elementType.isSignlessInteger(1);
  case OperandKind::Any:
    return true;
  }
  return false;
}

/// One node of the graph while it is being built.
struct Node {
  const json *object = nullptr;
  std::string pointer;
  std::string name;
  std::string op;
  std::string output;
  llvm::SmallVector<std::string> inputs;
  llvm::SmallVector<Value> operands;
  Location loc;

  explicit Node(Location loc) : loc(loc) {}
};

class Importer;
using NodeBuilder = FailureOr<Value> (Importer::*)(Node &);

/// The importer's view of one op: its operands (a letter each: f float,
/// i integer, m bool mask, a any), the attrs it accepts, and its builder.
struct OpSpec {
  llvm::StringLiteral name;
  llvm::StringLiteral operands;
  llvm::ArrayRef<llvm::StringLiteral> attrs;
  NodeBuilder build;
};

class Importer {
public:
  Importer(llvm::StringRef text, llvm::StringRef fileName,
           MLIRContext *context, const GraphImportOptions &options)
      : text(text), fileName(fileName), context(context), builder(context),
        options(options) {}

  OwningOpRef<ModuleOp> run();

  // Node builders, one per op family (see opSpecs()).
  FailureOr<Value> buildMatmul(Node &node);
  template <typename OpTy> FailureOr<Value> buildBroadcastBinary(Node &node);
  template <typename OpTy> FailureOr<Value> buildUnary(Node &node);
  template <typename OpTy> FailureOr<Value> buildSoftmaxLike(Node &node);
  FailureOr<Value> buildLayerNorm(Node &node);
  template <typename OpTy> FailureOr<Value> buildReduce(Node &node);
  FailureOr<Value> buildReshape(Node &node);
  FailureOr<Value> buildTranspose(Node &node);
  FailureOr<Value> buildEmbedding(Node &node);
  FailureOr<Value> buildCausalMask(Node &node);
  FailureOr<Value> buildMaskedFill(Node &node);
  FailureOr<Value> buildDropout(Node &node);
  FailureOr<Value> buildCrossEntropy(Node &node);
  FailureOr<Value> buildMseLoss(Node &node);
  FailureOr<Value> buildConstant(Node &node);
  FailureOr<Value> buildCast(Node &node);

private:
  // Diagnostics.
  Location locationOf(llvm::StringRef pointer);
  InFlightDiagnostic error(llvm::StringRef pointer);
  InFlightDiagnostic nodeError(const Node &node);
  InFlightDiagnostic attrError(const Node &node, llvm::StringRef key);

  // Checked reads of JSON values.
  LogicalResult checkKeys(const json &object, llvm::StringRef pointer,
                          llvm::ArrayRef<llvm::StringLiteral> allowed,
                          llvm::StringRef what);
  const json *require(const json &object, const char *key,
                      llvm::StringRef pointer, llvm::StringRef what);
  FailureOr<std::string> readName(const json &value, llvm::StringRef pointer);
  FailureOr<int64_t> readInt(const json &value, llvm::StringRef pointer,
                             int64_t min);
  FailureOr<double> readNumber(const json &value, llvm::StringRef pointer,
                               bool allowInfinity);
  FailureOr<bool> readBool(const json &value, llvm::StringRef pointer);
  FailureOr<Type> readDType(const json &value, llvm::StringRef pointer,
                            bool floatOnly);
  FailureOr<int64_t> readDim(const json &value, llvm::StringRef pointer);
  FailureOr<llvm::SmallVector<int64_t>> readShape(const json &value,
                                                  llvm::StringRef pointer);
  FailureOr<llvm::SmallVector<int64_t>> readIntList(const json &value,
                                                    llvm::StringRef pointer);
  LogicalResult checkSize(llvm::ArrayRef<int64_t> shape,
                          llvm::StringRef pointer);

  // Node attributes, read with their defaults.
  const json *attr(const Node &node, llvm::StringRef key);
  std::string attrPointer(const Node &node, llvm::StringRef key);
  FailureOr<bool> boolAttr(const Node &node, llvm::StringRef key);
  FailureOr<double> numberAttr(const Node &node, llvm::StringRef key,
                               std::optional<double> defaultValue,
                               bool allowInfinity);
  FailureOr<int64_t> axisAttr(const Node &node, llvm::StringRef key,
                              int64_t rank);

  // The sections of a graph.
  LogicalResult importTraining(const json &root);
  LogicalResult importInputs(const json &root, Block &body);
  LogicalResult importParams(const json &root, ModuleOp module, Block &body);
  LogicalResult importNodes(const json &root);
  FailureOr<Node> readNode(const json &object, size_t index);
  FailureOr<std::vector<size_t>> sortNodes(std::vector<Node> &nodes);
  LogicalResult buildNode(Node &node);
  LogicalResult importResults(const json &root, func::FuncOp forward);
  LogicalResult defineValue(llvm::StringRef name, Value value,
                            llvm::StringRef pointer);

  static llvm::ArrayRef<OpSpec> opSpecs();

  llvm::StringRef text;
  llvm::StringRef fileName;
  MLIRContext *context;
  OpBuilder builder;
  GraphImportOptions options;
  JsonPositions positions;

  std::optional<int64_t> batchSize;
  NamedAttrList training;
  llvm::SmallVector<Type> inputTypes;
  llvm::SmallVector<std::string> inputNames;
  llvm::StringMap<Value> values;
  llvm::StringMap<std::string> definedAt;
};

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

Location Importer::locationOf(llvm::StringRef pointer) {
  TextPosition position = positions.lookup(pointer);
  return FileLineColLoc::get(context, fileName, position.line,
                             position.column);
}

InFlightDiagnostic Importer::error(llvm::StringRef pointer) {
  InFlightDiagnostic diagnostic = emitError(locationOf(pointer));
  diagnostic << (pointer.empty() ? llvm::StringRef("/") : pointer) << ": ";
  return diagnostic;
}

InFlightDiagnostic Importer::nodeError(const Node &node) {
  return error(node.pointer) << node.op << " node '" << node.name << "': ";
}

InFlightDiagnostic Importer::attrError(const Node &node, llvm::StringRef key) {
  return error(attrPointer(node, key))
         << node.op << " node '" << node.name << "': ";
}

//===----------------------------------------------------------------------===//
// Checked reads
//===----------------------------------------------------------------------===//

LogicalResult Importer::checkKeys(const json &object, llvm::StringRef pointer,
                                  llvm::ArrayRef<llvm::StringLiteral> allowed,
                                  llvm::StringRef what) {
  if (!object.is_object()) {
    error(pointer) << what << " must be an object, got " << jsonKind(object);
    return failure();
  }
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (llvm::is_contained(allowed, it.key()))
      continue;
    llvm::SmallVector<llvm::StringRef> candidates(allowed.begin(),
                                                  allowed.end());
    InFlightDiagnostic diagnostic =
        error((pointer + "/" + escapePointerToken(it.key())).str());
    diagnostic << "unknown key '" << it.key() << "' in " << what;
    if (candidates.empty())
      diagnostic << " (none are allowed)";
    else if (auto nearest = nearestName(it.key(), candidates))
      diagnostic << " (did you mean '" << *nearest << "'?)";
    else
      diagnostic << " (expected one of: " << llvm::join(candidates, ", ")
                 << ")";
    return failure();
  }
  return success();
}

const json *Importer::require(const json &object, const char *key,
                              llvm::StringRef pointer, llvm::StringRef what) {
  const json *value = member(object, key);
  if (!value)
    error(pointer) << what << " has no '" << key << "'";
  return value;
}

FailureOr<std::string> Importer::readName(const json &value,
                                          llvm::StringRef pointer) {
  if (!value.is_string() || value.get_ref<const std::string &>().empty()) {
    error(pointer) << "expected a non-empty name string, got "
                   << (value.is_string() ? "an empty string" : jsonKind(value));
    return failure();
  }
  return value.get_ref<const std::string &>();
}

FailureOr<int64_t> Importer::readInt(const json &value,
                                     llvm::StringRef pointer, int64_t min) {
  bool tooLarge = value.is_number_unsigned() &&
                  value.get<uint64_t>() >
                      uint64_t(std::numeric_limits<int64_t>::max());
  if (!value.is_number_integer() || tooLarge) {
    error(pointer) << "expected an integer, got "
                   << (tooLarge ? "one out of range" : jsonKind(value));
    return failure();
  }
  int64_t result = value.get<int64_t>();
  if (result < min) {
    error(pointer) << "expected an integer >= " << min << ", got " << result;
    return failure();
  }
  return result;
}

FailureOr<double> Importer::readNumber(const json &value,
                                       llvm::StringRef pointer,
                                       bool allowInfinity) {
  if (allowInfinity && value.is_string()) {
    const std::string &word = value.get_ref<const std::string &>();
    if (word == "-inf")
      return -std::numeric_limits<double>::infinity();
    if (word == "inf")
      return std::numeric_limits<double>::infinity();
  }
  if (!value.is_number()) {
    error(pointer) << "expected a number"
                   << (allowInfinity ? " or \"inf\"/\"-inf\"" : "")
                   << ", got " << jsonKind(value);
    return failure();
  }
  double result = value.get<double>();
  if (!std::isfinite(result)) {
    error(pointer) << "number is out of range";
    return failure();
  }
  return result;
}

FailureOr<bool> Importer::readBool(const json &value,
                                   llvm::StringRef pointer) {
  if (!value.is_boolean()) {
    error(pointer) << "expected true or false, got " << jsonKind(value);
    return failure();
  }
  return value.get<bool>();
}

FailureOr<Type> Importer::readDType(const json &value, llvm::StringRef pointer,
                                    bool floatOnly) {
  static constexpr llvm::StringLiteral floatNames[] = {"f32", "f16", "bf16"};
  static constexpr llvm::StringLiteral allNames[] = {"f32", "f16", "bf16",
                                                     "i32", "i64", "bool"};
  llvm::ArrayRef<llvm::StringLiteral> names =
      floatOnly ? llvm::ArrayRef(floatNames) : llvm::ArrayRef(allNames);
  std::string name =
      value.is_string() ? value.get_ref<const std::string &>() : "";
  if (!llvm::is_contained(names, name)) {
    InFlightDiagnostic diagnostic = error(pointer) << "dtype must be one of ";
    diagnostic << llvm::join(names.begin(), names.end(), ", ") << ", got ";
    if (value.is_string())
      diagnostic << "'" << name << "'";
    else
      diagnostic << jsonKind(value);
    return failure();
  }
  return llvm::StringSwitch<Type>(name)
      .Case("f32", builder.getF32Type())
      .Case("f16", builder.getF16Type())
      .Case("bf16", builder.getBF16Type())
      .Case("i32", builder.getI32Type())
      .Case("i64", builder.getI64Type())
      .Default(builder.getI1Type());
}

FailureOr<int64_t> Importer::readDim(const json &value,
                                     llvm::StringRef pointer) {
  if (value.is_string() && value.get_ref<const std::string &>() == "batch") {
    if (!batchSize) {
      error(pointer) << "dim \"batch\" needs a batch size: set "
                        "training.batch_size or pass --batch-size";
      return failure();
    }
    return *batchSize;
  }
  if (!value.is_number_integer()) {
    error(pointer) << "a dim must be a positive integer or \"batch\", got "
                   << jsonKind(value);
    return failure();
  }
  return readInt(value, pointer, 1);
}

FailureOr<llvm::SmallVector<int64_t>>
Importer::readShape(const json &value, llvm::StringRef pointer) {
  if (!value.is_array()) {
    error(pointer) << "a shape must be an array of dims, got "
                   << jsonKind(value);
    return failure();
  }
  llvm::SmallVector<int64_t> shape;
  for (size_t i = 0; i < value.size(); ++i) {
    auto dim = readDim(value[i], (pointer + "/" + llvm::Twine(i)).str());
    if (failed(dim))
      return failure();
    shape.push_back(*dim);
  }
  if (failed(checkSize(shape, pointer)))
    return failure();
  return shape;
}

FailureOr<llvm::SmallVector<int64_t>>
Importer::readIntList(const json &value, llvm::StringRef pointer) {
  if (!value.is_array()) {
    error(pointer) << "expected an array of integers, got " << jsonKind(value);
    return failure();
  }
  llvm::SmallVector<int64_t> list;
  for (size_t i = 0; i < value.size(); ++i) {
    auto element = readInt(value[i], (pointer + "/" + llvm::Twine(i)).str(),
                           std::numeric_limits<int64_t>::min());
    if (failed(element))
      return failure();
    list.push_back(*element);
  }
  return list;
}

LogicalResult Importer::checkSize(llvm::ArrayRef<int64_t> shape,
                                  llvm::StringRef pointer) {
  int64_t elements = 1;
  for (int64_t dim : shape) {
    if (elements != 0 && dim > kMaxElements / elements) {
      error(pointer) << "tensor of shape " << formatShape(shape)
                     << " is too large (more than 2^40 elements)";
      return failure();
    }
    elements *= dim;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Node attributes
//===----------------------------------------------------------------------===//

const json *Importer::attr(const Node &node, llvm::StringRef key) {
  const json *attrs = member(*node.object, "attrs");
  return attrs ? member(*attrs, key.str().c_str()) : nullptr;
}

std::string Importer::attrPointer(const Node &node, llvm::StringRef key) {
  return node.pointer + "/attrs/" + escapePointerToken(key);
}

FailureOr<bool> Importer::boolAttr(const Node &node, llvm::StringRef key) {
  const json *value = attr(node, key);
  return value ? readBool(*value, attrPointer(node, key)) : false;
}

FailureOr<double> Importer::numberAttr(const Node &node, llvm::StringRef key,
                                       std::optional<double> defaultValue,
                                       bool allowInfinity) {
  const json *value = attr(node, key);
  if (value)
    return readNumber(*value, attrPointer(node, key), allowInfinity);
  if (!defaultValue) {
    nodeError(node) << "attribute '" << key << "' is required";
    return failure();
  }
  return *defaultValue;
}

FailureOr<int64_t> Importer::axisAttr(const Node &node, llvm::StringRef key,
                                      int64_t rank) {
  const json *value = attr(node, key);
  int64_t axis = -1;
  if (value) {
    auto read = readInt(*value, attrPointer(node, key),
                        std::numeric_limits<int64_t>::min());
    if (failed(read))
      return failure();
    axis = *read;
  }
  if (axis < -rank || axis >= rank) {
    attrError(node, key) << "axis " << axis << " is out of range for rank "
                         << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Node builders
//===----------------------------------------------------------------------===//

RankedTensorType tensorType(Value value) {
  return llvm::cast<RankedTensorType>(value.getType());
}

FailureOr<Value> Importer::buildMatmul(Node &node) {
  auto transposeA = boolAttr(node, "transpose_a");
  if (failed(transposeA))
    return failure();
  auto transposeB = boolAttr(node, "transpose_b");
  if (failed(transposeB))
    return failure();
  auto type = inferMatmulType(tensorType(node.operands[0]),
                              tensorType(node.operands[1]), *transposeA,
                              *transposeB, [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder
      .create<MatmulOp>(node.loc, *type, node.operands[0], node.operands[1],
                        *transposeA, *transposeB)
      .getResult();
}

template <typename OpTy>
FailureOr<Value> Importer::buildBroadcastBinary(Node &node) {
  auto type = inferBroadcastBinaryType(tensorType(node.operands[0]),
                                       tensorType(node.operands[1]),
                                       [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder
      .create<OpTy>(node.loc, *type, node.operands[0], node.operands[1])
      .getResult();
}

template <typename OpTy> FailureOr<Value> Importer::buildUnary(Node &node) {
  Value input = node.operands[0];
  return builder.create<OpTy>(node.loc, input.getType(), input).getResult();
}

template <typename OpTy>
FailureOr<Value> Importer::buildSoftmaxLike(Node &node) {
  Value input = node.operands[0];
  auto axis = axisAttr(node, "axis", tensorType(input).getRank());
  if (failed(axis))
    return failure();
  return builder
      .create<OpTy>(node.loc, input.getType(), input,
                    builder.getI64IntegerAttr(*axis))
      .getResult();
}

FailureOr<Value> Importer::buildLayerNorm(Node &node) {
  auto epsilon = numberAttr(node, "eps", 1e-5, false);
  if (failed(epsilon))
    return failure();
  if (*epsilon <= 0) {
    attrError(node, "eps") << "eps must be positive, got " << *epsilon;
    return failure();
  }
  Value input = node.operands[0], gamma = node.operands[1],
        beta = node.operands[2];
  if (tensorType(gamma).getElementType() != tensorType(input).getElementType() ||
      gamma.getType() != beta.getType()) {
    nodeError(node) << "gamma " << gamma.getType() << " and beta "
                    << beta.getType() << " must match each other and the "
                    << "element type of input " << input.getType();
    return failure();
  }
  if (failed(verifyLayerNormOperands(tensorType(input), tensorType(gamma),
                                     [&] { return nodeError(node); })))
    return failure();
  return builder
      .create<LayerNormOp>(node.loc, input.getType(), input, gamma, beta,
                           builder.getF64FloatAttr(*epsilon))
      .getResult();
}

template <typename OpTy> FailureOr<Value> Importer::buildReduce(Node &node) {
  Value input = node.operands[0];
  int64_t rank = tensorType(input).getRank();
  llvm::SmallVector<int64_t> axes;
  if (const json *value = attr(node, "axes")) {
    auto list = readIntList(*value, attrPointer(node, "axes"));
    if (failed(list))
      return failure();
    for (int64_t axis : *list) {
      if (axis < -rank || axis >= rank) {
        attrError(node, "axes") << "axis " << axis
                                << " is out of range for rank " << rank;
        return failure();
      }
      axes.push_back(axis < 0 ? axis + rank : axis);
    }
    llvm::sort(axes);
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) {
      attrError(node, "axes") << "axes " << formatShape(*list)
                              << " name a dim twice";
      return failure();
    }
  } else {
    for (int64_t axis = 0; axis < rank; ++axis)
      axes.push_back(axis);
  }
  auto keepDims = boolAttr(node, "keepdims");
  if (failed(keepDims))
    return failure();
  auto type = inferReduceType(tensorType(input), axes, *keepDims,
                              [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder
      .create<OpTy>(node.loc, *type, input, builder.getDenseI64ArrayAttr(axes),
                    *keepDims ? builder.getUnitAttr() : UnitAttr())
      .getResult();
}

FailureOr<Value> Importer::buildReshape(Node &node) {
  Value input = node.operands[0];
  const json *value = attr(node, "shape");
  std::string pointer = attrPointer(node, "shape");
  if (!value) {
    nodeError(node) << "attribute 'shape' is required";
    return failure();
  }
  if (!value->is_array()) {
    error(pointer) << "a shape must be an array of dims, got "
                   << jsonKind(*value);
    return failure();
  }
  llvm::SmallVector<int64_t> shape;
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (size_t i = 0; i < value->size(); ++i) {
    const json &dim = (*value)[i];
    std::string dimPointer = pointer + "/" + std::to_string(i);
    if (dim.is_number_integer() && dim.get<int64_t>() == -1 &&
        !dim.is_number_unsigned()) {
      if (inferred) {
        error(dimPointer) << "only one dim of a reshape may be -1";
        return failure();
      }
      inferred = i;
      shape.push_back(1);
      continue;
    }
    auto size = readDim(dim, dimPointer);
    if (failed(size))
      return failure();
    shape.push_back(*size);
    if (failed(checkSize(shape, pointer)))
      return failure();
    known *= *size;
  }
  int64_t elements = tensorType(input).getNumElements();
  if (inferred) {
    if (elements % known != 0) {
      attrError(node, "shape")
          << "cannot infer the -1 dim: " << elements
          << " elements are not a multiple of " << known;
      return failure();
    }
    shape[*inferred] = elements / known;
  }
  auto type =
      RankedTensorType::get(shape, tensorType(input).getElementType());
  if (failed(verifyReshape(tensorType(input), type,
                           [&] { return nodeError(node); })))
    return failure();
  return builder.create<ReshapeOp>(node.loc, type, input).getResult();
}

FailureOr<Value> Importer::buildTranspose(Node &node) {
  Value input = node.operands[0];
  llvm::SmallVector<int64_t> permutation;
  if (const json *value = attr(node, "perm")) {
    auto list = readIntList(*value, attrPointer(node, "perm"));
    if (failed(list))
      return failure();
    permutation = *list;
  } else {
    for (int64_t dim = tensorType(input).getRank() - 1; dim >= 0; --dim)
      permutation.push_back(dim);
  }
  auto type = inferTransposeType(tensorType(input), permutation,
                                 [&] { return attrError(node, "perm"); });
  if (failed(type))
    return failure();
  return builder
      .create<TransposeOp>(node.loc, *type, input,
                           builder.getDenseI64ArrayAttr(permutation))
      .getResult();
}

FailureOr<Value> Importer::buildEmbedding(Node &node) {
  auto type = inferEmbeddingType(tensorType(node.operands[0]),
                                 tensorType(node.operands[1]),
                                 [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder
      .create<EmbeddingOp>(node.loc, *type, node.operands[0], node.operands[1])
      .getResult();
}

FailureOr<Value> Importer::buildCausalMask(Node &node) {
  Value input = node.operands[0];
  auto fill = numberAttr(node, "value",
                         -std::numeric_limits<double>::infinity(), true);
  if (failed(fill) || failed(verifyCausalMask(tensorType(input), [&] {
        return nodeError(node);
      })))
    return failure();
  return builder
      .create<CausalMaskOp>(node.loc, input.getType(), input,
                            builder.getF64FloatAttr(*fill))
      .getResult();
}

FailureOr<Value> Importer::buildMaskedFill(Node &node) {
  Value input = node.operands[0], mask = node.operands[1];
  auto fill = numberAttr(node, "value", std::nullopt, true);
  if (failed(fill) ||
      failed(verifyMaskedFill(tensorType(input), tensorType(mask),
                              [&] { return nodeError(node); })))
    return failure();
  return builder
      .create<MaskedFillOp>(node.loc, input.getType(), input, mask,
                            builder.getF64FloatAttr(*fill))
      .getResult();
}

FailureOr<Value> Importer::buildDropout(Node &node) {
  Value input = node.operands[0];
  auto rate = numberAttr(node, "rate", std::nullopt, false);
  if (failed(rate))
    return failure();
  if (!(*rate >= 0.0 && *rate < 1.0)) {
    attrError(node, "rate") << "rate must be in [0, 1), got " << *rate;
    return failure();
  }
  int64_t seed = 0;
  if (const json *value = attr(node, "seed")) {
    auto read = readInt(*value, attrPointer(node, "seed"), 0);
    if (failed(read))
      return failure();
    seed = *read;
  }
  return builder
      .create<DropoutOp>(node.loc, input.getType(), input,
                         builder.getF64FloatAttr(*rate),
                         builder.getI64IntegerAttr(seed))
      .getResult();
}

FailureOr<Value> Importer::buildCrossEntropy(Node &node) {
  auto type = inferCrossEntropyType(tensorType(node.operands[0]),
                                    tensorType(node.operands[1]),
                                    [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder
      .create<SoftmaxCrossEntropyOp>(node.loc, *type, node.operands[0],
                                     node.operands[1])
      .getResult();
}

FailureOr<Value> Importer::buildMseLoss(Node &node) {
  auto type = inferMseLossType(tensorType(node.operands[0]),
                               tensorType(node.operands[1]),
                               [&] { return nodeError(node); });
  if (failed(type))
    return failure();
  return builder
      .create<MseLossOp>(node.loc, *type, node.operands[0], node.operands[1])
      .getResult();
}

FailureOr<Value> Importer::buildCast(Node &node) {
  Value input = node.operands[0];
  const json *value = attr(node, "dtype");
  if (!value) {
    nodeError(node) << "attribute 'dtype' is required";
    return failure();
  }
  auto elementType = readDType(*value, attrPointer(node, "dtype"), false);
  if (failed(elementType))
    return failure();
  auto type = RankedTensorType::get(tensorType(input).getShape(), *elementType);
  return builder.create<CastOp>(node.loc, type, input).getResult();
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// Flattens a nested JSON array of numbers into `leaves`, recording its
/// shape; fails (with a message in `problem`, and `pointer`, the pointer of
/// `value`, extended to the offending array or number) when it is ragged.
bool flattenNested(const json &value, std::string &pointer, size_t depth,
                   llvm::SmallVectorImpl<int64_t> &shape,
                   std::vector<const json *> &leaves, std::string &problem) {
  if (!value.is_array()) {
    if (depth != shape.size()) {
      problem = "nested arrays have different depths";
      return false;
    }
    leaves.push_back(&value);
    return true;
  }
  if (depth == shape.size()) {
    if (!leaves.empty()) {
      problem = "nested arrays have different depths";
      return false;
    }
    shape.push_back(static_cast<int64_t>(value.size()));
  } else if (depth > shape.size() ||
             shape[depth] != static_cast<int64_t>(value.size())) {
    problem = "nested arrays have different lengths";
    return false;
  }
  if (value.empty()) {
    problem = "empty arrays are not allowed";
    return false;
  }
  size_t length = pointer.size();
  for (size_t i = 0; i < value.size(); ++i) {
    pointer += "/" + std::to_string(i);
    if (!flattenNested(value[i], pointer, depth + 1, shape, leaves, problem))
      return false;
    pointer.resize(length);
  }
  return true;
}

FailureOr<Value> Importer::buildConstant(Node &node) {
  Type elementType = builder.getF32Type();
  if (const json *dtype = attr(node, "dtype")) {
    auto read = readDType(*dtype, attrPointer(node, "dtype"), false);
    if (failed(read))
      return failure();
    elementType = *read;
  }
  const json *value = attr(node, "value");
  std::string pointer = attrPointer(node, "value");
  if (!value) {
    nodeError(node) << "attribute 'value' is required";
    return failure();
  }
  llvm::SmallVector<int64_t> shape;
  std::vector<const json *> leaves;
  if (value->is_array()) {
    std::string problem, problemPointer = pointer;
    if (!flattenNested(*value, problemPointer, 0, shape, leaves, problem)) {
      error(problemPointer) << problem;
      return failure();
    }
    if (attr(node, "shape")) {
      attrError(node, "shape") << "'shape' is only for a single number value";
      return failure();
    }
  } else {
    leaves.push_back(value);
    if (const json *shapeValue = attr(node, "shape")) {
      auto read = readShape(*shapeValue, attrPointer(node, "shape"));
      if (failed(read))
        return failure();
      shape = *read;
    }
  }
  auto type = RankedTensorType::get(shape, elementType);
  // The pointer of leaf `index`: its position in a nested value.
  auto leafPointer = [&](size_t index) {
    if (!value->is_array())
      return pointer;
    std::string suffix;
    for (int64_t dim : llvm::reverse(shape)) {
      suffix = "/" + std::to_string(index % dim) + suffix;
      index /= dim;
    }
    return pointer + suffix;
  };

  if (auto floatType = llvm::dyn_cast<FloatType>(elementType)) {
    llvm::SmallVector<llvm::APFloat> numbers;
    for (auto [index, leaf] : llvm::enumerate(leaves)) {
      // A pointer is built only for a leaf at fault.
      auto number = leaf->is_number() ? FailureOr<double>(leaf->get<double>())
                                      : readNumber(*leaf, leafPointer(index),
                                                   true);
      if (failed(number))
        return failure();
      llvm::APFloat converted(*number);
      bool losesInfo;
      converted.convert(floatType.getFloatSemantics(),
                        llvm::APFloat::rmNearestTiesToEven, &losesInfo);
      if (converted.isInfinity() && std::isfinite(*number)) {
        error(leafPointer(index)) << "value " << formatDouble(*number)
                       << " overflows " << elementType;
        return failure();
      }
      numbers.push_back(converted);
    }
    if (numbers.size() == 1)
      return builder
          .create<ConstantOp>(node.loc,
                              DenseElementsAttr::get(type, numbers.front()))
          .getResult();
    return builder
        .create<ConstantOp>(node.loc, DenseElementsAttr::get(type, numbers))
        .getResult();
  }

  unsigned width = elementType.getIntOrFloatBitWidth();
  llvm::SmallVector<llvm::APInt> numbers;
  for (auto [index, leaf] : llvm::enumerate(leaves)) {
    if (width == 1 && leaf->is_boolean()) {
      numbers.push_back(llvm::APInt(1, leaf->get<bool>() ? 1 : 0));
      continue;
    }
    // A pointer is built only for a leaf at fault.
    bool fitsInt64 = leaf->is_number_integer() &&
                     !(leaf->is_number_unsigned() &&
                       leaf->get<uint64_t>() >
                           uint64_t(std::numeric_limits<int64_t>::max()));
    auto number = fitsInt64 ? FailureOr<int64_t>(leaf->get<int64_t>())
                            : readInt(*leaf, leafPointer(index),
                                      std::numeric_limits<int64_t>::min());
    if (failed(number))
      return failure();
    bool fits = width == 64 || (width == 1 && (*number == 0 || *number == 1)) ||
                (width == 32 && *number >= std::numeric_limits<int32_t>::min() &&
                 *number <= std::numeric_limits<int32_t>::max());
    if (!fits) {
      error(leafPointer(index)) << "value " << *number << " does not fit "
                     << elementType;
      return failure();
    }
    numbers.push_back(llvm::APInt(width, static_cast<uint64_t>(*number),
                                  /*isSigned=*/width > 1));
  }
  if (numbers.size() == 1)
    return builder
        .create<ConstantOp>(node.loc,
                            DenseElementsAttr::get(type, numbers.front()))
        .getResult();
  return builder
      .create<ConstantOp>(node.loc, DenseElementsAttr::get(type, numbers))
      .getResult();
}

//===----------------------------------------------------------------------===//
// The op table
//===----------------------------------------------------------------------===//

llvm::ArrayRef<OpSpec> Importer::opSpecs() {
  static constexpr llvm::StringLiteral none[] = {""};
  static constexpr llvm::StringLiteral matmul[] = {"transpose_a",
                                                   "transpose_b"};
  static constexpr llvm::StringLiteral axis[] = {"axis"};
  static constexpr llvm::StringLiteral eps[] = {"eps"};
  static constexpr llvm::StringLiteral reduce[] = {"axes", "keepdims"};
  static constexpr llvm::StringLiteral shape[] = {"shape"};
  static constexpr llvm::StringLiteral perm[] = {"perm"};
  static constexpr llvm::StringLiteral value[] = {"value"};
  static constexpr llvm::StringLiteral dropout[] = {"rate", "seed"};
  static constexpr llvm::StringLiteral constant[] = {"value", "shape", "dtype"};
  static constexpr llvm::StringLiteral dtype[] = {"dtype"};
  llvm::ArrayRef<llvm::StringLiteral> noAttrs(none, size_t(0));
  static const OpSpec specs[] = {
      {"matmul", "ff", matmul, &Importer::buildMatmul},
      {"add", "ff", noAttrs, &Importer::buildBroadcastBinary<AddOp>},
      {"sub", "ff", noAttrs, &Importer::buildBroadcastBinary<SubOp>},
      {"mul", "ff", noAttrs, &Importer::buildBroadcastBinary<MulOp>},
      {"div", "ff", noAttrs, &Importer::buildBroadcastBinary<DivOp>},
      {"relu", "f", noAttrs, &Importer::buildUnary<ReluOp>},
      {"gelu", "f", noAttrs, &Importer::buildUnary<GeluOp>},
      {"tanh", "f", noAttrs, &Importer::buildUnary<TanhOp>},
      {"sigmoid", "f", noAttrs, &Importer::buildUnary<SigmoidOp>},
      {"exp", "f", noAttrs, &Importer::buildUnary<ExpOp>},
      {"log", "f", noAttrs, &Importer::buildUnary<LogOp>},
      {"sqrt", "f", noAttrs, &Importer::buildUnary<SqrtOp>},
      {"rsqrt", "f", noAttrs, &Importer::buildUnary<RsqrtOp>},
      {"softmax", "f", axis, &Importer::buildSoftmaxLike<SoftmaxOp>},
      {"log_softmax", "f", axis, &Importer::buildSoftmaxLike<LogSoftmaxOp>},
      {"layer_norm", "fff", eps, &Importer::buildLayerNorm},
      {"reduce_sum", "f", reduce, &Importer::buildReduce<ReduceSumOp>},
      {"reduce_mean", "f", reduce, &Importer::buildReduce<ReduceMeanOp>},
      {"reshape", "a", shape, &Importer::buildReshape},
      {"transpose", "a", perm, &Importer::buildTranspose},
      {"embedding", "if", noAttrs, &Importer::buildEmbedding},
      {"causal_mask", "f", value, &Importer::buildCausalMask},
      {"masked_fill", "fm", value, &Importer::buildMaskedFill},
      {"dropout", "f", dropout, &Importer::buildDropout},
      {"softmax_cross_entropy", "fi", noAttrs, &Importer::buildCrossEntropy},
      {"mse_loss", "ff", noAttrs, &Importer::buildMseLoss},
      {"constant", "", constant, &Importer::buildConstant},
      {"cast", "a", dtype, &Importer::buildCast},
  };
  return specs;
}

//===----------------------------------------------------------------------===//
// Graph sections
//===----------------------------------------------------------------------===//

LogicalResult Importer::defineValue(llvm::StringRef name, Value value,
                                    llvm::StringRef pointer) {
  auto [it, inserted] = definedAt.try_emplace(name, pointer.str());
  if (!inserted) {
    error(pointer) << "value '" << name << "' is already defined at "
                   << it->second;
    return failure();
  }
  values[name] = value;
  return success();
}

LogicalResult Importer::importTraining(const json &root) {
  const json *section = member(root, "training");
  if (!section)
    return success();
  static constexpr llvm::StringLiteral keys[] = {
      "batch_size", "optimizer", "learning_rate", "steps", "seed",
      "weight_decay"};
  if (failed(checkKeys(*section, "/training", keys, "training")))
    return failure();
  for (auto it = section->begin(); it != section->end(); ++it) {
    std::string pointer = "/training/" + it.key();
    llvm::StringRef key = it.key();
    const json &value = it.value();
    if (key == "optimizer") {
      static constexpr llvm::StringLiteral optimizers[] = {"sgd", "momentum",
                                                           "adamw"};
      if (!value.is_string() ||
          !llvm::is_contained(optimizers,
                              value.get_ref<const std::string &>())) {
        error(pointer) << "optimizer must be one of sgd, momentum, adamw";
        return failure();
      }
      training.append(key, builder.getStringAttr(
                               value.get_ref<const std::string &>()));
    } else if (key == "learning_rate" || key == "weight_decay") {
      auto number = readNumber(value, pointer, false);
      if (failed(number))
        return failure();
      if (key == "learning_rate" ? *number <= 0 : *number < 0) {
        error(pointer) << key << " must be "
                       << (key == "learning_rate" ? "> 0" : ">= 0")
                       << ", got " << *number;
        return failure();
      }
      training.append(key, builder.getF64FloatAttr(*number));
    } else {
      auto number = readInt(value, pointer, key == "seed" ? 0 : 1);
      if (failed(number))
        return failure();
      if (key == "batch_size")
        batchSize = *number;
      training.append(key, builder.getI64IntegerAttr(*number));
    }
  }
  return success();
}

LogicalResult Importer::importInputs(const json &root, Block &body) {
  const json *section = member(root, "inputs");
  if (!section)
    return success();
  if (!section->is_array()) {
    error("/inputs") << "inputs must be an array, got " << jsonKind(*section);
    return failure();
  }
  static constexpr llvm::StringLiteral keys[] = {"name", "shape", "dtype"};
  for (size_t i = 0; i < section->size(); ++i) {
    const json &input = (*section)[i];
    std::string pointer = "/inputs/" + std::to_string(i);
    if (failed(checkKeys(input, pointer, keys, "input")))
      return failure();
    // One problem, one diagnostic: stop at the first.
    const json *name = require(input, "name", pointer, "input");
    const json *shapeValue =
        name ? require(input, "shape", pointer, "input") : nullptr;
    if (!shapeValue)
      return failure();
    auto nameText = readName(*name, pointer + "/name");
    if (failed(nameText))
      return failure();
    auto shape = readShape(*shapeValue, pointer + "/shape");
    if (failed(shape))
      return failure();
    Type elementType = builder.getF32Type();
    if (const json *dtype = member(input, "dtype")) {
      auto read = readDType(*dtype, pointer + "/dtype", false);
      if (failed(read))
        return failure();
      elementType = *read;
    }
    auto type = RankedTensorType::get(*shape, elementType);
    Value argument = body.addArgument(type, locationOf(pointer));
    if (failed(defineValue(*nameText, argument, pointer + "/name")))
      return failure();
    inputTypes.push_back(type);
    inputNames.push_back(*nameText);
  }
  return success();
}

LogicalResult Importer::importParams(const json &root, ModuleOp module,
                                     Block &body) {
  const json *section = member(root, "params");
  if (!section)
    return success();
  if (!section->is_array()) {
    error("/params") << "params must be an array, got " << jsonKind(*section);
    return failure();
  }
  static constexpr llvm::StringLiteral keys[] = {"name", "shape", "dtype",
                                                 "init"};
  OpBuilder moduleBuilder = OpBuilder::atBlockEnd(module.getBody());
  for (size_t i = 0; i < section->size(); ++i) {
    const json &param = (*section)[i];
    std::string pointer = "/params/" + std::to_string(i);
    if (failed(checkKeys(param, pointer, keys, "param")))
      return failure();
    // One problem, one diagnostic: stop at the first.
    const json *name = require(param, "name", pointer, "param");
    const json *shapeValue =
        name ? require(param, "shape", pointer, "param") : nullptr;
    const json *initValue =
        shapeValue ? require(param, "init", pointer, "param") : nullptr;
    if (!initValue)
      return failure();
    auto nameText = readName(*name, pointer + "/name");
    if (failed(nameText))
      return failure();
    auto shape = readShape(*shapeValue, pointer + "/shape");
    if (failed(shape))
      return failure();
    Type elementType = builder.getF32Type();
    if (const json *dtype = member(param, "dtype")) {
      auto read = readDType(*dtype, pointer + "/dtype", true);
      if (failed(read))
        return failure();
      elementType = *read;
    }
    auto type = RankedTensorType::get(*shape, elementType);

    // The initializer: its kind, then the arguments that kind takes.
    std::string initPointer = pointer + "/init";
    if (!initValue->is_object()) {
      error(initPointer) << "init must be an object, got "
                         << jsonKind(*initValue);
      return failure();
    }
    const json *kindValue = require(*initValue, "kind", initPointer, "init");
    if (!kindValue)
      return failure();
    std::optional<InitKind> kind =
        kindValue->is_string()
            ? symbolizeInitKind(kindValue->get_ref<const std::string &>())
            : std::nullopt;
    if (!kind) {
      error(initPointer + "/kind")
          << "init kind must be one of zeros, ones, constant, normal, "
             "uniform, xavier_uniform, xavier_normal";
      return failure();
    }
    llvm::ArrayRef<InitArgument> arguments = initArguments(*kind);
    llvm::SmallVector<llvm::StringLiteral> initKeys = {"kind", "seed"};
    for (const InitArgument &argument : arguments)
      initKeys.push_back(argument.name);
    if (failed(checkKeys(*initValue, initPointer, initKeys,
                         ("'" + stringifyInitKind(*kind) + "' init").str())))
      return failure();
    double numbers[2] = {0.0, 0.0};
    for (auto [index, argument] : llvm::enumerate(arguments)) {
      numbers[index] = argument.defaultValue;
      if (const json *given = member(*initValue, argument.name.data())) {
        auto number = readNumber(*given, initPointer + "/" + argument.name.str(),
                                 false);
        if (failed(number))
          return failure();
        numbers[index] = *number;
      }
    }
    if (*kind == InitKind::constant && !member(*initValue, "value")) {
      error(initPointer) << "a constant init needs 'value'";
      return failure();
    }
    std::optional<uint64_t> seed;
    if (const json *seedValue = member(*initValue, "seed")) {
      auto read = readInt(*seedValue, initPointer + "/seed", 0);
      if (failed(read))
        return failure();
      seed = static_cast<uint64_t>(*read);
    }
    Location loc = NameLoc::get(builder.getStringAttr(*nameText),
                                locationOf(pointer));
    auto init = InitAttr::getChecked(
        [&] { return error(initPointer); }, context, *kind,
        llvm::APFloat(numbers[0]), llvm::APFloat(numbers[1]), seed);
    if (!init)
      return failure();
    bool xavier = *kind == InitKind::xavier_uniform ||
                  *kind == InitKind::xavier_normal;
    if (xavier && shape->size() < 2) {
      error(initPointer) << "xavier init needs a shape of rank >= 2, got "
                         << formatShape(*shape);
      return failure();
    }
    if (definedAt.count(*nameText)) {
      error(pointer + "/name") << "value '" << *nameText
                               << "' is already defined at "
                               << definedAt[*nameText];
      return failure();
    }
    // Params are symbols of the module, next to the function @forward.
    if (*nameText == "forward") {
      error(pointer + "/name") << "param name 'forward' is taken by the "
                                  "function @forward";
      return failure();
    }
    moduleBuilder.create<ParamOp>(loc, *nameText, type, init);
    Value loaded = builder.create<LoadOp>(loc, type, *nameText).getResult();
    if (failed(defineValue(*nameText, loaded, pointer + "/name")))
      return failure();
  }
  return success();
}

FailureOr<Node> Importer::readNode(const json &object, size_t index) {
  std::string pointer = "/nodes/" + std::to_string(index);
  static constexpr llvm::StringLiteral keys[] = {
      "op", "inputs", "outputs", "name", "attrs", "precision"};
  if (failed(checkKeys(object, pointer, keys, "node")))
    return failure();
  const json *op = require(object, "op", pointer, "node");
  const json *outputs = op ? require(object, "outputs", pointer, "node")
                           : nullptr;
  if (!outputs)
    return failure();
  if (!op->is_string()) {
    error(pointer + "/op") << "op must be a string, got " << jsonKind(*op);
    return failure();
  }
  if (!outputs->is_array() || outputs->size() != 1) {
    error(pointer + "/outputs") << "outputs must be an array of exactly one "
                                   "value name";
    return failure();
  }
  auto output = readName((*outputs)[0], pointer + "/outputs/0");
  if (failed(output))
    return failure();
  std::string name = *output;
  if (const json *nameValue = member(object, "name")) {
    auto read = readName(*nameValue, pointer + "/name");
    if (failed(read))
      return failure();
    name = *read;
  }
  Node node(NameLoc::get(builder.getStringAttr(name), locationOf(pointer)));
  node.object = &object;
  node.pointer = pointer;
  node.name = name;
  node.op = op->get_ref<const std::string &>();
  node.output = *output;
  if (const json *inputs = member(object, "inputs")) {
    if (!inputs->is_array()) {
      error(pointer + "/inputs") << "inputs must be an array of value names, "
                                    "got "
                                 << jsonKind(*inputs);
      return failure();
    }
    for (size_t i = 0; i < inputs->size(); ++i) {
      auto input = readName((*inputs)[i],
                            pointer + "/inputs/" + std::to_string(i));
      if (failed(input))
        return failure();
      node.inputs.push_back(*input);
    }
  }
  if (const json *attrs = member(object, "attrs"); attrs && !attrs->is_object()) {
    error(pointer + "/attrs") << "attrs must be an object, got "
                              << jsonKind(*attrs);
    return failure();
  }
  return node;
}

FailureOr<std::vector<size_t>> Importer::sortNodes(std::vector<Node> &nodes) {
  // Which node defines each value; graph inputs and params are already in
  // `definedAt`.
  llvm::StringMap<size_t> producer;
  for (auto [index, node] : llvm::enumerate(nodes)) {
    std::string pointer = node.pointer + "/outputs/0";
    auto previous = definedAt.find(node.output);
    if (previous != definedAt.end()) {
      error(pointer) << "value '" << node.output << "' is already defined at "
                     << previous->second;
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
            error(node.pointer + "/inputs/" + std::to_string(position))
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
  error(nodes[current].pointer) << "the graph has a cycle: " << cycle;
  return failure();
}

LogicalResult Importer::buildNode(Node &node) {
  llvm::ArrayRef<OpSpec> specs = opSpecs();
  const OpSpec *spec = llvm::find_if(
      specs, [&](const OpSpec &candidate) { return candidate.name == node.op; });
  if (spec == specs.end()) {
    llvm::SmallVector<llvm::StringRef> names;
    for (const OpSpec &candidate : specs)
      names.push_back(candidate.name);
    InFlightDiagnostic diagnostic = error(node.pointer + "/op")
                                    << "unknown op '" << node.op << "'";
    if (auto nearest = nearestName(node.op, names))
      diagnostic << " (did you mean '" << *nearest << "'?)";
    else
      diagnostic << "; known ops: " << llvm::join(names, ", ");
    return failure();
  }
  if (node.inputs.size() != spec->operands.size()) {
    error(node.pointer + "/inputs")
        << node.op << " node '" << node.name << "' takes "
        << spec->operands.size() << " input"
        << (spec->operands.size() == 1 ? "" : "s") << ", got "
        << node.inputs.size();
    return failure();
  }
  for (auto [position, input] : llvm::enumerate(node.inputs)) {
    Value value = values.lookup(input);
    OperandKind kind = operandKind(spec->operands[position]);
    Type elementType = tensorType(value).getElementType();
    if (!matches(kind, elementType)) {
      error(node.pointer + "/inputs/" + std::to_string(position))
          << node.op << " node '" << node.name << "': input '" << input
          << "' must be " << describe(kind) << " tensor, got "
          << value.getType();
      return failure();
    }
    node.operands.push_back(value);
  }
  if (const json *attrs = member(*node.object, "attrs"))
    if (failed(checkKeys(*attrs, node.pointer + "/attrs", spec->attrs,
                         ("attrs of " + node.op).c_str())))
      return failure();

  FailureOr<Value> result = (this->*spec->build)(node);
  if (failed(result))
    return failure();
  // Inferred shapes can outgrow the operands' (broadcasting, embedding), so
  // results are held to the size limit too: no element count may overflow.
  if (failed(checkSize(tensorType(*result).getShape(),
                       node.pointer + "/outputs/0")))
    return failure();
  if (const json *precision = member(*node.object, "precision")) {
    auto type = readDType(*precision, node.pointer + "/precision", true);
    if (failed(type))
      return failure();
    result->getDefiningOp()->setAttr("mpc.precision", TypeAttr::get(*type));
  }
  values[node.output] = *result;
  return success();
}

LogicalResult Importer::importNodes(const json &root) {
  const json *section = member(root, "nodes");
  if (!section)
    return success();
  if (!section->is_array()) {
    error("/nodes") << "nodes must be an array, got " << jsonKind(*section);
    return failure();
  }
  std::vector<Node> nodes;
  nodes.reserve(section->size());
  for (size_t i = 0; i < section->size(); ++i) {
    auto node = readNode((*section)[i], i);
    if (failed(node))
      return failure();
    nodes.push_back(std::move(*node));
  }
  auto order = sortNodes(nodes);
  if (failed(order))
    return failure();
  for (size_t index : *order)
    if (failed(buildNode(nodes[index])))
      return failure();
  return success();
}

LogicalResult Importer::importResults(const json &root, func::FuncOp forward) {
  const json *loss = require(root, "loss", "", "the graph");
  if (!loss)
    return failure();
  llvm::SmallVector<Value> results;
  llvm::SmallVector<std::string> names;
  auto resolve = [&](const json &value,
                     const std::string &pointer) -> LogicalResult {
    auto name = readName(value, pointer);
    if (failed(name))
      return failure();
    Value resolved = values.lookup(*name);
    if (!resolved) {
      error(pointer) << "unknown value '" << *name << "'";
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
    error("/loss") << "the loss '" << names.front()
                   << "' must be a scalar float, got " << lossType;
    return failure();
  }
  if (const json *outputs = member(root, "outputs")) {
    if (!outputs->is_array()) {
      error("/outputs") << "outputs must be an array of value names, got "
                        << jsonKind(*outputs);
      return failure();
    }
    for (size_t i = 0; i < outputs->size(); ++i)
      if (failed(resolve((*outputs)[i], "/outputs/" + std::to_string(i))))
        return failure();
  }

  Block &body = forward.getBody().front();
  OpBuilder::atBlockEnd(&body).create<func::ReturnOp>(locationOf("/loss"),
                                                      results);
  llvm::SmallVector<Type> resultTypes;
  for (Value result : results)
    resultTypes.push_back(result.getType());
  forward.setFunctionType(builder.getFunctionType(inputTypes, resultTypes));
  for (auto [index, name] : llvm::enumerate(inputNames))
    forward.setArgAttr(index, "mpc.name", builder.getStringAttr(name));
  for (auto [index, name] : llvm::enumerate(names))
    forward.setResultAttr(index, "mpc.name", builder.getStringAttr(name));
  forward.setResultAttr(0, "mpc.loss", builder.getUnitAttr());
  return success();
}

OwningOpRef<ModuleOp> Importer::run() {
  context->loadDialect<MpcDialect, func::FuncDialect>();
  json root;
  DomBuilder dom(root);
  if (!json::sax_parse(text.begin(), text.end(), &dom)) {
    TextPosition position = positionOfOffset(
        text, dom.errorOffset > 0 ? dom.errorOffset - 1 : 0);
    emitError(FileLineColLoc::get(context, fileName, position.line,
                                  position.column))
        << "malformed JSON: " << stripParseErrorPrefix(dom.errorMessage);
    return nullptr;
  }
  if (!positions.index(text, kMaxDepth)) {
    emitError(FileLineColLoc::get(context, fileName, 1, 1))
        << "/: the document is nested deeper than " << kMaxDepth << " levels";
    return nullptr;
  }
  static constexpr llvm::StringLiteral keys[] = {
      "version", "name", "inputs", "params", "nodes", "loss", "outputs",
      "training"};
  if (failed(checkKeys(root, "", keys, "the graph")))
    return nullptr;
  const json *version = require(root, "version", "", "the graph");
  if (!version)
    return nullptr;
  if (!version->is_number_integer() || version->get<int64_t>() != 1) {
    error("/version") << "unsupported graph format version (this mpc reads "
                         "version 1)";
    return nullptr;
  }
  if (failed(importTraining(root)))
    return nullptr;
  if (options.batchSize)
    batchSize = options.batchSize;

  Location rootLoc = locationOf("");
  OwningOpRef<ModuleOp> module = ModuleOp::create(rootLoc);
  if (const json *name = member(root, "name")) {
    auto text = readName(*name, "/name");
    if (failed(text))
      return nullptr;
    llvm::StringRef moduleName = *text;
    if (llvm::isDigit(moduleName.front()) ||
        !llvm::all_of(moduleName, [](char c) {
          return llvm::isAlnum(c) || c == '_';
        })) {
      error("/name") << "module name '" << moduleName
                     << "' must be letters, digits and '_', not starting "
                        "with a digit";
      return nullptr;
    }
    module->setSymName(*text);
  }
  if (!training.empty())
    (*module)->setAttr("mpc.training", training.getDictionary(context));

  auto forward = func::FuncOp::create(rootLoc, "forward",
                                      builder.getFunctionType({}, {}));
  module->push_back(forward);
  Block *body = new Block();
  forward.getBody().push_back(body);
  builder.setInsertionPointToEnd(body);
  if (failed(importInputs(root, *body)) ||
      failed(importParams(root, *module, *body)) ||
      failed(importNodes(root)) || failed(importResults(root, forward)))
    return nullptr;
  // Params were appended after @forward; keep them first, as they read.
  forward->moveAfter(&module->getBody()->back());
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace

OwningOpRef<ModuleOp> importGraph(llvm::StringRef text,
                                  llvm::StringRef fileName,
                                  MLIRContext *context,
                                  const GraphImportOptions &options) {
  return Importer(text, fileName, context, options).run();
}

} // namespace mpc
