//===- GemmEpilogue.h - GEMM epilogues cuBLASLt cannot fuse -----*- C++ -*-===//
//
// When cuBLASLt may not or cannot fuse an epilogue (a bias or aux of another
// type than c, an aux leading dimension it does not accept, gelu with an f32
// output, which needs the exact formula: GemmFusion.h), the product is
// computed into f32 and this kernel applies the epilogue with the same
// semantics and the CPU reference's formulas: bias add, aux store,
// activation or gelu gradient in f32, then one rounding to c's type. It runs
// once per chunk when the product is chunked through the scratch.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_GEMMEPILOGUE_H
#define MPC_RUNTIME_CUDA_GEMMEPILOGUE_H

#include "mpc_cuda_runtime.h"

namespace mpc::cuda {

/// One chunk (or the whole call): `batch` matrices of `m` rows.
struct GemmEpilogueArgs {
  const float *acc;  ///< [batch, m, n] f32 products
  int64_t accStride; ///< elements between batch matrices of acc
  void *c;           ///< may equal acc when c is f32
  mpc_dtype cType;
  int64_t cStride; ///< elements between batch matrices of c and aux
  const void *bias;
  mpc_dtype biasType;
  void *aux;
  mpc_dtype auxType;
  mpc_epilogue epilogue;
  int64_t batch, m, n;
};

/// Enqueues the epilogue on rt's stream; 0 or -1 with the error recorded.
int launchGemmEpilogue(mpc_rt *rt, const GemmEpilogueArgs &args);

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_GEMMEPILOGUE_H
