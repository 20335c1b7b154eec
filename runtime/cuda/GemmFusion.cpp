//===- GemmFusion.cpp - whether cuBLASLt may apply a GEMM epilogue --------===//

#include "GemmFusion.h"

namespace mpc::cuda {

bool epilogueUsesBias(mpc_epilogue e) {
  return e == MPC_EPILOGUE_BIAS || e == MPC_EPILOGUE_RELU_BIAS ||
         e == MPC_EPILOGUE_GELU_BIAS || e == MPC_EPILOGUE_GELU_AUX_BIAS;
}

bool epilogueUsesAux(mpc_epilogue e) {
  return e == MPC_EPILOGUE_GELU_AUX || e == MPC_EPILOGUE_GELU_AUX_BIAS ||
         e == MPC_EPILOGUE_DGELU;
}

bool epilogueUsesGelu(mpc_epilogue e) {
  return e == MPC_EPILOGUE_GELU || e == MPC_EPILOGUE_GELU_BIAS ||
         e == MPC_EPILOGUE_GELU_AUX || e == MPC_EPILOGUE_GELU_AUX_BIAS ||
         e == MPC_EPILOGUE_DGELU;
}

const char *unfusableReason(const mpc_gemm_desc &d) {
  if (epilogueUsesBias(d.epilogue) && d.bias_type != d.c_type)
    return "bias type differs from c";
  if (epilogueUsesAux(d.epilogue) && d.aux_type != d.c_type)
    return "aux type differs from c";
  // cuBLASLt's aux leading dimension and batch stride must be multiples of 8.
  if (epilogueUsesAux(d.epilogue) &&
      (d.n % 8 != 0 || (d.batch > 1 && d.stride_c % 8 != 0)))
    return "aux layout not a multiple of 8";
  // cuBLASLt's gelu uses an approximate tanh (about 2^-11 relative error):
  // well below the rounding of f16 and bf16 outputs, far above f32's
  // (docs/cuda-runtime.md, "GEMM epilogues").
  if (epilogueUsesGelu(d.epilogue) && d.c_type == MPC_F32)
    return "f32 gelu needs the exact formula";
  return nullptr;
}

} // namespace mpc::cuda
