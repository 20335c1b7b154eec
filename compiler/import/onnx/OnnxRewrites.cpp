//===- OnnxRewrites.cpp - fusing what exporters spell out -----------------===//

#include "compiler/import/onnx/OnnxRewrites.h"

#include "dialects/mpc/MpcOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVector.h"

#include <cmath>
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

/// matmul(a, transpose(b)) -> matmul(a, b, transpose_b) (and for a): the
/// exporter writes x W^T of a Linear layer as a Transpose feeding MatMul.
struct FoldTransposeIntoMatmul : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp matmul,
                                PatternRewriter &rewriter) const override {
    Value lhs = matmul.getLhs(), rhs = matmul.getRhs();
    bool transposeA = matmul.getTransposeA(),
         transposeB = matmul.getTransposeB();
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

} // namespace

void populateOnnxImportPatterns(RewritePatternSet &patterns) {
  patterns.add<ReciprocalSqrtToRsqrt, FoldTransposeIntoMatmul, TanhChainToGelu,
               SigmoidProductToSilu>(patterns.getContext());
}

} // namespace mpc::onnx_import
