//===- ArtifactCache.h - What mpc compiles, kept between runs ---*- C++ -*-===//
//
// The cache of compiled artifacts: where it is, and how an entry (a file or
// a directory) appears in it whole. An entry is written under a temporary
// name beside its place and then renamed there, so no reader sees half of
// one, and runs that write the same entry at once are fine: the first
// rename wins and the others' copies are removed. mpc-run keeps compiled
// models here (artifacts/KEY), the CUDA executor its step libraries
// (cuda/step-KEY.so).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_ARTIFACTCACHE_H
#define MPC_RUNTIME_DRIVER_ARTIFACTCACHE_H

#include <functional>
#include <optional>
#include <string>

namespace mpc::driver {

/// Where mpc keeps what it compiles: $MPC_CACHE_DIR, else
/// $XDG_CACHE_HOME/mpc, else ~/.cache/mpc.
std::string cacheDirectory();

/// The cache's folder `name`: cacheDirectory()/`name`.
std::string cacheFolder(const std::string &name);

/// Writes a file or a directory at `path`; false with a one-line `error`.
using EntryWriter =
    std::function<bool(const std::string &path, std::string &error)>;

/// The temporary name this process writes `path` under before renaming it.
std::string temporaryPath(const std::string &path);

/// What publishAtomically does with a directory already at its path.
enum class ExistingDirectory {
  /// Keep it: another writer of the same cache entry put it there first.
  Keep,
  /// Replace it: an output written again (mpc-run --artifact DIR).
  Replace,
};

/// Writes `path`, a file or a directory, whole or not at all: `write` fills
/// temporaryPath(`path`), which is then renamed to `path`. A file replaces
/// the one there; a directory there is kept, and this copy removed, or
/// replaced, as `existing` says; the replacement is one exchange of the two
/// names, so a reader sees the old directory or the new one, never a mix. A
/// temporary left by a run that died is removed before writing. On failure
/// nothing is left behind, what was at `path` stays, and `error` is one line.
bool publishAtomically(const std::string &path, const EntryWriter &write,
                       std::string &error,
                       ExistingDirectory existing = ExistingDirectory::Keep);

/// The path of entry `name` in the cache's `folder`, written with `write`
/// (through publishAtomically) unless it is there; none with a one-line
/// `error` when it could not be written.
std::optional<std::string> cachedEntry(const std::string &folder,
                                       const std::string &name,
                                       const EntryWriter &write,
                                       std::string &error);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_ARTIFACTCACHE_H
