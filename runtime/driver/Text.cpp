//===- Text.cpp - Pieces of one-line diagnostics --------------------------===//

#include "runtime/driver/Text.h"

#include <cstdio>
#include <cstring>
#include <iterator>
#include <sys/stat.h>

namespace mpc::driver {

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

std::string formatIndex(const std::vector<int64_t> &shape, int64_t flat) {
  std::vector<int64_t> index(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    int64_t dim = shape[i] > 0 ? shape[i] : 1;
    index[i] = flat % dim;
    flat /= dim;
  }
  return formatShape(index);
}

std::string printable(std::string_view text, size_t maxLength) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == maxLength)
      return out + "...";
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
      continue;
    }
    out += "\\x";
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

const char *fileTypeName(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  return "a special file";
}

std::string systemError(const std::string &path, const char *action,
                        int errnum) {
  std::string message = path + ": " + action;
  if (errnum)
    message += std::string(": ") + std::strerror(errnum);
  return message;
}

bool isValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // The range of the second byte narrows for E0, ED, F0 and F4 to rule out
    // overlong forms, surrogates and code points above U+10FFFF.
    size_t continuation;
    unsigned char low = 0x80, high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      continuation = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      continuation = 2;
      low = lead == 0xe0 ? 0xa0 : low;
      high = lead == 0xed ? 0x9f : high;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      continuation = 3;
      low = lead == 0xf0 ? 0x90 : low;
      high = lead == 0xf4 ? 0x8f : high;
    } else {
      return false;
    }
    if (text.size() - i <= continuation)
      return false;
    for (size_t k = 1; k <= continuation; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xbf))
        return false;
    }
    i += continuation + 1;
  }
  return true;
}

bool endsWith(std::string_view path, std::string_view suffix) {
  return path.size() >= suffix.size() &&
         path.substr(path.size() - suffix.size()) == suffix;
}

std::string formatBytes(uint64_t bytes) {
  const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024)
    return std::to_string(bytes) + " bytes";
  double value = double(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
  return text;
}

} // namespace mpc::driver
