//===- FuseAttention.cpp - mpc-fuse-attention -----------------------------===//
//
// Replaces causal self-attention written op by op,
//
//   %s = mpc.matmul %q, %k {transpose_b}      (or %q times a transposed %k)
//   %t = mpc.mul %s, %c                       (or div, or none; before or
//   %m = mpc.causal_mask %t value = -inf       after the mask)
//   %p = mpc.softmax %m axis = -1
//   %o = mpc.matmul %p, %v
//
// with one mpc.causal_attention, so that autodiff builds its fused gradient
// and no backend writes the T x T scores or probabilities. Then, where the
// heads were made by transposing [..., T, H, d] projections to
// [..., H, T, d] and the result is only transposed back, it folds those
// transposes into a sequence-major causal_attention that reads and writes
// [..., T, H, d] in place (its gradient does too). Last, where q, k and v
// are the three equal slices of one projection's last dim, [..., T, 3·H·d]
// as one GEMM by a [C, 3·H·d] weight writes them, it reads all three in
// place from that projection: mpc.causal_attention_qkv, whose gradient
// writes dq, dk and dv into one tensor, so the projection's backward is
// one GEMM per gradient. It runs on the forward graph, before
// mpc-build-train-step.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

#include "runtime/core/Slicing.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <cmath>
#include <optional>

namespace mpc {
#define GEN_PASS_DEF_FUSEATTENTION
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;
using namespace mpc;

namespace {

/// The value of a splat float constant, if `value` is one.
std::optional<double> splatConstant(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue());
  if (!dense || !dense.isSplat())
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToDouble();
}

/// A multiplication or division of `scores` by a splat constant, as the
/// factor it multiplies by, if `op` is one and keeps the scores' type.
std::optional<double> scaleFactor(Operation *op, Value &scores) {
  Value lhs, rhs;
  bool divides = false;
  if (auto mul = dyn_cast<MulOp>(op)) {
    lhs = mul.getLhs(), rhs = mul.getRhs();
    if (splatConstant(lhs))
      std::swap(lhs, rhs);
  } else if (auto div = dyn_cast<DivOp>(op)) {
    lhs = div.getLhs(), rhs = div.getRhs();
    divides = true;
  } else {
    return std::nullopt;
  }
  std::optional<double> factor = splatConstant(rhs);
  if (!factor || lhs.getType() != op->getResult(0).getType())
    return std::nullopt;
  scores = lhs;
  double scale = divides ? 1.0 / *factor : *factor;
  if (!std::isfinite(scale) || scale == 0)
    return std::nullopt;
  return scale;
}

/// The key operand of a score matmul `q kᵀ`: its rhs with transpose_b, or
/// the input of a transpose that swaps the last two dims of its rhs.
Value keyOf(MatmulOp scores) {
  if (scores.getTransposeA())
    return {};
  if (scores.getTransposeB())
    return scores.getRhs();
  auto transpose = scores.getRhs().getDefiningOp<TransposeOp>();
  if (!transpose || !transpose.getResult().hasOneUse())
    return {};
  ArrayRef<int64_t> permutation = transpose.getPermutation();
  int64_t rank = permutation.size();
  for (int64_t i = 0; i < rank; ++i) {
    int64_t expected = i < rank - 2 ? i : (i == rank - 2 ? rank - 1 : rank - 2);
    if (permutation[i] != expected)
      return {};
  }
  return transpose.getInput();
}

struct FuseCausalAttention : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp output,
                                PatternRewriter &rewriter) const override {
    if (output.getTransposeA() || output.getTransposeB())
      return failure();
    auto softmax = output.getLhs().getDefiningOp<SoftmaxOp>();
    if (!softmax || !softmax.getResult().hasOneUse())
      return failure();
    int64_t rank = softmax.getType().getRank();
    auto axis = static_cast<int64_t>(softmax.getAxis());
    if (axis != -1 && axis != rank - 1)
      return failure();

    // Walk back from the softmax: one causal mask with a -inf fill, at most
    // one scaling before or after it (after it only by a positive factor,
    // which keeps -inf), then the score matmul.
    SmallVector<Operation *> chain = {output, softmax};
    Value current = softmax.getInput();
    std::optional<double> scale;
    Operation *scaleConstant = nullptr;
    bool masked = false;
    while (true) {
      Operation *producer = current.getDefiningOp();
      if (!producer || !current.hasOneUse())
        return failure();
      if (auto mask = dyn_cast<CausalMaskOp>(producer)) {
        if (masked || !std::isinf(mask.getValue().convertToDouble()) ||
            mask.getValue().convertToDouble() > 0)
          return failure();
        masked = true;
        chain.push_back(mask);
        current = mask.getInput();
        continue;
      }
      Value scores;
      if (std::optional<double> factor = scaleFactor(producer, scores)) {
        if (scale || (!masked && *factor < 0))
          return failure();
        scale = factor;
        for (Value operand : producer->getOperands())
          if (operand != scores)
            scaleConstant = operand.getDefiningOp();
        chain.push_back(producer);
        current = scores;
        continue;
      }
      break;
    }
    auto scores = current.getDefiningOp<MatmulOp>();
    if (!masked || !scores || !current.hasOneUse())
      return failure();
    Value query = scores.getLhs(), key = keyOf(scores), value = output.getRhs();
    Type type = output.getType();
    if (!key || query.getType() != type || key.getType() != type ||
        value.getType() != type)
      return failure();
    chain.push_back(scores);
    if (!scores.getTransposeB())
      chain.push_back(scores.getRhs().getDefiningOp());
    // A node's precision override is the author's choice for that op alone.
    if (llvm::any_of(chain, [](Operation *op) {
          return op->hasAttr(MpcDialect::kPrecisionAttrName);
        }))
      return failure();

    SmallVector<Location> locations;
    for (Operation *op : llvm::reverse(chain))
      locations.push_back(op->getLoc());
    RankedTensorType queryType = tensorType(query);
    auto statsType = RankedTensorType::get(queryType.getShape().drop_back(),
                                           rewriter.getF32Type());
    auto attention = rewriter.create<CausalAttentionOp>(
        rewriter.getFusedLoc(locations), type, statsType, query, key, value,
        rewriter.getF64FloatAttr(scale.value_or(1.0)), UnitAttr());
    rewriter.replaceOp(output, attention.getResult());
    // The rest of the chain is dead now, producers after consumers, and so
    // is a scale constant nothing else reads.
    for (Operation *op : ArrayRef(chain).drop_front())
      rewriter.eraseOp(op);
    if (scaleConstant && scaleConstant->use_empty())
      rewriter.eraseOp(scaleConstant);
    return success();
  }
};

/// Whether `transpose` swaps the sequence and head dims of an attention
/// operand, [..., T, H, d] <-> [..., H, T, d], and has no precision override
/// (the author's choice for that op alone, which a fold would drop).
bool swapsSequenceAndHeads(TransposeOp transpose) {
  if (transpose->hasAttr(MpcDialect::kPrecisionAttrName))
    return false;
  ArrayRef<int64_t> permutation = transpose.getPermutation();
  int64_t rank = permutation.size();
  if (rank < 3)
    return false;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t expected =
        i == rank - 3 ? rank - 2 : (i == rank - 2 ? rank - 3 : i);
    if (permutation[i] != expected)
      return false;
  }
  return true;
}

/// A head-major causal_attention whose q, k and v are each such a transpose
/// and whose result is read only through such transposes becomes the
/// sequence-major op on the transposes' inputs; the transposes back are
/// replaced by its result. An operand transpose another op reads stays for
/// that reader (the attention still reads the untransposed value, and the
/// transposes around the result and in the backward still go); a result
/// that anything else reads head-major keeps the op as it is, since that
/// reader would need the transpose the fold removes.
struct FoldHeadTransposes : OpRewritePattern<CausalAttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CausalAttentionOp attention,
                                PatternRewriter &rewriter) const override {
    if (attention.getSequenceMajor())
      return failure();
    SmallVector<TransposeOp> operandTransposes;
    SmallVector<Value> inputs;
    for (Value operand :
         {attention.getQuery(), attention.getKey(), attention.getValue()}) {
      auto transpose = operand.getDefiningOp<TransposeOp>();
      if (!transpose || !swapsSequenceAndHeads(transpose))
        return failure();
      operandTransposes.push_back(transpose);
      inputs.push_back(transpose.getInput());
    }
    Value result = attention.getResult();
    SmallVector<TransposeOp> resultTransposes;
    for (Operation *user : result.getUsers()) {
      auto transpose = dyn_cast<TransposeOp>(user);
      if (!transpose || !swapsSequenceAndHeads(transpose))
        return failure();
      resultTransposes.push_back(transpose);
    }
    if (resultTransposes.empty())
      return failure();

    SmallVector<Location> locations;
    for (TransposeOp transpose : operandTransposes)
      locations.push_back(transpose.getLoc());
    locations.push_back(attention.getLoc());
    for (TransposeOp transpose : resultTransposes)
      locations.push_back(transpose.getLoc());
    auto folded = rewriter.create<CausalAttentionOp>(
        rewriter.getFusedLoc(locations), inputs[0].getType(),
        attention.getLogSumExp().getType(), inputs[0], inputs[1], inputs[2],
        attention.getScaleAttr(), rewriter.getUnitAttr());
    folded->setDiscardableAttrs(attention->getDiscardableAttrDictionary());
    for (TransposeOp transpose : resultTransposes)
      rewriter.replaceOp(transpose, folded.getResult());
    // The log-sum-exp is [..., H, T] in both orders.
    rewriter.replaceAllUsesWith(attention.getLogSumExp(),
                                folded.getLogSumExp());
    rewriter.eraseOp(attention);
    // q, k and v may share a transpose: erase each once, when unread.
    llvm::SmallPtrSet<Operation *, 3> unread;
    for (TransposeOp transpose : operandTransposes)
      if (transpose->use_empty())
        unread.insert(transpose);
    for (Operation *transpose : unread)
      rewriter.eraseOp(transpose);
    return success();
  }
};

/// The projection `value` is part `part` of (0 for q, 1 for k, 2 for v):
/// a reshape [..., T, H·d] -> [..., T, H, d] of a slice that takes the
/// part-th third of the last dim of a [..., T, 3·H·d] tensor and all of
/// every other dim. Null otherwise, or when either op has a precision
/// override (the author's choice for that op alone, which a fold would
/// drop).
Value packedProjectionOf(Value value, int64_t part) {
  auto reshape = value.getDefiningOp<ReshapeOp>();
  if (!reshape || reshape->hasAttr(MpcDialect::kPrecisionAttrName))
    return {};
  auto slice = reshape.getInput().getDefiningOp<SliceOp>();
  if (!slice || slice->hasAttr(MpcDialect::kPrecisionAttrName))
    return {};
  RankedTensorType projection = tensorType(slice.getInput());
  ArrayRef<int64_t> heads = tensorType(value).getShape();
  int64_t rank = projection.getRank();
  if (rank + 1 != static_cast<int64_t>(heads.size()) ||
      projection.getShape().drop_back() != heads.drop_back(2))
    return {};
  int64_t width = heads[rank - 1] * heads[rank];
  if (projection.getShape().back() != 3 * width)
    return {};
  // Every dim whole but the last, which takes [part·width, (part+1)·width).
  SmallVector<slicing::AxisRange> ranges;
  for (int64_t size : projection.getShape())
    ranges.push_back({0, 1, size});
  for (auto [axis, start, end, step] :
       llvm::zip(slice.getAxes(), slice.getStarts(), slice.getEnds(),
                 slice.getSteps()))
    ranges[axis] =
        slicing::clampAxisRange(projection.getDimSize(axis), start, end, step);
  for (int64_t axis = 0; axis < rank; ++axis) {
    bool last = axis == rank - 1;
    const slicing::AxisRange &range = ranges[axis];
    if (range.step != 1 || range.start != (last ? part * width : 0) ||
        range.size != (last ? width : projection.getDimSize(axis)))
      return {};
  }
  return slice.getInput();
}

/// A sequence-major causal_attention whose q, k and v are the three parts
/// of one projection (packedProjectionOf) becomes causal_attention_qkv of
/// that projection reshaped to [..., T, 3, H, d]; the slices and reshapes
/// go when nothing else reads them.
struct ReadPackedProjection : OpRewritePattern<CausalAttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CausalAttentionOp attention,
                                PatternRewriter &rewriter) const override {
    if (!attention.getSequenceMajor())
      return failure();
    Value parts[] = {attention.getQuery(), attention.getKey(),
                     attention.getValue()};
    Value projection = packedProjectionOf(parts[0], 0);
    if (!projection || packedProjectionOf(parts[1], 1) != projection ||
        packedProjectionOf(parts[2], 2) != projection)
      return failure();

    SmallVector<Location> locations;
    SmallVector<Operation *> views;
    for (Value part : parts) {
      Operation *reshape = part.getDefiningOp();
      Operation *slice = reshape->getOperand(0).getDefiningOp();
      locations.append({slice->getLoc(), reshape->getLoc()});
      views.append({reshape, slice});
    }
    locations.push_back(attention.getLoc());
    // [..., T, H, d] -> [..., T, 3, H, d].
    RankedTensorType heads = tensorType(attention.getQuery());
    SmallVector<int64_t> packedShape(heads.getShape());
    packedShape.insert(packedShape.end() - 2, 3);
    Location location = rewriter.getFusedLoc(locations);
    auto packed = rewriter.create<ReshapeOp>(
        location, RankedTensorType::get(packedShape, heads.getElementType()),
        projection);
    auto folded = rewriter.create<CausalAttentionQkvOp>(
        location, attention.getResult().getType(),
        attention.getLogSumExp().getType(), packed, attention.getScaleAttr());
    folded->setDiscardableAttrs(attention->getDiscardableAttrDictionary());
    rewriter.replaceOp(attention, folded.getResults());
    // Each reshape before its slice, which it may have been the one reader
    // of.
    for (Operation *view : views)
      if (view->use_empty())
        rewriter.eraseOp(view);
    return success();
  }
};

/// Applies `pattern` once to each op of type OpTy in `root`.
template <typename OpTy, typename Pattern> void applyToEach(Operation *root) {
  RewritePatternSet patternList(root->getContext());
  patternList.add<Pattern>(root->getContext());
  FrozenRewritePatternSet patterns(std::move(patternList));
  SmallVector<Operation *> roots;
  root->walk([&](OpTy op) { roots.push_back(op); });
  GreedyRewriteConfig config;
  config.strictMode = GreedyRewriteStrictness::ExistingOps;
  // Every match is final (what a rewrite creates matches nothing), so the
  // driver's convergence result says nothing more.
  (void)applyOpPatternsAndFold(roots, patterns, config);
}

struct FuseAttentionPass
    : public mpc::impl::FuseAttentionBase<FuseAttentionPass> {
  void runOnOperation() override {
    // First the chains, then the transposes around the ops they became,
    // then the projections they read.
    applyToEach<MatmulOp, FuseCausalAttention>(getOperation());
    applyToEach<CausalAttentionOp, FoldHeadTransposes>(getOperation());
    applyToEach<CausalAttentionOp, ReadPackedProjection>(getOperation());
  }
};

} // namespace
