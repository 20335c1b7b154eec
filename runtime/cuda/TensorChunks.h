//===- TensorChunks.h - blocks of a multi-tensor launch ---------*- C++ -*-===//
//
// A multi-tensor kernel (MultiTensor.cu, the multi-tensor AdamW in
// Optimizer.cu) covers many tensors in one launch: each block processes one
// chunk of kTensorChunk elements of one tensor. The tensors' pointers travel
// by value in the kernel parameters, so a launch carries at most
// kTensorsPerLaunch of them and a call may take a few launches. The plan
// (which tensors in which launch, the first block of each) is made on the
// host and the mapping from a block to its tensor and elements runs on both
// sides, so both are tested without a GPU.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_TENSORCHUNKS_H
#define MPC_RUNTIME_CUDA_TENSORCHUNKS_H

#include "runtime/core/HostDevice.h"

#include <cstdint>
#include <vector>

namespace mpc::cuda {

/// Elements per block: large enough that the per-block scalars (AdamW's
/// factors) cost nothing, small enough to spread one tensor over the SMs.
inline constexpr int64_t kTensorChunk = 8192;
/// Tensors per launch: a launch table stays under the 4 KB of kernel
/// parameters that every supported architecture and toolkit accepts.
inline constexpr int kTensorsPerLaunch = 48;

/// The chunks of one launch: its tensor i is tensor `tensor[i]` of the call,
/// holds n[i] elements and owns the blocks [blockStart[i], blockStart[i+1]).
struct ChunkLaunch {
  int count = 0;
  int tensor[kTensorsPerLaunch] = {};
  int64_t n[kTensorsPerLaunch] = {};
  int64_t blockStart[kTensorsPerLaunch + 1] = {};
  /// The blocks of the call's earlier launches.
  int64_t firstBlock = 0;

  int64_t blocks() const { return blockStart[count]; }
};

/// The tensor (index in its launch) and element range [begin, end) of one
/// block.
struct ChunkRange {
  int tensor;
  int64_t begin, end;
};

/// The chunk of block `block` of a launch whose `count` tensors (none
/// empty) own the blocks `blockStart` and hold `n` elements.
MPC_HD ChunkRange chunkOf(const int64_t *blockStart, const int64_t *n,
                          int count, int64_t block) {
  // The last tensor whose first block is at most `block`.
  int low = 0, high = count - 1;
  while (low < high) {
    int mid = (low + high + 1) / 2;
    if (blockStart[mid] <= block)
      low = mid;
    else
      high = mid - 1;
  }
  int64_t begin = (block - blockStart[low]) * kTensorChunk;
  int64_t end = begin + kTensorChunk < n[low] ? begin + kTensorChunk : n[low];
  return {low, begin, end};
}

/// The launches covering `count` tensors of sizes `sizes` (each >= 0):
/// empty tensors are left out, the others keep their order.
std::vector<ChunkLaunch> planChunkLaunches(const int64_t *sizes, int count);

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_TENSORCHUNKS_H
