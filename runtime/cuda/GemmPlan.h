//===- GemmPlan.h - cached cuBLASLt descriptors per GEMM shape --*- C++ -*-===//
//
// A plan holds what one GEMM shape needs on every call: the route it takes
// (fused epilogue, or an f32 product in c or in the scratch, chunked), the
// matmul descriptor, the matrix layouts and the algorithm the heuristic
// chose. It is built on the first call with a given descriptor and pointer
// alignment and reused afterwards, so a replayed step costs no heuristic
// query. A chunked call's plan holds its chunks; each chunk's matmul has a
// plan of its own, keyed by the chunk's shape and pointer alignments.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_GEMMPLAN_H
#define MPC_RUNTIME_CUDA_GEMMPLAN_H

#include "GemmChunks.h"
#include "runtime/core/Hash.h"

#include <cublasLt.h>

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace mpc::cuda {

/// Whether a plan is a whole call's or one chunk's matmul, every field of
/// the (chunk's) mpc_gemm_desc, the leading dimension of a (a chunk of a
/// trans_a call keeps the whole call's) and the alignments of the pointers.
using GemmKey = std::array<int64_t, 22>;

struct GemmKeyHash {
  size_t operator()(const GemmKey &key) const {
    return static_cast<size_t>(fnv1a(std::string_view(
        reinterpret_cast<const char *>(key.data()), sizeof(GemmKey))));
  }
};

/// How a GEMM applies its epilogue.
enum class GemmRoute {
  /// cuBLASLt applies it (or there is none) and writes c.
  Fused,
  /// The matmul writes f32 products into c (c is f32); GemmEpilogue.cu
  /// finishes in place unless there is no epilogue.
  ProductInC,
  /// Per chunk, the matmul writes f32 products into the scratch and
  /// GemmEpilogue.cu writes c (and aux).
  ProductInScratch,
};

struct GemmPlan {
  GemmRoute route = GemmRoute::Fused;
  /// The chunks of a ProductInScratch call (empty in a chunk's own plan).
  std::vector<GemmChunk> chunks;
  /// Null in a ProductInScratch call's plan: its chunks' plans matmul.
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
  cublasLtMatmulAlgo_t algo{};

  GemmPlan() = default;
  GemmPlan(const GemmPlan &) = delete;
  GemmPlan &operator=(const GemmPlan &) = delete;
  ~GemmPlan() {
    if (op)
      cublasLtMatmulDescDestroy(op);
    for (cublasLtMatrixLayout_t layout : {a, b, d})
      if (layout)
        cublasLtMatrixLayoutDestroy(layout);
  }
};

class GemmPlanCache {
public:
  GemmPlan *find(const GemmKey &key) const {
    auto it = plans.find(key);
    return it == plans.end() ? nullptr : it->second.get();
  }
  GemmPlan *insert(const GemmKey &key, std::unique_ptr<GemmPlan> plan) {
    return (plans[key] = std::move(plan)).get();
  }

private:
  std::unordered_map<GemmKey, std::unique_ptr<GemmPlan>, GemmKeyHash> plans;
};

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_GEMMPLAN_H
