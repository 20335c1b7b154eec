//===- PrecisionPolicy.cpp - default and file-given op categories ---------===//

#include "passes/PrecisionPolicy.h"

#include "passes/ReportSupport.h"

#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/MpcOps.h"
#include "runtime/core/JsonDepth.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mpc;

namespace {

/// The size of the largest policy file read (a policy lists a few dozen op
/// names).
constexpr uint64_t kMaxPolicyFileBytes = 1 << 20;

/// Reads one policy file, reporting errors at positions in it.
class PolicyFileReader {
public:
  PolicyFileReader(StringRef path, Location loc)
      : path(path), loc(loc), context(loc.getContext()) {}

  /// Reads the file at `path`, then parses it.
  LogicalResult read(llvm::DenseMap<OperationName, PrecisionCategory> &moved,
                     llvm::StringMap<NodePrecision> &nodes);
  /// Parses `text`, the policy file at `path`.
  LogicalResult parse(StringRef text,
                      llvm::DenseMap<OperationName, PrecisionCategory> &moved,
                      llvm::StringMap<NodePrecision> &nodes);

private:
  InFlightDiagnostic error(unsigned line, unsigned column) {
    return emitError(FileLineColLoc::get(context, path, line, column));
  }
  /// The error at byte `offset` of the text.
  InFlightDiagnostic errorAtOffset(size_t offset);
  /// The error for the string `quoted` (a list entry or key): positioned at
  /// its first occurrence in the text, the best a DOM parser can do.
  InFlightDiagnostic errorAt(StringRef quoted);
  LogicalResult
  readList(StringRef key, const llvm::json::Value &value,
           PrecisionCategory category, llvm::StringMap<std::string> &listedIn,
           llvm::DenseMap<OperationName, PrecisionCategory> &moved);
  /// Reads the `nodes` object: node name to a precision, or to an object
  /// with `precision` and an optional `reason`.
  LogicalResult readNodes(const llvm::json::Value &value,
                          llvm::StringMap<NodePrecision> &nodes);
  /// The registered mpc op `name` names, or an error.
  FailureOr<OperationName> resolve(StringRef pointer, StringRef name);

  std::string path;
  Location loc;
  MLIRContext *context;
  StringRef text;
};

InFlightDiagnostic PolicyFileReader::errorAtOffset(size_t offset) {
  StringRef before = text.take_front(offset);
  unsigned line = before.count('\n') + 1;
  size_t lineStart = before.rfind('\n');
  unsigned column =
      offset - (lineStart == StringRef::npos ? 0 : lineStart + 1) + 1;
  return error(line, column);
}

InFlightDiagnostic PolicyFileReader::errorAt(StringRef quoted) {
  size_t offset = text.find(("\"" + quoted + "\"").str());
  if (offset == StringRef::npos)
    return error(1, 1);
  return errorAtOffset(offset);
}

std::optional<StringRef> nearest(StringRef name,
                                 ArrayRef<StringRef> candidates) {
  std::optional<StringRef> best;
  unsigned bestDistance = std::max<unsigned>(2, name.size() / 3) + 1;
  for (StringRef candidate : candidates)
    if (unsigned d = name.edit_distance(candidate, true, bestDistance);
        d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  return best;
}

FailureOr<OperationName> PolicyFileReader::resolve(StringRef pointer,
                                                   StringRef name) {
  StringRef bare = name;
  bare.consume_front("mpc.");
  std::optional<RegisteredOperationName> op =
      RegisteredOperationName::lookup(("mpc." + bare).str(), context);
  if (op && op->hasTrait<mpc::OpTrait::KeepsPrecision>()) {
    errorAt(name) << pointer << ": '" << bare
                  << "' keeps its types (f32 master weights, state, explicit "
                     "casts) and has no category";
    return failure();
  }
  if (op && (op->hasTrait<mpc::OpTrait::AutocastAllow>() ||
             op->hasTrait<mpc::OpTrait::AutocastDeny>() ||
             op->hasTrait<mpc::OpTrait::AutocastInfer>() ||
             op->hasTrait<mpc::OpTrait::AutocastClear>()))
    return OperationName(*op);

  SmallVector<StringRef> known;
  for (RegisteredOperationName candidate : context->getRegisteredOperations())
    if (candidate.getDialectNamespace() == MpcDialect::getDialectNamespace() &&
        !candidate.hasTrait<mpc::OpTrait::KeepsPrecision>())
      known.push_back(candidate.getStringRef().drop_front(4));
  InFlightDiagnostic diag = errorAt(name);
  diag << pointer << ": unknown op '" << name << "'";
  if (std::optional<StringRef> guess = nearest(bare, known))
    diag << " (did you mean '" << *guess << "'?)";
  return failure();
}

LogicalResult PolicyFileReader::readList(
    StringRef key, const llvm::json::Value &value, PrecisionCategory category,
    llvm::StringMap<std::string> &listedIn,
    llvm::DenseMap<OperationName, PrecisionCategory> &moved) {
  const llvm::json::Array *names = value.getAsArray();
  if (!names)
    return errorAt(key) << "/" << key << ": must be a list of op names";
  for (auto [index, entry] : llvm::enumerate(*names)) {
    std::string pointer = ("/" + key + "/" + Twine(index)).str();
    std::optional<StringRef> name = entry.getAsString();
    if (!name)
      return errorAt(key) << pointer << ": must be an op name (a string)";
    FailureOr<OperationName> op = resolve(pointer, *name);
    if (failed(op))
      return failure();
    auto [previous, inserted] = listedIn.try_emplace(op->getStringRef(), key);
    if (!inserted)
      return errorAt(*name)
             << pointer << ": '" << *name << "' is already listed in '"
             << previous->second << "'";
    moved[*op] = category;
  }
  return success();
}

LogicalResult
PolicyFileReader::readNodes(const llvm::json::Value &value,
                            llvm::StringMap<NodePrecision> &nodes) {
  const llvm::json::Object *object = value.getAsObject();
  if (!object)
    return errorAt("nodes") << "/nodes: must be an object mapping node names "
                               "to f32, f16 or bf16";
  for (const auto &member : *object) {
    StringRef name = member.first;
    std::string pointer = ("/nodes/" + name).str();
    const llvm::json::Value *precision = &member.second;
    std::string reason;
    if (const llvm::json::Object *entry = member.second.getAsObject()) {
      for (const auto &field : *entry)
        if (StringRef(field.first) != "precision" &&
            StringRef(field.first) != "reason")
          return errorAt(field.first)
                 << pointer << ": unknown key '" << field.first.str()
                 << "'; expected precision and reason";
      precision = entry->get("precision");
      if (!precision)
        return errorAt(name) << pointer << ": needs a precision";
      if (const llvm::json::Value *why = entry->get("reason")) {
        if (!why->getAsString())
          return errorAt(name) << pointer << "/reason: must be a string";
        reason = why->getAsString()->str();
      }
    }
    std::optional<StringRef> dtype = precision->getAsString();
    FloatType type;
    if (dtype == "f32")
      type = Float32Type::get(context);
    else if (dtype == "f16")
      type = Float16Type::get(context);
    else if (dtype == "bf16")
      type = BFloat16Type::get(context);
    else
      return errorAt(name) << pointer
                           << ": the precision must be f32, f16 or "
                              "bf16";
    nodes[name] = NodePrecision{type, std::move(reason)};
  }
  return success();
}

LogicalResult
PolicyFileReader::read(llvm::DenseMap<OperationName, PrecisionCategory> &moved,
                       llvm::StringMap<NodePrecision> &nodes) {
  // A policy file is a few lines: a large file, or an endless one such as
  // a device, is not one, and is refused before it is read.
  llvm::sys::fs::file_status status;
  if (!llvm::sys::fs::status(path, status) &&
      status.type() != llvm::sys::fs::file_type::regular_file)
    return emitError(loc) << "the policy file '" << path
                          << "' is not a regular file";
  if (status.getSize() > kMaxPolicyFileBytes)
    return emitError(loc) << "the policy file '" << path << "' holds "
                          << status.getSize() << " bytes; a policy file has "
                          << "at most " << kMaxPolicyFileBytes;
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!file)
    return emitError(loc) << "cannot read the policy file '" << path
                          << "': " << file.getError().message();
  return parse((*file)->getBuffer(), moved, nodes);
}

LogicalResult
PolicyFileReader::parse(StringRef policyText,
                        llvm::DenseMap<OperationName, PrecisionCategory> &moved,
                        llvm::StringMap<NodePrecision> &nodes) {
  text = policyText;
  // llvm::json recurses once per level of nesting.
  if (std::optional<size_t> deep = findJsonNestingBeyond(text, kMaxJsonDepth))
    return errorAtOffset(*deep) << "the policy file is nested deeper than "
                                << kMaxJsonDepth << " levels";
  llvm::Expected<llvm::json::Value> root = llvm::json::parse(text);
  if (!root) {
    // llvm::json reports "[LINE:COLUMN, byte=N]: message", the column
    // counted from 0.
    std::string message = llvm::toString(root.takeError());
    unsigned line = 1, column = 0;
    StringRef rest = message;
    if (rest.consume_front("[") && !rest.consumeInteger(10, line) &&
        rest.consume_front(":") && !rest.consumeInteger(10, column)) {
      size_t colon = rest.find("]: ");
      if (colon != StringRef::npos)
        message = rest.drop_front(colon + 3).str();
    }
    return error(line, column + 1) << "invalid JSON: " << message;
  }
  const llvm::json::Object *object = root->getAsObject();
  if (!object)
    return error(1, 1) << "a policy file is a JSON object with the keys "
                          "allow, deny, infer, clear and nodes";

  static constexpr std::pair<StringLiteral, PrecisionCategory> kLists[] = {
      {"allow", PrecisionCategory::allow},
      {"deny", PrecisionCategory::deny},
      {"infer", PrecisionCategory::infer},
      {"clear", PrecisionCategory::clear}};
  for (const auto &member : *object)
    if (StringRef(member.first) != "nodes" &&
        llvm::none_of(kLists, [&](auto list) {
          return list.first == StringRef(member.first);
        }))
      return errorAt(member.first)
             << "unknown key '" << member.first.str()
             << "'; expected allow, deny, infer, clear or nodes";
  if (const llvm::json::Value *listed = object->get("nodes"))
    if (failed(readNodes(*listed, nodes)))
      return failure();
  llvm::StringMap<std::string> listedIn;
  for (auto [key, category] : kLists)
    if (const llvm::json::Value *list = object->get(key))
      if (failed(readList(key, *list, category, listedIn, moved)))
        return failure();

  // A listed op moves its gradient op with it, unless that is listed too.
  for (auto [op, category] : llvm::to_vector(moved)) {
    std::optional<RegisteredOperationName> gradient =
        RegisteredOperationName::lookup((op.getStringRef() + "_grad").str(),
                                        context);
    if (gradient && !listedIn.count(gradient->getStringRef()))
      moved.try_emplace(OperationName(*gradient), category);
  }
  return success();
}

} // namespace

FailureOr<PrecisionPolicy> PrecisionPolicy::load(StringRef path, Location loc) {
  PrecisionPolicy policy;
  if (failed(
          PolicyFileReader(path, loc).read(policy.moved, policy.nodeEntries)))
    return failure();
  return policy;
}

FailureOr<PrecisionPolicy>
PrecisionPolicy::parse(StringRef text, StringRef path, MLIRContext *context) {
  PrecisionPolicy policy;
  if (failed(PolicyFileReader(path, UnknownLoc::get(context))
                 .parse(text, policy.moved, policy.nodeEntries)))
    return failure();
  return policy;
}

std::optional<PolicyEntry> PrecisionPolicy::lookup(Operation *op) const {
  auto it = moved.find(op->getName());
  if (it != moved.end())
    return PolicyEntry{it->second, PrecisionReason::policy_file};
  if (std::optional<PrecisionCategory> category = declaredCategory(op))
    return PolicyEntry{*category, PrecisionReason::default_policy};
  return std::nullopt;
}

const llvm::StringMapEntry<NodePrecision> *
PrecisionPolicy::lookupNode(Operation *op) const {
  if (nodeEntries.empty())
    return nullptr;
  for (const std::string &name : nodeNames(op->getLoc()))
    if (auto it = nodeEntries.find(name); it != nodeEntries.end())
      return &*it;
  return nullptr;
}
