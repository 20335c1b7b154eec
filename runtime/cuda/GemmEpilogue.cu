//===- GemmEpilogue.cu - GEMM epilogues cuBLASLt cannot fuse --------------===//

#include "GemmEpilogue.h"

#include "Context.h"
#include "DeviceMath.cuh"
#include "runtime/core/ScalarMath.h"

namespace mpc::cuda {
namespace {

/// The kernel for storage types C (c), Bias and Aux (ignored when the
/// epilogue has no bias or aux).
template <typename C, typename Bias, typename Aux>
__global__ void gemmEpilogueKernel(GemmEpilogueArgs args) {
  int64_t matrix = args.m * args.n, total = args.batch * matrix;
  mpc_epilogue e = args.epilogue;
  bool hasBias = e == MPC_EPILOGUE_BIAS || e == MPC_EPILOGUE_RELU_BIAS ||
                 e == MPC_EPILOGUE_GELU_BIAS || e == MPC_EPILOGUE_GELU_AUX_BIAS;
  const auto *bias = static_cast<const Bias *>(args.bias);
  auto *aux = static_cast<Aux *>(args.aux);
  auto *c = static_cast<C *>(args.c);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t b = i / matrix, at = i % matrix;
    int64_t out = b * args.cStride + at;
    float v = args.acc[b * args.accStride + at];
    if (hasBias)
      v = math::add(v, load(bias, at % args.n));
    switch (e) {
    case MPC_EPILOGUE_RELU:
    case MPC_EPILOGUE_RELU_BIAS:
      v = math::relu(v);
      break;
    case MPC_EPILOGUE_GELU_AUX:
    case MPC_EPILOGUE_GELU_AUX_BIAS:
      store(aux, out, v);
      v = math::gelu(v);
      break;
    case MPC_EPILOGUE_GELU:
    case MPC_EPILOGUE_GELU_BIAS:
      v = math::gelu(v);
      break;
    case MPC_EPILOGUE_DGELU:
      v = math::geluGrad(v, load(aux, out));
      break;
    default:
      break;
    }
    store(c, out, v);
  }
}

} // namespace

int launchGemmEpilogue(mpc_rt *rt, const GemmEpilogueArgs &args) {
  // One instance per (c, bias, aux) storage types; a type without its
  // tensor is read as f32 and never used.
  mpc_dtype biasType = args.bias ? args.biasType : MPC_F32;
  mpc_dtype auxType = args.aux ? args.auxType : MPC_F32;
  withFloatType(args.cType, [&](auto c) {
    withFloatType(biasType, [&](auto bias) {
      withFloatType(auxType, [&](auto aux) {
        gemmEpilogueKernel<typename decltype(c)::type,
                           typename decltype(bias)::type,
                           typename decltype(aux)::type>
            <<<gridFor(args.batch * args.m * args.n, 256), 256, 0,
               rt->stream>>>(args);
      });
    });
  });
  return mpc_rt_check_launch(rt, "mpc_rt_gemm epilogue");
}

} // namespace mpc::cuda
