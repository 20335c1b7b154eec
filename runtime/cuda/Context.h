//===- Context.h - the mpc_rt context and shared host helpers ---*- C++ -*-===//
//
// Internal to the CUDA runtime: the definition of the opaque mpc_rt, the
// scratch buffer kernels carve their temporaries from, and the argument
// checks and launch shapes every kernel family uses.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_CONTEXT_H
#define MPC_RUNTIME_CUDA_CONTEXT_H

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

/// The bytes of device scratch every context owns: layer- and RMS-norm-grad
/// statistics and partial sums, loss and norm partials, and the f32 accumulator
/// of GEMMs whose epilogue cuBLASLt cannot fuse (chunked to fit).
constexpr size_t kScratchBytes = size_t(64) << 20;

} // namespace mpc::cuda

struct mpc_rt {
  cudaStream_t stream = nullptr;
  cublasLtHandle_t lt = nullptr;
  void *workspace = nullptr;
  size_t workspaceBytes = 0;
  void *scratch = nullptr;
  size_t scratchBytes = 0;
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

/// How a row normalization's backward splits the context's scratch: each
/// row's statistics (`statsBytes` in all, 256-byte aligned), then `groups`
/// blocks of partial parameter-gradient sums.
struct NormalizationScratch {
  size_t statsBytes = 0;
  int64_t groups = 1;
};
/// Plans `rows` statistics of `rowStatBytes` and as many groups of
/// `groupBytes` as fit: at most 1024, one per `tileRows` rows, at least
/// one. Fails, naming the sizes, when not even one group fits.
int planNormalizationScratch(mpc_rt *rt, const char *what, int64_t rows,
                             int64_t cols, size_t rowStatBytes,
                             size_t groupBytes, int tileRows,
                             NormalizationScratch &plan);

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
