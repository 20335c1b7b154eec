//===- JsonReader.h - checked reads of a JSON graph -------------*- C++ -*-===//
//
// Reads the values of a JSON graph with their types checked first. A problem
// becomes one error diagnostic at the value's position in the file, whose
// message starts with the value's JSON Pointer:
//
//   FILE:LINE:COL: error: /nodes/3/attrs/axis: expected an integer, got a
//   string
//
// LLVM code is built without exceptions, under which nlohmann aborts instead
// of throwing, so nothing here calls a throwing accessor (at(), get<T>() on a
// mismatched type).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_IMPORT_JSON_JSONREADER_H
#define MPC_COMPILER_IMPORT_JSON_JSONREADER_H

#include "compiler/import/json/JsonPositions.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Types.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace mpc {

using json = nlohmann::json;

/// Largest tensor a graph may declare or derive, in elements.
constexpr int64_t kMaxGraphTensorElements = int64_t(1) << 40;

/// The member `key` of `object`, or null when absent (or not an object).
const json *jsonMember(const json &object, llvm::StringRef key);

/// "an object", "a string", ...: a value's kind, for messages.
const char *jsonKindName(const json &value);

/// The closest of `candidates` to `name`, if it is close enough to be a typo.
std::optional<llvm::StringRef>
nearestName(llvm::StringRef name, llvm::ArrayRef<llvm::StringRef> candidates);

class JsonReader {
public:
  JsonReader(llvm::StringRef fileName, mlir::MLIRContext *context)
      : fileName(fileName), context(context) {}

  /// Parses `text` into `root` and indexes the position of every value;
  /// reports malformed JSON or nesting deeper than the graph format allows.
  mlir::LogicalResult parse(llvm::StringRef text, json &root);

  /// The size "batch" dims take; without one they are an error.
  void setBatchSize(std::optional<int64_t> size) { batchSize = size; }

  mlir::MLIRContext *getContext() const { return context; }

  /// The file, line and column of the value at `pointer`.
  mlir::Location locationOf(llvm::StringRef pointer) const;

  /// The location of a named thing of the graph (a node, a param): its name,
  /// then its JSON Pointer, then its file, line and column, as in
  /// loc("fc1"("/nodes/2"("mlp.json":17:5))).
  mlir::Location namedLocationOf(llvm::StringRef name,
                                 llvm::StringRef pointer) const;

  /// Starts an error at the value at `pointer`: "POINTER: ".
  mlir::InFlightDiagnostic error(llvm::StringRef pointer) const;

  /// Checks that `object` is an object whose keys are all `allowed`; an
  /// unknown key is reported with the nearest allowed one.
  mlir::LogicalResult checkKeys(const json &object, llvm::StringRef pointer,
                                llvm::ArrayRef<llvm::StringLiteral> allowed,
                                llvm::StringRef what) const;
  /// The member `key` of `object`; reports its absence.
  const json *require(const json &object, llvm::StringRef key,
                      llvm::StringRef pointer, llvm::StringRef what) const;

  mlir::FailureOr<std::string> readName(const json &value,
                                        llvm::StringRef pointer) const;
  mlir::FailureOr<int64_t> readInt(const json &value, llvm::StringRef pointer,
                                   int64_t min) const;
  /// A finite number, or with `allowInfinity` also "inf" / "-inf".
  mlir::FailureOr<double> readNumber(const json &value, llvm::StringRef pointer,
                                     bool allowInfinity) const;
  mlir::FailureOr<bool> readBool(const json &value,
                                 llvm::StringRef pointer) const;
  /// A string that is one of `choices`; `what` names it in the message.
  mlir::FailureOr<llvm::StringRef>
  readChoice(const json &value, llvm::StringRef pointer, llvm::StringRef what,
             llvm::ArrayRef<llvm::StringLiteral> choices) const;
  /// "f32", "f16", "bf16" and, unless `floatOnly`, "i32", "i64", "bool".
  mlir::FailureOr<mlir::Type>
  readDType(const json &value, llvm::StringRef pointer, bool floatOnly) const;
  /// A positive integer, or "batch" where `allowBatch`.
  mlir::FailureOr<int64_t> readDim(const json &value, llvm::StringRef pointer,
                                   bool allowBatch = true) const;
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  readShape(const json &value, llvm::StringRef pointer,
            bool allowBatch = true) const;
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  readIntList(const json &value, llvm::StringRef pointer) const;
  /// Checks that `shape` has at most kMaxGraphTensorElements elements.
  mlir::LogicalResult checkSize(llvm::ArrayRef<int64_t> shape,
                                llvm::StringRef pointer) const;

private:
  llvm::StringRef fileName;
  mlir::MLIRContext *context;
  JsonPositions positions;
  std::optional<int64_t> batchSize;
};

} // namespace mpc

#endif // MPC_COMPILER_IMPORT_JSON_JSONREADER_H
