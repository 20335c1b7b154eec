//===- OneLineText.h - text that stays on one line --------------*- C++ -*-===//
//
// Every mpc error is one line. Text from outside (a path, a file's bytes, a
// library's message) may hold line breaks or terminal control bytes; the
// tools escape them before printing, so one error stays one line.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_ONELINETEXT_H
#define MPC_RUNTIME_CORE_ONELINETEXT_H

#include <string>
#include <string_view>

namespace mpc {

/// `text` with its trailing line breaks dropped and every other control
/// character escaped: "\n" for a line feed, "\xNN" for the rest (and DEL).
/// Other bytes, UTF-8 included, are kept.
inline std::string oneLine(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string line;
  line.reserve(text.size());
  for (unsigned char c : text) {
    if (c == '\n') {
      line += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      line += "\\x";
      line += kHex[c >> 4];
      line += kHex[c & 15];
    } else {
      line += static_cast<char>(c);
    }
  }
  return line;
}

} // namespace mpc

#endif // MPC_RUNTIME_CORE_ONELINETEXT_H
