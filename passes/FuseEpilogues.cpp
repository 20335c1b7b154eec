//===- FuseEpilogues.cpp - bias and activation epilogues of matmuls -------===//
//
// cuBLASLt applies a bias, a relu or gelu, or the gelu gradient to the f32
// product before writing it, and can write the pre-activation the backward
// pass needs. A matmul whose result only feeds such ops becomes one
// mpc.fused_matmul. relu_grad is not folded: cuBLASLt's DRELU reads a
// bitmask the IR does not have.
//
//===----------------------------------------------------------------------===//

#include "passes/FuseRewrites.h"

#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"

using namespace mlir;

namespace mpc {
namespace {

/// Whether `bias` can be the bias operand of an epilogue on a product of
/// type `product`: 1-D, as long as the product's last dimension.
bool isBiasOf(Value bias, RankedTensorType product) {
  RankedTensorType type = tensorType(bias);
  return type.getRank() == 1 &&
         type.getDimSize(0) == product.getShape().back() &&
         isa<FloatType>(type.getElementType());
}

/// Whether `op` is the gradient of `activation` reading its input `pre`
/// (a gelu_grad may already be a dgelu epilogue).
bool isGradientOf(Operation *op, Operation *activation, Value pre) {
  if (isa<ReluOp>(activation))
    if (auto grad = dyn_cast<ReluGradOp>(op))
      return grad.getSaved() == pre && grad.getResultGrad() != pre;
  if (isa<GeluOp>(activation)) {
    if (auto grad = dyn_cast<GeluGradOp>(op))
      return grad.getSaved() == pre && grad.getResultGrad() != pre;
    if (auto grad = dyn_cast<FusedMatmulOp>(op))
      return grad.getEpilogue() == Epilogue::dgelu && grad.getAux() == pre &&
             grad.getLhs() != pre && grad.getRhs() != pre;
  }
  return false;
}

/// The relu or gelu applied to `pre` whose result the epilogue can write:
/// its only other uses are that activation's gradients (which then read the
/// pre_activation result). Null if there is none.
Operation *foldableActivation(Value pre, Type type) {
  Operation *activation = nullptr;
  for (Operation *user : pre.getUsers()) {
    if (!isa<ReluOp, GeluOp>(user) || isNumericsProbe(user) ||
        user->getResult(0).getType() != type)
      continue;
    if (activation)
      return nullptr;
    activation = user;
  }
  if (!activation)
    return nullptr;
  for (Operation *user : pre.getUsers())
    if (user != activation && !isGradientOf(user, activation, pre))
      return nullptr;
  return activation;
}

Epilogue epilogueKind(bool hasBias, Operation *activation) {
  if (!activation)
    return Epilogue::bias;
  if (isa<ReluOp>(activation))
    return hasBias ? Epilogue::relu_bias : Epilogue::relu;
  return hasBias ? Epilogue::gelu_bias : Epilogue::gelu;
}

/// matmul [-> add bias] [-> relu | gelu] becomes one fused_matmul; the add's
/// (or the product's) other uses, the activation's gradients, read its
/// pre_activation result.
struct FoldBiasActivation : public OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp matmul,
                                PatternRewriter &rewriter) const override {
    if (isNumericsProbe(matmul))
      return rewriter.notifyMatchFailure(matmul, "probed by check-numerics");
    Value product = matmul.getResult();
    RankedTensorType type = matmul.getType();
    AddOp add;
    Value bias;
    if (product.hasOneUse())
      if (auto user = dyn_cast<AddOp>(*product.user_begin());
          user && !isNumericsProbe(user) && user.getType() == type) {
        Value other = user.getLhs() == product ? user.getRhs() : user.getLhs();
        if (other != product && isBiasOf(other, type)) {
          add = user;
          bias = other;
        }
      }
    Value pre = add ? add.getResult() : product;
    Operation *activation = foldableActivation(pre, type);
    if (!add && !activation)
      return rewriter.notifyMatchFailure(matmul, "no bias or activation");

    bool needsPre = activation && !pre.hasOneUse();
    SmallVector<Type> resultTypes{type};
    if (needsPre)
      resultTypes.push_back(type);
    SmallVector<Location> locs{matmul.getLoc()};
    if (add)
      locs.push_back(add.getLoc());
    if (activation)
      locs.push_back(activation->getLoc());

    // The bias is defined before the add, the product's uses follow it.
    rewriter.setInsertionPoint(add ? add.getOperation()
                                   : matmul.getOperation());
    auto fused = rewriter.create<FusedMatmulOp>(
        rewriter.getFusedLoc(locs), resultTypes, matmul.getLhs(),
        matmul.getRhs(), bias, /*aux=*/Value(),
        epilogueKind(bool(bias), activation), matmul.getTransposeA(),
        matmul.getTransposeB());
    fused->setDiscardableAttrs(matmul->getDiscardableAttrDictionary());

    Operation *last = activation ? activation : add.getOperation();
    if (needsPre)
      rewriter.replaceAllUsesExcept(pre, fused.getPreActivation(), activation);
    rewriter.replaceOp(last, fused.getResult());
    if (add && last != add.getOperation())
      rewriter.eraseOp(add);
    rewriter.eraseOp(matmul);
    return success();
  }
};

/// A matmul whose only use is the `dy` of a gelu_grad becomes a dgelu
/// epilogue with the gelu's input as `aux`.
struct FoldGeluGrad : public OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp matmul,
                                PatternRewriter &rewriter) const override {
    Value product = matmul.getResult();
    if (!product.hasOneUse())
      return rewriter.notifyMatchFailure(matmul, "not a single use");
    auto grad = dyn_cast<GeluGradOp>(*product.user_begin());
    if (isNumericsProbe(matmul) || isNumericsProbe(grad))
      return rewriter.notifyMatchFailure(matmul, "probed by check-numerics");
    if (!grad || grad.getResultGrad() != product ||
        grad.getSaved() == product || grad.getType() != matmul.getType())
      return rewriter.notifyMatchFailure(matmul, "not the dy of a gelu_grad");
    // The aux operand is defined before the gelu_grad.
    rewriter.setInsertionPoint(grad);
    auto fused = rewriter.create<FusedMatmulOp>(
        rewriter.getFusedLoc({matmul.getLoc(), grad.getLoc()}),
        TypeRange{grad.getType()}, matmul.getLhs(), matmul.getRhs(),
        /*bias=*/Value(), grad.getSaved(), Epilogue::dgelu,
        matmul.getTransposeA(), matmul.getTransposeB());
    fused->setDiscardableAttrs(matmul->getDiscardableAttrDictionary());
    rewriter.replaceOp(grad, fused.getResult());
    rewriter.eraseOp(matmul);
    return success();
  }
};

} // namespace

void populateEpiloguePatterns(RewritePatternSet &patterns) {
  patterns.add<FoldBiasActivation, FoldGeluGrad>(patterns.getContext());
}

} // namespace mpc
