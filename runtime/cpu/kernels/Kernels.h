//===- Kernels.h - CPU reference kernels ------------------------*- C++ -*-===//
//
// The numeric kernels of the CPU reference executor: plain functions over
// contiguous row-major buffers. They are the golden model other backends are
// checked against, so each one documents its exact semantics, including the
// order in which it accumulates.
//
// Conventions: float data is f32, integer data (ids, labels) is int64_t and
// masks are uint8_t (0 or 1). Shapes are row-major; a rank-0 shape {} is a
// scalar of one element. Broadcasting follows numpy (trailing dimensions are
// aligned; a dimension of 1 stretches). Every output buffer is allocated by
// the caller with the right number of elements; outputs never alias inputs
// unless a function says so. Preconditions (compatible shapes, valid axes)
// are the caller's to check; they are only asserted.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CPU_KERNELS_KERNELS_H
#define MPC_RUNTIME_CPU_KERNELS_KERNELS_H

#include "runtime/core/AttentionLayout.h"
#include "runtime/core/DType.h"
#include "runtime/core/LossReduction.h"
#include "runtime/core/Random.h"
#include "runtime/core/ScalarMath.h"

#include <cstdint>
#include <vector>

namespace mpc::cpu {

using Shape = std::vector<int64_t>;

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

/// The number of elements of a tensor of `shape` (1 for a rank-0 shape).
int64_t numElements(const Shape &shape);

/// The numpy broadcast of `a` and `b`, which must be compatible.
Shape broadcastShapes(const Shape &a, const Shape &b);

//===----------------------------------------------------------------------===//
// Matrix product
//===----------------------------------------------------------------------===//

/// Batched matrix product. `a` is [..., M, K] ([..., K, M] if `transposeA`),
/// `b` is [..., K, N] ([..., N, K] if `transposeB`); both have rank >= 2 and
/// their leading (batch) dimensions broadcast to those of `outShape`, which is
/// [batch..., M, N]. Each output element is accumulated in f32 over k in
/// increasing order starting from 0, so the result equals, bit for bit, that
/// of a naive loop `s = 0; for k: s += a[m][k] * b[k][n]`.
void matmul(const float *a, const Shape &aShape, bool transposeA,
            const float *b, const Shape &bShape, bool transposeB, float *out,
            const Shape &outShape);

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// The op enums are expanded from runtime/core/ScalarMath.h's lists, whose
// rows also name each op's formula (mpc::math::<function>).
#define MPC_CPU_ENUMERATOR(Name, mnemonic, function, cuda, accuracy) Name,

enum class BinaryOp { MPC_BINARY_OPS(MPC_CPU_ENUMERATOR) };

/// out = a `op` b with numpy broadcasting; `outShape` must be the broadcast of
/// the operand shapes. `out` may alias an operand of the same shape.
void binary(BinaryOp op, const float *a, const Shape &aShape, const float *b,
            const Shape &bShape, float *out, const Shape &outShape);

enum class UnaryOp { MPC_UNARY_OPS(MPC_CPU_ENUMERATOR) };

/// out[i] = op(in[i]) for the `n` elements, in f32. relu keeps NaN (and maps
/// -0 to +0); gelu is the tanh approximation
/// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); silu is x sigmoid(x);
/// rsqrt is 1 / sqrt(x).
/// `out` may alias `in`.
void unary(UnaryOp op, const float *in, float *out, int64_t n);

/// out[i] = powf(in[i], exponent) for the `n` elements (mpc::math::power).
/// `out` may alias `in`.
void power(const float *in, float *out, int64_t n, float exponent);

enum class UnaryGradOp { MPC_UNARY_GRAD_OPS(MPC_CPU_ENUMERATOR) };

#undef MPC_CPU_ENUMERATOR

/// dx[i] = dy[i] * op'(...). Relu, Gelu and Silu take `saved` = the forward
/// input x (relu: dx = x > 0 ? dy : 0; gelu: the exact derivative of the tanh
/// approximation; silu: dy s (1 + x (1 - s)), s = sigmoid(x)); Tanh and
/// Sigmoid take `saved` = the forward output y (tanh: dy (1 - y^2); sigmoid:
/// dy y (1 - y)). `dx` may alias `dy`.
void unaryGrad(UnaryGradOp op, const float *dy, const float *saved, float *dx,
               int64_t n);

//===----------------------------------------------------------------------===//
// Softmax and normalization
//===----------------------------------------------------------------------===//

/// Softmax of `in` along `axis` (negative counts from the end), computed as
/// exp(x - max) / sum(exp(x - max)) with the sum in f32 in axis order.
void softmax(const float *in, float *out, const Shape &shape, int64_t axis);

/// Log-softmax along `axis`: x - max - log(sum(exp(x - max))).
void logSoftmax(const float *in, float *out, const Shape &shape, int64_t axis);

/// Gradient of softmax given its output `y`: dx = y (dy - sum_axis(dy y)).
void softmaxGrad(const float *dy, const float *y, float *dx, const Shape &shape,
                 int64_t axis);

/// Gradient of log-softmax given its output `y`:
/// dx = dy - exp(y) sum_axis(dy).
void logSoftmaxGrad(const float *dy, const float *y, float *dx,
                    const Shape &shape, int64_t axis);

/// Layer normalization of each of the `rows` rows of `cols` values:
/// y = (x - mean) / sqrt(var + epsilon) * gamma + beta, with the mean and the
/// biased variance of the row computed in double (two passes).
void layerNorm(const float *x, const float *gamma, const float *beta, float *y,
               int64_t rows, int64_t cols, double epsilon);

/// Gradient of layerNorm (the row statistics are recomputed from `x`):
/// dx = rstd (g - mean(g) - xhat mean(g xhat)) with g = dy gamma and
/// xhat = (x - mean) rstd, evaluated in double per row. `dgamma` and `dbeta`
/// ([cols]) are overwritten with sum_rows(dy xhat) and sum_rows(dy),
/// accumulated in f32 in row order.
void layerNormGrad(const float *dy, const float *x, const float *gamma,
                   float *dx, float *dgamma, float *dbeta, int64_t rows,
                   int64_t cols, double epsilon);

/// RMS normalization of each of the `rows` rows of `cols` values:
/// y = x / sqrt(mean(x^2) + epsilon) * weight, the row's statistic computed
/// in double (runtime/core/RmsNormMath.h).
void rmsNorm(const float *x, const float *weight, float *y, int64_t rows,
             int64_t cols, double epsilon);

/// Gradient of rmsNorm (the row statistic is recomputed from `x`):
/// dx = rstd (g - xhat mean(g xhat)) with g = dy weight and xhat = x rstd,
/// evaluated in double per row. `dweight` ([cols]) is overwritten with
/// sum_rows(dy xhat), accumulated in f32 in row order.
void rmsNormGrad(const float *dy, const float *x, const float *weight,
                 float *dx, float *dweight, int64_t rows, int64_t cols,
                 double epsilon);

//===----------------------------------------------------------------------===//
// Causal attention
//===----------------------------------------------------------------------===//

/// Causal self-attention of the heads of `layout`
/// (runtime/core/AttentionLayout.h): `q`, `k`, `v` and `out` hold them in
/// its order, `logSumExp` is [heads, length]. For
/// query row i, with s_j = f32(q_i . k_j) * scale for keys j <= i (the dot
/// product accumulated in f32 in increasing order, as matmul does),
/// p_j = exp(s_j - max) / sum with sum = sum_j exp(s_j - max) in increasing
/// j, out_i = sum_j p_j v_j accumulated in increasing j, and
/// logSumExp_i = max + log(sum) (runtime/core/AttentionMath.h). In f32
/// these are the bits of the unfused matmul, mul, causal_mask (-inf),
/// softmax, matmul chain; the probabilities are never rounded below f32.
/// In f16 and bf16 (`type`; attention::usesTensorCores) the tensor-core
/// kernels' numerics instead: out_i = (sum_j round(exp(s_j - max)) v_j) /
/// sum, the weights rounded to `type` and the sum of the unrounded ones.
/// q, k and v lie as `layout` says, the result as `resultLayout` (the
/// same order, or q, k and v packed: attention::packedQkvLayout); the
/// order of the rows in memory changes no bit of a head's result.
void causalAttention(const float *q, const float *k, const float *v, float *out,
                     float *logSumExp, const attention::Layout &layout,
                     const attention::Layout &resultLayout, float scale,
                     mpc_dtype type);

/// Gradient of causalAttention from the output gradient `dout`, the
/// forward's operands and its `logSumExp`: dq, dk and dv in the operands'
/// `layout`, `dout` in the result's. With the probabilities
/// recomputed as p_ij = exp(s_ij - logSumExp_i) (j <= i),
/// dP_ij = dout_i . v_j, D_i = sum_j p_ij dP_ij (increasing j) and
/// dS_ij = p_ij (dP_ij - D_i) * scale: dq_i = sum_j dS_ij k_j (increasing
/// j), dk_j = sum_i dS_ij q_i and dv_j = sum_i p_ij dout_i (increasing i),
/// all in f32. In f16 and bf16 (`type`) dS_ij and, in dv, p_ij are rounded
/// to `type` before they multiply, as on the tensor cores; D uses the
/// unrounded p_ij.
void causalAttentionGrad(const float *dout, const float *q, const float *k,
                         const float *v, const float *logSumExp, float *dq,
                         float *dk, float *dv, const attention::Layout &layout,
                         const attention::Layout &resultLayout, float scale,
                         mpc_dtype type);

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Sums `in` over `axes` (sorted, distinct, in [0, rank)). `out` holds the
/// kept dimensions in row-major order (a scalar if all are reduced). Each
/// output is accumulated in f32 in increasing input index order.
void reduceSum(const float *in, const Shape &inShape,
               const std::vector<int64_t> &axes, float *out);

/// reduceSum divided by the number of elements summed into each output.
void reduceMean(const float *in, const Shape &inShape,
                const std::vector<int64_t> &axes, float *out);

/// Whether none of the `n` values is an infinity or a NaN.
bool allFinite(const float *data, int64_t n);

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// Copies `in` broadcast (numpy) to `outShape` into `out`.
void broadcastTo(const float *in, const Shape &inShape, float *out,
                 const Shape &outShape);

/// Permutes the dimensions of `in`: dimension i of the result is dimension
/// `permutation[i]` of the input.
void transpose(const float *in, const Shape &inShape,
               const std::vector<int64_t> &permutation, float *out);

/// transpose for integer tensors.
void transpose(const int64_t *in, const Shape &inShape,
               const std::vector<int64_t> &permutation, int64_t *out);

/// Takes a strided part of `in`: element `i` (row-major over `outShape`)
/// of `out` is the input element whose index along dim d is
/// `firsts[d] + i_d * steps[d]` (steps may be negative). The ranges are the
/// caller's (runtime/core/Slicing.h clamps them) and lie inside `inShape`.
void slice(const float *in, const Shape &inShape, const Shape &firsts,
           const Shape &steps, float *out, const Shape &outShape);

/// slice for integer tensors.
void slice(const int64_t *in, const Shape &inShape, const Shape &firsts,
           const Shape &steps, int64_t *out, const Shape &outShape);

/// Gradient of slice: zeroes `dx` (the slice's input shape `dxShape`), then
/// writes each element of `dy` (the slice's result shape) where the slice
/// took it.
void sliceGrad(const float *dy, const Shape &dyShape, const Shape &firsts,
               const Shape &steps, float *dx, const Shape &dxShape);

/// Joins `inputs[k]` (of `shapes[k]`, equal outside `axis`) along `axis`
/// into `out`, in order.
void concat(const std::vector<const float *> &inputs,
            const std::vector<Shape> &shapes, int64_t axis, float *out);

/// concat for integer tensors.
void concat(const std::vector<const int64_t *> &inputs,
            const std::vector<Shape> &shapes, int64_t axis, int64_t *out);

/// Gathers row ids[i] of the [rows, dim] `table` into row i of `out`
/// ([numIds, dim]). Returns -1, or the position of the first id outside
/// [0, rows) (then `out` is only partly written).
int64_t embedding(const int64_t *ids, int64_t numIds, const float *table,
                  int64_t rows, int64_t dim, float *out);

/// Gradient of embedding: zeroes the [rows, dim] `dtable`, then adds row i of
/// `dy` to row ids[i] for i in increasing order. Ids outside [0, rows) are
/// skipped (embedding has already reported them).
void embeddingGrad(const float *dy, const int64_t *ids, int64_t numIds,
                   int64_t rows, int64_t dim, float *dtable);

//===----------------------------------------------------------------------===//
// Masking and dropout
//===----------------------------------------------------------------------===//

/// out[..., i, j] = j > i ? value : in[..., i, j] over the last two
/// dimensions of `shape` (rank >= 2). `out` may alias `in`.
void causalMask(const float *in, float *out, const Shape &shape, float value);

/// out = mask ? value : in, with `mask` (nonzero = fill) broadcast to `shape`.
/// `out` may alias `in`.
void maskedFill(const float *in, const Shape &shape, const uint8_t *mask,
                const Shape &maskShape, float value, float *out);

/// out = condition ? onTrue : onFalse (condition nonzero = take onTrue), each
/// operand broadcast to `shape`, the numpy broadcast of the three.
void where(const uint8_t *condition, const Shape &conditionShape,
           const float *onTrue, const Shape &onTrueShape, const float *onFalse,
           const Shape &onFalseShape, float *out, const Shape &shape);

/// The 64 random bits of element `index` of the mask that the dropout op
/// seeded `opSeed` draws at `step` of the run seeded `runSeed`: output
/// number index + 1 of a SplitMix64 generator seeded with
/// key = mix64(mix64(mix64(runSeed) ^ opSeed) ^ step), that is
/// mix64(key + (index + 1) * 0x9E3779B97F4A7C15), where mix64 is SplitMix64's
/// finalizer (xor-shift-multiply by 0xBF58476D1CE4E5B9 and 0x94D049BB133111EB
/// with shifts 30, 27, 31). All arithmetic wraps modulo 2^64. The formulas
/// are runtime/core/Random.h's, which the GPU's dropout uses too.
inline uint64_t dropoutBits(uint64_t runSeed, uint64_t opSeed, uint64_t step,
                            uint64_t index) {
  return random::dropoutBits(random::dropoutKey(runSeed, opSeed, step), index);
}

/// A double in [0, 1) from the top 53 of `bits`.
using random::uniform01;

/// Inverted dropout: element i is dropped (set to 0) iff
/// uniform01(dropoutBits(runSeed, opSeed, step, i)) < rate; kept elements are
/// multiplied by float(1 / (1 - rate)). The mask depends only on
/// (runSeed, opSeed, step, i), so the gradient is the same call applied to
/// dy. rate <= 0 copies; rate >= 1 drops everything. `out` may alias `in`.
void dropout(const float *in, float *out, int64_t n, double rate,
             uint64_t runSeed, uint64_t opSeed, uint64_t step);

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// The rows a cross-entropy keeps and how it combines them: the op's
/// ignore_index (MPC_NO_IGNORE_INDEX when it has none) and reduction.
struct CrossEntropyOptions {
  int64_t ignoreIndex = MPC_NO_IGNORE_INDEX;
  mpc_loss_reduction reduction = MPC_LOSS_MEAN;
};

/// The mean (or sum) over the kept rows of [rows, classes] `logits` (rows
/// whose label is not options.ignoreIndex) of logsumexp(row) - row[label],
/// accumulated in double; the mean of no rows is NaN. If a label is neither
/// ignored nor in [0, classes), *badLabelRow is set to the first such row
/// and 0 is returned; otherwise *badLabelRow is -1.
float softmaxCrossEntropy(const float *logits, const int64_t *labels,
                          int64_t rows, int64_t classes,
                          CrossEntropyOptions options, int64_t *badLabelRow);

/// Gradient of softmaxCrossEntropy scaled by `dloss`: in a kept row
/// dlogits = (softmax(row) - onehot(label)) * dloss / kept rows (mean) or
/// * dloss (sum); zero in an ignored row. Checks the labels as
/// softmaxCrossEntropy does, writing nothing when one is bad.
void softmaxCrossEntropyGrad(float dloss, const float *logits,
                             const int64_t *labels, int64_t rows,
                             int64_t classes, CrossEntropyOptions options,
                             float *dlogits, int64_t *badLabelRow);

/// mean((p - t)^2) over the `n` elements, accumulated in double.
float mseLoss(const float *p, const float *t, int64_t n);

//===----------------------------------------------------------------------===//
// Optimizers (in place on f32 master parameters and state; PyTorch semantics)
//===----------------------------------------------------------------------===//

/// Plain SGD: p -= lr (g + weightDecay p).
void sgdUpdate(float *param, const float *grad, int64_t n, float lr,
               float weightDecay);

/// SGD with momentum (dampening 0, not Nesterov): g' = g + weightDecay p;
/// buffer = momentum buffer + g'; p -= lr buffer. The buffer starts at zero,
/// so the first step sets it to g' as PyTorch does.
void momentumUpdate(float *param, const float *grad, float *buffer, int64_t n,
                    float lr, float momentum, float weightDecay);

/// AdamW step number `step` (1-based, already incremented):
/// p *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
/// p -= lr m^ / (sqrt(v^) + eps) with m^ = m / (1 - b1^step) and
/// v^ = v / (1 - b2^step). The last line is evaluated as PyTorch does:
/// p -= (lr / (1 - b1^step)) m / (sqrt(v) / sqrt(1 - b2^step) + eps), with the
/// scalar factors computed in double from the hyperparameters as given and
/// rounded to f32 once (math::adamwFactors).
void adamwUpdate(float *param, const float *grad, float *m, float *v, int64_t n,
                 int64_t step, double lr, double beta1, double beta2,
                 double eps, double weightDecay);

/// sqrt of the sum of squares of all gradients (grads[i] has sizes[i]
/// elements), accumulated in double.
float globalNorm(const std::vector<const float *> &grads,
                 const std::vector<int64_t> &sizes);

/// data[i] *= factor.
void scaleInPlace(float *data, int64_t n, float factor);

/// The factor clip_grad_norm_ scales gradients by:
/// min(1, maxNorm / (norm + 1e-6)).
using math::clipCoefficient;

//===----------------------------------------------------------------------===//
// Loss scaling (f32 scalars; PyTorch's GradScaler, DeepSpeed's hysteresis)
//===----------------------------------------------------------------------===//

/// The factor gradients are unscaled by: 1 / scale computed in double and
/// rounded to f32 once, so a power-of-two scale unscales exactly.
using math::inverseLossScale;

/// out[i] = grad[i] * inverse for the `n` elements. Returns whether any
/// grad[i] is an infinity or a NaN. `out` may alias `grad`.
bool unscaleAndCheck(const float *grad, float *out, int64_t n, float inverse);

/// The hyperparameters of dynamic loss scaling.
using math::LossScaleConfig;

/// One step of dynamic loss scaling on its state: the scale, the clean steps
/// since the last change and the overflows still tolerated before backing
/// off. On overflow: goodSteps = 0; if hysteresisLeft > 1 it is decremented
/// and the scale kept, else scale = max(scale * backoffFactor, minScale). On
/// a clean step: ++goodSteps; when it reaches growthInterval, goodSteps = 0,
/// hysteresisLeft = hysteresis and scale = min(scale * growthFactor,
/// maxScale) if that is finite in f32. Products are taken in double and
/// rounded to f32 once. The GPU's loss-scale update is the same function.
using math::updateLossScale;

} // namespace mpc::cpu

#endif // MPC_RUNTIME_CPU_KERNELS_KERNELS_H
