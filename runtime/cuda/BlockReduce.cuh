//===- BlockReduce.cuh - warp-shuffle block reductions ----------*- CUDA
//-*-===//
//
// Sums and maxima over a thread block (blockDim.x a multiple of 32, at most
// 1024): warp shuffles, then one warp over the per-warp results. The order
// is fixed by the block shape, so a reduction is deterministic run to run.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_BLOCKREDUCE_CUH
#define MPC_RUNTIME_CUDA_BLOCKREDUCE_CUH

namespace mpc::cuda {

struct SumOp {
  template <typename T> __device__ T operator()(T a, T b) const {
    return a + b;
  }
};
struct MaxOp {
  __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

template <typename T, typename Op> __device__ T warpReduce(T value, Op op) {
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2)
    value = op(value, __shfl_xor_sync(0xffffffffu, value, offset));
  return value;
}

/// The reduction of `value` over the block, returned to every thread.
/// `identity` pads the missing warps. Contains __syncthreads: every thread
/// of the block must call it.
template <typename T, typename Op>
__device__ T blockReduce(T value, Op op, T identity) {
  __shared__ T warpResults[32];
  __shared__ T result;
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  value = warpReduce(value, op);
  if (lane == 0)
    warpResults[warp] = value;
  __syncthreads();
  if (warp == 0) {
    int warps = (blockDim.x + 31) / 32;
    T partial = lane < warps ? warpResults[lane] : identity;
    partial = warpReduce(partial, op);
    if (lane == 0)
      result = partial;
  }
  __syncthreads();
  return result;
}

__device__ inline float blockSum(float value) {
  return blockReduce(value, SumOp(), 0.0f);
}
__device__ inline double blockSum(double value) {
  return blockReduce(value, SumOp(), 0.0);
}
__device__ inline float blockMax(float value) {
  return blockReduce(value, MaxOp(), -INFINITY);
}

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_BLOCKREDUCE_CUH
