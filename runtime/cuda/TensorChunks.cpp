//===- TensorChunks.cpp - blocks of a multi-tensor launch -----------------===//

#include "TensorChunks.h"

namespace mpc::cuda {

std::vector<ChunkLaunch> planChunkLaunches(const int64_t *sizes, int count) {
  std::vector<ChunkLaunch> launches;
  int64_t blocks = 0;
  for (int i = 0; i < count; ++i) {
    if (sizes[i] <= 0)
      continue;
    if (launches.empty() || launches.back().count == kTensorsPerLaunch) {
      launches.emplace_back();
      launches.back().firstBlock = blocks;
    }
    ChunkLaunch &launch = launches.back();
    int t = launch.count++;
    launch.tensor[t] = i;
    launch.n[t] = sizes[i];
    int64_t chunks = (sizes[i] + kTensorChunk - 1) / kTensorChunk;
    launch.blockStart[t + 1] = launch.blockStart[t] + chunks;
    blocks += chunks;
  }
  return launches;
}

} // namespace mpc::cuda
