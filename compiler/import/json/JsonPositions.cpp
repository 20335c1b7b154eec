//===- JsonPositions.cpp - line and column of JSON values -----------------===//

#include "compiler/import/json/JsonPositions.h"

#include "llvm/ADT/StringExtras.h"

#include <cstdint>

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
      : text(text), positions(positions) {
    // nlohmann skips a UTF-8 byte order mark at the start, so must the walk:
    // otherwise it sees one long scalar, indexes nothing and, worse, lets
    // any nesting depth pass.
    if (text.starts_with("\xEF\xBB\xBF"))
      for (int i = 0; i < 3; ++i)
        advance();
  }

  /// Why value() returned false.
  std::optional<JsonIndexProblem> problem;

  bool value(std::string &pointer, unsigned depthLeft) {
    skipSpace();
    positions[pointer] = current;
    if (at >= text.size())
      return true;
    char c = text[at];
    if (c == '{' || c == '[') {
      if (depthLeft == 0)
        return fail(JsonIndexProblem::Kind::TooDeep, pointer);
      return c == '{' ? object(pointer, depthLeft - 1)
                      : array(pointer, depthLeft - 1);
    }
    if (c == '"') {
      string(nullptr);
      return true;
    }
    // Numbers, true, false, null: up to the next delimiter.
    while (at < text.size() &&
           !llvm::StringRef(",]} \t\r\n").contains(text[at]))
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
      if (positions.count(pointer)) {
        skipSpace();
        return fail(JsonIndexProblem::Kind::DuplicateKey, pointer);
      }
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

  /// Skips a string literal; stores its contents, escapes decoded as
  /// nlohmann decodes them (UTF-8), in `contents` if given.
  void string(std::string *contents) {
    advance(); // opening quote
    while (at < text.size() && text[at] != '"') {
      char c = text[at];
      advance();
      if (c != '\\') {
        if (contents)
          *contents += c;
        continue;
      }
      char escape = peek();
      advance();
      if (!contents)
        continue; // The rest of an escape holds no quote or backslash.
      switch (escape) {
      case 'b':
        *contents += '\b';
        break;
      case 'f':
        *contents += '\f';
        break;
      case 'n':
        *contents += '\n';
        break;
      case 'r':
        *contents += '\r';
        break;
      case 't':
        *contents += '\t';
        break;
      case 'u': {
        uint32_t codePoint = hex4();
        // A valid document pairs each high surrogate with a low one.
        if (codePoint >= 0xD800 && codePoint < 0xDC00 && peek() == '\\' &&
            at + 1 < text.size() && text[at + 1] == 'u') {
          advance();
          advance();
          codePoint =
              0x10000 + ((codePoint - 0xD800) << 10) + (hex4() - 0xDC00);
        }
        appendUtf8(codePoint, *contents);
        break;
      }
      default: // '"', '\\', '/'
        *contents += escape;
        break;
      }
    }
    advance(); // closing quote
  }

  /// Reads the four hex digits of a \u escape.
  uint32_t hex4() {
    uint32_t value = 0;
    for (int i = 0; i < 4 && at < text.size(); ++i) {
      unsigned digit = llvm::hexDigitValue(text[at]);
      value = value * 16 + (digit == ~0U ? 0 : digit);
      advance();
    }
    return value;
  }

  static void appendUtf8(uint32_t codePoint, std::string &out) {
    if (codePoint < 0x80) {
      out += static_cast<char>(codePoint);
    } else if (codePoint < 0x800) {
      out += static_cast<char>(0xC0 | (codePoint >> 6));
      out += static_cast<char>(0x80 | (codePoint & 0x3F));
    } else if (codePoint < 0x10000) {
      out += static_cast<char>(0xE0 | (codePoint >> 12));
      out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (codePoint & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (codePoint >> 18));
      out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (codePoint & 0x3F));
    }
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

  /// Records why indexing stops here.
  bool fail(JsonIndexProblem::Kind kind, const std::string &pointer) {
    problem = JsonIndexProblem{kind, pointer, current};
    return false;
  }

  llvm::StringRef text;
  llvm::StringMap<TextPosition> &positions;
  size_t at = 0;
  TextPosition current;
};
} // namespace

std::optional<JsonIndexProblem> JsonPositions::index(llvm::StringRef text,
                                                     unsigned maxDepth) {
  positions.clear();
  std::string pointer;
  Indexer indexer(text, positions);
  if (indexer.value(pointer, maxDepth))
    return std::nullopt;
  positions.clear();
  return indexer.problem;
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
