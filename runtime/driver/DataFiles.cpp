//===- DataFiles.cpp - Raw and gzipped file bytes -------------------------===//

#include "runtime/driver/DataFiles.h"

#include "runtime/driver/Text.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace mpc::driver {

namespace {

constexpr size_t kChunkSize = 1 << 16;

std::string tooLarge(const std::string &path, uint64_t limit) {
  return path + ": the file is larger than " + readLimitText(limit);
}

/// Reads the regular file at `path` whole, or at most `limit` bytes of it.
/// Devices, FIFOs and sockets are refused: they may never end (/dev/zero).
std::optional<std::string> readPlainFile(const std::string &path,
                                         uint64_t limit, std::string &error) {
  // O_NONBLOCK: opening a FIFO does not wait for a writer; regular files
  // ignore it.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    error = systemError(path, "cannot open", errno);
    return std::nullopt;
  }
  std::unique_ptr<int, void (*)(int *)> closer(&fd,
                                               [](int *fd) { ::close(*fd); });
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    error = systemError(path, "cannot read", errno);
    return std::nullopt;
  }
  if (S_ISDIR(info.st_mode)) {
    error = systemError(path, "cannot read", EISDIR);
    return std::nullopt;
  }
  if (!S_ISREG(info.st_mode)) {
    error = path + ": " + fileTypeName(info.st_mode) + ", not a regular file";
    return std::nullopt;
  }
  if (uint64_t(info.st_size) > limit) {
    error = tooLarge(path, limit);
    return std::nullopt;
  }
  std::string bytes;
  bytes.reserve(static_cast<size_t>(info.st_size));
  char buffer[kChunkSize];
  for (;;) {
    ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR)
      continue;
    if (count < 0) {
      error = systemError(path, "cannot read", errno);
      return std::nullopt;
    }
    if (count == 0)
      return bytes;
    // The file may have grown since it was measured.
    if (bytes.size() + uint64_t(count) > limit) {
      error = tooLarge(path, limit);
      return std::nullopt;
    }
    bytes.append(buffer, static_cast<size_t>(count));
  }
}

constexpr unsigned char kGzipMagic[2] = {0x1f, 0x8b};

bool startsGzipMember(std::string_view bytes) {
  return bytes.size() >= 2 &&
         static_cast<unsigned char>(bytes[0]) == kGzipMagic[0] &&
         static_cast<unsigned char>(bytes[1]) == kGzipMagic[1];
}

/// What inflating returns when the data decompress to more than the limit.
constexpr char kOverLimit[] = "over the limit";

/// Inflates the gzip member at the start of `bytes`, adding the bytes it
/// produces to `size` and, unless it is null, to `out`. Returns null and
/// sets `consumed` to the member's length, or returns kOverLimit once
/// `size` would pass `limit`, or why the data is corrupt, in the words
/// gzread uses.
const char *inflateMember(z_stream &stream, std::string_view bytes,
                          uint64_t limit, size_t &consumed, uint64_t &size,
                          std::string *out) {
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
    size_t produced = sizeof buffer - stream.avail_out;
    if (size + produced > limit)
      return kOverLimit;
    size += produced;
    if (out)
      out->append(buffer, produced);
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

/// Inflates every member of `bytes` as gunzip does, counting the output in
/// `size` and appending it to `out` unless that is null. Returns null or
/// what inflateMember returned.
const char *inflateMembers(std::string_view bytes, uint64_t limit,
                           uint64_t &size, std::string *out) {
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip wrapper, not zlib's.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
    return "out of memory";
  std::unique_ptr<z_stream, int (*)(z_streamp)> owner(&stream, &inflateEnd);
  size = 0;
  // Like gzread, decode concatenated members and ignore whatever follows
  // the last one that does not start another.
  do {
    size_t consumed = 0;
    if (const char *problem =
            inflateMember(stream, bytes, limit, consumed, size, out))
      return problem;
    bytes.remove_prefix(consumed);
  } while (startsGzipMember(bytes));
  return nullptr;
}

} // namespace

std::optional<std::string> gunzip(std::string_view bytes,
                                  const std::string &path, std::string &error,
                                  uint64_t limit) {
  // gzread passes data that is not gzip through unchanged; refuse it, as a
  // ".gz" name promises compressed data.
  if (!startsGzipMember(bytes)) {
    error = path + ": not gzip data";
    return std::nullopt;
  }
  // A small file can claim any size, so the data are first measured (and
  // checked) without being kept, then held in one buffer of their exact
  // size: a growing one would take up to three times that at its peak.
  uint64_t size = 0;
  std::string out;
  const char *problem = inflateMembers(bytes, limit, size, nullptr);
  if (!problem) {
    out.reserve(static_cast<size_t>(size));
    problem = inflateMembers(bytes, limit, size, &out);
  }
  if (problem) {
    error = problem == kOverLimit
                ? path + ": decompresses to more than " + readLimitText(limit)
                : path + ": corrupt gzip data: " + problem;
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> readFileBytes(const std::string &path,
                                         std::string &error, uint64_t limit) {
  std::optional<std::string> bytes = readPlainFile(path, limit, error);
  if (!bytes || !endsWith(path, ".gz"))
    return bytes;
  return gunzip(*bytes, path, error, limit);
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
