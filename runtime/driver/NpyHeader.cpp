//===- NpyHeader.cpp - The header dict of NumPy .npy files ----------------===//

#include "runtime/driver/NpyHeader.h"

#include "runtime/driver/Text.h"

#include <cctype>
#include <limits>
#include <utility>

namespace mpc::driver {
namespace {

/// Nesting deeper than this in a skipped value is rejected rather than
/// followed, so a hostile header cannot exhaust the stack.
constexpr int kMaxDepth = 32;

/// A recursive-descent reader of the Python literal subset .npy uses:
/// strings, names (True, False, None), integers, and tuples, lists and dicts
/// of them. Every method returns false after setting `error`.
class HeaderParser {
public:
  HeaderParser(std::string_view text, std::string &error)
      : text(text), error(error) {}

  bool parseDict(NpyHeader &header);

private:
  bool failAt(size_t at, const std::string &what) {
    error = "byte " + std::to_string(at) + " of the header: " + what;
    return false;
  }
  bool fail(const std::string &what) { return failAt(pos, what); }
  void skipSpace() {
    while (pos < text.size() &&
           std::isspace(static_cast<unsigned char>(text[pos])))
      ++pos;
  }
  /// Skips white space, then consumes `c` if it comes next.
  bool consume(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool expect(char c) {
    if (consume(c))
      return true;
    return fail(std::string("expected '") + c + "'");
  }
  static bool isWordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           c == '.' || c == '+' || c == '-';
  }
  /// Consumes a run of name or number characters; `start` is where it
  /// began, for errors about it.
  std::string_view word(size_t &start) {
    skipSpace();
    size_t begin = start = pos;
    while (pos < text.size() && isWordChar(text[pos]))
      ++pos;
    return text.substr(begin, pos - begin);
  }

  bool parseString(std::string &out);
  bool parseBool(bool &out);
  bool parseDim(int64_t &out);
  bool parseShape(std::vector<int64_t> &shape);
  bool skipValue(int depth);
  bool parseEntry(NpyHeader &header, unsigned &seen);

  std::string_view text;
  std::string &error;
  size_t pos = 0;
};

bool HeaderParser::parseString(std::string &out) {
  skipSpace();
  if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
    return fail("expected a string");
  char quote = text[pos++];
  out.clear();
  while (pos < text.size() && text[pos] != quote) {
    // An escape keeps the next character as it is; the strings that matter
    // here (keys and dtypes) never need more.
    if (text[pos] == '\\' && pos + 1 < text.size())
      ++pos;
    out += text[pos++];
  }
  if (pos >= text.size())
    return fail("unterminated string");
  ++pos;
  return true;
}

bool HeaderParser::parseBool(bool &out) {
  size_t start;
  std::string_view name = word(start);
  if (name != "True" && name != "False")
    return failAt(start,
                  "expected True or False, got '" + printable(name) + "'");
  out = name == "True";
  return true;
}

bool HeaderParser::parseDim(int64_t &out) {
  size_t start;
  std::string_view digits = word(start);
  // Python 2 wrote long integers with an L suffix: (3L, 4L).
  if (!digits.empty() && (digits.back() == 'L' || digits.back() == 'l'))
    digits.remove_suffix(1);
  if (digits.empty())
    return failAt(start, "expected a dimension");
  uint64_t value = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return failAt(start, "dimension '" + printable(digits) +
                               "' is not a non-negative integer");
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return failAt(start,
                    "dimension '" + printable(digits) + "' is too large");
  }
  out = static_cast<int64_t>(value);
  return true;
}

bool HeaderParser::parseShape(std::vector<int64_t> &shape) {
  skipSpace();
  char close = pos < text.size() && text[pos] == '[' ? ']' : ')';
  if (!consume('(') && !consume('['))
    return fail("'shape' must be a tuple");
  shape.clear();
  while (!consume(close)) {
    int64_t dim;
    if (!parseDim(dim))
      return false;
    shape.push_back(dim);
    if (consume(close))
      break;
    if (!consume(','))
      return fail(std::string("expected ',' or '") + close + "' in 'shape'");
  }
  return true;
}

bool HeaderParser::skipValue(int depth) {
  if (depth > kMaxDepth)
    return fail("values nested too deeply");
  skipSpace();
  if (pos >= text.size())
    return fail("unexpected end of the header");
  char c = text[pos];
  if (c == '\'' || c == '"') {
    std::string ignored;
    return parseString(ignored);
  }
  char close = c == '(' ? ')' : c == '[' ? ']' : c == '{' ? '}' : 0;
  if (!close) {
    size_t start;
    if (word(start).empty())
      return fail("unexpected character '" + printable(text.substr(pos, 1)) +
                  "'");
    return true;
  }
  ++pos;
  while (!consume(close)) {
    if (!skipValue(depth + 1))
      return false;
    if (consume(close))
      break;
    // Dict entries separate key and value with ':'; items use ','.
    if (!consume(',') && !consume(':'))
      return fail(std::string("expected ',' or '") + close + "'");
  }
  return true;
}

/// Bits of `seen` for the keys every header must hold.
enum : unsigned { kDescr = 1, kFortran = 2, kShape = 4 };

bool HeaderParser::parseEntry(NpyHeader &header, unsigned &seen) {
  std::string key;
  if (!parseString(key) || !expect(':'))
    return false;
  if (key == "descr") {
    skipSpace();
    if (pos < text.size() && text[pos] != '\'' && text[pos] != '"')
      return fail("structured dtypes are not supported");
    seen |= kDescr;
    return parseString(header.descr);
  }
  if (key == "fortran_order") {
    seen |= kFortran;
    return parseBool(header.fortranOrder);
  }
  if (key == "shape") {
    seen |= kShape;
    return parseShape(header.shape);
  }
  return skipValue(1);
}

bool HeaderParser::parseDict(NpyHeader &header) {
  if (!expect('{'))
    return false;
  unsigned seen = 0;
  while (!consume('}')) {
    if (!parseEntry(header, seen))
      return false;
    if (consume('}'))
      break;
    if (!consume(','))
      return fail("expected ',' or '}'");
  }
  for (auto [bit, key] :
       {std::pair{kDescr, "descr"}, std::pair{kFortran, "fortran_order"},
        std::pair{kShape, "shape"}}) {
    if (!(seen & bit)) {
      error = std::string("the header lacks '") + key + "'";
      return false;
    }
  }
  skipSpace();
  if (pos != text.size())
    return fail("unexpected text after the dict");
  return true;
}

} // namespace

std::optional<NpyHeader> parseNpyHeader(std::string_view text,
                                        std::string &error) {
  NpyHeader header;
  HeaderParser parser(text, error);
  if (!parser.parseDict(header))
    return std::nullopt;
  return header;
}

} // namespace mpc::driver
