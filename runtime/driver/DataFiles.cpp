//===- DataFiles.cpp - Raw and gzipped file bytes -------------------------===//

#include "runtime/driver/DataFiles.h"

#include "runtime/driver/Text.h"

#include <zlib.h>

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

/// zlib prefixes its messages with the path it was given; drop that.
std::string gzipMessage(const std::string &path, const char *message) {
  std::string_view text = message ? message : "unknown error";
  std::string prefix = path + ": ";
  if (text.substr(0, prefix.size()) == prefix)
    text.remove_prefix(prefix.size());
  return std::string(text);
}

std::optional<std::string> readGzipFile(const std::string &path,
                                        std::string &error) {
  errno = 0;
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"),
                                                  &gzclose);
  if (!file) {
    error = systemError(path, "cannot open", errno);
    return std::nullopt;
  }
  // gzread passes data that is not gzip through unchanged; refuse it, as a
  // ".gz" name promises compressed data.
  bool direct = gzdirect(file.get());
  std::string bytes;
  char buffer[kChunkSize];
  int count;
  while (!direct && (count = gzread(file.get(), buffer, sizeof buffer)) > 0)
    bytes.append(buffer, static_cast<size_t>(count));
  int code = Z_OK;
  const char *message = gzerror(file.get(), &code);
  if (code == Z_ERRNO) {
    error = systemError(path, "cannot read", errno);
    return std::nullopt;
  }
  if (direct) {
    error = path + ": not gzip data";
    return std::nullopt;
  }
  // A truncated stream ends with Z_BUF_ERROR after returning what it had.
  if (code != Z_OK) {
    error = path + ": corrupt gzip data: " + gzipMessage(path, message);
    return std::nullopt;
  }
  return bytes;
}

} // namespace

std::optional<std::string> readFileBytes(const std::string &path,
                                         std::string &error) {
  if (endsWith(path, ".gz"))
    return readGzipFile(path, error);
  return readPlainFile(path, error);
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
