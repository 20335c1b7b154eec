//===- Mma.cuh - the warp-wide tensor-core product -----------------*- CUDA
//-*-===//
//
// One mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16} through inline PTX:
// the accumulator tile of a warp plus a 16x16 by 16x8 product of 16-bit
// operands, accumulated in f32. Which lane holds which elements of the
// fragments is runtime/core/MmaFragment.h's.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_MMA_CUH
#define MPC_RUNTIME_CUDA_MMA_CUH

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <stdint.h>
#include <type_traits>

namespace mpc::cuda {

/// acc += A B for the warp, with A (four registers) and B (two) of 16-bit
/// `T` values (__half or __nv_bfloat16) and acc's four f32 values per lane.
template <typename T>
__device__ __forceinline__ void mmaSync(float (&acc)[4], const uint32_t (&a)[4],
                                        const uint32_t (&b)[2]) {
  static_assert(std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>,
                "tensor-core operands are f16 or bf16");
  if constexpr (std::is_same_v<T, __half>)
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
                 "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%0, %1, %2, %3};\n"
                 : "+f"(acc[0]), "+f"(acc[1]), "+f"(acc[2]), "+f"(acc[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]),
                   "r"(b[1]));
  else
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
                 "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%0, %1, %2, %3};\n"
                 : "+f"(acc[0]), "+f"(acc[1]), "+f"(acc[2]), "+f"(acc[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]),
                   "r"(b[1]));
}

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_MMA_CUH
