//===- ShapeFunctions.h - shape rules of mpc ops ----------------*- C++ -*-===//
//
// The shape and element-type rule of each mpc op, written once and used by
// both the op verifiers and the JSON importer (which infers result types).
// Each function reports a broken rule through `emitError` and fails.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_DIALECT_SHAPEFUNCTIONS_H
#define MPC_DIALECT_SHAPEFUNCTIONS_H

#include "runtime/core/AttentionLayout.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeRange.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace mpc {

using EmitErrorFn = llvm::function_ref<mlir::InFlightDiagnostic()>;

/// The tensor type of `value`, which an mpc operand always has.
inline mlir::RankedTensorType tensorType(mlir::Value value) {
  return llvm::cast<mlir::RankedTensorType>(value.getType());
}

/// Whether every dim is positive and the element count fits in int64.
bool isPositiveBoundedShape(llvm::ArrayRef<int64_t> shape);

/// Formats a shape as `[2, 3]`, for messages.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// The numpy broadcast of two shapes.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs,
                EmitErrorFn emitError);

/// add/sub/mul/div: one element type, broadcast shapes.
mlir::FailureOr<mlir::RankedTensorType>
inferBroadcastBinaryType(mlir::RankedTensorType lhs, mlir::RankedTensorType rhs,
                         EmitErrorFn emitError);

/// layer_norm's and rms_norm's epsilon: finite and positive.
mlir::LogicalResult verifyEpsilon(double epsilon, EmitErrorFn emitError);

/// dropout's rate: in [0, 1).
mlir::LogicalResult verifyDropoutRate(double rate, EmitErrorFn emitError);

/// pow's exponent: finite and within the range of f32, in which it is used.
mlir::LogicalResult verifyExponent(double exponent, EmitErrorFn emitError);

/// A fill value of causal_mask or masked_fill: any number or infinity, not
/// NaN.
mlir::LogicalResult verifyFillValue(double value, EmitErrorFn emitError);

/// softmax_cross_entropy's ignore_index: within the range of i32, as labels
/// are on the device.
mlir::LogicalResult verifyIgnoreIndex(int64_t ignoreIndex,
                                      EmitErrorFn emitError);

/// The admissible range of a hyperparameter: [low, high) or (low, high);
/// `high` may be infinite.
struct HyperparameterRange {
  double low;
  bool lowInclusive;
  double high;
};
/// (0, inf): learning rates, epsilons, norms.
extern const HyperparameterRange kPositive;
/// [0, inf): weight decay.
extern const HyperparameterRange kNonNegative;
/// [0, 1): betas, momentum.
extern const HyperparameterRange kUnitInterval;
/// (0, 1): the loss scale's backoff factor.
extern const HyperparameterRange kOpenUnitInterval;
/// (1, inf): the loss scale's growth factor.
extern const HyperparameterRange kAboveOne;

/// An optimizer hyperparameter: finite and within `range`.
mlir::LogicalResult verifyHyperparameter(llvm::StringRef name, double value,
                                         HyperparameterRange range,
                                         EmitErrorFn emitError);

/// matmul: rank >= 2 operands of one element type, matching contraction
/// dims, broadcast batch dims. The inferred element type is the operands'.
mlir::FailureOr<mlir::RankedTensorType>
inferMatmulType(mlir::RankedTensorType lhs, mlir::RankedTensorType rhs,
                bool transposeA, bool transposeB, EmitErrorFn emitError);

/// A matmul's `result` type: the shape inferMatmulType derives, an element
/// type equal to the operands' or wider.
mlir::LogicalResult verifyMatmulResult(mlir::RankedTensorType lhs,
                                       mlir::RankedTensorType rhs,
                                       bool transposeA, bool transposeB,
                                       mlir::RankedTensorType result,
                                       EmitErrorFn emitError);

/// An axis attribute: 0 <= axis < rank.
mlir::LogicalResult verifyAxis(int64_t axis, int64_t rank,
                               EmitErrorFn emitError);

/// layer_norm: gamma and beta have the shape of input's trailing dims.
mlir::LogicalResult verifyLayerNormOperands(mlir::RankedTensorType input,
                                            mlir::RankedTensorType gamma,
                                            EmitErrorFn emitError);

/// An op that computes in f32 from its `input` (NarrowInputOpInterface):
/// the input's element type is `wide`, or f16/bf16 when `wide` is f32.
mlir::LogicalResult verifyNarrowableInput(mlir::Type input, mlir::Type wide,
                                          EmitErrorFn emitError);

/// layer_norm (and add_layer_norm, with the sum as input): a valid epsilon,
/// a narrowable input, gamma of input's trailing dims, a result of the
/// params' element type or f16/bf16.
mlir::LogicalResult verifyLayerNorm(double epsilon,
                                    mlir::RankedTensorType input,
                                    mlir::RankedTensorType gamma,
                                    mlir::Type resultElement,
                                    EmitErrorFn emitError);

/// rms_norm: weight has the shape of input's last dim.
mlir::LogicalResult verifyRmsNormOperands(mlir::RankedTensorType input,
                                          mlir::RankedTensorType weight,
                                          EmitErrorFn emitError);

/// reduce_*: axes sorted, distinct and in range.
mlir::FailureOr<mlir::RankedTensorType>
inferReduceType(mlir::RankedTensorType input, llvm::ArrayRef<int64_t> axes,
                bool keepDims, EmitErrorFn emitError);

/// A reduction as the kernels run it: [outer, axis, inner] elements, the
/// reduced ones in the middle.
struct ReductionSplit {
  int64_t outer = 1, axis = 1, inner = 1;
};

/// The reduction of `shape` over `axes` as [outer, axis, inner]: size-1
/// dims change nothing and neighbouring dims of one kind merge. None when
/// the reduced dims are not adjacent.
std::optional<ReductionSplit> splitReduction(llvm::ArrayRef<int64_t> shape,
                                             llvm::ArrayRef<int64_t> axes);

/// reshape: same element count.
mlir::LogicalResult verifyReshape(mlir::RankedTensorType input,
                                  mlir::RankedTensorType result,
                                  EmitErrorFn emitError);

/// transpose: `permutation` is a permutation of [0, rank).
mlir::FailureOr<mlir::RankedTensorType>
inferTransposeType(mlir::RankedTensorType input,
                   llvm::ArrayRef<int64_t> permutation, EmitErrorFn emitError);

/// slice: one start, end and step per axis; the axes distinct and in
/// range; no step 0; no empty dim once clamped (runtime/core/Slicing.h).
mlir::FailureOr<mlir::RankedTensorType>
inferSliceType(mlir::RankedTensorType input, llvm::ArrayRef<int64_t> axes,
               llvm::ArrayRef<int64_t> starts, llvm::ArrayRef<int64_t> ends,
               llvm::ArrayRef<int64_t> steps, EmitErrorFn emitError);

/// The first element and step of every dim of a slice that inferSliceType
/// accepted: the listed axes clamped, the others whole.
void sliceStartsAndSteps(llvm::ArrayRef<int64_t> inputShape,
                         llvm::ArrayRef<int64_t> axes,
                         llvm::ArrayRef<int64_t> starts,
                         llvm::ArrayRef<int64_t> ends,
                         llvm::ArrayRef<int64_t> steps,
                         llvm::SmallVectorImpl<int64_t> &firsts,
                         llvm::SmallVectorImpl<int64_t> &strides);

/// concat: at least one input; one rank and element type; `axis` in range;
/// the other dims equal. The result's `axis` dim is the sum of the inputs'.
mlir::FailureOr<mlir::RankedTensorType>
inferConcatType(mlir::TypeRange inputs, int64_t axis, EmitErrorFn emitError);

/// embedding: a rank-2 table; result is ids.shape + [table.shape[1]].
mlir::FailureOr<mlir::RankedTensorType>
inferEmbeddingType(mlir::RankedTensorType ids, mlir::RankedTensorType table,
                   EmitErrorFn emitError);

/// `from` broadcasts to exactly `to` (numpy rules, without growing `to`).
mlir::LogicalResult verifyBroadcastsTo(llvm::ArrayRef<int64_t> from,
                                       llvm::ArrayRef<int64_t> to,
                                       llvm::StringRef fromName,
                                       llvm::StringRef toName,
                                       EmitErrorFn emitError);

/// embedding_grad: the result is the table; result_grad has the shape of
/// the embedding's result.
mlir::LogicalResult verifyEmbeddingGrad(mlir::RankedTensorType resultGrad,
                                        mlir::RankedTensorType ids,
                                        mlir::RankedTensorType table,
                                        EmitErrorFn emitError);

/// masked_fill: the mask broadcasts to the input without growing it.
mlir::LogicalResult verifyMaskedFill(mlir::RankedTensorType input,
                                     mlir::RankedTensorType mask,
                                     EmitErrorFn emitError);

/// where: branches of one element type; the result shape is the broadcast
/// of the condition's and both branches' shapes.
mlir::FailureOr<mlir::RankedTensorType>
inferWhereType(mlir::RankedTensorType condition, mlir::RankedTensorType onTrue,
               mlir::RankedTensorType onFalse, EmitErrorFn emitError);

/// causal_mask: rank >= 2.
mlir::LogicalResult verifyCausalMask(mlir::RankedTensorType input,
                                     EmitErrorFn emitError);

/// causal_attention and its gradient: query [..., T, d] with rank >= 2 (or
/// [..., T, H, d] with rank >= 3 when `sequenceMajor`), a finite nonzero
/// scale, and the log-sum-exp of shape [..., T] ([..., H, T]).
mlir::LogicalResult verifyAttentionStats(mlir::RankedTensorType query,
                                         bool sequenceMajor, double scale,
                                         mlir::RankedTensorType logSumExp,
                                         EmitErrorFn emitError);

/// The heads of a verified attention operand of type `query`, in either
/// order: head-major [..., T, d] is one group of all its heads.
attention::Layout attentionLayout(mlir::RankedTensorType query,
                                  bool sequenceMajor);

/// causal_attention_qkv and its gradient: qkv [..., T, 3, H, d] (rank >= 4),
/// `result` (the result or its gradient) qkv's shape without the 3 and of
/// its element type, and verifyAttentionStats of `result` sequence-major.
mlir::LogicalResult verifyPackedAttention(mlir::RankedTensorType qkv,
                                          mlir::RankedTensorType result,
                                          double scale,
                                          mlir::RankedTensorType logSumExp,
                                          EmitErrorFn emitError);

/// Where q (and, after attention::packedQkvPartOffset, k and v) lie in a
/// verified packed attention operand of type `qkv`.
attention::Layout packedAttentionLayout(mlir::RankedTensorType qkv);

/// softmax_cross_entropy: labels have logits' shape without its last dim.
mlir::FailureOr<mlir::RankedTensorType>
inferCrossEntropyType(mlir::RankedTensorType logits,
                      mlir::RankedTensorType labels, EmitErrorFn emitError);

/// softmax_cross_entropy_grad (and softmax_cross_entropy_with_grad): a valid
/// ignore_index, labels of the logits' leading dims, a loss gradient of the
/// logits' element type or f32 with 16-bit logits, a result of the logits'
/// element type or f16/bf16.
mlir::LogicalResult verifyCrossEntropyGrad(std::optional<int64_t> ignoreIndex,
                                           mlir::RankedTensorType logits,
                                           mlir::RankedTensorType labels,
                                           mlir::Type lossGradElement,
                                           mlir::Type resultElement,
                                           EmitErrorFn emitError);

/// mse_loss: prediction and target of one type; a scalar result.
mlir::FailureOr<mlir::RankedTensorType>
inferMseLossType(mlir::RankedTensorType prediction,
                 mlir::RankedTensorType target, EmitErrorFn emitError);

} // namespace mpc

#endif // MPC_DIALECT_SHAPEFUNCTIONS_H
