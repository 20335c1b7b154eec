//===- Context.h - the mpc_rt context and shared host helpers ---*- C++ -*-===//
//
// Internal to the CUDA runtime: the definition of the opaque mpc_rt, the
// scratch buffer kernels carve their temporaries from, and the argument
// checks and launch shapes every kernel family uses.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_CONTEXT_H
#define MPC_RUNTIME_CUDA_CONTEXT_H

#include "BlockPartials.h"
#include "mpc_cuda_runtime.h"

#include <cublasLt.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>

namespace mpc::cuda {

class GemmPlanCache;

/// The cuBLASLt workspace of a context created with workspace_bytes 0.
constexpr size_t kDefaultWorkspaceBytes = size_t(32) << 20;

} // namespace mpc::cuda

struct mpc_rt {
  cudaStream_t stream = nullptr;
  cublasLtHandle_t lt = nullptr;
  void *workspace = nullptr;
  size_t workspaceBytes = 0;
  void *scratch = nullptr;
  size_t scratchBytes = 0;
  /// The last-block counter (LastBlock.cuh): in the scratch allocation,
  /// after the scratchBytes kernels carve their temporaries from; zero
  /// between launches.
  unsigned int *counter = nullptr;
  std::string error;
  std::unique_ptr<mpc::cuda::GemmPlanCache> gemmPlans;
  /// Debug mode (mpc_rt_set_debug): each op synchronises and checks the
  /// device, and each new GEMM plan prints its route on stderr.
  bool debug = false;

  mpc_rt();
  ~mpc_rt();
};

namespace mpc::cuda {

/// mpc_rt_create with a kernel scratch of `scratchBytes` instead of
/// kScratchBytes. Not part of the ABI: tests use a small scratch to make
/// GEMMs chunk at small sizes.
mpc_rt *createContext(cudaStream_t stream, size_t workspaceBytes,
                      size_t scratchBytes, char *error, size_t errorSize);

/// Whether `pointer` is aligned for 16-byte vector access.
inline bool aligned16(const void *pointer) {
  return reinterpret_cast<uintptr_t>(pointer) % 16 == 0;
}

/// Fails with "<what>: <type name> is not a float type" unless it is one.
int checkFloat(mpc_rt *rt, const char *what, const char *operand,
               mpc_dtype type);
/// Fails unless every size is >= 0.
int checkSizes(mpc_rt *rt, const char *what,
               std::initializer_list<int64_t> sizes);
/// The checks of a row normalization (layer norm, RMS norm) of `rows` rows
/// of `cols`, one block per row: sizes, float types of x, its parameter
/// (named `param`) and the output, and rows that fit the grid.
int checkRowNormalization(mpc_rt *rt, const char *what, mpc_dtype xType,
                          const char *param, mpc_dtype paramType,
                          mpc_dtype outType, int64_t rows, int64_t cols);

/// A row normalization's backward (NormalizationGrad.cuh): its plan, the
/// partials ([blocks][params][cols] f32, at the scratch's start) and the
/// context's counter.
struct NormalizationPartials {
  NormalizationPlan plan;
  float *scratch = nullptr;
  unsigned int *counter = nullptr;
};
/// Plans a backward of `rows` x `cols` with `params` parameter gradients
/// over the context's scratch (planNormalization). Fails, naming the sizes,
/// when not even one block's partials fit.
int planNormalizationScratch(mpc_rt *rt, const char *what, int64_t rows,
                             int64_t cols, int64_t params,
                             NormalizationPartials &partials);

/// Blocks of `threads` to cover `work` items, capped for grid-stride loops.
inline unsigned gridFor(int64_t work, int threads) {
  int64_t blocks = (work + threads - 1) / threads;
  if (blocks < 1)
    blocks = 1;
  return static_cast<unsigned>(blocks < (1 << 20) ? blocks : (1 << 20));
}

/// A block size for one block per row of `length`: a multiple of the warp
/// size between 32 and 256.
inline int rowThreads(int64_t length) {
  int64_t threads = (length + 31) / 32 * 32;
  if (threads < 32)
    threads = 32;
  return static_cast<int>(threads > 256 ? 256 : threads);
}

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_CONTEXT_H
