//===- HostMemory.h - Sizes checked before they are allocated ---*- C++ -*-===//
//
// A shape from a file (a graph, a module, --batch) can ask for more memory
// than the machine has, or for a byte count that does not fit in 64 bits.
// Allocating it throws std::bad_alloc or wraps around; the tools compute
// every size with these checked products first and refuse, in one line,
// what cannot fit.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_HOSTMEMORY_H
#define MPC_RUNTIME_DRIVER_HOSTMEMORY_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpc::driver {

/// The bytes of a tensor of `shape` with elements of `elementBytes`, or
/// none when a dim is negative or the product does not fit in 64 bits.
std::optional<uint64_t> tensorBytes(const std::vector<int64_t> &shape,
                                    uint64_t elementBytes);

/// `a` + `b`, or none when the sum does not fit in 64 bits.
std::optional<uint64_t> addBytes(uint64_t a, uint64_t b);

/// The memory this process can fill: the machine's physical memory, or
/// less under a limit on its address space or data (ulimit -v, -d).
uint64_t hostMemoryLimit();

/// `bytes` for people: "512 B", "1.5 KiB", ..., "4.0 TiB".
std::string formatBytes(uint64_t bytes);

/// True when `bytes` fit in hostMemoryLimit(); else false with the one-line
/// `error` "`what`: N of memory needed, more than the M this process can
/// use".
bool checkHostMemory(uint64_t bytes, const std::string &what,
                     std::string &error);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_HOSTMEMORY_H
