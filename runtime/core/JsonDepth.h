//===- JsonDepth.h - nesting checked before a JSON parse --------*- C++ -*-===//
//
// Some JSON parsers (llvm::json) recurse once per level of nesting, and
// some operations on a parsed document (nlohmann's comparisons and copies)
// do too, so a document nested tens of thousands of levels deep exhausts
// the stack. Every reader of a JSON file (graph, policy, manifest) bounds
// the nesting first, with this scan, which is iterative.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_JSONDEPTH_H
#define MPC_RUNTIME_CORE_JSONDEPTH_H

#include <cstddef>
#include <optional>
#include <string_view>

namespace mpc {

/// The nesting every mpc JSON file stays within (a graph's constants of
/// rank 8 sit at depth 12; a manifest or policy file at depth 5 at most).
inline constexpr unsigned kMaxJsonDepth = 64;

/// The byte offset in `text` of the '[' or '{' that opens a level deeper
/// than `maxDepth`, or none. Brackets inside strings do not count. The text
/// need not be valid JSON: the parser that runs next reports what else is
/// wrong with it.
inline std::optional<size_t> findJsonNestingBeyond(std::string_view text,
                                                   unsigned maxDepth) {
  unsigned depth = 0;
  bool inString = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > maxDepth)
        return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

} // namespace mpc

#endif // MPC_RUNTIME_CORE_JSONDEPTH_H
