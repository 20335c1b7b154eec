//===- GemmFusion.h - whether cuBLASLt may apply a GEMM epilogue -*- C++
//-*-===//
//
// cuBLASLt fuses bias, relu and gelu (and the gelu gradient) into the GEMM,
// but only for some types and layouts, and its gelu is not the CPU
// reference's: it evaluates tanh approximately. This pure decision is kept
// apart from the cuBLASLt calls so it can be tested without a GPU; a GEMM it
// rejects takes the exact path (an f32 product, then GemmEpilogue.cu with the
// CPU's formulas).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_GEMMFUSION_H
#define MPC_RUNTIME_CUDA_GEMMFUSION_H

#include "mpc_cuda_runtime.h"

namespace mpc::cuda {

/// Whether the epilogue adds a bias.
bool epilogueUsesBias(mpc_epilogue epilogue);
/// Whether the epilogue writes (GELU_AUX forms) or reads (DGELU) aux.
bool epilogueUsesAux(mpc_epilogue epilogue);
/// Whether the epilogue evaluates gelu or its gradient (a tanh).
bool epilogueUsesGelu(mpc_epilogue epilogue);

/// Why cuBLASLt must not apply the epilogue of `desc` itself (a short
/// phrase for the debug log), or null when it may.
const char *unfusableReason(const mpc_gemm_desc &desc);

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_GEMMFUSION_H
