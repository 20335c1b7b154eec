//===- OutputPath.h - Outputs checked before any work -----------*- C++ -*-===//
//
// Every tool checks the places it will write (a checkpoint, an artifact
// directory, a compiled module) before it starts the work that produces
// them, so a run is never lost at its end to a missing directory or a
// read-only file. The check writes in the target's directory: it creates
// and removes a temporary file there, which is what the atomic write at
// the end (ArtifactCache.h, publishAtomically) will need to do.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_OUTPUTPATH_H
#define MPC_RUNTIME_DRIVER_OUTPUTPATH_H

#include <string>
#include <string_view>

namespace mpc::driver {

/// What an output path names.
enum class OutputKind {
  /// A regular file, replaced whole: it may exist as a writable regular
  /// file, and its directory must exist.
  File,
  /// A directory written whole: it may exist as a directory, and missing
  /// parent directories are created when it is written.
  Directory,
  /// What a compiler's -o names: a regular file, replaced whole, or a FIFO
  /// or character device (/dev/null, /dev/stdout), written in place.
  Stream,
};

/// Whether `path` can be written as an output of `kind`; false with a
/// one-line `error` starting with `path` otherwise: an empty path, a
/// directory where a file is expected or the other way round, a FIFO,
/// device or socket (never replaced by a regular file), a read-only file, a
/// missing or unwritable directory.
bool checkOutputPath(const std::string &path, OutputKind kind,
                     std::string &error);

/// Writes `contents` to `path`, an output of OutputKind::Stream: a FIFO or
/// character device in place, anything else as a regular file replaced
/// whole (publishAtomically), so a failure leaves what was there. False with
/// a one-line `error` naming `path`.
bool writeOutputFile(const std::string &path, std::string_view contents,
                     std::string &error);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_OUTPUTPATH_H
