//===- JsonPositions.h - line and column of JSON values ---------*- C++ -*-===//
//
// nlohmann::json keeps no source positions, so the importer indexes them in
// one extra pass over the (already validated) text: every value's JSON
// Pointer maps to the line and column where it starts.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_IMPORT_JSON_JSONPOSITIONS_H
#define MPC_COMPILER_IMPORT_JSON_JSONPOSITIONS_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include <cstddef>
#include <optional>
#include <string>

namespace mpc {

/// A 1-based line and column in a text.
struct TextPosition {
  unsigned line = 1;
  unsigned column = 1;
};

/// The line and column of byte `offset` of `text`.
TextPosition positionOfOffset(llvm::StringRef text, size_t offset);

/// What a document may be valid JSON and still not be indexed for.
struct JsonIndexProblem {
  enum class Kind { TooDeep, DuplicateKey } kind;
  /// The value nested too deep, or the second value of a repeated key.
  std::string pointer;
  TextPosition position;
};

/// The start position of every value of a JSON document, by JSON Pointer
/// ("" for the root, "/nodes/3/inputs/0" for deeper values).
class JsonPositions {
public:
  /// Indexes `text`, which must be valid JSON. Fails, indexing nothing, on
  /// nesting deeper than `maxDepth` or an object that repeats a key (which a
  /// JSON parser silently resolves to the last value).
  std::optional<JsonIndexProblem> index(llvm::StringRef text,
                                        unsigned maxDepth);

  /// The position of the value at `pointer`, or of its nearest indexed
  /// ancestor.
  TextPosition lookup(llvm::StringRef pointer) const;

private:
  llvm::StringMap<TextPosition> positions;
};

/// Escapes one reference token of a JSON Pointer ('~' -> "~0", '/' -> "~1").
std::string escapePointerToken(llvm::StringRef token);

} // namespace mpc

#endif // MPC_COMPILER_IMPORT_JSON_JSONPOSITIONS_H
