//===- MemoryBudget.cpp - How much memory a reader may take ---------------===//

#include "runtime/driver/MemoryBudget.h"

#include "runtime/driver/Text.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sys/resource.h>
#include <unistd.h>

namespace mpc::driver {
namespace {

/// The number in the one-line file `path` (a cgroup limit), or none when
/// the file is absent or says "max".
std::optional<uint64_t> numberInFile(const char *path) {
  std::ifstream file(path);
  unsigned long long value = 0;
  if (!(file >> value))
    return std::nullopt;
  return value;
}

} // namespace

uint64_t usableMemory() {
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long pageSize = ::sysconf(_SC_PAGE_SIZE);
  uint64_t usable = pages > 0 && pageSize > 0
                        ? uint64_t(pages) * uint64_t(pageSize)
                        : UINT64_MAX;
  // A container's limit: cgroup v2, else v1 (which says "no limit" with a
  // huge number, and so caps nothing).
  for (const char *limit : {"/sys/fs/cgroup/memory.max",
                            "/sys/fs/cgroup/memory/memory.limit_in_bytes"})
    if (std::optional<uint64_t> bytes = numberInFile(limit))
      usable = std::min(usable, *bytes);
  for (int resource : {RLIMIT_AS, RLIMIT_DATA}) {
    rlimit limit;
    if (::getrlimit(resource, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
      usable = std::min<uint64_t>(usable, limit.rlim_cur);
  }
  return usable;
}

uint64_t readLimit() { return usableMemory() / 2; }

std::string readLimitText(uint64_t limit) {
  return "the " + formatBytes(limit) +
         " one file may take in memory (half of what mpc can use)";
}

std::optional<uint64_t> tensorBytes(const std::vector<int64_t> &shape,
                                    uint64_t elementBytes) {
  uint64_t bytes = elementBytes;
  for (int64_t dim : shape)
    if (dim < 0 || __builtin_mul_overflow(bytes, uint64_t(dim), &bytes))
      return std::nullopt;
  return bytes;
}

std::optional<uint64_t> addBytes(uint64_t a, uint64_t b) {
  uint64_t sum;
  if (__builtin_add_overflow(a, b, &sum))
    return std::nullopt;
  return sum;
}

bool checkHostMemory(uint64_t bytes, const std::string &what,
                     std::string &error) {
  uint64_t limit = usableMemory();
  if (bytes <= limit)
    return true;
  error = what + ": " + formatBytes(bytes) +
          " of memory needed, more than the " + formatBytes(limit) +
          " this process can use";
  return false;
}

} // namespace mpc::driver
