//===- GemmFusionTest.cpp - which GEMM epilogues cuBLASLt may apply -------===//
//
// The host decision behind mpc_rt_gemm's routes: cuBLASLt fuses an epilogue
// only with bias and aux of c's type and an aux layout it accepts, and never
// a gelu (or its gradient) with an f32 output, whose approximate tanh would
// be far above f32 rounding: those take the exact epilogue kernel.
//
//===----------------------------------------------------------------------===//

#include "GemmFusion.h"

#include <gtest/gtest.h>

#include <string>

using namespace mpc::cuda;

namespace {

constexpr mpc_epilogue kAllEpilogues[] = {
    MPC_EPILOGUE_NONE,      MPC_EPILOGUE_BIAS,          MPC_EPILOGUE_RELU,
    MPC_EPILOGUE_RELU_BIAS, MPC_EPILOGUE_GELU,          MPC_EPILOGUE_GELU_BIAS,
    MPC_EPILOGUE_GELU_AUX,  MPC_EPILOGUE_GELU_AUX_BIAS, MPC_EPILOGUE_DGELU};

/// A single [16 x 32] x [32 x 64] GEMM with bias and aux of c's type.
mpc_gemm_desc descWith(mpc_epilogue epilogue, mpc_dtype cType) {
  mpc_gemm_desc desc{};
  desc.batch = 1;
  desc.m = 16;
  desc.n = 64;
  desc.k = 32;
  desc.stride_c = desc.m * desc.n;
  desc.a_type = desc.b_type = MPC_BF16;
  desc.c_type = desc.bias_type = desc.aux_type = cType;
  desc.epilogue = epilogue;
  return desc;
}

std::string reasonOf(const mpc_gemm_desc &desc) {
  const char *reason = unfusableReason(desc);
  return reason ? reason : "";
}

TEST(GemmFusion, EpilogueOperands) {
  for (mpc_epilogue e : kAllEpilogues) {
    bool bias = e == MPC_EPILOGUE_BIAS || e == MPC_EPILOGUE_RELU_BIAS ||
                e == MPC_EPILOGUE_GELU_BIAS || e == MPC_EPILOGUE_GELU_AUX_BIAS;
    bool aux = e == MPC_EPILOGUE_GELU_AUX || e == MPC_EPILOGUE_GELU_AUX_BIAS ||
               e == MPC_EPILOGUE_DGELU;
    bool gelu = aux || e == MPC_EPILOGUE_GELU || e == MPC_EPILOGUE_GELU_BIAS;
    EXPECT_EQ(epilogueUsesBias(e), bias) << e;
    EXPECT_EQ(epilogueUsesAux(e), aux) << e;
    EXPECT_EQ(epilogueUsesGelu(e), gelu) << e;
  }
}

TEST(GemmFusion, SixteenBitOutputsFuseEveryEpilogue) {
  for (mpc_dtype type : {MPC_F16, MPC_BF16})
    for (mpc_epilogue e : kAllEpilogues)
      EXPECT_EQ(reasonOf(descWith(e, type)), "") << e;
}

TEST(GemmFusion, F32GeluTakesTheExactPath) {
  for (mpc_epilogue e : kAllEpilogues) {
    std::string reason = reasonOf(descWith(e, MPC_F32));
    if (epilogueUsesGelu(e))
      EXPECT_EQ(reason, "f32 gelu needs the exact formula") << e;
    else // bias and relu are exact in cuBLASLt too
      EXPECT_EQ(reason, "") << e;
  }
}

TEST(GemmFusion, OperandTypesOtherThanC) {
  mpc_gemm_desc desc = descWith(MPC_EPILOGUE_GELU_AUX_BIAS, MPC_F16);
  desc.bias_type = MPC_F32;
  EXPECT_EQ(reasonOf(desc), "bias type differs from c");
  desc = descWith(MPC_EPILOGUE_DGELU, MPC_BF16);
  desc.aux_type = MPC_F32;
  EXPECT_EQ(reasonOf(desc), "aux type differs from c");
  // Without a bias or aux, their types are ignored.
  desc = descWith(MPC_EPILOGUE_RELU, MPC_F16);
  desc.bias_type = desc.aux_type = MPC_F32;
  EXPECT_EQ(reasonOf(desc), "");
}

TEST(GemmFusion, AuxLayoutMustBeAMultipleOfEight) {
  mpc_gemm_desc desc = descWith(MPC_EPILOGUE_GELU_AUX, MPC_F16);
  desc.n = 20;
  EXPECT_EQ(reasonOf(desc), "aux layout not a multiple of 8");
  desc = descWith(MPC_EPILOGUE_DGELU, MPC_F16);
  desc.batch = 2;
  desc.stride_c = desc.m * desc.n + 4;
  EXPECT_EQ(reasonOf(desc), "aux layout not a multiple of 8");
  // A single matrix's batch stride is never read.
  desc.batch = 1;
  EXPECT_EQ(reasonOf(desc), "");
  // Only aux has the constraint.
  desc = descWith(MPC_EPILOGUE_GELU_BIAS, MPC_F16);
  desc.n = 20;
  EXPECT_EQ(reasonOf(desc), "");
}

} // namespace
