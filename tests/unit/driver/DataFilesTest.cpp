//===- DataFilesTest.cpp - Readers of raw training data files -------------===//

#include "runtime/driver/DataFiles.h"

#include "tests/unit/driver/TestFiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

using namespace mpc::driver;
using namespace mpc::driver::test;

namespace {

//===----------------------------------------------------------------------===//
// readFileBytes and loadCharCorpus
//===----------------------------------------------------------------------===//

TEST(ReadFileBytes, PlainAndGzipGiveTheSameBytes) {
  ScratchDir dir;
  std::string text("line one\nline two\0with a NUL\n", 29);
  writeFile(dir.path("a.txt"), text);
  writeGzip(dir.path("a.txt.gz"), text);
  std::string error;
  std::optional<std::string> plain = readFileBytes(dir.path("a.txt"), error);
  ASSERT_TRUE(plain) << error;
  std::optional<std::string> unzipped =
      readFileBytes(dir.path("a.txt.gz"), error);
  ASSERT_TRUE(unzipped) << error;
  EXPECT_EQ(*plain, text);
  EXPECT_EQ(*unzipped, text);
}

TEST(ReadFileBytes, LargeGzipFileIsReadWhole) {
  ScratchDir dir;
  std::string text;
  for (int i = 0; i < 100000; ++i)
    text += std::to_string(i * 7919 % 1000) + ",";
  writeGzip(dir.path("big.csv.gz"), text);
  std::string error;
  std::optional<std::string> bytes =
      readFileBytes(dir.path("big.csv.gz"), error);
  ASSERT_TRUE(bytes) << error;
  EXPECT_EQ(*bytes, text);
}

TEST(ReadFileBytes, MissingFileNamesThePathAndTheReason) {
  ScratchDir dir;
  for (const char *name : {"missing.csv", "missing.csv.gz"}) {
    std::string error;
    EXPECT_FALSE(readFileBytes(dir.path(name), error));
    EXPECT_EQ(error,
              dir.path(name) + ": cannot open: No such file or directory");
  }
}

TEST(ReadFileBytes, DirectoryIsAnError) {
  ScratchDir dir;
  std::string error;
  EXPECT_FALSE(readFileBytes(dir.rootPath(), error));
  EXPECT_EQ(error, dir.rootPath() + ": cannot read: Is a directory");
}

TEST(ReadFileBytes, CorruptGzipStreamIsAnError) {
  ScratchDir dir;
  std::string path = dir.path("bad.txt.gz");
  writeGzip(path, "some text that compresses, some text that compresses");
  std::string bytes = readFile(path);
  bytes[bytes.size() - 6] ^= 0x5a; // Inside the CRC-32 trailer.
  writeFile(path, bytes);
  std::string error;
  EXPECT_FALSE(readFileBytes(path, error));
  EXPECT_EQ(error, path + ": corrupt gzip data: incorrect data check");
}

TEST(ReadFileBytes, TruncatedGzipStreamIsAnError) {
  ScratchDir dir;
  std::string path = dir.path("cut.txt.gz");
  writeGzip(path, std::string(5000, 'x') + "tail");
  std::string bytes = readFile(path);
  writeFile(path, bytes.substr(0, bytes.size() / 2));
  std::string error;
  EXPECT_FALSE(readFileBytes(path, error));
  EXPECT_EQ(error, path + ": corrupt gzip data: unexpected end of file");
}

TEST(ReadFileBytes, PlainDataNamedGzIsAnError) {
  ScratchDir dir;
  for (std::string content : {"not compressed", ""}) {
    std::string path = dir.path("plain.csv.gz");
    writeFile(path, content);
    std::string error;
    EXPECT_FALSE(readFileBytes(path, error));
    EXPECT_EQ(error, path + ": not gzip data");
  }
}

TEST(ReadFileBytes, SpecialFilesAreRefused) {
  // /dev/zero never ends, and a FIFO may never be written: both are
  // refused at once, before reading.
  std::string error;
  EXPECT_FALSE(readFileBytes("/dev/zero", error));
  EXPECT_EQ(error, "/dev/zero: a character device, not a regular file");
  ScratchDir dir;
  std::string fifo = dir.path("data.csv");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(readFileBytes(fifo, error));
  EXPECT_EQ(error, fifo + ": a FIFO, not a regular file");
  // A symbolic link is followed to what it names.
  std::string link = dir.path("zero.csv.gz");
  ASSERT_EQ(::symlink("/dev/zero", link.c_str()), 0);
  EXPECT_FALSE(readFileBytes(link, error));
  EXPECT_EQ(error, link + ": a character device, not a regular file");
}

TEST(ReadFileBytes, AFileOverTheLimitIsRefused) {
  ScratchDir dir;
  std::string path = dir.path("a.txt");
  writeFile(path, std::string(3000, 'x'));
  std::string error;
  EXPECT_TRUE(readFileBytes(path, error, 3000)) << error;
  EXPECT_FALSE(readFileBytes(path, error, 2999));
  EXPECT_EQ(error, path + ": the file is larger than the 2.9 KiB one file "
                          "may take in memory (half of what mpc can use)");
}

TEST(ReadFileBytes, AGzipBombStopsAtTheLimit) {
  // 64 MiB of zeros compress to about 64 KiB; decompressing stops at the
  // limit rather than when memory runs out.
  ScratchDir dir;
  std::string path = dir.path("bomb.csv.gz");
  writeGzip(path, std::string(64 << 20, '\0'));
  ASSERT_LT(readFile(path).size(), 1u << 20);
  std::string error;
  EXPECT_FALSE(readFileBytes(path, error, 1 << 20));
  EXPECT_EQ(error, path + ": decompresses to more than the 1.0 MiB one file "
                          "may take in memory (half of what mpc can use)");
  std::optional<std::string> whole = readFileBytes(path, error, 64 << 20);
  ASSERT_TRUE(whole) << error;
  EXPECT_EQ(whole->size(), size_t(64) << 20);
  // Across members too.
  std::string member = readFile(path);
  EXPECT_FALSE(gunzip(member + member, "mem", error, (64 << 20) + 1));
  EXPECT_EQ(error, "mem: decompresses to more than the 64.0 MiB one file may "
                   "take in memory (half of what mpc can use)");
}

TEST(Gunzip, ReadsMembersUntilBytesThatStartNoOther) {
  // As gzread: members are concatenated, and trailing bytes that do not
  // start another member are ignored.
  ScratchDir dir;
  writeGzip(dir.path("one.gz"), "first,");
  writeGzip(dir.path("two.gz"), "second");
  std::string members =
      readFile(dir.path("one.gz")) + readFile(dir.path("two.gz"));
  std::string error;
  for (const char *tail : {"", "\x1f", "garbage"}) {
    std::optional<std::string> text = gunzip(members + tail, "mem", error);
    ASSERT_TRUE(text) << error;
    EXPECT_EQ(*text, "first,second");
    writeFile(dir.path("both.gz"), members + tail);
    EXPECT_EQ(readFileBytes(dir.path("both.gz"), error), text);
  }
  EXPECT_FALSE(gunzip(members + "\x1f\x8b", "mem", error));
  EXPECT_EQ(error, "mem: corrupt gzip data: unexpected end of file");
  EXPECT_FALSE(gunzip("\x1f", "mem", error));
  EXPECT_EQ(error, "mem: not gzip data");
}

TEST(CharCorpus, ReadsBytesAndRejectsEmptyFiles) {
  ScratchDir dir;
  writeGzip(dir.path("c.txt.gz"), "hello");
  writeFile(dir.path("empty.txt"), "");
  std::string error;
  std::optional<std::string> text = loadCharCorpus(dir.path("c.txt.gz"), error);
  ASSERT_TRUE(text) << error;
  EXPECT_EQ(*text, "hello");
  EXPECT_FALSE(loadCharCorpus(dir.path("empty.txt"), error));
  EXPECT_EQ(error, dir.path("empty.txt") + ": the file is empty");
}

//===----------------------------------------------------------------------===//
// CSV
//===----------------------------------------------------------------------===//

TEST(Csv, ParsesFeaturesLabelsAndLineNumbers) {
  ScratchDir dir;
  std::string path = dir.path("t.csv");
  writeFile(path, "1.5,-2,0\n 3e2 , +4 ,7\n0.25,1e-3,3.0\n");
  std::string error;
  std::optional<CsvTable> table = loadCsv(path, error);
  ASSERT_TRUE(table) << error;
  EXPECT_EQ(table->rows, 3);
  EXPECT_EQ(table->columns, 3);
  EXPECT_EQ(table->features,
            (std::vector<float>{1.5f, -2, 300, 4, 0.25f, 1e-3f}));
  EXPECT_EQ(table->labels, (std::vector<int64_t>{0, 7, 3}));
  EXPECT_EQ(table->lineNumbers, (std::vector<int64_t>{1, 2, 3}));
}

TEST(Csv, SkipsAHeaderLineAndTrailingBlankLines) {
  ScratchDir dir;
  std::string path = dir.path("h.csv");
  writeFile(path, "pixel0,pixel1,label\r\n1,2,3\r\n4,5,6\r\n\r\n  \n\n");
  std::string error;
  std::optional<CsvTable> table = loadCsv(path, error);
  ASSERT_TRUE(table) << error;
  EXPECT_EQ(table->rows, 2);
  EXPECT_EQ(table->features, (std::vector<float>{1, 2, 4, 5}));
  EXPECT_EQ(table->labels, (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(table->lineNumbers, (std::vector<int64_t>{2, 3}));
}

TEST(Csv, ReadsGzippedFilesWithoutTrailingNewline) {
  ScratchDir dir;
  std::string path = dir.path("g.csv.gz");
  writeGzip(path, "x,y\n0.5,1\n2,0");
  std::string error;
  std::optional<CsvTable> table = loadCsv(path, error);
  ASSERT_TRUE(table) << error;
  EXPECT_EQ(table->rows, 2);
  EXPECT_EQ(table->columns, 2);
  EXPECT_EQ(table->features, (std::vector<float>{0.5f, 2}));
  EXPECT_EQ(table->labels, (std::vector<int64_t>{1, 0}));
}

TEST(Csv, ColumnCountErrorNamesTheLineOfAGzippedFile) {
  ScratchDir dir;
  std::string path = dir.path("digits.csv.gz");
  std::string row65, row64;
  for (int i = 0; i < 64; ++i)
    row65 += "0,";
  row64 = row65.substr(0, row65.size() - 2) + "\n";
  row65 += "1\n";
  std::string text;
  for (int line = 1; line <= 20; ++line)
    text += line == 17 ? row64 : row65;
  writeGzip(path, text);
  std::string error;
  EXPECT_FALSE(loadCsv(path, error));
  EXPECT_EQ(error, path + ":17: expected 65 columns, got 64");
}

TEST(Csv, ErrorMessages) {
  struct Case {
    const char *content;
    const char *message;
  };
  const Case cases[] = {
      {"1,2,3\n4,5\n", ":2: expected 3 columns, got 2"},
      {"1,2\n4,5,6\n", ":2: expected 2 columns, got 3"},
      {"h1,h2\n1\n", ":2: expected at least 2 columns (features, then a "
                     "label), got 1"},
      {"1,x,3\n", ":1: column 2: 'x' is not a number"},
      {"1,2,0\n1,,0\n", ":2: column 2: '' is not a number"},
      {"1,2 3,0\n", ":1: column 2: '2 3' is not a number"},
      {"1,1e39,0\n", ":1: column 2: '1e39' is out of range for a 32-bit float"},
      {"1,1e999,0\n", ":1: column 2: '1e999' is out of range"},
      {"1,nan,0\n", ":1: column 2: 'nan' is not finite"},
      {"1,2,3\na,b,c\n", ":2: column 1: 'a' is not a number"},
      {"1,2,0\n\xff\x01,2,0\n", ":2: column 1: '\\xff\\x01' is not a number"},
      {"1,2,-1\n", ":1: label '-1' is not a non-negative integer"},
      {"1,2,1.5\n", ":1: label '1.5' is not a non-negative integer"},
      {"1,2,cat\n", ":1: label 'cat' is not a non-negative integer"},
      {"1,2,1e300\n", ":1: label '1e300' is not a non-negative integer"},
      {"1,2,3\n\n4,5,6\n", ":2: blank line inside the data"},
      {"", ": no data rows"},
      {"a,b,label\n", ": no data rows"},
      {"\n\n", ": no data rows"},
  };
  ScratchDir dir;
  std::string path = dir.path("e.csv");
  for (const Case &c : cases) {
    writeFile(path, c.content);
    std::string error;
    EXPECT_FALSE(loadCsv(path, error)) << c.content;
    EXPECT_EQ(error, path + c.message) << c.content;
  }
}

TEST(Csv, ParsesTextInMemory) {
  std::string error;
  std::optional<CsvTable> table = parseCsv("x,y\n0.5,1\n", "mem", error);
  ASSERT_TRUE(table) << error;
  EXPECT_EQ(table->features, std::vector<float>{0.5f});
  EXPECT_EQ(table->lineNumbers, std::vector<int64_t>{2});
  EXPECT_FALSE(parseCsv("1,2\n3,4,5\n", "mem", error));
  EXPECT_EQ(error, "mem:2: expected 2 columns, got 3");
}

TEST(Csv, MissingFile) {
  std::string error;
  EXPECT_FALSE(loadCsv("/nonexistent/dir/x.csv", error));
  EXPECT_EQ(error, "/nonexistent/dir/x.csv: cannot open: No such file or "
                   "directory");
}

//===----------------------------------------------------------------------===//
// NumPy .npy
//===----------------------------------------------------------------------===//

std::optional<NpyArray> loadNpyBytes(const std::string &bytes,
                                     std::string &error,
                                     std::string *pathOut = nullptr) {
  static int counter = 0;
  ScratchDir dir;
  std::string path = dir.path("a" + std::to_string(counter++) + ".npy");
  writeFile(path, bytes);
  if (pathOut)
    *pathOut = path;
  return loadNpy(path, error);
}

TEST(Npy, ParsesBytesInMemory) {
  std::string error;
  std::optional<NpyArray> array =
      parseNpy(npyFile(npyDict("<i2", "(2,)"), rawBytes<int16_t>({-3, 4})),
               "mem", error);
  ASSERT_TRUE(array) << error;
  EXPECT_EQ(array->shape, std::vector<int64_t>{2});
  EXPECT_EQ(array->i64, (std::vector<int64_t>{-3, 4}));
  EXPECT_FALSE(parseNpy("NUMPY", "mem", error));
  EXPECT_EQ(error, "mem: not a .npy file (no \\x93NUMPY magic)");
}

TEST(Npy, FloatDTypes) {
  std::string error;
  std::optional<NpyArray> f4 =
      loadNpyBytes(npyFile(npyDict("<f4", "(2, 2)"),
                           rawBytes<float>({1.5f, -0.0f, 3e38f, -7})),
                   error);
  ASSERT_TRUE(f4) << error;
  EXPECT_TRUE(f4->isFloat);
  EXPECT_EQ(f4->shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(f4->f32, (std::vector<float>{1.5f, -0.0f, 3e38f, -7}));
  EXPECT_TRUE(std::signbit(f4->f32[1]));
  EXPECT_TRUE(f4->i64.empty());

  // f8 is narrowed; values beyond float range are refused (NonFiniteAnd
  // OutOfRangeFloatsAreRefused).
  std::optional<NpyArray> f8 = loadNpyBytes(
      npyFile(npyDict("<f8", "(3,)"), rawBytes<double>({0.1, -2.5, 3e38})),
      error);
  ASSERT_TRUE(f8) << error;
  EXPECT_TRUE(f8->isFloat);
  EXPECT_EQ(f8->shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(f8->f32[0], 0.1f);
  EXPECT_EQ(f8->f32[1], -2.5f);
  EXPECT_EQ(f8->f32[2], 3e38f);
}

TEST(Npy, NonFiniteAndOutOfRangeFloatsAreRefused) {
  // Training on them runs to "loss nan"; the first is named by its index.
  constexpr float kInf = std::numeric_limits<float>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    std::string bytes;
    std::string message;
  };
  const Case cases[] = {
      {npyFile(npyDict("<f4", "(2, 3)"),
               rawBytes<float>({1, 2, 3, 4, std::nanf(""), 6})),
       ": element [1, 1]: value nan is not finite"},
      {npyFile(npyDict("<f4", "(2, 3)"),
               rawBytes<float>({1, 2, kInf, 4, -kInf, 6})),
       ": element [0, 2]: value inf is not finite"},
      {npyFile(npyDict("<f4", "(4,)"), rawBytes<float>({1, 2, 3, -kInf})),
       ": element [3]: value -inf is not finite"},
      {npyFile(npyDict("<f8", "(2, 2, 2)"),
               rawBytes<double>({0, 0, 0, 0, 0, 1e300, 0, kNaN})),
       ": element [1, 0, 1]: value 1e+300 is out of range for a 32-bit "
       "float"},
      {npyFile(npyDict("<f8", "(1, 2)"), rawBytes<double>({-3.5e38, 1})),
       ": element [0, 0]: value -3.5e+38 is out of range for a 32-bit "
       "float"},
      {npyFile(npyDict("<f8", "(3,)"), rawBytes<double>({1, 2, kNaN})),
       ": element [2]: value nan is not finite"},
      {npyFile(npyDict("<f4", "()"), rawBytes<float>({kInf})),
       ": element []: value inf is not finite"},
  };
  for (const Case &c : cases) {
    std::string path, error;
    EXPECT_FALSE(loadNpyBytes(c.bytes, error, &path)) << c.message;
    EXPECT_EQ(error, path + c.message);
  }
  // The largest float is in range, in either width.
  std::string error;
  float largest = std::numeric_limits<float>::max();
  EXPECT_TRUE(parseNpy(
      npyFile(npyDict("<f8", "(2,)"), rawBytes<double>({largest, -largest})),
      "mem", error))
      << error;
}

TEST(Npy, ValuesMayNotExceedTheReadLimit) {
  // 1000 u1 values become 8000 bytes of i64: over a 4000-byte limit though
  // the file is not.
  std::string bytes = npyFile(npyDict("|u1", "(1000,)"), std::string(1000, 1));
  std::string error;
  EXPECT_FALSE(parseNpy(bytes, "mem", error, 4000));
  EXPECT_EQ(error, "mem: shape [1000] of |u1 takes 7.8 KiB as i64 values, "
                   "more than the 3.9 KiB one file may take in memory (half "
                   "of what mpc can use)");
  EXPECT_TRUE(parseNpy(bytes, "mem", error, 8000)) << error;
  // The file itself is over the limit.
  ScratchDir dir;
  writeFile(dir.path("a.npy"), bytes);
  EXPECT_FALSE(loadNpy(dir.path("a.npy"), error, 1000));
  EXPECT_EQ(error, dir.path("a.npy") +
                       ": the file is larger than the 1000 bytes one file "
                       "may take in memory (half of what mpc can use)");
}

TEST(Npy, IntegerAndBoolDTypes) {
  struct Case {
    std::string descr;
    std::string data;
    std::vector<int64_t> expected;
  };
  const Case cases[] = {
      {"<i4",
       rawBytes<int32_t>({-2147483647 - 1, 0, 7}),
       {-2147483648LL, 0, 7}},
      {"<i8",
       rawBytes<int64_t>({INT64_MIN, -1, INT64_MAX}),
       {INT64_MIN, -1, INT64_MAX}},
      {"|u1", rawBytes<uint8_t>({0, 200, 255}), {0, 200, 255}},
      {"<u1", rawBytes<uint8_t>({1, 2, 3}), {1, 2, 3}},
      {"|i1", rawBytes<int8_t>({-128, -1, 127}), {-128, -1, 127}},
      {"<i2", rawBytes<int16_t>({-32768, 5, 32767}), {-32768, 5, 32767}},
      {"<u2", rawBytes<uint16_t>({0, 40000, 65535}), {0, 40000, 65535}},
      {"|b1", rawBytes<uint8_t>({0, 1, 1}), {0, 1, 1}},
  };
  for (const Case &c : cases) {
    std::string error;
    std::optional<NpyArray> array =
        loadNpyBytes(npyFile(npyDict(c.descr, "(3,)"), c.data), error);
    ASSERT_TRUE(array) << c.descr << ": " << error;
    EXPECT_FALSE(array->isFloat) << c.descr;
    EXPECT_TRUE(array->f32.empty()) << c.descr;
    EXPECT_EQ(array->i64, c.expected) << c.descr;
  }
}

TEST(Npy, FormatVersionsTwoAndThree) {
  for (int major : {2, 3}) {
    std::string error;
    std::optional<NpyArray> array = loadNpyBytes(
        npyFile(npyDict("<i8", "(1, 2)"), rawBytes<int64_t>({4, 5}), major),
        error);
    ASSERT_TRUE(array) << error;
    EXPECT_EQ(array->shape, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(array->i64, (std::vector<int64_t>{4, 5}));
  }
}

TEST(Npy, ScalarsAndEmptyArrays) {
  std::string error;
  std::optional<NpyArray> scalar = loadNpyBytes(
      npyFile(npyDict("<f4", "()"), rawBytes<float>({2.5f})), error);
  ASSERT_TRUE(scalar) << error;
  EXPECT_TRUE(scalar->shape.empty());
  EXPECT_EQ(scalar->numElements(), 1);
  EXPECT_EQ(scalar->f32, (std::vector<float>{2.5f}));

  std::optional<NpyArray> empty =
      loadNpyBytes(npyFile(npyDict("<f4", "(0, 5)"), ""), error);
  ASSERT_TRUE(empty) << error;
  EXPECT_EQ(empty->shape, (std::vector<int64_t>{0, 5}));
  EXPECT_TRUE(empty->f32.empty());
}

TEST(Npy, FortranOrderIsRejected) {
  std::string path, error;
  std::string dict =
      "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
  EXPECT_FALSE(
      loadNpyBytes(npyFile(dict, rawBytes<float>({1, 2, 3, 4})), error, &path));
  EXPECT_EQ(error, path + ": fortran_order: True is not supported; save the "
                          "array in C order");
}

TEST(Npy, DataLengthMustMatchTheShape) {
  std::string path, error;
  std::string dict = npyDict("<f4", "(3, 4)");
  std::string full = npyFile(dict, rawBytes<float>(std::vector<float>(12)));
  size_t dataStart = full.size() - 48;
  EXPECT_FALSE(loadNpyBytes(full.substr(0, full.size() - 8), error, &path));
  EXPECT_EQ(error, path +
                       ": shape [3, 4] of <f4 needs 48 data bytes, but 40 "
                       "are present after offset " +
                       std::to_string(dataStart));
  EXPECT_FALSE(loadNpyBytes(full + "xx", error, &path));
  EXPECT_EQ(error, path +
                       ": shape [3, 4] of <f4 needs 48 data bytes, but 50 "
                       "are present after offset " +
                       std::to_string(dataStart));
}

TEST(Npy, ErrorMessages) {
  struct Case {
    std::string bytes;
    std::string message;
  };
  std::string data = rawBytes<float>({1, 2});
  std::string good = npyFile(npyDict("<f4", "(2,)"), data);
  std::string version4 = good;
  version4[6] = 4;
  std::string longHeader = good;
  longHeader[8] = '\xff';
  longHeader[9] = '\x7f';
  const Case cases[] = {
      {"", ": not a .npy file (no \\x93NUMPY magic)"},
      {"\x93NUMP", ": not a .npy file (no \\x93NUMPY magic)"},
      {"PK\x03\x04 zip archive", ": not a .npy file (no \\x93NUMPY magic)"},
      {version4, ": unsupported .npy format version 4.0"},
      {good.substr(0, 9), ": the file ends inside the header length at byte 8"},
      {good.substr(0, 40), ": header length 118 exceeds the file size 40"},
      {longHeader, ": header length 32767 exceeds the file size 136"},
      {npyFile(npyDict(">f4", "(2,)"), data),
       ": big-endian dtype '>f4' is not supported"},
      {npyFile(npyDict("<u4", "(2,)"), data),
       ": dtype '<u4' is not supported (supported: <f4 <f8 <i4 <i8 |u1 |i1 "
       "<i2 <u2 |b1)"},
      {npyFile(npyDict("<f2", "(4,)"), data),
       ": dtype '<f2' is not supported (supported: <f4 <f8 <i4 <i8 |u1 |i1 "
       "<i2 <u2 |b1)"},
      {npyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': "
               "(2,), }",
               data),
       ": bad header: byte 10 of the header: structured dtypes are not "
       "supported"},
      {npyFile("{'descr': '<f4', 'fortran_order': False}", data),
       ": bad header: the header lacks 'shape'"},
      {npyFile("{'descr': '<f4', 'shape': (2,)}", data),
       ": bad header: the header lacks 'fortran_order'"},
      {npyFile("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", data),
       ": bad header: byte 34 of the header: expected True or False, got '0'"},
      {npyFile("{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", data),
       ": bad header: byte 17 of the header: expected ',' or '}'"},
      {npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
               data),
       ": bad header: byte 51 of the header: dimension '-2' is not a "
       "non-negative integer"},
      {npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': "
               "(99999999999999999999,)}",
               data),
       ": bad header: byte 51 of the header: dimension "
       "'99999999999999999999' is too large"},
      {npyFile(npyDict("<f8", "(4294967296, 4294967296)"), data),
       ": shape [4294967296, 4294967296] has too many elements"},
      {npyFile(npyDict("<f4", "(2,) junk"), data),
       ": bad header: byte 55 of the header: expected ',' or '}'"},
  };
  for (const Case &c : cases) {
    std::string path, error;
    EXPECT_FALSE(loadNpyBytes(c.bytes, error, &path)) << c.message;
    EXPECT_EQ(error, path + c.message);
  }
}

/// Randomly corrupted files must be rejected or read, never crash, and
/// errors must stay on one line.
TEST(DataFiles, CorruptedFilesNeverCrash) {
  std::string csv = "a,b,c\n1,2,3\n4.5,6e1,7\n8,9,10\n";
  std::string npy =
      npyFile(npyDict("<i2", "(2, 3)"), rawBytes<int16_t>({1, 2, 3, 4, 5, 6}));
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33);
  };
  ScratchDir dir;
  for (int round = 0; round < 3000; ++round) {
    bool isCsv = round % 2 == 0;
    std::string bytes = isCsv ? csv : npy;
    for (int flips = next() % 4 + 1; flips > 0; --flips)
      bytes[next() % bytes.size()] = static_cast<char>(next());
    if (next() % 3 == 0)
      bytes.resize(next() % bytes.size());
    std::string path = dir.path(isCsv ? "f.csv" : "f.npy");
    writeFile(path, bytes);
    std::string error;
    bool ok = isCsv ? loadCsv(path, error).has_value()
                    : loadNpy(path, error).has_value();
    if (!ok) {
      EXPECT_EQ(error.rfind(path, 0), 0u) << error;
      EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    }
  }
}

} // namespace
