//===- Gemm.cpp - mpc_rt_gemm on cuBLASLt ---------------------------------===//
//
// Row-major batched GEMMs with f32 accumulation (CUBLAS_COMPUTE_32F, f32
// scale) through the column-major mapping of GemmLayout.h. The epilogue is
// fused into cuBLASLt when its types allow (bias and aux of c's type, an aux
// leading dimension divisible by 8); otherwise the product is taken in f32
// and GemmEpilogue.cu applies it. Plans are cached per descriptor.
//
//===----------------------------------------------------------------------===//

#include "Context.h"
#include "GemmEpilogue.h"
#include "GemmLayout.h"
#include "GemmPlan.h"

#include <cstdio>
#include <string>

using namespace mpc::cuda;

namespace {

cudaDataType_t cudaTypeOf(mpc_dtype type) {
  switch (type) {
  case MPC_F16:
    return CUDA_R_16F;
  case MPC_BF16:
    return CUDA_R_16BF;
  default:
    return CUDA_R_32F;
  }
}

const char *epilogueName(mpc_epilogue epilogue) {
  switch (epilogue) {
  case MPC_EPILOGUE_NONE:
    return "none";
  case MPC_EPILOGUE_BIAS:
    return "bias";
  case MPC_EPILOGUE_RELU:
    return "relu";
  case MPC_EPILOGUE_RELU_BIAS:
    return "relu_bias";
  case MPC_EPILOGUE_GELU:
    return "gelu";
  case MPC_EPILOGUE_GELU_BIAS:
    return "gelu_bias";
  case MPC_EPILOGUE_GELU_AUX:
    return "gelu_aux";
  case MPC_EPILOGUE_GELU_AUX_BIAS:
    return "gelu_aux_bias";
  case MPC_EPILOGUE_DGELU:
    return "dgelu";
  }
  return nullptr;
}

cublasLtEpilogue_t ltEpilogueOf(mpc_epilogue epilogue) {
  switch (epilogue) {
  case MPC_EPILOGUE_BIAS:
    return CUBLASLT_EPILOGUE_BIAS;
  case MPC_EPILOGUE_RELU:
    return CUBLASLT_EPILOGUE_RELU;
  case MPC_EPILOGUE_RELU_BIAS:
    return CUBLASLT_EPILOGUE_RELU_BIAS;
  case MPC_EPILOGUE_GELU:
    return CUBLASLT_EPILOGUE_GELU;
  case MPC_EPILOGUE_GELU_BIAS:
    return CUBLASLT_EPILOGUE_GELU_BIAS;
  case MPC_EPILOGUE_GELU_AUX:
    return CUBLASLT_EPILOGUE_GELU_AUX;
  case MPC_EPILOGUE_GELU_AUX_BIAS:
    return CUBLASLT_EPILOGUE_GELU_AUX_BIAS;
  case MPC_EPILOGUE_DGELU:
    return CUBLASLT_EPILOGUE_DGELU;
  default:
    return CUBLASLT_EPILOGUE_DEFAULT;
  }
}

bool usesBias(mpc_epilogue e) {
  return e == MPC_EPILOGUE_BIAS || e == MPC_EPILOGUE_RELU_BIAS ||
         e == MPC_EPILOGUE_GELU_BIAS || e == MPC_EPILOGUE_GELU_AUX_BIAS;
}

bool usesAux(mpc_epilogue e) {
  return e == MPC_EPILOGUE_GELU_AUX || e == MPC_EPILOGUE_GELU_AUX_BIAS ||
         e == MPC_EPILOGUE_DGELU;
}

/// The largest power of two up to 256 dividing the address: what the
/// heuristic may assume about a pointer.
uint32_t alignmentOf(const void *pointer) {
  auto address = reinterpret_cast<uintptr_t>(pointer);
  uint32_t alignment = 1;
  while (alignment < 256 && address % (2 * alignment) == 0)
    alignment *= 2;
  return alignment;
}

std::string describe(const mpc_gemm_desc &d) {
  char text[256];
  std::snprintf(text, sizeof text,
                "batch %lld of [%lld x %lld] x [%lld x %lld] (trans_a %d, "
                "trans_b %d), %s x %s -> %s, epilogue %s",
                static_cast<long long>(d.batch), static_cast<long long>(d.m),
                static_cast<long long>(d.k), static_cast<long long>(d.k),
                static_cast<long long>(d.n), d.trans_a, d.trans_b,
                dtypeName(d.a_type), dtypeName(d.b_type), dtypeName(d.c_type),
                epilogueName(d.epilogue));
  return text;
}

/// The pointers of one call.
struct GemmPointers {
  const void *a, *b;
  void *c;
  const void *bias;
  void *aux;
};

GemmKey keyOf(const mpc_gemm_desc &d, const GemmPointers &p) {
  return {d.batch,
          d.m,
          d.n,
          d.k,
          d.trans_a,
          d.trans_b,
          d.stride_a,
          d.stride_b,
          d.stride_c,
          d.a_type,
          d.b_type,
          d.c_type,
          d.bias_type,
          d.aux_type,
          d.epilogue,
          alignmentOf(p.a),
          alignmentOf(p.b),
          alignmentOf(p.c),
          alignmentOf(p.bias),
          alignmentOf(p.aux)};
}

template <typename T>
bool setDesc(cublasLtMatmulDesc_t op, cublasLtMatmulDescAttributes_t attribute,
             const T &value) {
  return cublasLtMatmulDescSetAttribute(op, attribute, &value, sizeof value) ==
         CUBLAS_STATUS_SUCCESS;
}

bool makeLayout(cublasLtMatrixLayout_t *layout, mpc_dtype type,
                const LtMatrix &m, int64_t batch) {
  if (cublasLtMatrixLayoutCreate(layout, cudaTypeOf(type), m.rows, m.cols,
                                 m.ld) != CUBLAS_STATUS_SUCCESS) {
    *layout = nullptr;
    return false;
  }
  if (batch == 1)
    return true;
  auto count = static_cast<int32_t>(batch);
  return cublasLtMatrixLayoutSetAttribute(
             *layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count,
             sizeof count) == CUBLAS_STATUS_SUCCESS &&
         cublasLtMatrixLayoutSetAttribute(
             *layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
             &m.batchStride, sizeof m.batchStride) == CUBLAS_STATUS_SUCCESS;
}

/// Sets the per-call bias and aux pointers of a fused plan.
bool setEpiloguePointers(GemmPlan &plan, const mpc_gemm_desc &d,
                         const GemmPointers &p) {
  if (usesBias(d.epilogue) &&
      !setDesc(plan.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, p.bias))
    return false;
  if (usesAux(d.epilogue) &&
      !setDesc(plan.op, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_POINTER, p.aux))
    return false;
  return true;
}

enum class PlanResult { Ready, NoAlgorithm, Failed };

/// Builds the descriptors of a plan and asks the heuristic for an algorithm.
PlanResult makePlan(mpc_rt *rt, const mpc_gemm_desc &d, const GemmPointers &p,
                    GemmPlan &plan) {
  LtGemm lt = ltGemmFor(d);
  if (cublasLtMatmulDescCreate(&plan.op, CUBLAS_COMPUTE_32F, CUDA_R_32F) !=
      CUBLAS_STATUS_SUCCESS) {
    plan.op = nullptr;
    return PlanResult::Failed;
  }
  cublasOperation_t transA = lt.transA ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasOperation_t transB = lt.transB ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (!setDesc(plan.op, CUBLASLT_MATMUL_DESC_TRANSA, transA) ||
      !setDesc(plan.op, CUBLASLT_MATMUL_DESC_TRANSB, transB))
    return PlanResult::Failed;
  mpc_dtype dType = plan.fused ? d.c_type : MPC_F32;
  LtMatrix dLayout = lt.d;
  if (plan.accInScratch)
    dLayout.batchStride = d.m * d.n;
  if (plan.fused && d.epilogue != MPC_EPILOGUE_NONE) {
    if (!setDesc(plan.op, CUBLASLT_MATMUL_DESC_EPILOGUE,
                 ltEpilogueOf(d.epilogue)))
      return PlanResult::Failed;
    if (usesBias(d.epilogue) &&
        !setDesc(plan.op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE,
                 static_cast<int32_t>(cudaTypeOf(d.bias_type))))
      return PlanResult::Failed;
    if (usesAux(d.epilogue) &&
        (!setDesc(plan.op, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_LD, lt.d.ld) ||
         !setDesc(plan.op, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_BATCH_STRIDE,
                  lt.d.batchStride)))
      return PlanResult::Failed;
    if (!setEpiloguePointers(plan, d, p))
      return PlanResult::Failed;
  }
  if (!makeLayout(&plan.a, d.b_type, lt.a, d.batch) ||
      !makeLayout(&plan.b, d.a_type, lt.b, d.batch) ||
      !makeLayout(&plan.d, dType, dLayout, d.batch))
    return PlanResult::Failed;

  cublasLtMatmulPreference_t preference;
  if (cublasLtMatmulPreferenceCreate(&preference) != CUBLAS_STATUS_SUCCESS)
    return PlanResult::Failed;
  uint64_t workspace = rt->workspaceBytes;
  uint32_t alignA = alignmentOf(p.b), alignB = alignmentOf(p.a);
  uint32_t alignD = plan.accInScratch ? 256 : alignmentOf(p.c);
  auto setPreference = [&](cublasLtMatmulPreferenceAttributes_t attribute,
                           const auto &value) {
    return cublasLtMatmulPreferenceSetAttribute(preference, attribute, &value,
                                                sizeof value) ==
           CUBLAS_STATUS_SUCCESS;
  };
  bool ok =
      setPreference(CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, workspace) &&
      setPreference(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, alignA) &&
      setPreference(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, alignB) &&
      setPreference(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, alignD) &&
      setPreference(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, alignD);
  cublasLtMatmulHeuristicResult_t result{};
  int returned = 0;
  cublasStatus_t status = ok ? cublasLtMatmulAlgoGetHeuristic(
                                   rt->lt, plan.op, plan.a, plan.b, plan.d,
                                   plan.d, preference, 1, &result, &returned)
                             : CUBLAS_STATUS_INVALID_VALUE;
  cublasLtMatmulPreferenceDestroy(preference);
  if (!ok)
    return PlanResult::Failed;
  if (status != CUBLAS_STATUS_SUCCESS || returned == 0 ||
      result.state != CUBLAS_STATUS_SUCCESS)
    return PlanResult::NoAlgorithm;
  plan.algo = result.algo;
  return PlanResult::Ready;
}

/// Whether cuBLASLt can apply the epilogue of `d` itself.
bool fusable(const mpc_gemm_desc &d) {
  if (usesBias(d.epilogue) && d.bias_type != d.c_type)
    return false;
  if (usesAux(d.epilogue) && (d.aux_type != d.c_type || d.n % 8 != 0 ||
                              (d.batch > 1 && d.stride_c % 8 != 0)))
    return false;
  return true;
}

int checkDesc(mpc_rt *rt, const mpc_gemm_desc *d, const GemmPointers &p) {
  const char *what = "mpc_rt_gemm";
  if (!d)
    return mpc_rt_fail(rt, "%s: null descriptor", what);
  if (!epilogueName(d->epilogue))
    return mpc_rt_fail(rt, "%s: unknown epilogue %d", what,
                       static_cast<int>(d->epilogue));
  if (d->batch < 1 || d->m < 0 || d->n < 0 || d->k < 0 || d->stride_a < 0 ||
      d->stride_b < 0 || d->stride_c < 0)
    return mpc_rt_fail(rt, "%s: invalid sizes in %s", what,
                       describe(*d).c_str());
  if (d->batch > 0x7fffffff)
    return mpc_rt_fail(rt, "%s: batch too large in %s", what,
                       describe(*d).c_str());
  if (checkFloat(rt, what, "a", d->a_type) ||
      checkFloat(rt, what, "b", d->b_type) ||
      checkFloat(rt, what, "c", d->c_type))
    return -1;
  if (usesBias(d->epilogue) &&
      (!p.bias || checkFloat(rt, what, "bias", d->bias_type)))
    return p.bias ? -1
                  : mpc_rt_fail(rt, "%s: epilogue %s without a bias", what,
                                epilogueName(d->epilogue));
  if (usesAux(d->epilogue) &&
      (!p.aux || checkFloat(rt, what, "aux", d->aux_type)))
    return p.aux ? -1
                 : mpc_rt_fail(rt, "%s: epilogue %s without aux", what,
                               epilogueName(d->epilogue));
  return 0;
}

/// The cached plan of this call, built on a miss; null after a failure.
GemmPlan *planFor(mpc_rt *rt, const mpc_gemm_desc &d, const GemmPointers &p) {
  GemmKey key = keyOf(d, p);
  if (GemmPlan *plan = rt->gemmPlans->find(key))
    return plan;
  if (fusable(d)) {
    auto plan = std::make_unique<GemmPlan>();
    plan->fused = true;
    PlanResult result = makePlan(rt, d, p, *plan);
    if (result == PlanResult::Ready)
      return rt->gemmPlans->insert(key, std::move(plan));
    if (result == PlanResult::Failed) {
      mpc_rt_fail(rt, "mpc_rt_gemm: cannot build the cuBLASLt plan of %s",
                  describe(d).c_str());
      return nullptr;
    }
  }
  // Unfused: f32 products into c itself when it is f32, else into scratch.
  auto plan = std::make_unique<GemmPlan>();
  plan->accInScratch = d.c_type != MPC_F32;
  size_t accBytes = static_cast<size_t>(d.batch * d.m * d.n) * sizeof(float);
  if (plan->accInScratch && accBytes > rt->scratchBytes) {
    mpc_rt_fail(rt,
                "mpc_rt_gemm: %s needs %zu bytes of f32 scratch for its "
                "unfused epilogue, the context has %zu",
                describe(d).c_str(), accBytes, rt->scratchBytes);
    return nullptr;
  }
  switch (makePlan(rt, d, p, *plan)) {
  case PlanResult::Ready:
    return rt->gemmPlans->insert(key, std::move(plan));
  case PlanResult::NoAlgorithm:
    mpc_rt_fail(rt, "mpc_rt_gemm: cuBLASLt has no algorithm for %s",
                describe(d).c_str());
    return nullptr;
  case PlanResult::Failed:
    break;
  }
  mpc_rt_fail(rt, "mpc_rt_gemm: cannot build the cuBLASLt plan of %s",
              describe(d).c_str());
  return nullptr;
}

} // namespace

extern "C" int mpc_rt_gemm(mpc_rt *rt, const mpc_gemm_desc *desc, const void *a,
                           const void *b, void *c, const void *bias,
                           void *aux) {
  GemmPointers p{a, b, c, bias, aux};
  if (checkDesc(rt, desc, p))
    return -1;
  const mpc_gemm_desc &d = *desc;
  if (d.m == 0 || d.n == 0)
    return 0;
  if (d.k == 0)
    return mpc_rt_fail(rt, "mpc_rt_gemm: k = 0 in %s", describe(d).c_str());
  GemmPlan *plan = planFor(rt, d, p);
  if (!plan)
    return -1;
  if (plan->fused && !setEpiloguePointers(*plan, d, p))
    return mpc_rt_fail(rt,
                       "mpc_rt_gemm: cannot set the epilogue pointers of %s",
                       describe(d).c_str());
  void *dest = plan->accInScratch ? rt->scratch : c;
  const float alpha = 1.0f, beta = 0.0f;
  cublasStatus_t status =
      cublasLtMatmul(rt->lt, plan->op, &alpha, b, plan->a, a, plan->b, &beta,
                     dest, plan->d, dest, plan->d, &plan->algo, rt->workspace,
                     rt->workspaceBytes, rt->stream);
  if (status != CUBLAS_STATUS_SUCCESS)
    return mpc_rt_fail(rt, "mpc_rt_gemm: cublasLtMatmul failed (%s) for %s",
                       cublasLtGetStatusString(status), describe(d).c_str());
  if (plan->fused || (!plan->accInScratch && d.epilogue == MPC_EPILOGUE_NONE))
    return 0;
  GemmEpilogueArgs args{static_cast<const float *>(dest),
                        plan->accInScratch ? d.m * d.n : d.stride_c,
                        c,
                        d.c_type,
                        d.stride_c,
                        bias,
                        d.bias_type,
                        aux,
                        d.aux_type,
                        d.epilogue,
                        d.batch,
                        d.m,
                        d.n};
  return launchGemmEpilogue(rt, args);
}
