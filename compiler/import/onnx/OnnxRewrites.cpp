//===- OnnxRewrites.cpp - fusing what exporters spell out -----------------===//

#include "compiler/import/onnx/OnnxRewrites.h"

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVector.h"

#include <cmath>
#include <limits>
#include <optional>
#include <utility>

using namespace mlir;

namespace mpc::onnx_import {

namespace {

/// The value of a splat float constant.
std::optional<double> splatValue(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
  if (!dense || !dense.isSplat() || !isa<FloatType>(dense.getElementType()))
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToDouble();
}

bool near(double value, double expected) {
  return std::abs(value - expected) <= 1e-6 * std::abs(expected);
}

/// The factors of a tree of muls: the product of its constant factors and
/// its other factors.
struct Product {
  double constant = 1.0;
  llvm::SmallVector<Value> factors;
};

void collectFactors(Value value, Product &product, int depth) {
  if (auto mul = value.getDefiningOp<MulOp>(); mul && depth < 8) {
    collectFactors(mul.getLhs(), product, depth + 1);
    collectFactors(mul.getRhs(), product, depth + 1);
    return;
  }
  if (auto number = splatValue(value)) {
    product.constant *= *number;
    return;
  }
  product.factors.push_back(value);
}

Product factorsOf(Value value) {
  Product product;
  collectFactors(value, product, 0);
  return product;
}

/// The operand of a two-operand add that is not the splat constant
/// `constant`, when the other one is.
Value addendBesideConstant(AddOp add, double constant) {
  if (auto number = splatValue(add.getLhs()); number && near(*number, constant))
    return add.getRhs();
  if (auto number = splatValue(add.getRhs()); number && near(*number, constant))
    return add.getLhs();
  return Value();
}

/// div(1, sqrt(x)) -> rsqrt(x).
struct ReciprocalSqrtToRsqrt : OpRewritePattern<DivOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DivOp div,
                                PatternRewriter &rewriter) const override {
    auto one = splatValue(div.getLhs());
    auto sqrt = div.getRhs().getDefiningOp<SqrtOp>();
    if (!one || *one != 1.0 || !sqrt ||
        sqrt.getInput().getType() != div.getType())
      return failure();
    rewriter.replaceOpWithNewOp<RsqrtOp>(div, div.getType(), sqrt.getInput());
    return success();
  }
};

/// Whether `transpose` swaps the last two dims and keeps the others.
bool swapsLastTwoDims(TransposeOp transpose) {
  llvm::ArrayRef<int64_t> perm = transpose.getPermutation();
  int64_t rank = static_cast<int64_t>(perm.size());
  if (rank < 2)
    return false;
  for (int64_t d = 0; d < rank - 2; ++d)
    if (perm[d] != d)
      return false;
  return perm[rank - 2] == rank - 1 && perm[rank - 1] == rank - 2;
}

/// Whether `transpose` also swaps the last two dims after moving others,
/// while moving the last dim of its input to the front of the tail: then
/// the same permutation without that last swap keeps the input's last dim
/// last (attention's keys, [B, T, H, D] -> [B, H, D, T]).
bool endsWithSwap(TransposeOp transpose) {
  llvm::ArrayRef<int64_t> perm = transpose.getPermutation();
  int64_t rank = static_cast<int64_t>(perm.size());
  return rank >= 2 && perm[rank - 2] == rank - 1 &&
         !swapsLastTwoDims(transpose);
}

/// matmul(a, transpose(b)) -> matmul(a, b, transpose_b) (and for a): the
/// exporter writes x W^T of a Linear layer as a Transpose feeding MatMul.
/// A transpose that ends with that swap keeps the rest of its permutation:
/// q @ k.permute(0, 2, 3, 1) becomes q @ k.permute(0, 2, 1, 3) with
/// transpose_b, the form mpc-fuse-attention reads.
struct FoldTransposeIntoMatmul : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp matmul,
                                PatternRewriter &rewriter) const override {
    Value lhs = matmul.getLhs(), rhs = matmul.getRhs();
    bool transposeA = matmul.getTransposeA(),
         transposeB = matmul.getTransposeB();
    if (auto transpose = rhs.getDefiningOp<TransposeOp>();
        transpose && endsWithSwap(transpose)) {
      llvm::SmallVector<int64_t> perm(transpose.getPermutation());
      std::swap(perm[perm.size() - 2], perm[perm.size() - 1]);
      auto type = inferTransposeType(
          cast<RankedTensorType>(transpose.getInput().getType()), perm,
          [&] { return transpose.emitOpError(); });
      if (failed(type))
        return failure();
      Value kept = rewriter.create<TransposeOp>(transpose.getLoc(), *type,
                                                transpose.getInput(), perm);
      rewriter.replaceOpWithNewOp<MatmulOp>(matmul, matmul.getType(), lhs, kept,
                                            transposeA, !transposeB);
      return success();
    }
    bool changed = false;
    if (auto transpose = lhs.getDefiningOp<TransposeOp>();
        transpose && swapsLastTwoDims(transpose)) {
      lhs = transpose.getInput();
      transposeA = !transposeA;
      changed = true;
    }
    if (auto transpose = rhs.getDefiningOp<TransposeOp>();
        transpose && swapsLastTwoDims(transpose)) {
      rhs = transpose.getInput();
      transposeB = !transposeB;
      changed = true;
    }
    if (!changed)
      return failure();
    rewriter.replaceOpWithNewOp<MatmulOp>(matmul, matmul.getType(), lhs, rhs,
                                          transposeA, transposeB);
    return success();
  }
};

/// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) -> gelu(x), in any
/// order of its products and sums.
struct TanhChainToGelu : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    Product outer = factorsOf(root);
    if (!near(outer.constant, 0.5) || outer.factors.size() != 2)
      return failure();
    for (int pick = 0; pick < 2; ++pick) {
      Value x = outer.factors[pick];
      auto onePlus = outer.factors[1 - pick].getDefiningOp<AddOp>();
      if (!onePlus || x.getType() != root.getType())
        continue;
      Value tanhValue = addendBesideConstant(onePlus, 1.0);
      auto tanh = tanhValue ? tanhValue.getDefiningOp<TanhOp>() : TanhOp();
      if (!tanh)
        continue;
      Product inner = factorsOf(tanh.getInput());
      if (!near(inner.constant, std::sqrt(2.0 / M_PI)) ||
          inner.factors.size() != 1)
        continue;
      auto sum = inner.factors[0].getDefiningOp<AddOp>();
      if (!sum)
        continue;
      Value cube = sum.getLhs() == x   ? sum.getRhs()
                   : sum.getRhs() == x ? sum.getLhs()
                                       : Value();
      if (!cube)
        continue;
      Product cubic = factorsOf(cube);
      if (!near(cubic.constant, 0.044715) || cubic.factors.size() != 3 ||
          !llvm::all_of(cubic.factors, [&](Value f) { return f == x; }))
        continue;
      rewriter.replaceOpWithNewOp<GeluOp>(root, root.getType(), x);
      return success();
    }
    return failure();
  }
};

/// x · sigmoid(x) -> silu(x), either operand order (torch.nn.SiLU exports
/// as Mul(x, Sigmoid(x))).
struct SigmoidProductToSilu : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [x, gate] : {std::pair{mul.getLhs(), mul.getRhs()},
                           std::pair{mul.getRhs(), mul.getLhs()}}) {
      auto sigmoid = gate.getDefiningOp<SigmoidOp>();
      if (!sigmoid || sigmoid.getInput() != x || x.getType() != mul.getType())
        continue;
      rewriter.replaceOpWithNewOp<SiluOp>(mul, mul.getType(), x);
      return success();
    }
    return failure();
  }
};

/// Whether `mask`, broadcast to a T×T tail, is true exactly above the
/// diagonal (a causal mask: key j hidden from query i when j > i).
bool isStrictUpperTriangle(DenseElementsAttr mask, int64_t size) {
  auto type = cast<RankedTensorType>(mask.getType());
  int64_t rank = type.getRank();
  if (rank < 2 || type.getDimSize(rank - 1) != size ||
      type.getDimSize(rank - 2) != size || type.getNumElements() != size * size)
    return false;
  int64_t index = 0;
  for (bool hidden : mask.getValues<bool>()) {
    if (hidden != (index % size > index / size))
      return false;
    ++index;
  }
  return true;
}

/// masked_fill(x, constant causal mask, v) -> causal_mask(x, v): nanoGPT's
/// `masked_fill(bias[:, :, :T, :T] == 0, -inf)` folds to such a constant,
/// and mpc-fuse-attention recognises causal_mask.
struct ConstantCausalMaskToCausalMask : OpRewritePattern<MaskedFillOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaskedFillOp fill,
                                PatternRewriter &rewriter) const override {
    auto constant = fill.getMask().getDefiningOp<ConstantOp>();
    auto mask = constant ? dyn_cast<DenseElementsAttr>(constant.getValue())
                         : DenseElementsAttr();
    auto type = cast<RankedTensorType>(fill.getType());
    int64_t rank = type.getRank();
    if (!mask || rank < 2 ||
        type.getDimSize(rank - 1) != type.getDimSize(rank - 2) ||
        !isStrictUpperTriangle(mask, type.getDimSize(rank - 1)))
      return failure();
    rewriter.replaceOpWithNewOp<CausalMaskOp>(fill, type, fill.getInput(),
                                              fill.getValueAttr());
    return success();
  }
};

/// The root-mean-square statistic of LLaMA's RMSNorm as exported and
/// imported: rsqrt(reduce_mean(x x, [last], keepdims) + epsilon), with
/// epsilon a finite, positive scalar constant.
struct RmsStatistic {
  Value x;
  double epsilon;
};

std::optional<RmsStatistic> matchRmsStatistic(Value value) {
  auto rsqrt = value.getDefiningOp<RsqrtOp>();
  auto sum = rsqrt ? rsqrt.getInput().getDefiningOp<AddOp>() : AddOp();
  if (!sum || sum.getType() != rsqrt.getType())
    return std::nullopt;
  for (auto [statistic, constant] : {std::pair{sum.getLhs(), sum.getRhs()},
                                     std::pair{sum.getRhs(), sum.getLhs()}}) {
    auto epsilon = splatValue(constant);
    auto mean = statistic.getDefiningOp<ReduceMeanOp>();
    if (!epsilon || !mean || statistic.getType() != sum.getType() ||
        cast<RankedTensorType>(constant.getType()).getNumElements() != 1 ||
        !std::isfinite(*epsilon) || *epsilon <= 0.0)
      continue;
    auto square = mean.getInput().getDefiningOp<MulOp>();
    auto type = cast<RankedTensorType>(mean.getInput().getType());
    int64_t rank = type.getRank();
    if (!square || square.getLhs() != square.getRhs() ||
        square.getLhs().getType() != type || rank == 0 || !mean.getKeepdims() ||
        mean.getAxes() != llvm::ArrayRef<int64_t>{rank - 1})
      continue;
    return RmsStatistic{square.getLhs(), *epsilon};
  }
  return std::nullopt;
}

/// Whether `weight` can scale rms_norm of `x`: 1-D, of x's last dim and
/// element type.
bool isRmsNormWeight(Value weight, Value x) {
  auto type = cast<RankedTensorType>(weight.getType());
  auto input = cast<RankedTensorType>(x.getType());
  return type.getRank() == 1 && input.getRank() >= 1 &&
         type.getDimSize(0) == input.getDimSize(input.getRank() - 1) &&
         type.getElementType() == input.getElementType();
}

/// x · rsqrt(mean(x²) + eps) -> rms_norm(x, ones), either operand order.
/// The weight of ones keeps the op's one form; RmsNormWeightIntoRmsNorm then
/// takes LLaMA's `* weight` into it.
struct RmsChainToRmsNorm : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [x, scale] : {std::pair{mul.getLhs(), mul.getRhs()},
                            std::pair{mul.getRhs(), mul.getLhs()}}) {
      auto statistic = matchRmsStatistic(scale);
      if (!statistic || statistic->x != x || x.getType() != mul.getType())
        continue;
      auto type = cast<RankedTensorType>(x.getType());
      auto weightType = RankedTensorType::get(
          {type.getDimSize(type.getRank() - 1)}, type.getElementType());
      Value ones = rewriter.create<ConstantOp>(
          mul.getLoc(),
          DenseElementsAttr::get(
              weightType, rewriter.getFloatAttr(type.getElementType(), 1.0)));
      rewriter.replaceOpWithNewOp<RmsNormOp>(
          mul, type, x, ones, rewriter.getF64FloatAttr(statistic->epsilon));
      return success();
    }
    return failure();
  }
};

/// rms_norm(x, ones) · weight -> rms_norm(x, weight), either operand order,
/// for a weight of x's last dim. The product is exact: rms_norm multiplies
/// the normalized value by its weight once.
struct RmsNormWeightIntoRmsNorm : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [normalized, weight] : {std::pair{mul.getLhs(), mul.getRhs()},
                                      std::pair{mul.getRhs(), mul.getLhs()}}) {
      auto norm = normalized.getDefiningOp<RmsNormOp>();
      auto one = norm ? splatValue(norm.getWeight()) : std::nullopt;
      if (!one || *one != 1.0 || !norm->hasOneUse() ||
          norm.getType() != mul.getType() ||
          !isRmsNormWeight(weight, norm.getInput()))
        continue;
      rewriter.replaceOpWithNewOp<RmsNormOp>(
          mul, norm.getType(), norm.getInput(), weight, norm.getEpsilonAttr());
      return success();
    }
    return failure();
  }
};

/// Whether `mask`, broadcast to a T×T tail, is an additive causal mask:
/// exactly -inf above the diagonal and zero on and below it in every T×T
/// slice. A mask of a large finite value (-1e9, the type's lowest) is not
/// one: added to a score it does not give causal_mask's -inf.
bool isAdditiveCausalMask(DenseElementsAttr mask, int64_t size) {
  auto type = cast<ShapedType>(mask.getType());
  int64_t rank = type.getRank();
  if (size < 2 || rank < 2 || !isa<FloatType>(type.getElementType()) ||
      type.getDimSize(rank - 1) != size || type.getDimSize(rank - 2) != size)
    return false;
  int64_t index = 0;
  for (const APFloat &value : mask.getValues<APFloat>()) {
    int64_t row = index / size % size, column = index % size;
    bool expected = column > row ? value.isInfinity() && value.isNegative()
                                 : value.isZero();
    if (!expected)
      return false;
    ++index;
  }
  return true;
}

/// add(x, constant additive causal mask) -> causal_mask(x, -inf), either
/// operand order: LLaMA's `scores + torch.triu(torch.full((T, T), -inf),
/// diagonal=1)` folds to such a constant, and mpc-fuse-attention recognises
/// causal_mask. Adding -inf gives -inf and adding zero keeps the score, so
/// the rewrite changes no finite score's result.
struct AdditiveCausalMaskToCausalMask : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(add.getType());
    int64_t rank = type.getRank();
    if (rank < 2 || type.getDimSize(rank - 1) != type.getDimSize(rank - 2))
      return failure();
    for (auto [scores, maskValue] : {std::pair{add.getLhs(), add.getRhs()},
                                     std::pair{add.getRhs(), add.getLhs()}}) {
      auto constant = maskValue.getDefiningOp<ConstantOp>();
      auto mask = constant ? dyn_cast<DenseElementsAttr>(constant.getValue())
                           : DenseElementsAttr();
      if (scores.getType() != type || !mask ||
          !isAdditiveCausalMask(mask, type.getDimSize(rank - 1)))
        continue;
      rewriter.replaceOpWithNewOp<CausalMaskOp>(
          add, type, scores,
          rewriter.getF64FloatAttr(-std::numeric_limits<double>::infinity()));
      return success();
    }
    return failure();
  }
};

} // namespace

void populateOnnxImportPatterns(RewritePatternSet &patterns) {
  patterns.add<ReciprocalSqrtToRsqrt, FoldTransposeIntoMatmul, TanhChainToGelu,
               SigmoidProductToSilu, ConstantCausalMaskToCausalMask>(
      patterns.getContext());
  patterns.add<RmsChainToRmsNorm, RmsNormWeightIntoRmsNorm>(
      patterns.getContext());
  patterns.add<AdditiveCausalMaskToCausalMask>(patterns.getContext());
}

} // namespace mpc::onnx_import
