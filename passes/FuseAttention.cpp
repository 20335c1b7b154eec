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
// and no backend writes the T x T scores or probabilities. It runs on the
// forward graph, before mpc-build-train-step.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

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
        rewriter.getF64FloatAttr(scale.value_or(1.0)));
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

struct FuseAttentionPass
    : public mpc::impl::FuseAttentionBase<FuseAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patternList(&getContext());
    patternList.add<FuseCausalAttention>(&getContext());
    FrozenRewritePatternSet patterns(std::move(patternList));
    SmallVector<Operation *> roots;
    getOperation().walk([&](MatmulOp op) { roots.push_back(op); });
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    // Every match is final (what a rewrite creates matches nothing), so the
    // driver's convergence result says nothing more.
    (void)applyOpPatternsAndFold(roots, patterns, config);
  }
};

} // namespace
