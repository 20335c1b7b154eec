//===- JsonPositionsTest.cpp - JSON Pointer to line and column ------------===//

#include "compiler/import/json/JsonPositions.h"

#include <gtest/gtest.h>

using namespace mpc;

namespace {

TEST(JsonPositions, IndexesEveryValueByPointer) {
  const char *text = "{\n"
                     "  \"a\": [1, {\"b\": true}],\n"
                     "  \"c/d\": \"x\"\n"
                     "}";
  JsonPositions positions;
  ASSERT_FALSE(positions.index(text, 8));
  EXPECT_EQ(positions.lookup("").line, 1u);
  EXPECT_EQ(positions.lookup("/a").line, 2u);
  EXPECT_EQ(positions.lookup("/a").column, 8u);
  EXPECT_EQ(positions.lookup("/a/1").column, 12u);
  EXPECT_EQ(positions.lookup("/a/1/b").column, 18u);
  // '/' inside a key is escaped as "~1".
  EXPECT_EQ(positions.lookup("/c~1d").line, 3u);
  EXPECT_EQ(positions.lookup("/c~1d").column, 10u);
}

TEST(JsonPositions, UnknownPointerFallsBackToNearestAncestor) {
  JsonPositions positions;
  ASSERT_FALSE(positions.index("{\"nodes\": [\n  {\"op\": 1}]}", 8));
  TextPosition node = positions.lookup("/nodes/0");
  TextPosition missing = positions.lookup("/nodes/0/attrs/axis");
  EXPECT_EQ(missing.line, node.line);
  EXPECT_EQ(missing.column, node.column);
}

TEST(JsonPositions, RejectsNestingDeeperThanTheLimit) {
  JsonPositions positions;
  EXPECT_FALSE(positions.index("[[[1]]]", 3));
  auto problem = positions.index("[[[[1]]]]", 3);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->kind, JsonIndexProblem::Kind::TooDeep);
  EXPECT_EQ(problem->pointer, "/0/0/0");
  EXPECT_EQ(problem->position.column, 4u);
}

TEST(JsonPositions, HandlesEscapedQuotesInStrings) {
  JsonPositions positions;
  ASSERT_FALSE(positions.index("{\"k\\\"ey\": \"v\\\"al\", \"n\": 2}", 4));
  EXPECT_EQ(positions.lookup("/n").column, 25u);
}

TEST(JsonPositions, RejectsARepeatedKey) {
  JsonPositions positions;
  auto problem = positions.index("{\"a\": {\"op\": 1,\n \"op\": 2}}", 8);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->kind, JsonIndexProblem::Kind::DuplicateKey);
  EXPECT_EQ(problem->pointer, "/a/op");
  EXPECT_EQ(problem->position.line, 2u);
  EXPECT_EQ(problem->position.column, 8u);
  // The same key in two objects is no repeat.
  EXPECT_FALSE(positions.index("[{\"op\": 1}, {\"op\": 2}]", 8));
}

TEST(JsonPositions, OffsetToLineAndColumn) {
  TextPosition position = positionOfOffset("ab\ncd\nef", 7);
  EXPECT_EQ(position.line, 3u);
  EXPECT_EQ(position.column, 2u);
}

} // namespace
