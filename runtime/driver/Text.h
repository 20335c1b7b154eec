//===- Text.h - Pieces of one-line diagnostics ------------------*- C++ -*-===//
//
// Formatting shared by the driver's diagnostics, which are always a single
// line: shapes, untrusted text quoted from files, and system errors.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_TEXT_H
#define MPC_RUNTIME_DRIVER_TEXT_H

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace mpc::driver {

/// "[64, 128]"; "[]" for a scalar.
std::string formatShape(const std::vector<int64_t> &shape);

/// "[7, 3]": the index of element `flat` of a row-major array of `shape`
/// (whose dims are positive).
std::string formatIndex(const std::vector<int64_t> &shape, int64_t flat);

/// `text` safe to embed in a one-line message: bytes outside printable
/// ASCII become \xNN, and text longer than `maxLength` is cut with "...".
std::string printable(std::string_view text, size_t maxLength = 40);

/// "300 bytes", "512.0 MiB", "12.0 GiB": a size for messages.
std::string formatBytes(uint64_t bytes);

/// What a file that is not a regular file is, for messages: "a directory",
/// "a FIFO", "a character device", "a block device", "a socket" or "a
/// special file".
const char *fileTypeName(mode_t mode);

/// "PATH: cannot open: No such file or directory" for the errno `errnum`.
std::string systemError(const std::string &path, const char *action,
                        int errnum);

/// True if `text` is well-formed UTF-8 (no overlong forms or surrogates),
/// as JSON strings must be.
bool isValidUtf8(std::string_view text);

/// True if `path` ends with `suffix`.
bool endsWith(std::string_view path, std::string_view suffix);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_TEXT_H
