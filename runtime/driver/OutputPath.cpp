//===- OutputPath.cpp - Outputs checked before any work -------------------===//

#include "runtime/driver/OutputPath.h"

#include "runtime/driver/ArtifactCache.h"
#include "runtime/driver/Text.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace mpc::driver {

namespace {

/// Whether a file of `mode` is written in place as a stream: a FIFO or a
/// character device.
bool isStream(mode_t mode) { return S_ISFIFO(mode) || S_ISCHR(mode); }

/// The directory holding `path` ("." for a bare name), trailing slashes of
/// `path` ignored.
std::string parentOf(const std::string &path) {
  size_t end = path.find_last_not_of('/');
  if (end == std::string::npos)
    return "/";
  size_t slash = path.rfind('/', end);
  if (slash == std::string::npos)
    return ".";
  size_t parentEnd = path.find_last_not_of('/', slash);
  return parentEnd == std::string::npos ? "/" : path.substr(0, parentEnd + 1);
}

/// Creates and removes a file in `directory`: the only sure test that a
/// file can be created there (permissions, read-only mounts, quotas of
/// inodes, access control lists). `errno` tells why when it fails.
bool canCreateFileIn(const std::string &directory) {
  std::string probe =
      directory + "/.mpc-write-check." + std::to_string(getpid());
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
      close(fd);
      unlink(probe.c_str());
      return true;
    }
    // Named by this process's pid: one left there is a dead run's.
    if (errno != EEXIST || unlink(probe.c_str()) != 0)
      return false;
  }
  return false;
}

} // namespace

bool checkOutputPath(const std::string &path, OutputKind kind,
                     std::string &error) {
  if (path.empty()) {
    error = "an output path must not be empty";
    return false;
  }
  struct stat info;
  if (stat(path.c_str(), &info) == 0) {
    if (kind == OutputKind::Stream && isStream(info.st_mode)) {
      if (access(path.c_str(), W_OK) == 0)
        return true;
      error = path + ": cannot be written: " + std::strerror(errno);
      return false;
    }
    if (kind != OutputKind::Directory && !S_ISREG(info.st_mode)) {
      error =
          path + ": is " + fileTypeName(info.st_mode) + ", not a regular file";
      return false;
    }
    if (kind == OutputKind::Directory && !S_ISDIR(info.st_mode)) {
      error = path + ": exists and is not a directory";
      return false;
    }
    if (kind != OutputKind::Directory && access(path.c_str(), W_OK) != 0) {
      error = path + ": cannot be replaced: " + std::strerror(errno);
      return false;
    }
  } else if (errno != ENOENT) {
    error = path + ": " + std::strerror(errno);
    return false;
  }

  std::string directory = parentOf(path);
  // A directory output creates its missing parents: the nearest one that
  // exists is where that starts.
  while (kind == OutputKind::Directory && directory != "/" &&
         directory != "." && stat(directory.c_str(), &info) != 0 &&
         errno == ENOENT)
    directory = parentOf(directory);
  if (stat(directory.c_str(), &info) != 0) {
    error = path + ": the directory " + directory +
            (errno == ENOENT ? " does not exist"
                             : std::string(": ") + std::strerror(errno));
    return false;
  }
  if (!S_ISDIR(info.st_mode)) {
    error = path + ": " + directory + " is not a directory";
    return false;
  }
  if (!canCreateFileIn(directory)) {
    error =
        path + ": cannot write in " + directory + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool writeOutputFile(const std::string &path, std::string_view contents,
                     std::string &error) {
  auto writeTo = [&](const std::string &target, std::string &error) {
    std::ofstream file(target, std::ios::binary | std::ios::trunc);
    file.write(contents.data(), std::streamsize(contents.size()));
    file.close();
    if (file)
      return true;
    error = path + ": cannot be written: " + std::strerror(errno);
    return false;
  };
  struct stat info;
  if (stat(path.c_str(), &info) == 0 && isStream(info.st_mode))
    return writeTo(path, error);
  return publishAtomically(path, writeTo, error);
}

} // namespace mpc::driver
