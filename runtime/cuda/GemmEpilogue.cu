//===- GemmEpilogue.cu - GEMM epilogues cuBLASLt cannot fuse --------------===//

#include "GemmEpilogue.h"

#include "Context.h"
#include "DeviceMath.cuh"

namespace mpc::cuda {
namespace {

__global__ void gemmEpilogueKernel(GemmEpilogueArgs args) {
  int64_t matrix = args.m * args.n, total = args.batch * matrix;
  mpc_epilogue e = args.epilogue;
  bool hasBias = e == MPC_EPILOGUE_BIAS || e == MPC_EPILOGUE_RELU_BIAS ||
                 e == MPC_EPILOGUE_GELU_BIAS || e == MPC_EPILOGUE_GELU_AUX_BIAS;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t b = i / matrix, at = i % matrix;
    int64_t out = b * args.cStride + at;
    float v = args.acc[b * args.accStride + at];
    if (hasBias)
      v += loadAs(args.bias, args.biasType, at % args.n);
    switch (e) {
    case MPC_EPILOGUE_RELU:
    case MPC_EPILOGUE_RELU_BIAS:
      v = reluOf(v);
      break;
    case MPC_EPILOGUE_GELU_AUX:
    case MPC_EPILOGUE_GELU_AUX_BIAS:
      storeAs(args.aux, args.auxType, out, v);
      v = geluOf(v);
      break;
    case MPC_EPILOGUE_GELU:
    case MPC_EPILOGUE_GELU_BIAS:
      v = geluOf(v);
      break;
    case MPC_EPILOGUE_DGELU:
      v = geluGradOf(v, loadAs(args.aux, args.auxType, out));
      break;
    default:
      break;
    }
    storeAs(args.c, args.cType, out, v);
  }
}

} // namespace

int launchGemmEpilogue(mpc_rt *rt, const GemmEpilogueArgs &args) {
  gemmEpilogueKernel<<<gridFor(args.batch * args.m * args.n, 256), 256, 0,
                       rt->stream>>>(args);
  return mpc_rt_check_launch(rt, "mpc_rt_gemm epilogue");
}

} // namespace mpc::cuda
