//===- GemmChunks.h - GEMMs split to fit an f32 scratch ---------*- C++ -*-===//
//
// A GEMM whose epilogue cuBLASLt cannot fuse and whose c is 16-bit takes its
// f32 product in the context's scratch, then GemmEpilogue.cu writes c. When
// the whole product does not fit, the call is split into chunks that do:
// whole batch matrices first and, when one [m, n] matrix does not fit, row
// ranges of one matrix (rows of c are rows of op(a); with trans_a a row range
// of op(a) is a column range of a, with a's leading dimension unchanged).
// Each chunk is one cuBLASLt matmul and one epilogue launch. This pure
// planning is kept apart from the cuBLASLt calls so it can be tested without
// a GPU.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_GEMMCHUNKS_H
#define MPC_RUNTIME_CUDA_GEMMCHUNKS_H

#include "mpc_cuda_runtime.h"

#include <cstdint>
#include <vector>

namespace mpc::cuda {

/// One part of a GEMM: `batch` consecutive batch matrices, each restricted to
/// `rows` consecutive rows of c. Offsets are in elements from the call's
/// pointers; aux shares c's layout and so c's offset; bias (per column) is
/// shared by every chunk. Its f32 product is [batch, rows, n], packed.
struct GemmChunk {
  int64_t batch, rows;
  int64_t aOffset, bOffset, cOffset;
};

/// The chunks of `desc`, in order, each of at most `capacity` f32 elements,
/// covering every element of c exactly once; a single chunk when the whole
/// product fits. Chunks are balanced (at most two distinct shapes) so few
/// cuBLASLt plans serve them. Empty when m, n or the batch is 0, or when one
/// row (n elements) exceeds `capacity`.
std::vector<GemmChunk> planGemmChunks(const mpc_gemm_desc &desc,
                                      int64_t capacity);

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_GEMMCHUNKS_H
