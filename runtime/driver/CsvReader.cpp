//===- CsvReader.cpp - Numeric CSV tables with a label column -------------===//

#include "runtime/driver/DataFiles.h"

#include "runtime/driver/Text.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>

namespace mpc::driver {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

/// Parses the whole of `field` as a finite double. Returns null on success,
/// else why it is not one.
const char *parseNumber(std::string_view field, double &value) {
  field = trim(field);
  // from_chars takes no '+' sign, which CSV writers may emit.
  if (field.size() > 1 && field[0] == '+' && field[1] != '-')
    field.remove_prefix(1);
  const char *end = field.data() + field.size();
  auto [stop, code] = std::from_chars(field.data(), end, value);
  if (code == std::errc::result_out_of_range)
    return "is out of range";
  if (code != std::errc() || stop != end)
    return "is not a number";
  if (!std::isfinite(value))
    return "is not finite";
  return nullptr;
}

std::vector<std::string_view> splitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t begin = 0;
  for (;;) {
    size_t comma = line.find(',', begin);
    fields.push_back(line.substr(begin, comma - begin));
    if (comma == std::string_view::npos)
      return fields;
    begin = comma + 1;
  }
}

/// Accumulates a CsvTable line by line.
class CsvParser {
public:
  CsvParser(const std::string &path, std::string &error)
      : path(path), error(error) {}

  /// Consumes line `number` (1-based, without its newline).
  bool addLine(int64_t number, std::string_view line);
  std::optional<CsvTable> finish();

private:
  bool fail(int64_t line, const std::string &what) {
    error = path + ":" + std::to_string(line) + ": " + what;
    return false;
  }
  bool addRow(int64_t number, const std::vector<std::string_view> &fields);
  bool parseLabel(int64_t number, std::string_view field);

  const std::string &path;
  std::string &error;
  CsvTable table;
  /// A blank line seen after data; an error unless only blanks follow.
  int64_t pendingBlankLine = 0;
};

bool CsvParser::addLine(int64_t number, std::string_view line) {
  if (trim(line).empty()) {
    if (!pendingBlankLine)
      pendingBlankLine = number;
    return true;
  }
  if (pendingBlankLine)
    return fail(pendingBlankLine, "blank line inside the data");
  std::vector<std::string_view> fields = splitFields(line);
  double ignored;
  if (number == 1 && parseNumber(fields[0], ignored))
    return true; // A header line.
  return addRow(number, fields);
}

bool CsvParser::addRow(int64_t number,
                       const std::vector<std::string_view> &fields) {
  int64_t count = static_cast<int64_t>(fields.size());
  if (count < 2)
    return fail(number, "expected at least 2 columns (features, then a "
                        "label), got " +
                            std::to_string(count));
  if (table.columns && count != table.columns)
    return fail(number, "expected " + std::to_string(table.columns) +
                            " columns, got " + std::to_string(count));
  table.columns = count;
  for (int64_t column = 0; column + 1 < count; ++column) {
    double value;
    const char *problem = parseNumber(fields[column], value);
    if (!problem && std::fabs(value) > std::numeric_limits<float>::max())
      problem = "is out of range for a 32-bit float";
    if (problem)
      return fail(number, "column " + std::to_string(column + 1) + ": '" +
                              printable(trim(fields[column])) + "' " + problem);
    table.features.push_back(static_cast<float>(value));
  }
  if (!parseLabel(number, fields.back()))
    return false;
  table.lineNumbers.push_back(number);
  ++table.rows;
  return true;
}

bool CsvParser::parseLabel(int64_t number, std::string_view field) {
  // Labels may be written as floats ("3.0") by tools that store one dtype.
  constexpr double kLargestExact = 9007199254740992.0; // 2^53
  double value;
  if (parseNumber(field, value) || value < 0 || value > kLargestExact ||
      value != std::floor(value))
    return fail(number, "label '" + printable(trim(field)) +
                            "' is not a non-negative integer");
  table.labels.push_back(static_cast<int64_t>(value));
  return true;
}

std::optional<CsvTable> CsvParser::finish() {
  if (table.rows == 0) {
    error = path + ": no data rows";
    return std::nullopt;
  }
  return std::move(table);
}

} // namespace

std::optional<CsvTable> parseCsv(std::string_view text, const std::string &path,
                                 std::string &error) {
  CsvParser parser(path, error);
  int64_t number = 1;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    if (!parser.addLine(number++, text.substr(0, newline)))
      return std::nullopt;
    if (newline == std::string_view::npos)
      break;
    text.remove_prefix(newline + 1);
  }
  return parser.finish();
}

std::optional<CsvTable> loadCsv(const std::string &path, std::string &error) {
  std::optional<std::string> bytes = readFileBytes(path, error);
  if (!bytes)
    return std::nullopt;
  return parseCsv(*bytes, path, error);
}

} // namespace mpc::driver
