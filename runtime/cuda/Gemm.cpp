//===- Gemm.cpp - mpc_rt_gemm on cuBLASLt ---------------------------------===//
//
// Row-major batched GEMMs with f32 accumulation (CUBLAS_COMPUTE_32F, f32
// scale) through the column-major mapping of GemmLayout.h. The epilogue is
// fused into cuBLASLt when GemmFusion.h allows it and cuBLASLt has an
// algorithm; otherwise the product is taken in f32 (in c when c is f32, else
// in the scratch, chunk by chunk as GemmChunks.h plans) and GemmEpilogue.cu
// applies it. Plans are cached per descriptor and pointer alignment.
//
//===----------------------------------------------------------------------===//

#include "Context.h"
#include "GemmEpilogue.h"
#include "GemmFusion.h"
#include "GemmLayout.h"
#include "GemmPlan.h"

#include <cstdio>
#include <string>
#include <vector>

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
                mpc::dtypeName(d.a_type), mpc::dtypeName(d.b_type),
                mpc::dtypeName(d.c_type), epilogueName(d.epilogue));
  return text;
}

/// The pointers of one call, or of one chunk (offset into the call's).
struct GemmPointers {
  const void *a, *b;
  void *c;
  const void *bias;
  void *aux;
};

/// `pointer` advanced by `elements` elements of `type`.
const void *offsetBy(const void *pointer, mpc_dtype type, int64_t elements) {
  return static_cast<const char *>(pointer) + elements * mpc::elementSize(type);
}
void *offsetBy(void *pointer, mpc_dtype type, int64_t elements) {
  return static_cast<char *>(pointer) + elements * mpc::elementSize(type);
}

/// The pointers of `chunk`: the call's, offset by the chunk's elements; aux
/// shares c's layout, the bias is per column and shared.
GemmPointers chunkPointers(const mpc_gemm_desc &d, const GemmPointers &p,
                           const GemmChunk &chunk) {
  return {offsetBy(p.a, d.a_type, chunk.aOffset),
          offsetBy(p.b, d.b_type, chunk.bOffset),
          offsetBy(p.c, d.c_type, chunk.cOffset), p.bias,
          p.aux ? offsetBy(p.aux, d.aux_type, chunk.cOffset) : nullptr};
}

/// One cuBLASLt matmul: a whole call (batch and rows of the call) or one of
/// its chunks, with the route that decides what it writes.
struct Matmul {
  const mpc_gemm_desc &call;
  int64_t batch, rows;
  GemmPointers p;
  GemmRoute route;
  bool chunk;
};

GemmKey keyOf(const Matmul &mm) {
  const mpc_gemm_desc &d = mm.call;
  const GemmPointers &p = mm.p;
  return {mm.chunk,
          mm.batch,
          mm.rows,
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
          d.trans_a ? d.m : d.k,
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
  if (epilogueUsesBias(d.epilogue) &&
      !setDesc(plan.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, p.bias))
    return false;
  if (epilogueUsesAux(d.epilogue) &&
      !setDesc(plan.op, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_POINTER, p.aux))
    return false;
  return true;
}

enum class PlanResult { Ready, NoAlgorithm, Failed };

/// Builds the descriptors of the plan of `mm` and asks the heuristic for an
/// algorithm.
PlanResult makePlan(mpc_rt *rt, const Matmul &mm, GemmPlan &plan) {
  const mpc_gemm_desc &d = mm.call;
  plan.route = mm.route;
  LtGemm lt = ltGemmFor(d, mm.batch, mm.rows);
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
  bool fused = mm.route == GemmRoute::Fused;
  bool inScratch = mm.route == GemmRoute::ProductInScratch;
  mpc_dtype dType = fused ? d.c_type : MPC_F32;
  LtMatrix dLayout = lt.d;
  if (inScratch)
    dLayout.batchStride = mm.rows * d.n; // packed at the scratch's start
  if (fused && d.epilogue != MPC_EPILOGUE_NONE) {
    if (!setDesc(plan.op, CUBLASLT_MATMUL_DESC_EPILOGUE,
                 ltEpilogueOf(d.epilogue)))
      return PlanResult::Failed;
    if (epilogueUsesBias(d.epilogue) &&
        !setDesc(plan.op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE,
                 static_cast<int32_t>(cudaTypeOf(d.bias_type))))
      return PlanResult::Failed;
    if (epilogueUsesAux(d.epilogue) &&
        (!setDesc(plan.op, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_LD, lt.d.ld) ||
         !setDesc(plan.op, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_BATCH_STRIDE,
                  lt.d.batchStride)))
      return PlanResult::Failed;
    if (!setEpiloguePointers(plan, d, mm.p))
      return PlanResult::Failed;
  }
  if (!makeLayout(&plan.a, d.b_type, lt.a, mm.batch) ||
      !makeLayout(&plan.b, d.a_type, lt.b, mm.batch) ||
      !makeLayout(&plan.d, dType, dLayout, mm.batch))
    return PlanResult::Failed;

  cublasLtMatmulPreference_t preference;
  if (cublasLtMatmulPreferenceCreate(&preference) != CUBLAS_STATUS_SUCCESS)
    return PlanResult::Failed;
  uint64_t workspace = rt->workspaceBytes;
  uint32_t alignA = alignmentOf(mm.p.b), alignB = alignmentOf(mm.p.a);
  // The scratch comes from cudaMalloc and every chunk starts at its start.
  uint32_t alignD = inScratch ? 256 : alignmentOf(mm.p.c);
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
  if (epilogueUsesBias(d->epilogue) &&
      (!p.bias || checkFloat(rt, what, "bias", d->bias_type)))
    return p.bias ? -1
                  : mpc_rt_fail(rt, "%s: epilogue %s without a bias", what,
                                epilogueName(d->epilogue));
  if (epilogueUsesAux(d->epilogue) &&
      (!p.aux || checkFloat(rt, what, "aux", d->aux_type)))
    return p.aux ? -1
                 : mpc_rt_fail(rt, "%s: epilogue %s without aux", what,
                               epilogueName(d->epilogue));
  return 0;
}

/// With rt->debug, says on stderr which route a newly planned GEMM takes.
void logRoute(mpc_rt *rt, const mpc_gemm_desc &d, const GemmPlan &plan,
              const char *unfusedBecause) {
  if (!rt->debug)
    return;
  std::string path;
  switch (plan.route) {
  case GemmRoute::Fused:
    path = d.epilogue == MPC_EPILOGUE_NONE ? "cuBLASLt, no epilogue"
                                           : "fused epilogue";
    break;
  case GemmRoute::ProductInC:
    path = d.epilogue == MPC_EPILOGUE_NONE
               ? "unfused: f32 product in c"
               : "unfused: f32 product in c, epilogue kernel";
    break;
  case GemmRoute::ProductInScratch:
    path = "unfused: f32 product in scratch, " +
           std::to_string(plan.chunks.size()) +
           (plan.chunks.size() == 1 ? " chunk" : " chunks") +
           ", epilogue kernel";
    break;
  }
  if (unfusedBecause)
    path += std::string(" (") + unfusedBecause + ")";
  std::fprintf(stderr, "mpc: gemm %s: %s\n", describe(d).c_str(), path.c_str());
}

/// Records the failure of a plan that makePlan could not build.
GemmPlan *failPlan(mpc_rt *rt, const mpc_gemm_desc &d, PlanResult result) {
  if (result == PlanResult::NoAlgorithm)
    mpc_rt_fail(rt, "mpc_rt_gemm: cuBLASLt has no algorithm for %s",
                describe(d).c_str());
  else
    mpc_rt_fail(rt, "mpc_rt_gemm: cannot build the cuBLASLt plan of %s",
                describe(d).c_str());
  return nullptr;
}

/// The cached plan of this call, built on a miss: the route it takes and,
/// unless it is chunked, its matmul; null after a failure.
GemmPlan *callPlanFor(mpc_rt *rt, const mpc_gemm_desc &d,
                      const GemmPointers &p) {
  Matmul whole{d, d.batch, d.m, p, GemmRoute::Fused, false};
  GemmKey key = keyOf(whole);
  if (GemmPlan *plan = rt->gemmPlans->find(key))
    return plan;
  auto plan = std::make_unique<GemmPlan>();
  const char *unfusedBecause = unfusableReason(d);
  if (!unfusedBecause) {
    PlanResult result = makePlan(rt, whole, *plan);
    if (result == PlanResult::Failed)
      return failPlan(rt, d, result);
    if (result == PlanResult::Ready) {
      logRoute(rt, d, *plan, nullptr);
      return rt->gemmPlans->insert(key, std::move(plan));
    }
    unfusedBecause = "cuBLASLt has no algorithm for it";
    plan = std::make_unique<GemmPlan>();
  }
  if (d.c_type == MPC_F32) {
    whole.route = GemmRoute::ProductInC;
    if (PlanResult result = makePlan(rt, whole, *plan);
        result != PlanResult::Ready)
      return failPlan(rt, d, result);
  } else {
    // The chunks' own plans are made on their first use.
    plan->route = GemmRoute::ProductInScratch;
    plan->chunks = planGemmChunks(
        d, static_cast<int64_t>(rt->scratchBytes / sizeof(float)));
    if (plan->chunks.empty()) {
      mpc_rt_fail(rt,
                  "mpc_rt_gemm: %s needs %zu bytes of f32 scratch for one row "
                  "of its unfused epilogue, the context has %zu",
                  describe(d).c_str(), static_cast<size_t>(d.n) * sizeof(float),
                  rt->scratchBytes);
      return nullptr;
    }
  }
  logRoute(rt, d, *plan, unfusedBecause);
  return rt->gemmPlans->insert(key, std::move(plan));
}

/// The cached plan of one chunk's matmul into the scratch, built on a miss.
GemmPlan *chunkPlanFor(mpc_rt *rt, const mpc_gemm_desc &d,
                       const GemmChunk &chunk, const GemmPointers &p) {
  Matmul part{d, chunk.batch, chunk.rows, p, GemmRoute::ProductInScratch, true};
  GemmKey key = keyOf(part);
  if (GemmPlan *plan = rt->gemmPlans->find(key))
    return plan;
  auto plan = std::make_unique<GemmPlan>();
  if (PlanResult result = makePlan(rt, part, *plan);
      result != PlanResult::Ready)
    return failPlan(rt, d, result);
  return rt->gemmPlans->insert(key, std::move(plan));
}

/// Enqueues one planned matmul: a, b as given, the product into `dest`.
int runMatmul(mpc_rt *rt, const mpc_gemm_desc &d, const GemmPlan &plan,
              const GemmPointers &p, void *dest) {
  const float alpha = 1.0f, beta = 0.0f;
  cublasStatus_t status = cublasLtMatmul(
      rt->lt, plan.op, &alpha, p.b, plan.a, p.a, plan.b, &beta, dest, plan.d,
      dest, plan.d, &plan.algo, rt->workspace, rt->workspaceBytes, rt->stream);
  if (status != CUBLAS_STATUS_SUCCESS)
    return mpc_rt_fail(rt, "mpc_rt_gemm: cublasLtMatmul failed (%s) for %s",
                       cublasLtGetStatusString(status), describe(d).c_str());
  return 0;
}

/// The epilogue kernel's arguments for `batch` matrices of `rows` rows whose
/// f32 products are at `acc`, `accStride` apart.
GemmEpilogueArgs epilogueArgs(const mpc_gemm_desc &d, const GemmPointers &p,
                              const float *acc, int64_t accStride,
                              int64_t batch, int64_t rows) {
  return {acc,    accStride,   p.c,   d.c_type,   d.stride_c,
          p.bias, d.bias_type, p.aux, d.aux_type, d.epilogue,
          batch,  rows,        d.n};
}

/// Runs a ProductInScratch call chunk by chunk. Every chunk's plan is
/// resolved first, so a failure enqueues nothing.
int runChunks(mpc_rt *rt, const mpc_gemm_desc &d, const GemmPlan &plan,
              const GemmPointers &p) {
  std::vector<GemmPlan *> chunkPlans;
  chunkPlans.reserve(plan.chunks.size());
  for (const GemmChunk &chunk : plan.chunks) {
    GemmPlan *chunkPlan =
        chunkPlanFor(rt, d, chunk, chunkPointers(d, p, chunk));
    if (!chunkPlan)
      return -1;
    chunkPlans.push_back(chunkPlan);
  }
  const auto *acc = static_cast<const float *>(rt->scratch);
  for (size_t i = 0; i < plan.chunks.size(); ++i) {
    const GemmChunk &chunk = plan.chunks[i];
    GemmPointers part = chunkPointers(d, p, chunk);
    // Stream order keeps the previous chunk's epilogue ahead of this
    // matmul's writes to the scratch.
    if (runMatmul(rt, d, *chunkPlans[i], part, rt->scratch) ||
        launchGemmEpilogue(rt, epilogueArgs(d, part, acc, chunk.rows * d.n,
                                            chunk.batch, chunk.rows)))
      return -1;
  }
  return 0;
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
  GemmPlan *plan = callPlanFor(rt, d, p);
  if (!plan)
    return -1;
  switch (plan->route) {
  case GemmRoute::Fused:
    if (!setEpiloguePointers(*plan, d, p))
      return mpc_rt_fail(rt,
                         "mpc_rt_gemm: cannot set the epilogue pointers of %s",
                         describe(d).c_str());
    return runMatmul(rt, d, *plan, p, c);
  case GemmRoute::ProductInC:
    if (runMatmul(rt, d, *plan, p, c))
      return -1;
    if (d.epilogue == MPC_EPILOGUE_NONE)
      return 0;
    return launchGemmEpilogue(rt, epilogueArgs(d, p, static_cast<float *>(c),
                                               d.stride_c, d.batch, d.m));
  case GemmRoute::ProductInScratch:
    return runChunks(rt, d, *plan, p);
  }
  return mpc_rt_fail(rt, "mpc_rt_gemm: unknown route of %s",
                     describe(d).c_str());
}
