//===- OpEvaluator.cpp - evaluates one mpc op on host tensors -------------===//
//
// The semantics of every mpc op on the CPU, each a call into the kernels of
// runtime/cpu/kernels. Float values are f32 in memory; results of f16 and
// bf16 type are rounded to nearest even after the op, so a chain of
// low-precision ops sees exactly the values the GPU would store.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/OpEvaluator.h"

#include "dialects/mpc/ElementTypes.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/OpCoverage.h"
#include "dialects/mpc/ShapeFunctions.h"
#include "runtime/core/ScalarMath.h"
#include "runtime/cpu/kernels/Kernels.h"
#include "runtime/cpu/kernels/Precision.h"
#include "runtime/driver/MemoryBudget.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using mpc::driver::HostTensor;

namespace mpc::cpu {
namespace {

Shape shapeOf(Value value) {
  auto shape = cast<RankedTensorType>(value.getType()).getShape();
  return Shape(shape.begin(), shape.end());
}

const float *data(const HostTensor *t) { return t->f32.data(); }
float *data(HostTensor &t) { return t.f32.data(); }
const int64_t *ids(const HostTensor *t) { return t->i64.data(); }

float f32(APFloat value) { return static_cast<float>(value.convertToDouble()); }

/// The element type of an attention operand, which selects the rounding of
/// the products' operands.
mpc_dtype attentionType(Value query) {
  Type element = cast<RankedTensorType>(query.getType()).getElementType();
  return static_cast<mpc_dtype>(deviceDType(element).value_or(DType::F32));
}

/// The ops the executor evaluates: each is an overload of Evaluation::visit.
using CpuEvaluated =
    OpSet<MPC_LISTED_OP_CLASSES ConstantOp, CastOp, LoadOp, StoreOp, MatmulOp,
          SoftmaxOp, LogSoftmaxOp, SoftmaxGradOp, LogSoftmaxGradOp, LayerNormOp,
          LayerNormGradOp, RmsNormOp, RmsNormGradOp, ReduceSumOp, ReduceMeanOp,
          ReshapeOp, BroadcastOp, TransposeOp, SliceOp, SliceGradOp, ConcatOp,
          EmbeddingOp, EmbeddingGradOp, CausalMaskOp, MaskedFillOp, PowOp,
          WhereOp, DropoutOp, SoftmaxCrossEntropyOp, SoftmaxCrossEntropyGradOp,
          MseLossOp, SgdUpdateOp, MomentumUpdateOp, AdamWUpdateOp,
          AdamWMultiUpdateOp, ClipByGlobalNormOp, UnscaleAndCheckOp, SelectOp,
          UpdateLossScaleOp, FusedOp, FusedMatmulOp, AddLayerNormOp,
          SoftmaxCrossEntropyWithGradOp, CausalAttentionOp,
          CausalAttentionGradOp, CausalAttentionQkvOp,
          CausalAttentionQkvGradOp>;

/// The ops the executor never evaluates, and why.
constexpr Rejection kNotEvaluated[] = {
    {"a module symbol: the executor holds it as state, which mpc.load and "
     "mpc.store read and write",
     OpSet<ParamOp>::contains},
    {"the terminator of mpc.fused, whose evaluation reads it",
     OpSet<YieldOp>::contains},
};

/// The evaluation of one op: operands in, results out.
class Evaluation {
public:
  Evaluation(Operation *op, ArrayRef<const HostTensor *> in,
             MutableArrayRef<HostTensor> out, EvalContext &context,
             std::string &error)
      : op(op), in(in), out(out), context(context), error(error) {}

  bool run() {
    return CpuEvaluated::dispatch(
        op, [&](auto op) { return visit(op); },
        [&](Operation *op) {
          std::string message = "not supported by the executor";
          if (std::optional<StringRef> reason =
                  rejectionOf(op->getName(), kNotEvaluated))
            message += (": " + *reason).str();
          return fail(message);
        });
  }

private:
  bool fail(const Twine &message) {
    error = describeLocation(op->getLoc()) + ": " +
            op->getName().getStringRef().str() + ": " + message.str();
    return false;
  }

  bool binary(BinaryOp kind) {
    cpu::binary(kind, data(in[0]), shapeOf(op->getOperand(0)), data(in[1]),
                shapeOf(op->getOperand(1)), data(out[0]),
                shapeOf(op->getResult(0)));
    return true;
  }
  bool unary(UnaryOp kind) {
    cpu::unary(kind, data(in[0]), data(out[0]), out[0].numElements());
    return true;
  }
  bool unaryGrad(UnaryGradOp kind) {
    cpu::unaryGrad(kind, data(in[0]), data(in[1]), data(out[0]),
                   out[0].numElements());
    return true;
  }
  // The ops of runtime/core/ScalarMath.h's lists, an overload per row.
#define MPC_VISIT_BINARY(Name, mnemonic, function, cuda, accuracy)             \
  bool visit(Name##Op) { return binary(BinaryOp::Name); }
#define MPC_VISIT_UNARY(Name, mnemonic, function, cuda, accuracy)              \
  bool visit(Name##Op) { return unary(UnaryOp::Name); }
#define MPC_VISIT_UNARY_GRAD(Name, mnemonic, function, cuda, accuracy)         \
  bool visit(Name##GradOp) { return unaryGrad(UnaryGradOp::Name); }
  MPC_BINARY_OPS(MPC_VISIT_BINARY)
  MPC_UNARY_OPS(MPC_VISIT_UNARY)
  MPC_UNARY_GRAD_OPS(MPC_VISIT_UNARY_GRAD)
#undef MPC_VISIT_BINARY
#undef MPC_VISIT_UNARY
#undef MPC_VISIT_UNARY_GRAD

  bool visit(ConstantOp op);
  bool visit(CastOp op);
  bool visit(LoadOp op);
  bool visit(StoreOp op);
  bool visit(MatmulOp op) {
    cpu::matmul(data(in[0]), shapeOf(op.getLhs()), op.getTransposeA(),
                data(in[1]), shapeOf(op.getRhs()), op.getTransposeB(),
                data(out[0]), shapeOf(op.getResult()));
    return true;
  }
  bool visit(SoftmaxOp op) {
    softmax(data(in[0]), data(out[0]), out[0].shape, op.getAxis());
    return true;
  }
  bool visit(LogSoftmaxOp op) {
    logSoftmax(data(in[0]), data(out[0]), out[0].shape, op.getAxis());
    return true;
  }
  bool visit(SoftmaxGradOp op) {
    softmaxGrad(data(in[0]), data(in[1]), data(out[0]), out[0].shape,
                op.getAxis());
    return true;
  }
  bool visit(LogSoftmaxGradOp op) {
    logSoftmaxGrad(data(in[0]), data(in[1]), data(out[0]), out[0].shape,
                   op.getAxis());
    return true;
  }
  bool visit(LayerNormOp op);
  bool visit(LayerNormGradOp op);
  bool visit(RmsNormOp op);
  bool visit(RmsNormGradOp op);
  bool visit(ReduceSumOp op) {
    reduceSum(data(in[0]), in[0]->shape, op.getAxes().vec(), data(out[0]));
    return true;
  }
  bool visit(ReduceMeanOp op) {
    reduceMean(data(in[0]), in[0]->shape, op.getAxes().vec(), data(out[0]));
    return true;
  }
  bool visit(ReshapeOp) {
    out[0].f32 = in[0]->f32;
    out[0].i64 = in[0]->i64;
    return true;
  }
  bool visit(BroadcastOp) {
    broadcastTo(data(in[0]), in[0]->shape, data(out[0]), out[0].shape);
    return true;
  }
  bool visit(TransposeOp op) {
    std::vector<int64_t> permutation = op.getPermutation().vec();
    if (in[0]->dtype == HostTensor::DType::F32)
      transpose(data(in[0]), in[0]->shape, permutation, data(out[0]));
    else
      transpose(ids(in[0]), in[0]->shape, permutation, out[0].i64.data());
    return true;
  }
  bool visit(SliceOp op) {
    cpu::Shape firsts, steps;
    sliceView(op, op.getInput(), firsts, steps);
    if (in[0]->dtype == HostTensor::DType::F32)
      slice(data(in[0]), in[0]->shape, firsts, steps, data(out[0]),
            out[0].shape);
    else
      slice(ids(in[0]), in[0]->shape, firsts, steps, out[0].i64.data(),
            out[0].shape);
    return true;
  }
  bool visit(SliceGradOp op) {
    cpu::Shape firsts, steps;
    sliceView(op, op.getResult(), firsts, steps);
    sliceGrad(data(in[0]), in[0]->shape, firsts, steps, data(out[0]),
              out[0].shape);
    return true;
  }
  bool visit(ConcatOp op) {
    std::vector<cpu::Shape> shapes;
    for (const HostTensor *input : in)
      shapes.push_back(input->shape);
    if (in[0]->dtype == HostTensor::DType::F32) {
      std::vector<const float *> inputs;
      for (const HostTensor *input : in)
        inputs.push_back(data(input));
      concat(inputs, shapes, op.getAxis(), data(out[0]));
    } else {
      std::vector<const int64_t *> inputs;
      for (const HostTensor *input : in)
        inputs.push_back(ids(input));
      concat(inputs, shapes, op.getAxis(), out[0].i64.data());
    }
    return true;
  }
  /// The first element and step per dim of the slice `op` takes of
  /// `sliced`.
  template <typename SliceLike>
  static void sliceView(SliceLike op, Value sliced, cpu::Shape &firsts,
                        cpu::Shape &steps) {
    SmallVector<int64_t> first, step;
    sliceStartsAndSteps(tensorType(sliced).getShape(), op.getAxes(),
                        op.getStarts(), op.getEnds(), op.getSteps(), first,
                        step);
    firsts.assign(first.begin(), first.end());
    steps.assign(step.begin(), step.end());
  }
  bool visit(EmbeddingOp op);
  bool visit(EmbeddingGradOp op);
  bool visit(CausalMaskOp op) {
    causalMask(data(in[0]), data(out[0]), out[0].shape, f32(op.getValue()));
    return true;
  }
  bool visit(MaskedFillOp op);
  bool visit(PowOp op) {
    cpu::power(data(in[0]), data(out[0]), out[0].numElements(),
               f32(op.getExponent()));
    return true;
  }
  bool visit(WhereOp op);
  bool visit(CausalAttentionOp op) {
    causalAttention(data(in[0]), data(in[1]), data(in[2]), data(out[0]),
                    data(out[1]), op.getLayout(), op.getLayout(),
                    f32(op.getScale()), attentionType(op.getQuery()));
    return true;
  }
  bool visit(CausalAttentionGradOp op) {
    causalAttentionGrad(data(in[0]), data(in[1]), data(in[2]), data(in[3]),
                        data(in[4]), data(out[0]), data(out[1]), data(out[2]),
                        op.getLayout(), op.getLayout(), f32(op.getScale()),
                        attentionType(op.getQuery()));
    return true;
  }
  bool visit(CausalAttentionQkvOp op) {
    attention::Layout layout = op.getLayout();
    const float *qkv = data(in[0]);
    causalAttention(qkv, qkv + attention::packedQkvPartOffset(layout, 1),
                    qkv + attention::packedQkvPartOffset(layout, 2),
                    data(out[0]), data(out[1]), layout, op.getResultLayout(),
                    f32(op.getScale()), attentionType(op.getQkv()));
    return true;
  }
  bool visit(CausalAttentionQkvGradOp op) {
    attention::Layout layout = op.getLayout();
    const float *qkv = data(in[1]);
    float *qkvGrad = data(out[0]);
    int64_t k = attention::packedQkvPartOffset(layout, 1),
            v = attention::packedQkvPartOffset(layout, 2);
    causalAttentionGrad(data(in[0]), qkv, qkv + k, qkv + v, data(in[2]),
                        qkvGrad, qkvGrad + k, qkvGrad + v, layout,
                        op.getResultLayout(), f32(op.getScale()),
                        attentionType(op.getQkv()));
    return true;
  }
  bool visit(DropoutOp op) {
    dropout(data(in[0]), data(out[0]), out[0].numElements(),
            op.getRate().convertToDouble(), context.runSeed, op.getSeed(),
            context.step);
    return true;
  }
  bool visit(SoftmaxCrossEntropyOp op);
  bool visit(SoftmaxCrossEntropyGradOp op);
  bool visit(SoftmaxCrossEntropyWithGradOp op);
  /// Fails for label number `row` of `labels`, neither a class nor the op's
  /// ignore_index.
  bool badLabel(std::optional<int64_t> ignoreIndex, const HostTensor &labels,
                int64_t row, int64_t classes) {
    std::string ignored = ignoreIndex ? " and is not the ignore_index " +
                                            std::to_string(*ignoreIndex)
                                      : "";
    return fail("label " + Twine(labels.i64[row]) + " at position " +
                Twine(row) + " is outside [0, " + Twine(classes) + ")" +
                ignored);
  }
  bool visit(MseLossOp) {
    out[0].f32[0] = mseLoss(data(in[0]), data(in[1]), in[0]->numElements());
    return true;
  }
  bool visit(SgdUpdateOp op);
  bool visit(MomentumUpdateOp op);
  bool visit(AdamWUpdateOp op);
  bool visit(AdamWMultiUpdateOp op);
  bool visit(ClipByGlobalNormOp op);
  bool visit(UnscaleAndCheckOp op);
  bool visit(SelectOp op);
  bool visit(UpdateLossScaleOp op);
  bool visit(FusedOp op);
  bool visit(FusedMatmulOp op);
  bool visit(AddLayerNormOp op);
  /// Whether an optimizer update with `skipIf` (its last operand) skips
  /// this step; it then returns its `kept` inputs unchanged.
  bool skips(Value skipIf, ArrayRef<unsigned> kept) {
    if (!skipIf || in.back()->i64[0] == 0)
      return false;
    for (auto [result, input] : llvm::zip_equal(out, kept))
      result.f32 = in[input]->f32;
    return true;
  }

  Operation *op;
  ArrayRef<const HostTensor *> in;
  MutableArrayRef<HostTensor> out;
  EvalContext &context;
  std::string &error;
};

bool Evaluation::visit(ConstantOp op) {
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!dense)
    return fail("only dense constants are supported");
  HostTensor &result = out[0];
  if (result.dtype == HostTensor::DType::F32) {
    int64_t i = 0;
    for (APFloat value : dense.getValues<APFloat>())
      result.f32[i++] = f32(value);
  } else {
    int64_t i = 0;
    for (APInt value : dense.getValues<APInt>())
      result.i64[i++] = value.getBitWidth() == 1 ? value.getZExtValue()
                                                 : value.getSExtValue();
  }
  return true;
}

bool Evaluation::visit(CastOp op) {
  const HostTensor &input = *in[0];
  HostTensor &result = out[0];
  int64_t n = result.numElements();
  Type target = op.getType().getElementType();
  if (input.dtype == HostTensor::DType::F32 &&
      result.dtype == HostTensor::DType::F32) {
    result.f32 = input.f32;
  } else if (input.dtype == HostTensor::DType::I64 &&
             result.dtype == HostTensor::DType::F32) {
    for (int64_t i = 0; i < n; ++i)
      result.f32[i] = static_cast<float>(input.i64[i]);
  } else if (input.dtype == HostTensor::DType::F32) {
    // Toward zero, NaN to 0, saturating at the target's range; i32 (the
    // device's integers) by the formula the GPU uses.
    unsigned width = target.getIntOrFloatBitWidth();
    double low = -std::ldexp(1.0, width - 1);
    double high = std::ldexp(1.0, width - 1) - 1;
    for (int64_t i = 0; i < n; ++i) {
      float x = input.f32[i];
      if (width == 1) {
        result.i64[i] = x != 0;
      } else if (width == 32) {
        result.i64[i] = math::toInt32(x);
      } else {
        double v = std::isnan(x) ? 0 : std::trunc(x);
        result.i64[i] =
            static_cast<int64_t>(std::fmin(std::fmax(v, low), high));
      }
    }
  } else {
    for (int64_t i = 0; i < n; ++i)
      result.i64[i] = target.isInteger(1) ? input.i64[i] != 0 : input.i64[i];
  }
  return true;
}

bool Evaluation::visit(LayerNormOp op) {
  int64_t cols =
      cast<RankedTensorType>(op.getGamma().getType()).getNumElements();
  cpu::layerNorm(data(in[0]), data(in[1]), data(in[2]), data(out[0]),
                 out[0].numElements() / cols, cols,
                 op.getEpsilon().convertToDouble());
  return true;
}

bool Evaluation::visit(LayerNormGradOp op) {
  int64_t cols = out[1].numElements();
  cpu::layerNormGrad(data(in[0]), data(in[1]), data(in[2]), data(out[0]),
                     data(out[1]), data(out[2]), out[0].numElements() / cols,
                     cols, op.getEpsilon().convertToDouble());
  return true;
}

bool Evaluation::visit(RmsNormOp op) {
  int64_t cols =
      cast<RankedTensorType>(op.getWeight().getType()).getNumElements();
  cpu::rmsNorm(data(in[0]), data(in[1]), data(out[0]),
               out[0].numElements() / cols, cols,
               op.getEpsilon().convertToDouble());
  return true;
}

bool Evaluation::visit(RmsNormGradOp op) {
  int64_t cols = out[1].numElements();
  cpu::rmsNormGrad(data(in[0]), data(in[1]), data(in[2]), data(out[0]),
                   data(out[1]), out[0].numElements() / cols, cols,
                   op.getEpsilon().convertToDouble());
  return true;
}

bool Evaluation::visit(EmbeddingOp op) {
  const HostTensor &table = *in[1];
  int64_t rows = table.shape[0], dim = table.shape[1];
  int64_t bad = cpu::embedding(ids(in[0]), in[0]->numElements(), data(in[1]),
                               rows, dim, data(out[0]));
  if (bad >= 0)
    return fail("id " + Twine(in[0]->i64[bad]) + " at position " + Twine(bad) +
                " is outside the table's " + Twine(rows) + " rows");
  return true;
}

bool Evaluation::visit(EmbeddingGradOp op) {
  const HostTensor &table = out[0];
  int64_t rows = table.shape[0];
  for (int64_t i = 0, e = in[1]->numElements(); i < e; ++i)
    if (in[1]->i64[i] < 0 || in[1]->i64[i] >= rows)
      return fail("id " + Twine(in[1]->i64[i]) + " at position " + Twine(i) +
                  " is outside the table's " + Twine(rows) + " rows");
  cpu::embeddingGrad(data(in[0]), ids(in[1]), in[1]->numElements(), rows,
                     table.shape[1], data(out[0]));
  return true;
}

bool Evaluation::visit(MaskedFillOp op) {
  std::vector<uint8_t> mask(in[1]->i64.begin(), in[1]->i64.end());
  cpu::maskedFill(data(in[0]), shapeOf(op.getInput()), mask.data(),
                  shapeOf(op.getMask()), f32(op.getValue()), data(out[0]));
  return true;
}

bool Evaluation::visit(WhereOp op) {
  std::vector<uint8_t> condition(in[0]->i64.begin(), in[0]->i64.end());
  cpu::where(condition.data(), shapeOf(op.getCondition()), data(in[1]),
             shapeOf(op.getOnTrue()), data(in[2]), shapeOf(op.getOnFalse()),
             data(out[0]), shapeOf(op.getResult()));
  return true;
}

/// The row options of a softmax_cross_entropy or its gradient.
template <typename OpTy> cpu::CrossEntropyOptions crossEntropyOptions(OpTy op) {
  cpu::CrossEntropyOptions options;
  if (std::optional<int64_t> ignored = op.getIgnoreIndex())
    options.ignoreIndex = *ignored;
  options.reduction =
      op.getReduction() == LossReduction::sum ? MPC_LOSS_SUM : MPC_LOSS_MEAN;
  return options;
}

bool Evaluation::visit(SoftmaxCrossEntropyOp op) {
  int64_t classes = in[0]->shape.back();
  int64_t rows = in[0]->numElements() / classes;
  int64_t badRow = -1;
  out[0].f32[0] = softmaxCrossEntropy(data(in[0]), ids(in[1]), rows, classes,
                                      crossEntropyOptions(op), &badRow);
  return badRow < 0 || badLabel(op.getIgnoreIndex(), *in[1], badRow, classes);
}

bool Evaluation::visit(SoftmaxCrossEntropyGradOp op) {
  int64_t classes = in[1]->shape.back();
  int64_t rows = in[1]->numElements() / classes;
  int64_t badRow = -1;
  softmaxCrossEntropyGrad(in[0]->f32[0], data(in[1]), ids(in[2]), rows, classes,
                          crossEntropyOptions(op), data(out[0]), &badRow);
  return badRow < 0 || badLabel(op.getIgnoreIndex(), *in[2], badRow, classes);
}

bool Evaluation::visit(SoftmaxCrossEntropyWithGradOp op) {
  // The two ops' kernels on the same logits: the bits of the loss and of
  // its gradient.
  int64_t classes = in[0]->shape.back();
  int64_t rows = in[0]->numElements() / classes;
  int64_t badRow = -1;
  out[0].f32[0] = softmaxCrossEntropy(data(in[0]), ids(in[1]), rows, classes,
                                      crossEntropyOptions(op), &badRow);
  if (badRow >= 0)
    return badLabel(op.getIgnoreIndex(), *in[1], badRow, classes);
  softmaxCrossEntropyGrad(in[2]->f32[0], data(in[0]), ids(in[1]), rows, classes,
                          crossEntropyOptions(op), data(out[1]), &badRow);
  return badRow < 0 || badLabel(op.getIgnoreIndex(), *in[1], badRow, classes);
}

bool Evaluation::visit(ClipByGlobalNormOp op) {
  size_t count = op.getGrads().size();
  std::vector<const float *> grads;
  std::vector<int64_t> sizes;
  for (size_t i = 0; i < count; ++i) {
    grads.push_back(data(in[i]));
    sizes.push_back(in[i]->numElements());
  }
  float norm = globalNorm(grads, sizes);
  float factor = clipCoefficient(norm, f32(op.getMaxNorm()));
  for (size_t i = 0; i < count; ++i) {
    out[i].f32 = in[i]->f32;
    scaleInPlace(data(out[i]), sizes[i], factor);
  }
  out[count].f32[0] = norm;
  return true;
}

bool Evaluation::visit(UnscaleAndCheckOp op) {
  size_t count = op.getGrads().size();
  float inverse = inverseLossScale(in[count]->f32[0]);
  bool foundInf = false;
  for (size_t i = 0; i < count; ++i)
    foundInf |= unscaleAndCheck(data(in[i]), data(out[i]), in[i]->numElements(),
                                inverse);
  out[count].i64[0] = foundInf;
  return true;
}

bool Evaluation::visit(SelectOp op) {
  const HostTensor &chosen = in[0]->i64[0] ? *in[1] : *in[2];
  out[0].f32 = chosen.f32;
  out[0].i64 = chosen.i64;
  return true;
}

bool Evaluation::visit(UpdateLossScaleOp op) {
  LossScaleConfig config{op.getGrowthFactor().convertToDouble(),
                         static_cast<int64_t>(op.getGrowthInterval()),
                         op.getBackoffFactor().convertToDouble(),
                         static_cast<int64_t>(op.getHysteresis()),
                         op.getMinScale().convertToDouble(),
                         op.getMaxScale().convertToDouble()};
  out[0].f32[0] = in[0]->f32[0];
  out[1].f32[0] = in[1]->f32[0];
  out[2].f32[0] = in[2]->f32[0];
  cpu::updateLossScale(out[0].f32[0], out[1].f32[0], out[2].f32[0],
                       in[3]->i64[0] != 0, config);
  return true;
}

bool Evaluation::visit(FusedOp op) {
  // The body's ops, one at a time on whole tensors: the same roundings as
  // the unfused ops, so the same bits.
  Block &body = op.getBody().front();
  DenseMap<Value, HostTensor> values;
  auto lookup = [&](Value value) -> const HostTensor * {
    if (auto argument = dyn_cast<BlockArgument>(value))
      return in[argument.getArgNumber()];
    return &values.find(value)->second;
  };
  SmallVector<const HostTensor *> operands;
  for (Operation &inner : body.without_terminator()) {
    operands.clear();
    for (Value operand : inner.getOperands())
      operands.push_back(lookup(operand));
    SmallVector<HostTensor, 1> results;
    for (Value result : inner.getResults())
      results.push_back(allocate(result.getType()));
    if (!evaluate(&inner, operands, results, context, error))
      return false;
    for (auto [value, result] : llvm::zip(inner.getResults(), results))
      values[value] = std::move(result);
  }
  auto yield = cast<YieldOp>(body.getTerminator());
  for (auto [result, value] : llvm::zip(out, yield.getValues()))
    result = *lookup(value);
  return true;
}

bool Evaluation::visit(AddLayerNormOp op) {
  // The sum rounded as mpc.add rounds it, then normalized as mpc.layer_norm
  // normalizes a stored input: the bits of the two ops.
  Shape shape = shapeOf(op.getSum());
  cpu::binary(BinaryOp::Add, data(in[0]), shape, data(in[1]), shape,
              data(out[0]), shape);
  roundToPrecision(deviceDType(tensorType(op.getSum()).getElementType())
                       .value_or(DType::F32),
                   data(out[0]), out[0].numElements());
  int64_t cols = tensorType(op.getGamma()).getNumElements();
  cpu::layerNorm(data(out[0]), data(in[2]), data(in[3]), data(out[1]),
                 out[1].numElements() / cols, cols,
                 op.getEpsilon().convertToDouble());
  return true;
}

bool Evaluation::visit(FusedMatmulOp op) {
  // The product stays f32 through the epilogue; evaluate() rounds each
  // result once.
  Shape shape = shapeOf(op.getResult());
  std::vector<float> acc(numElements(shape));
  cpu::matmul(data(in[0]), shapeOf(op.getLhs()), op.getTransposeA(),
              data(in[1]), shapeOf(op.getRhs()), op.getTransposeB(), acc.data(),
              shape);
  unsigned next = 2;
  if (op.getBias()) {
    const HostTensor *bias = in[next++];
    cpu::binary(BinaryOp::Add, acc.data(), shape, data(bias), bias->shape,
                acc.data(), shape);
  }
  int64_t n = static_cast<int64_t>(acc.size());
  switch (op.getEpilogue()) {
  case Epilogue::bias:
    out[0].f32 = acc;
    break;
  case Epilogue::relu:
  case Epilogue::relu_bias:
    cpu::unary(UnaryOp::Relu, acc.data(), data(out[0]), n);
    break;
  case Epilogue::gelu:
  case Epilogue::gelu_bias:
    cpu::unary(UnaryOp::Gelu, acc.data(), data(out[0]), n);
    break;
  case Epilogue::dgelu:
    cpu::unaryGrad(UnaryGradOp::Gelu, acc.data(), data(in[next]), data(out[0]),
                   n);
    break;
  }
  if (op.getPreActivation())
    out[1].f32 = std::move(acc);
  return true;
}

bool Evaluation::visit(LoadOp op) {
  out[0] = *context.params.lookup(op.getParam());
  return true;
}

bool Evaluation::visit(StoreOp op) {
  HostTensor *param = context.params.lookup(op.getParam());
  std::string name = param->name;
  *param = *in[0];
  param->name = name;
  return true;
}

/// The learning rate of an update this step, in double: its `lr`, or the
/// rate its schedule gives at the step count (operand `stepIndex`).
template <typename UpdateOp>
static double learningRateOf(UpdateOp op, ArrayRef<const HostTensor *> in,
                             unsigned stepIndex) {
  double peak = op.getLearningRate().convertToDouble();
  if (!op.getScheduleAttr())
    return peak;
  return math::scheduledLearningRate(
      peak, toRuntimeSchedule(op.getScheduleAttr()),
      static_cast<double>(in[stepIndex]->f32[0]));
}

bool Evaluation::visit(SgdUpdateOp op) {
  if (skips(op.getSkipIf(), {0}))
    return true;
  out[0].f32 = in[0]->f32;
  sgdUpdate(data(out[0]), data(in[1]), out[0].numElements(),
            static_cast<float>(learningRateOf(op, in, 2)),
            f32(op.getWeightDecay()));
  return true;
}

bool Evaluation::visit(MomentumUpdateOp op) {
  if (skips(op.getSkipIf(), {0, 2}))
    return true;
  out[0].f32 = in[0]->f32;
  out[1].f32 = in[2]->f32;
  momentumUpdate(data(out[0]), data(in[1]), data(out[1]), out[0].numElements(),
                 static_cast<float>(learningRateOf(op, in, 3)),
                 f32(op.getMomentum()), f32(op.getWeightDecay()));
  return true;
}

bool Evaluation::visit(AdamWUpdateOp op) {
  if (skips(op.getSkipIf(), {0, 2, 3}))
    return true;
  out[0].f32 = in[0]->f32;
  out[1].f32 = in[2]->f32;
  out[2].f32 = in[3]->f32;
  adamwUpdate(data(out[0]), data(in[1]), data(out[1]), data(out[2]),
              out[0].numElements(), static_cast<int64_t>(in[4]->f32[0]),
              learningRateOf(op, in, 4), op.getBeta1().convertToDouble(),
              op.getBeta2().convertToDouble(),
              op.getEpsilon().convertToDouble(),
              op.getWeightDecay().convertToDouble());
  return true;
}

/// Each tensor exactly as visit(AdamWUpdateOp): operands are params, grads,
/// m, v (n each), the copies, step[, skip_if]; results new params, m, v,
/// copies. A copy's result is its new param, which evaluate() rounds to the
/// copy's type like every result.
bool Evaluation::visit(AdamWMultiUpdateOp op) {
  size_t n = op.getParams().size();
  size_t copies = op.getCopies().size();
  size_t stepIndex = 4 * n + copies;
  bool skipped = op.getSkipIf() && in.back()->i64[0] != 0;
  double lr = learningRateOf(op, in, stepIndex);
  auto step = static_cast<int64_t>(in[stepIndex]->f32[0]);
  for (size_t i = 0; i < n; ++i) {
    HostTensor &param = out[i], &m = out[n + i], &v = out[2 * n + i];
    param.f32 = in[i]->f32;
    m.f32 = in[2 * n + i]->f32;
    v.f32 = in[3 * n + i]->f32;
    if (skipped)
      continue;
    adamwUpdate(data(param), data(in[n + i]), data(m), data(v),
                param.numElements(), step, lr, op.getBeta1().convertToDouble(),
                op.getBeta2().convertToDouble(),
                op.getEpsilon().convertToDouble(), op.getWeightDecays()[i]);
  }
  for (size_t j = 0; j < copies; ++j)
    out[3 * n + j].f32 =
        skipped ? in[4 * n + j]->f32 : out[(*op.getCopyParams())[j]].f32;
  return true;
}

} // namespace

bool isSupported(Operation *op) {
  return CpuEvaluated::contains(op->getName());
}

Coverage executorCoverage(OperationName name) {
  return {CpuEvaluated::contains(name), rejectionOf(name, kNotEvaluated)};
}

HostTensor describe(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  HostTensor result;
  result.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  bool isFloat = isa<FloatType>(tensor.getElementType());
  result.dtype = isFloat ? HostTensor::DType::F32 : HostTensor::DType::I64;
  return result;
}

std::optional<uint64_t> hostBytes(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return 0;
  bool isFloat = isa<FloatType>(tensor.getElementType());
  return driver::tensorBytes(
      {tensor.getShape().begin(), tensor.getShape().end()},
      isFloat ? sizeof(float) : sizeof(int64_t));
}

HostTensor allocate(Type type) {
  HostTensor result = describe(type);
  if (result.dtype == HostTensor::DType::F32)
    result.f32.resize(result.numElements());
  else
    result.i64.resize(result.numElements());
  return result;
}

bool evaluateUnrounded(Operation *op, ArrayRef<const HostTensor *> operands,
                       MutableArrayRef<HostTensor> results,
                       EvalContext &context, std::string &error) {
  return Evaluation(op, operands, results, context, error).run();
}

void roundResults(Operation *op, MutableArrayRef<HostTensor> results) {
  for (auto [value, result] : llvm::zip(op->getResults(), results)) {
    Type element = cast<RankedTensorType>(value.getType()).getElementType();
    if (isa<FloatType>(element))
      roundToPrecision(deviceDType(element).value_or(DType::F32),
                       result.f32.data(),
                       static_cast<int64_t>(result.f32.size()));
  }
}

bool evaluate(Operation *op, ArrayRef<const HostTensor *> operands,
              MutableArrayRef<HostTensor> results, EvalContext &context,
              std::string &error) {
  if (!evaluateUnrounded(op, operands, results, context, error))
    return false;
  roundResults(op, results);
  return true;
}

std::string describeLocation(Location loc) {
  std::string node, position;
  loc->walk([&](Location inner) {
    if (auto name = dyn_cast<NameLoc>(inner); name && node.empty())
      node = name.getName().str();
    if (auto file = dyn_cast<FileLineColLoc>(inner); file && position.empty())
      position = (file.getFilename().str() + ":" + Twine(file.getLine()) + ":" +
                  Twine(file.getColumn()))
                     .str();
    return WalkResult::advance();
  });
  if (position.empty()) {
    llvm::raw_string_ostream os(position);
    loc.print(os);
  }
  return node.empty() ? position : position + ": node '" + node + "'";
}

} // namespace mpc::cpu
