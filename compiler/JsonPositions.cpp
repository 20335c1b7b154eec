//===- JsonPositions.cpp - line and column of JSON values -----------------===//

#include "compiler/JsonPositions.h"

namespace mpc {

TextPosition positionOfOffset(llvm::StringRef text, size_t offset) {
  TextPosition position;
  offset = std::min(offset, text.size());
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
  }
  return position;
}

std::string escapePointerToken(llvm::StringRef token) {
  std::string escaped;
  for (char c : token) {
    if (c == '~')
      escaped += "~0";
    else if (c == '/')
      escaped += "~1";
    else
      escaped += c;
  }
  return escaped;
}

namespace {
/// A recursive-descent walk over valid JSON that records where each value
/// starts. It trusts the text to be valid: it only has to find boundaries.
class Indexer {
public:
  Indexer(llvm::StringRef text, llvm::StringMap<TextPosition> &positions)
      : text(text), positions(positions) {}

  bool value(std::string &pointer, unsigned depthLeft) {
    skipSpace();
    positions[pointer] = current;
    if (at >= text.size())
      return true;
    char c = text[at];
    if (c == '{' || c == '[') {
      if (depthLeft == 0)
        return false;
      return c == '{' ? object(pointer, depthLeft - 1)
                      : array(pointer, depthLeft - 1);
    }
    if (c == '"') {
      string(nullptr);
      return true;
    }
    // Numbers, true, false, null: up to the next delimiter.
    while (at < text.size() && !llvm::StringRef(",]} \t\r\n").contains(text[at]))
      advance();
    return true;
  }

private:
  bool object(std::string &pointer, unsigned depthLeft) {
    advance(); // '{'
    skipSpace();
    if (peek() == '}') {
      advance();
      return true;
    }
    while (at < text.size()) {
      skipSpace();
      std::string key;
      string(&key);
      skipSpace();
      advance(); // ':'
      size_t length = pointer.size();
      pointer += '/';
      pointer += escapePointerToken(key);
      bool ok = value(pointer, depthLeft);
      pointer.resize(length);
      if (!ok)
        return false;
      skipSpace();
      char c = peek();
      advance(); // ',' or '}'
      if (c == '}')
        break;
    }
    return true;
  }

  bool array(std::string &pointer, unsigned depthLeft) {
    advance(); // '['
    skipSpace();
    if (peek() == ']') {
      advance();
      return true;
    }
    for (size_t index = 0; at < text.size(); ++index) {
      size_t length = pointer.size();
      pointer += '/';
      pointer += std::to_string(index);
      bool ok = value(pointer, depthLeft);
      pointer.resize(length);
      if (!ok)
        return false;
      skipSpace();
      char c = peek();
      advance(); // ',' or ']'
      if (c == ']')
        break;
    }
    return true;
  }

  /// Skips a string literal; stores its raw contents (escapes kept except
  /// \" and \\, enough for the keys of a graph) in `contents` if given.
  void string(std::string *contents) {
    advance(); // opening quote
    while (at < text.size() && text[at] != '"') {
      if (text[at] == '\\' && at + 1 < text.size()) {
        advance();
        if (contents && text[at] != '"' && text[at] != '\\')
          *contents += '\\';
      }
      if (contents)
        *contents += text[at];
      advance();
    }
    advance(); // closing quote
  }

  char peek() const { return at < text.size() ? text[at] : '\0'; }

  void advance() {
    if (at >= text.size())
      return;
    if (text[at] == '\n') {
      ++current.line;
      current.column = 1;
    } else {
      ++current.column;
    }
    ++at;
  }

  void skipSpace() {
    while (at < text.size() && llvm::StringRef(" \t\r\n").contains(text[at]))
      advance();
  }

  llvm::StringRef text;
  llvm::StringMap<TextPosition> &positions;
  size_t at = 0;
  TextPosition current;
};
} // namespace

bool JsonPositions::index(llvm::StringRef text, unsigned maxDepth) {
  positions.clear();
  std::string pointer;
  if (Indexer(text, positions).value(pointer, maxDepth))
    return true;
  positions.clear();
  return false;
}

TextPosition JsonPositions::lookup(llvm::StringRef pointer) const {
  while (true) {
    auto it = positions.find(pointer);
    if (it != positions.end())
      return it->second;
    size_t slash = pointer.rfind('/');
    if (slash == llvm::StringRef::npos)
      return TextPosition();
    pointer = pointer.take_front(slash);
  }
}

} // namespace mpc
