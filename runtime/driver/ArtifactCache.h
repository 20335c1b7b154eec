//===- ArtifactCache.h - What mpc compiles, kept between runs ---*- C++ -*-===//
//
// The cache of compiled artifacts: where it is, and how an entry (a file or
// a directory) appears in it whole. An entry is written under a temporary
// name beside its place and then renamed there, so no reader sees half of
// one, and runs that write the same entry at once are fine: the first
// rename wins and the others' copies are removed. mpc-run keeps compiled
// models here (artifacts/KEY), the CUDA executor its step libraries
// (cuda/step-KEY.so). Checkpoints use the same temporary names, so a save
// also removes the temporaries of runs killed while saving.
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

/// The temporary name this process writes `path` under before renaming it:
/// "PATH.tmp.PID".
std::string temporaryPath(const std::string &path);

/// What publishAtomically does with a directory already at its path.
enum class ExistingDirectory {
  /// Keep it: another writer of the same cache entry put it there first.
  Keep,
  /// Replace it: an output written again (mpc-run --artifact DIR).
  Replace,
};

/// Removes the temporaries of `path` (files or directories) that no live
/// process is writing: this process's own, and those whose pid no process
/// has (kill(pid, 0) fails with ESRCH), left by writers that were killed.
/// A temporary of a live pid is kept, whoever that process is. Pids are
/// this machine's: on a shared file system a writer elsewhere counts as
/// dead unless a local process happens to have its pid.
void removeStaleTemporaries(const std::string &path);

/// Writes `path`, a file or a directory, whole or not at all: `write` fills
/// temporaryPath(`path`), which is then renamed to `path`. A file replaces
/// the one there; a directory there is kept, and this copy removed, or
/// replaced, as `existing` says; the replacement is one exchange of the two
/// names, so a reader sees the old directory or the new one, never a mix.
/// Temporaries left by runs that died are removed before writing
/// (removeStaleTemporaries). On failure nothing is left behind, what was at
/// `path` stays, and `error` is one line.
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
