//===- DataFiles.cpp - Raw and gzipped file bytes -------------------------===//

#include "runtime/driver/DataFiles.h"

#include "runtime/driver/Text.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <string_view>

namespace mpc::driver {

namespace {

constexpr size_t kChunkSize = 1 << 16;

std::optional<std::string> readPlainFile(const std::string &path,
                                         std::string &error) {
  errno = 0;
  std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"),
                                              &std::fclose);
  if (!file) {
    error = systemError(path, "cannot open", errno);
    return std::nullopt;
  }
  std::string bytes;
  char buffer[kChunkSize];
  size_t count;
  while ((count = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
    bytes.append(buffer, count);
  if (std::ferror(file.get())) {
    error = systemError(path, "cannot read", errno);
    return std::nullopt;
  }
  return bytes;
}

constexpr unsigned char kGzipMagic[2] = {0x1f, 0x8b};

bool startsGzipMember(std::string_view bytes) {
  return bytes.size() >= 2 &&
         static_cast<unsigned char>(bytes[0]) == kGzipMagic[0] &&
         static_cast<unsigned char>(bytes[1]) == kGzipMagic[1];
}

/// Inflates the gzip member at the start of `bytes` onto `out`. Returns
/// null and sets `consumed` to the member's length, or returns why the data
/// is corrupt, in the words gzread uses.
const char *inflateMember(z_stream &stream, std::string_view bytes,
                          size_t &consumed, std::string &out) {
  if (inflateReset(&stream) != Z_OK)
    return "internal error: inflate stream corrupt";
  consumed = 0;
  char buffer[kChunkSize];
  for (;;) {
    if (stream.avail_in == 0) {
      if (consumed == bytes.size())
        return "unexpected end of file";
      // avail_in is 32 bits wide; feed large inputs in pieces.
      size_t piece = std::min<size_t>(bytes.size() - consumed, 1u << 30);
      stream.next_in = reinterpret_cast<Bytef *>(
          const_cast<char *>(bytes.data() + consumed));
      stream.avail_in = static_cast<uInt>(piece);
      consumed += piece;
    }
    stream.next_out = reinterpret_cast<Bytef *>(buffer);
    stream.avail_out = sizeof buffer;
    int code = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
    if (code == Z_STREAM_END) {
      consumed -= stream.avail_in;
      stream.avail_in = 0;
      return nullptr;
    }
    if (code == Z_MEM_ERROR)
      return "out of memory";
    if (code == Z_DATA_ERROR)
      return stream.msg ? stream.msg : "compressed data error";
    // Z_BUF_ERROR only says no progress was possible: more input follows.
    if (code != Z_OK && code != Z_BUF_ERROR)
      return "internal error: inflate stream corrupt";
  }
}

} // namespace

std::optional<std::string> gunzip(std::string_view bytes,
                                  const std::string &path, std::string &error) {
  // gzread passes data that is not gzip through unchanged; refuse it, as a
  // ".gz" name promises compressed data.
  if (!startsGzipMember(bytes)) {
    error = path + ": not gzip data";
    return std::nullopt;
  }
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip wrapper, not zlib's.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    error = path + ": corrupt gzip data: out of memory";
    return std::nullopt;
  }
  std::unique_ptr<z_stream, int (*)(z_streamp)> owner(&stream, &inflateEnd);
  std::string out;
  // Like gzread, decode concatenated members and ignore whatever follows
  // the last one that does not start another.
  do {
    size_t consumed = 0;
    if (const char *problem = inflateMember(stream, bytes, consumed, out)) {
      error = path + ": corrupt gzip data: " + problem;
      return std::nullopt;
    }
    bytes.remove_prefix(consumed);
  } while (startsGzipMember(bytes));
  return out;
}

std::optional<std::string> readFileBytes(const std::string &path,
                                         std::string &error) {
  std::optional<std::string> bytes = readPlainFile(path, error);
  if (!bytes || !endsWith(path, ".gz"))
    return bytes;
  return gunzip(*bytes, path, error);
}

std::optional<std::string> loadCharCorpus(const std::string &path,
                                          std::string &error) {
  std::optional<std::string> bytes = readFileBytes(path, error);
  if (bytes && bytes->empty()) {
    error = path + ": the file is empty";
    return std::nullopt;
  }
  return bytes;
}

} // namespace mpc::driver
