//===- NpyHeaderTest.cpp - The header dict of NumPy .npy files ------------===//

#include "runtime/driver/NpyHeader.h"

#include <gtest/gtest.h>

using namespace mpc::driver;

namespace {

std::optional<NpyHeader> parse(const std::string &text) {
  std::string error;
  std::optional<NpyHeader> header = parseNpyHeader(text, error);
  EXPECT_TRUE(header) << text << ": " << error;
  return header;
}

TEST(NpyHeader, ReadsWhatNumPyWrites) {
  std::optional<NpyHeader> header = parse(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }      \n");
  ASSERT_TRUE(header);
  EXPECT_EQ(header->descr, "<f4");
  EXPECT_FALSE(header->fortranOrder);
  EXPECT_EQ(header->shape, (std::vector<int64_t>{3, 4}));
}

TEST(NpyHeader, AcceptsLiteralVariants) {
  struct Case {
    const char *text;
    std::vector<int64_t> shape;
    bool fortran;
  };
  const Case cases[] = {
      // Python 2 long integers.
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (3L, 4L), }",
       {3, 4},
       false},
      // Key order, double quotes, lists and no trailing comma.
      {"{\"shape\": [5], \"fortran_order\": True, \"descr\": \"<i8\"}",
       {5},
       true},
      {"{'descr':'<f8','fortran_order':False,'shape':(7,)}", {7}, false},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': ()}", {}, false},
      // Unknown keys, even nested ones, are skipped.
      {"{'descr': '<f4', 'extra': {'a': [1, (2, 'x')], 'b': None}, "
       "'fortran_order': False, 'shape': (2,), }",
       {2},
       false},
  };
  for (const Case &c : cases) {
    std::optional<NpyHeader> header = parse(c.text);
    ASSERT_TRUE(header);
    EXPECT_EQ(header->shape, c.shape) << c.text;
    EXPECT_EQ(header->fortranOrder, c.fortran) << c.text;
  }
}

TEST(NpyHeader, RejectsMalformedDicts) {
  struct Case {
    std::string text;
    const char *message;
  };
  const Case cases[] = {
      {"", "byte 0 of the header: expected '{'"},
      {"{", "byte 1 of the header: expected a string"},
      {"{'descr': '<f4'", "byte 15 of the header: expected ',' or '}'"},
      {"{'descr': '<f4", "byte 14 of the header: unterminated string"},
      {"{'shape': (1, 2", "byte 15 of the header: expected ',' or ')' in "
                          "'shape'"},
      {"{'shape': 5}", "byte 10 of the header: 'shape' must be a tuple"},
      {"{'shape': (1,, 2)}", "byte 13 of the header: expected a dimension"},
      {"{'shape': (2.5,)}", "byte 11 of the header: dimension '2.5' is not a "
                            "non-negative integer"},
      {"{'x': " + std::string(100, '[') + "}",
       "byte 38 of the header: values nested too deeply"},
      {"{'x': @}", "byte 6 of the header: unexpected character '@'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': ()} x",
       "byte 54 of the header: unexpected text after the dict"},
      {"{}", "the header lacks 'descr'"},
  };
  for (const Case &c : cases) {
    std::string error;
    EXPECT_FALSE(parseNpyHeader(c.text, error)) << c.text;
    EXPECT_EQ(error, c.message) << c.text;
  }
}

} // namespace
