//===- ArtifactCache.cpp - What mpc compiles, kept between runs -----------===//

#include "runtime/driver/ArtifactCache.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <limits>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace mpc::driver {

namespace {

namespace fs = std::filesystem;

std::string environment(const char *name) {
  const char *value = std::getenv(name);
  return value ? value : "";
}

/// Removes `path`, a file or a directory with its contents, if it is there.
void removeTree(const std::string &path) {
  std::error_code ignored;
  fs::remove_all(path, ignored);
}

/// Swaps the directories `a` and `b` in one step where the file system can
/// (renameat2 with RENAME_EXCHANGE), else in two renames, during which `b`
/// is briefly absent; false with `errno` set, both as they were.
bool exchangeDirectories(const std::string &a, const std::string &b) {
  if (renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0)
    return true;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
    return false;
  std::string aside = a + ".old";
  removeTree(aside);
  if (std::rename(b.c_str(), aside.c_str()) != 0)
    return false;
  if (std::rename(a.c_str(), b.c_str()) != 0) {
    int renameError = errno;
    std::rename(aside.c_str(), b.c_str());
    errno = renameError;
    return false;
  }
  // `a` names the old directory then, as after an exchange.
  if (std::rename(aside.c_str(), a.c_str()) != 0)
    removeTree(aside);
  return true;
}

} // namespace

std::string cacheDirectory() {
  std::string explicitDirectory = environment("MPC_CACHE_DIR");
  if (!explicitDirectory.empty())
    return explicitDirectory;
  std::string xdg = environment("XDG_CACHE_HOME");
  if (!xdg.empty())
    return xdg + "/mpc";
  return environment("HOME") + "/.cache/mpc";
}

std::string cacheFolder(const std::string &name) {
  return cacheDirectory() + "/" + name;
}

std::string temporaryPath(const std::string &path) {
  return path + ".tmp." + std::to_string(getpid());
}

void removeStaleTemporaries(const std::string &path) {
  fs::path entry(path);
  fs::path directory = entry.has_parent_path() ? entry.parent_path() : ".";
  std::string prefix = entry.filename().string() + ".tmp.";
  std::error_code failed;
  fs::directory_iterator it(directory, failed), end;
  // Collected first: removing while iterating may skip entries.
  std::vector<fs::path> stale;
  for (; !failed && it != end; it.increment(failed)) {
    std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix))
      continue;
    std::string digits = name.substr(prefix.size());
    // A pid: 1 to 10 decimal digits without a leading zero.
    if (digits.size() > 10 || digits[0] == '0' ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      continue;
    long long pid = std::stoll(digits);
    if (pid > std::numeric_limits<pid_t>::max())
      continue;
    // This process writes nothing under its pid yet; another process's
    // temporary is stale once no process has its pid. A live pid may be a
    // writer still at work, and is never touched.
    bool dead = kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
    if (pid == getpid() || dead)
      stale.push_back(it->path());
  }
  for (const fs::path &temporary : stale)
    removeTree(temporary.string());
}

bool publishAtomically(const std::string &path, const EntryWriter &write,
                       std::string &error, ExistingDirectory existing) {
  std::string temporary = temporaryPath(path);
  removeStaleTemporaries(path);
  if (!write(temporary, error)) {
    removeTree(temporary);
    return false;
  }
  if (std::rename(temporary.c_str(), path.c_str()) == 0)
    return true;
  int renameError = errno;
  // A directory is not renamed over a full one.
  bool occupied = renameError == ENOTEMPTY || renameError == EEXIST;
  if (occupied && existing == ExistingDirectory::Replace) {
    if (exchangeDirectories(temporary, path)) {
      // The old directory now has the temporary name.
      removeTree(temporary);
      return true;
    }
    renameError = errno;
  }
  removeTree(temporary);
  // Another writer published the same entry first, and that one is kept.
  if (occupied && existing == ExistingDirectory::Keep)
    return true;
  error = path + ": cannot be written: " + std::strerror(renameError);
  return false;
}

std::optional<std::string> cachedEntry(const std::string &folder,
                                       const std::string &name,
                                       const EntryWriter &write,
                                       std::string &error) {
  std::string directory = cacheFolder(folder);
  std::string path = directory + "/" + name;
  if (access(path.c_str(), R_OK) == 0)
    return path;
  std::error_code created;
  fs::create_directories(directory, created);
  if (created) {
    error =
        directory + ": cannot create the cache directory: " + created.message();
    return std::nullopt;
  }
  if (!publishAtomically(path, write, error))
    return std::nullopt;
  return path;
}

} // namespace mpc::driver
