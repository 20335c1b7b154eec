//===- JsonReader.cpp - checked reads of a JSON graph ---------------------===//

#include "compiler/import/json/JsonReader.h"

#include "dialects/mpc/ShapeFunctions.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

using namespace mlir;

namespace mpc {

namespace {

/// Deepest nesting a graph may use (constants of rank 8 sit at depth 12).
constexpr unsigned kMaxDepth = 64;

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

} // namespace

const json *jsonMember(const json &object, llvm::StringRef key) {
  auto it = object.find(key.str());
  return it == object.end() ? nullptr : &*it;
}

const char *jsonKindName(const json &value) {
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

LogicalResult JsonReader::parse(llvm::StringRef text, json &root) {
  DomBuilder dom(root);
  if (!json::sax_parse(text.begin(), text.end(), &dom)) {
    TextPosition position =
        positionOfOffset(text, dom.errorOffset > 0 ? dom.errorOffset - 1 : 0);
    emitError(
        FileLineColLoc::get(context, fileName, position.line, position.column))
        << "malformed JSON: " << stripParseErrorPrefix(dom.errorMessage);
    return failure();
  }
  if (auto problem = positions.index(text, kMaxDepth)) {
    InFlightDiagnostic diagnostic =
        emitError(FileLineColLoc::get(context, fileName, problem->position.line,
                                      problem->position.column))
        << problem->pointer << ": ";
    if (problem->kind == JsonIndexProblem::Kind::TooDeep)
      diagnostic << "the document is nested deeper than " << kMaxDepth
                 << " levels";
    else
      diagnostic << "key '"
                 << llvm::StringRef(problem->pointer).rsplit('/').second.str()
                 << "' appears twice in one object";
    return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

Location JsonReader::locationOf(llvm::StringRef pointer) const {
  TextPosition position = positions.lookup(pointer);
  return FileLineColLoc::get(context, fileName, position.line, position.column);
}

Location JsonReader::namedLocationOf(llvm::StringRef name,
                                     llvm::StringRef pointer) const {
  auto pointerLoc =
      NameLoc::get(StringAttr::get(context, pointer), locationOf(pointer));
  return NameLoc::get(StringAttr::get(context, name), pointerLoc);
}

InFlightDiagnostic JsonReader::error(llvm::StringRef pointer) const {
  InFlightDiagnostic diagnostic = emitError(locationOf(pointer));
  diagnostic << (pointer.empty() ? llvm::StringRef("/") : pointer) << ": ";
  return diagnostic;
}

//===----------------------------------------------------------------------===//
// Checked reads
//===----------------------------------------------------------------------===//

LogicalResult JsonReader::checkKeys(const json &object, llvm::StringRef pointer,
                                    llvm::ArrayRef<llvm::StringLiteral> allowed,
                                    llvm::StringRef what) const {
  if (!object.is_object()) {
    error(pointer) << what << " must be an object, got "
                   << jsonKindName(object);
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

const json *JsonReader::require(const json &object, llvm::StringRef key,
                                llvm::StringRef pointer,
                                llvm::StringRef what) const {
  const json *value = jsonMember(object, key);
  if (!value)
    error(pointer) << what << " has no '" << key << "'";
  return value;
}

FailureOr<std::string> JsonReader::readName(const json &value,
                                            llvm::StringRef pointer) const {
  if (!value.is_string() || value.get_ref<const std::string &>().empty()) {
    error(pointer) << "expected a non-empty name string, got "
                   << (value.is_string() ? "an empty string"
                                         : jsonKindName(value));
    return failure();
  }
  return value.get_ref<const std::string &>();
}

FailureOr<int64_t> JsonReader::readInt(const json &value,
                                       llvm::StringRef pointer,
                                       int64_t min) const {
  bool tooLarge =
      value.is_number_unsigned() &&
      value.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max());
  if (!value.is_number_integer() || tooLarge) {
    error(pointer) << "expected an integer, got "
                   << (tooLarge ? "one out of range" : jsonKindName(value));
    return failure();
  }
  int64_t result = value.get<int64_t>();
  if (result < min) {
    error(pointer) << "expected an integer >= " << min << ", got " << result;
    return failure();
  }
  return result;
}

FailureOr<double> JsonReader::readNumber(const json &value,
                                         llvm::StringRef pointer,
                                         bool allowInfinity) const {
  if (allowInfinity && value.is_string()) {
    const std::string &word = value.get_ref<const std::string &>();
    if (word == "-inf")
      return -std::numeric_limits<double>::infinity();
    if (word == "inf")
      return std::numeric_limits<double>::infinity();
  }
  if (!value.is_number()) {
    error(pointer) << "expected a number"
                   << (allowInfinity ? " or \"inf\"/\"-inf\"" : "") << ", got "
                   << jsonKindName(value);
    return failure();
  }
  double result = value.get<double>();
  if (!std::isfinite(result)) {
    error(pointer) << "number is out of range";
    return failure();
  }
  return result;
}

FailureOr<bool> JsonReader::readBool(const json &value,
                                     llvm::StringRef pointer) const {
  if (!value.is_boolean()) {
    error(pointer) << "expected true or false, got " << jsonKindName(value);
    return failure();
  }
  return value.get<bool>();
}

FailureOr<llvm::StringRef>
JsonReader::readChoice(const json &value, llvm::StringRef pointer,
                       llvm::StringRef what,
                       llvm::ArrayRef<llvm::StringLiteral> choices) const {
  if (value.is_string()) {
    const std::string &text = value.get_ref<const std::string &>();
    if (const auto *it = llvm::find(choices, text); it != choices.end())
      return llvm::StringRef(*it);
  }
  InFlightDiagnostic diagnostic = error(pointer);
  diagnostic << what << " must be one of "
             << llvm::join(choices.begin(), choices.end(), ", ") << ", got ";
  if (value.is_string())
    diagnostic << "'" << value.get_ref<const std::string &>() << "'";
  else
    diagnostic << jsonKindName(value);
  return failure();
}

FailureOr<Type> JsonReader::readDType(const json &value,
                                      llvm::StringRef pointer,
                                      bool floatOnly) const {
  static constexpr llvm::StringLiteral floatNames[] = {"f32", "f16", "bf16"};
  static constexpr llvm::StringLiteral allNames[] = {"f32", "f16", "bf16",
                                                     "i32", "i64", "bool"};
  llvm::ArrayRef<llvm::StringLiteral> names =
      floatOnly ? llvm::ArrayRef(floatNames) : llvm::ArrayRef(allNames);
  auto name = readChoice(value, pointer, "dtype", names);
  if (failed(name))
    return failure();
  return llvm::StringSwitch<Type>(*name)
      .Case("f32", FloatType::getF32(context))
      .Case("f16", FloatType::getF16(context))
      .Case("bf16", FloatType::getBF16(context))
      .Case("i32", IntegerType::get(context, 32))
      .Case("i64", IntegerType::get(context, 64))
      .Default(IntegerType::get(context, 1));
}

FailureOr<int64_t> JsonReader::readDim(const json &value,
                                       llvm::StringRef pointer,
                                       bool allowBatch) const {
  if (value.is_string() && value.get_ref<const std::string &>() == "batch") {
    if (!allowBatch) {
      error(pointer) << "a param's shape cannot depend on the batch size";
      return failure();
    }
    if (!batchSize) {
      error(pointer) << "dim \"batch\" needs a batch size: set "
                        "training.batch_size or pass --batch-size";
      return failure();
    }
    return *batchSize;
  }
  if (!value.is_number_integer()) {
    error(pointer) << "a dim must be a positive integer or \"batch\", got "
                   << jsonKindName(value);
    return failure();
  }
  return readInt(value, pointer, 1);
}

FailureOr<llvm::SmallVector<int64_t>>
JsonReader::readShape(const json &value, llvm::StringRef pointer,
                      bool allowBatch) const {
  if (!value.is_array()) {
    error(pointer) << "a shape must be an array of dims, got "
                   << jsonKindName(value);
    return failure();
  }
  llvm::SmallVector<int64_t> shape;
  for (size_t i = 0; i < value.size(); ++i) {
    auto dim =
        readDim(value[i], (pointer + "/" + llvm::Twine(i)).str(), allowBatch);
    if (failed(dim))
      return failure();
    shape.push_back(*dim);
  }
  if (failed(checkSize(shape, pointer)))
    return failure();
  return shape;
}

FailureOr<llvm::SmallVector<int64_t>>
JsonReader::readIntList(const json &value, llvm::StringRef pointer) const {
  if (!value.is_array()) {
    error(pointer) << "expected an array of integers, got "
                   << jsonKindName(value);
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

LogicalResult JsonReader::checkSize(llvm::ArrayRef<int64_t> shape,
                                    llvm::StringRef pointer) const {
  int64_t elements = 1;
  for (int64_t dim : shape) {
    if (elements != 0 && dim > kMaxGraphTensorElements / elements) {
      error(pointer) << "tensor of shape " << formatShape(shape)
                     << " is too large (more than 2^40 elements)";
      return failure();
    }
    elements *= dim;
  }
  return success();
}

} // namespace mpc
