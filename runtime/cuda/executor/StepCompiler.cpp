//===- StepCompiler.cpp - step.cu to step.so, with a cache ----------------===//

#include "runtime/cuda/executor/StepCompiler.h"

#include "runtime/core/Hash.h"
#include "runtime/cuda/executor/DeviceProbe.h"

#include "runtime/cuda/mpc_cuda_runtime.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace mpc::cuda {
namespace {

std::string environment(const char *name) {
  const char *value = std::getenv(name);
  return value ? value : "";
}

bool readFile(const std::string &path, std::string &text) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return false;
  std::ostringstream buffer;
  buffer << file.rdbuf();
  text = buffer.str();
  return true;
}

/// The file name of `line` when it is an #include "name" directive.
std::optional<std::string> quotedInclude(const std::string &line) {
  size_t at = line.find_first_not_of(" \t");
  if (at == std::string::npos || line[at] != '#')
    return std::nullopt;
  at = line.find_first_not_of(" \t", at + 1);
  if (at == std::string::npos || line.compare(at, 7, "include") != 0)
    return std::nullopt;
  at = line.find_first_not_of(" \t", at + 7);
  if (at == std::string::npos || line[at] != '"')
    return std::nullopt;
  size_t end = line.find('"', at + 1);
  if (end == std::string::npos)
    return std::nullopt;
  return line.substr(at + 1, end - at - 1);
}

/// `path` with links and dot segments resolved, or `path` itself.
std::string canonicalPath(const std::string &path) {
  char *resolved = realpath(path.c_str(), nullptr);
  if (!resolved)
    return path;
  std::string canonical = resolved;
  std::free(resolved);
  return canonical;
}

/// Appends to `texts` the text of each file `path` includes with quotes,
/// then of the files that one includes, and so on, skipping the files in
/// `seen` (and adding the others).
void collectIncludes(const std::string &path,
                     const std::string &includeDirectory,
                     std::set<std::string> &seen,
                     std::vector<std::string> &texts) {
  std::string text;
  if (!readFile(path, text))
    return;
  std::string directory = path.substr(0, path.find_last_of('/') + 1);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::optional<std::string> name = quotedInclude(line);
    if (!name)
      continue;
    // As nvcc looks a quoted include up: beside the including file, then in
    // the -I directory.
    std::string found = directory + *name;
    if (access(found.c_str(), R_OK) != 0)
      found = includeDirectory + "/" + *name;
    std::string header;
    if (!seen.insert(canonicalPath(found)).second || !readFile(found, header))
      continue;
    texts.push_back(header);
    collectIncludes(found, includeDirectory, seen, texts);
  }
}

/// Runs `argv` with stdout and stderr into `logPath`; the exit status, or -1
/// when it could not run.
int run(const std::vector<std::string> &argv, const std::string &logPath) {
  int log = open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log < 0)
    return -1;
  pid_t child = fork();
  if (child == 0) {
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    std::vector<char *> args;
    for (const std::string &arg : argv)
      args.push_back(const_cast<char *>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  close(log);
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) < 0)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Runs `nvcc` with `flags` on `artifactDirectory`/step.cu, writing the
/// library to `output` and nvcc's output to `logPath`.
bool runNvcc(const std::string &artifactDirectory, const std::string &nvcc,
             const std::vector<std::string> &flags, const std::string &output,
             const std::string &logPath, std::string &error) {
  std::string sourcePath = artifactDirectory + "/step.cu";
  std::vector<std::string> argv = {nvcc};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), {sourcePath, "-o", output});
  int status = run(argv, logPath);
  if (status == 0)
    return true;
  error = sourcePath + ": nvcc failed (exit status " + std::to_string(status) +
          "); its output is in " + logPath;
  return false;
}

} // namespace

std::string runtimeIncludeDirectory() {
  std::string directory = environment("MPC_CUDA_INCLUDE_DIR");
  return directory.empty() ? MPC_CUDA_DEFAULT_INCLUDE_DIR : directory;
}

std::string runtimeLibraryDirectory() {
  std::string directory = environment("MPC_CUDA_LIB_DIR");
  return directory.empty() ? MPC_CUDA_DEFAULT_LIB_DIR : directory;
}

std::vector<std::string> nvccFlags(const std::vector<int> &archs,
                                   const std::string &includeDirectory,
                                   const std::string &libraryDirectory) {
  // -fmad=false: generated elementwise kernels round every op as the CPU
  // reference does, which a fused multiply-add would not.
  std::vector<std::string> flags = {"-O3",        "-std=c++17", "-shared",
                                    "-Xcompiler", "-fPIC",      "--cudart",
                                    "shared",     "-fmad=false"};
  for (int arch : archs) {
    std::string number = std::to_string(arch);
    flags.push_back("-gencode");
    flags.push_back("arch=compute_" + number + ",code=sm_" + number);
  }
  flags.push_back("-I" + includeDirectory);
  flags.push_back("-L" + libraryDirectory);
  flags.push_back("-lmpc_cuda_runtime");
  flags.push_back("-Xlinker");
  flags.push_back("-rpath=" + libraryDirectory);
  return flags;
}

std::string stepCacheKey(const std::string &source,
                         const std::string &nvccVersion,
                         const std::vector<std::string> &flags,
                         const std::vector<std::string> &headers) {
  // Every part ends with a separator, so moving bytes between parts changes
  // the key.
  Fnv1a hash;
  hash.add(source).separator().add(nvccVersion).separator();
  for (const std::string &flag : flags)
    hash.add(flag).separator();
  hash.add("abi " + std::to_string(MPC_CUDA_ABI_VERSION)).separator();
  for (const std::string &header : headers)
    hash.add(header).separator();
  return hash.hex();
}

std::vector<std::string>
includedHeaderTexts(const std::string &sourcePath,
                    const std::string &includeDirectory) {
  std::vector<std::string> texts;
  std::set<std::string> seen;
  collectIncludes(sourcePath, includeDirectory, seen, texts);
  return texts;
}

std::optional<std::string> nvccVersion(const std::string &nvcc,
                                       std::string &error) {
  char logTemplate[] = "/tmp/mpc-nvcc-version-XXXXXX";
  int fd = mkstemp(logTemplate);
  if (fd < 0) {
    error =
        std::string("cannot create a temporary file: ") + std::strerror(errno);
    return std::nullopt;
  }
  close(fd);
  int status = run({nvcc, "--version"}, logTemplate);
  std::string text;
  bool read = readFile(logTemplate, text);
  unlink(logTemplate);
  if (status != 0 || !read) {
    error =
        nvcc + " --version failed (exit status " + std::to_string(status) + ")";
    return std::nullopt;
  }
  return text;
}

bool compileStepLibrary(const std::string &artifactDirectory,
                        const std::string &nvcc, const std::vector<int> &archs,
                        const std::string &output, const std::string &logPath,
                        std::string &error) {
  std::vector<std::string> flags =
      nvccFlags(archs, runtimeIncludeDirectory(), runtimeLibraryDirectory());
  return driver::publishAtomically(
      output,
      [&](const std::string &temporary, std::string &error) {
        return runNvcc(artifactDirectory, nvcc, flags, temporary, logPath,
                       error);
      },
      error);
}

std::optional<std::string>
buildStepLibrary(const std::string &artifactDirectory, const std::string &nvcc,
                 const std::vector<int> &archs, std::string &error) {
  std::string sourcePath = artifactDirectory + "/step.cu";
  std::string source;
  if (!readFile(sourcePath, source)) {
    error = sourcePath + ": cannot be read";
    return std::nullopt;
  }
  std::optional<std::string> version = nvccVersion(nvcc, error);
  if (!version)
    return std::nullopt;
  std::vector<std::string> flags =
      nvccFlags(archs, runtimeIncludeDirectory(), runtimeLibraryDirectory());
  std::string stem =
      "step-" +
      stepCacheKey(source, *version, flags,
                   includedHeaderTexts(sourcePath, runtimeIncludeDirectory()));
  std::string logPath = driver::cacheFolder("cuda") + "/" + stem + ".log";
  return driver::cachedEntry(
      "cuda", stem + ".so",
      [&](const std::string &temporary, std::string &error) {
        return runNvcc(artifactDirectory, nvcc, flags, temporary, logPath,
                       error);
      },
      error);
}

std::string prebuiltLibraryName(int arch) {
  return "step.sm_" + std::to_string(arch) + ".so";
}

bool hasPrebuiltLibrary(const std::string &artifactDirectory, int arch) {
  std::string path = artifactDirectory + "/" + prebuiltLibraryName(arch);
  return access(path.c_str(), R_OK) == 0;
}

std::optional<int> parseArch(const std::string &text) {
  std::string digits = text.rfind("sm_", 0) == 0 ? text.substr(3) : text;
  if (digits.empty() || digits.size() > 3 ||
      digits.find_first_not_of("0123456789") != std::string::npos ||
      digits[0] == '0')
    return std::nullopt;
  return std::stoi(digits);
}

std::optional<std::string> stepLibraryFor(const std::string &artifactDirectory,
                                          int arch, std::string &error) {
  if (hasPrebuiltLibrary(artifactDirectory, arch))
    return artifactDirectory + "/" + prebuiltLibraryName(arch);
  std::optional<std::string> nvcc = findNvcc(error);
  if (!nvcc)
    return std::nullopt;
  return buildStepLibrary(artifactDirectory, *nvcc, {arch}, error);
}

} // namespace mpc::cuda
