//===- MemoryBudget.h - How much memory a reader may take -------*- C++ -*-===//
//
// The driver's readers hold whole files in memory. A file can claim any size
// (a gzip bomb, a header that lies, /dev/zero behind a data file's name), so
// every buffer a reader fills is bounded by what the process can actually
// use: past the bound the reader stops with a one-line error instead of
// being killed for memory. Sizes computed from a file's shapes (a graph, a
// module, --batch) are checked products, refused in one line when they do
// not fit in 64 bits or in memory, instead of throwing std::bad_alloc or
// wrapping around.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_MEMORYBUDGET_H
#define MPC_RUNTIME_DRIVER_MEMORYBUDGET_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpc::driver {

/// The bytes this process can expect to use: physical memory, capped by the
/// cgroup's memory limit and by RLIMIT_AS and RLIMIT_DATA when they are set.
uint64_t usableMemory();

/// The most bytes one reader buffer may take (a file's bytes, decompressed
/// data, an array's values): half of usableMemory(), so that what the
/// bytes are parsed into fits beside them.
uint64_t readLimit();

/// "the 11.5 GiB one file may take in memory (half of what mpc can use)":
/// the end of a message saying that a file is over `limit`.
std::string readLimitText(uint64_t limit);

/// The bytes of a tensor of `shape` with elements of `elementBytes`, or
/// none when a dim is negative or the product does not fit in 64 bits.
std::optional<uint64_t> tensorBytes(const std::vector<int64_t> &shape,
                                    uint64_t elementBytes);

/// `a` + `b`, or none when the sum does not fit in 64 bits.
std::optional<uint64_t> addBytes(uint64_t a, uint64_t b);

/// True when `bytes` fit in usableMemory(); else false with the one-line
/// `error` "`what`: N of memory needed, more than the M this process can
/// use".
bool checkHostMemory(uint64_t bytes, const std::string &what,
                     std::string &error);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_MEMORYBUDGET_H
