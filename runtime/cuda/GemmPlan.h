//===- GemmPlan.h - cached cuBLASLt descriptors per GEMM shape --*- C++ -*-===//
//
// A plan holds what one GEMM shape needs on every call: the matmul
// descriptor, the matrix layouts and the algorithm the heuristic chose. It
// is built on the first call with a given descriptor and pointer alignment
// and reused afterwards, so a replayed step costs no heuristic query.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_GEMMPLAN_H
#define MPC_RUNTIME_CUDA_GEMMPLAN_H

#include <cublasLt.h>

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace mpc::cuda {

/// Every field of an mpc_gemm_desc and the alignments of its pointers.
using GemmKey = std::array<int64_t, 20>;

struct GemmKeyHash {
  size_t operator()(const GemmKey &key) const {
    uint64_t h = 1469598103934665603ull;
    for (int64_t field : key)
      h = (h ^ static_cast<uint64_t>(field)) * 1099511628211ull;
    return static_cast<size_t>(h);
  }
};

struct GemmPlan {
  /// Whether cuBLASLt applies the epilogue itself; otherwise the matmul
  /// writes f32 products and GemmEpilogue.cu finishes.
  bool fused = false;
  /// Whether the f32 products go to the context scratch (else to c).
  bool accInScratch = false;
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
