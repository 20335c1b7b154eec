//===- InputLimitsTest.cpp - text and JSON kept within bounds -------------===//
//
// runtime/core's guards against input that would break a tool: the nesting
// scan that runs before a recursive JSON parser, and the escaping that
// keeps an error one line.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/JsonDepth.h"
#include "runtime/core/OneLineText.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using mpc::findJsonNestingBeyond;
using mpc::oneLine;

TEST(JsonDepthTest, FindsTheBracketThatGoesTooDeep) {
  EXPECT_EQ(findJsonNestingBeyond("{}", 1), std::nullopt);
  EXPECT_EQ(findJsonNestingBeyond("{\"a\": [1]}", 1), 6u);
  EXPECT_EQ(findJsonNestingBeyond("{\"a\": [1]}", 2), std::nullopt);
  EXPECT_EQ(findJsonNestingBeyond("[[],[[]]]", 2), 5u);
  // Depth is nesting, not the number of brackets.
  EXPECT_EQ(findJsonNestingBeyond("[[],[],[],[]]", 2), std::nullopt);
}

TEST(JsonDepthTest, BracketsInStringsDoNotCount) {
  EXPECT_EQ(findJsonNestingBeyond(R"({"[[[[": "{{{{"})", 1), std::nullopt);
  // An escaped quote does not end the string.
  EXPECT_EQ(findJsonNestingBeyond(R"(["\"[[[", 1])", 1), std::nullopt);
  EXPECT_EQ(findJsonNestingBeyond(R"(["\\", [1]])", 1), 7u);
}

TEST(JsonDepthTest, ScansFiftyThousandLevelsWithoutRecursion) {
  std::string deep = std::string(50000, '[') + std::string(50000, ']');
  EXPECT_EQ(findJsonNestingBeyond(deep, mpc::kMaxJsonDepth), 64u);
  EXPECT_EQ(findJsonNestingBeyond(deep, 50000), std::nullopt);
  // Malformed text is scanned as far as it goes.
  EXPECT_EQ(findJsonNestingBeyond("]]]{", 1), std::nullopt);
  EXPECT_EQ(findJsonNestingBeyond("\"unterminated [[[", 1), std::nullopt);
}

TEST(OneLineTextTest, EscapesControlCharactersAndKeepsTheRest) {
  EXPECT_EQ(oneLine("plain text"), "plain text");
  EXPECT_EQ(oneLine("two\nlines"), "two\\nlines");
  EXPECT_EQ(oneLine(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(oneLine("\r\t\x1b[31m\x7f"), "\\x0D\\x09\\x1B[31m\\x7F");
  // UTF-8 is text, not control.
  EXPECT_EQ(oneLine("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(OneLineTextTest, DropsTrailingLineBreaks) {
  EXPECT_EQ(oneLine("message\n"), "message");
  EXPECT_EQ(oneLine("message\r\n\n"), "message");
  EXPECT_EQ(oneLine("\n"), "");
}

} // namespace
