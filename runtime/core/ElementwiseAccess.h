//===- ElementwiseAccess.h - how generated elementwise kernels move data --===//
//
// The access plan of a generated elementwise kernel, shared by the CUDA
// kernel emitter (which picks a kernel's form at emit time) and the
// generated step's head, mpc_step.cuh (whose grid cap and alignment test
// the choice relies on):
// - vector width: each thread moves `width` consecutive elements of every
//   operand read at the output index with one access of at most
//   kVectorBytes, so the widest element type of those operands sets it;
// - index width: int32 when no index, nor an index plus the grid's stride,
//   can pass INT32_MAX; int64 otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_ELEMENTWISEACCESS_H
#define MPC_RUNTIME_CORE_ELEMENTWISEACCESS_H

#include "HostDevice.h"

#include <stdint.h>

namespace mpc::access {

/// Bytes of the widest vector access (a 128-bit load or store).
constexpr int64_t kVectorBytes = 16;

/// The most threads of a grid-stride launch: mpc_grid caps its blocks so
/// that no grid exceeds it, which keeps an int32 loop's stride small.
constexpr int64_t kMaxGridThreads = int64_t(1) << 24;

/// Elements per thread of a kernel over `count` elements whose widest
/// vector-accessed element has `widestBytes` bytes: kVectorBytes /
/// widestBytes when `count` is a multiple of it, else 1 (the scalar loop).
MPC_HD int64_t vectorWidth(int64_t count, int64_t widestBytes) {
  if (widestBytes <= 0 || widestBytes > kVectorBytes || count <= 0)
    return 1;
  int64_t width = kVectorBytes / widestBytes;
  return count % width == 0 ? width : 1;
}

/// Whether a grid-stride loop over `count` elements indexes in int32: every
/// element index, every broadcast operand's index (each below its own
/// element count, which is at most `count`) and every index plus the
/// stride of a grid of at most kMaxGridThreads threads stays in range.
MPC_HD bool fitsIndex32(int64_t count) {
  return count >= 0 && count <= INT32_MAX - kMaxGridThreads;
}

/// Whether `address` may be accessed with vectors of `bytes` bytes: CUDA's
/// vector loads and stores need their own size as alignment.
MPC_HD bool alignedFor(uintptr_t address, int64_t bytes) {
  return bytes > 0 && address % static_cast<uintptr_t>(bytes) == 0;
}

} // namespace mpc::access

#endif // MPC_RUNTIME_CORE_ELEMENTWISEACCESS_H
