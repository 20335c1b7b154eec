//===- CostModel.h - roofline cost of a compiled step's launches -*- C++
//-*-===//
//
// The arithmetic behind mpc-cost-report, free of MLIR: the chips the report
// predicts for, the FLOPs of a GEMM, the HBM bytes of a row kernel that
// loops over its row more than once, the roofline time of one launch and the
// model FLOPs and MFU of a step. The report reads shapes and element types
// from the IR and hands plain numbers to these functions.
//
// The model is a roofline: a launch takes the longer of its FLOPs at the
// chip's peak for its precision and its HBM bytes at the chip's peak
// bandwidth. It is a lower bound on the time (real kernels reach a fraction
// of either peak, and launches have a fixed cost the roofline leaves out);
// its use is to rank launches and to show what a change saves.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_PASSES_COSTMODEL_H
#define MPC_PASSES_COSTMODEL_H

#include <cstdint>
#include <string>
#include <string_view>

namespace mpc::cost {

/// The precision a launch computes in, which selects the peak FLOP/s.
enum class Math {
  /// A GEMM, or the products of an attention kernel, on f16 inputs: the
  /// tensor cores' dense f16 peak.
  TensorF16,
  /// The same on bf16 inputs: the tensor cores' dense bf16 peak.
  TensorBf16,
  /// f32 arithmetic without tensor cores: f32 GEMMs (mpc's cuBLASLt calls
  /// use CUBLAS_COMPUTE_32F, no TF32), the f32 attention kernels and every
  /// other kernel.
  F32,
};

/// A GPU's published peaks. FLOP/s are dense (without 2:4 sparsity).
struct Chip {
  std::string_view name;
  double denseF16Flops, denseBf16Flops, f32Flops;
  double hbmBytesPerSecond;
};

/// The chip named `name` (`h100-sxm`, `h200`), or null.
const Chip *findChip(std::string_view name);

/// The names findChip knows, comma-separated, for diagnostics.
std::string chipNames();

/// The peak FLOP/s of `chip` for `math`.
double peakFlops(const Chip &chip, Math math);

/// What one launch does.
struct LaunchCost {
  Math math = Math::F32;
  double flops = 0;
  int64_t bytesRead = 0, bytesWritten = 0;
};

/// Which roof limits a launch.
enum class Bound { Compute, Memory };

/// The roofline time of `launch` on `chip`, in seconds: the longer of
/// flops / peak and bytes / bandwidth.
double predictedSeconds(const LaunchCost &launch, const Chip &chip);

/// Compute when the FLOPs take longer than the bytes, else memory (a launch
/// that does neither, such as an empty copy, is memory-bound).
Bound boundOf(const LaunchCost &launch, const Chip &chip);

/// FLOPs of a GEMM with `outputElements` results over an inner size `k`:
/// one multiply and one add per product, 2 * outputElements * k.
double gemmFlops(int64_t outputElements, int64_t k);

/// The (query, key) pairs of causal attention over `heads` heads of
/// `length` rows: length (length + 1) / 2 per head, the unmasked half and
/// the diagonal, which mpc's attention kernels compute and no more.
double causalPairs(int64_t heads, int64_t length);

/// FLOPs per (query, key) pair and head-dim element of mpc's attention
/// kernels, one multiply and one add per product: the forward's q.k and
/// p v; the backward's dq pass q.k and dO.v twice (once for the row sum
/// D, once for dS) and dS k; its dk/dv pass q.k, dO.v, p dO and dS q
/// (recomputation included). In f16 and bf16 these products run on tensor
/// cores; the softmax's exp and the per-pair scalar steps beside them are
/// not counted (the model has no term for them).
constexpr double kAttentionForwardFlops = 4, kAttentionQueryGradFlops = 10,
                 kAttentionKeyValueGradFlops = 8;

/// A row of at most this many bytes stays in the SM's L1/L2 between the
/// passes a row kernel makes over it (mpc's row kernels keep one row per
/// block; eight resident blocks of 32 KiB rows fill half of an H100 SM's
/// 256 KiB L1). A longer row is read from HBM on every pass.
constexpr int64_t kCachedRowBytes = 32 * 1024;

/// HBM bytes a row kernel reads when it makes `passes` passes over each of
/// `rows` rows of `rowBytes` bytes: once per row when the row is cached
/// (kCachedRowBytes), `passes` times otherwise.
int64_t rowPassBytes(int64_t rows, int64_t rowBytes, int passes);

/// llm.c's model FLOPs of a training step from its forward GEMM FLOPs: the
/// backward pass costs twice the forward (a GEMM's two operand gradients),
/// so 3 x forward. `forwardGemmFlops` counts an attention GEMM on a causal
/// mask at half (the unmasked half), so for a GPT the result is
/// (6 N + 6 L T C) per token, N the parameters of the GEMMs (llm.c's 6 N
/// counts all parameters; biases, layer norms and the position table add
/// under 1% for GPT-2 small).
double modelFlops(double forwardGemmFlops);

/// Model FLOP utilization: model FLOPs per second of `seconds` over the
/// chip's dense bf16 peak (the peak llm.c and PyTorch report MFU against,
/// also for f32 steps).
double mfu(double modelFlops, double seconds, const Chip &chip);

} // namespace mpc::cost

#endif // MPC_PASSES_COSTMODEL_H
