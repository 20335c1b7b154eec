//===- CostReport.cpp - every launch of the planned step and its cost -----===//
//
// Walks each function of a fused, planned module in the order the CUDA
// emitter does and lists the launches it makes: a GEMM per matmul and
// fused_matmul (plus the relu kernel of a relu epilogue that keeps its
// pre-activation), a generated kernel per mpc.fused, the launches of each
// runtime library call, a device copy wherever the memory plan does not
// put a value in place (loads, stores, optimizer and loss-scale state, the
// function's results) and a conversion kernel per low-precision result.
//
// Bytes are what each launch reads from and writes to HBM: every operand
// once and every result once, except where the runtime's kernel makes more
// than one pass over a row too long to stay cached (CostModel.h,
// rowPassBytes), and the scratch a library call writes and reads back. A
// GEMM is costed as cuBLASLt fusing its epilogue; the runtime's exact
// route (GemmFusion.h: gelu with an f32 output, a bias of another type),
// which adds an f32 product in the scratch, is not counted. FLOPs: 2 m n k
// per GEMM at the tensor-core peak of its input type (f32 GEMMs at the f32
// peak); for kernels, one FLOP per arithmetic op of the fused body, or the
// arithmetic per element of the library kernel, at the f32 peak, except the
// products of the f16 and bf16 attention kernels, at the tensor-core peak
// (attention::usesTensorCores).
//
// Model FLOPs are llm.c's: 3 x the forward GEMM FLOPs (forward: at or
// before the op defining the `mpc.loss` result), a GEMM whose result is
// causally masked, or that reads causally masked probabilities, counted at
// half, and so are the two products of an mpc.causal_attention. For GPT-2
// that is 6 N + 6 L T C per token.
//
// format=json writes one object (tests/lit/cost-report/report.mlir,
// abridged):
//
//   {"chip": {"name":"h100-sxm","f16_flops":989500000000000, ...},
//    "functions": [{
//      "name": "step",
//      "launches": [{"location":"gemm","class":"matmul","backward":false,
//                    "math":"bf16","flops":2147483648,
//                    "bytes_read":4194304,"bytes_written":2097152,
//                    "bound":"compute","seconds":2.17e-06}, ...],
//      "classes": [{"class":"matmul","launches":1,"flops":2147483648,
//                   "bytes":6291456,"seconds":2.17e-06}, ...],
//      "summary": {"launches":5,"gemm_launches":1,"flops":2152727552,
//                  "gemm_flops":2147483648,"bytes_read":10493956,
//                  "bytes_written":6295560,"non_gemm_bytes":10498060,
//                  "seconds":5.30e-06,"model_flops":6442450944,
//                  "mfu":1.23,"arena_bytes":6291456,
//                  "peak_live_bytes":6291456}}],
//    "device_bytes": 10489860}
//
// Each launch, class and summary is written on one line; classes are in
// decreasing order of predicted time.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/mpc/ElementTypes.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ShapeFunctions.h"
#include "passes/CostModel.h"
#include "passes/MemoryPlan.h"
#include "passes/ReportSupport.h"
#include "runtime/core/AttentionMath.h"
#include "runtime/cuda/BlockPartials.h"
#include "runtime/cuda/TensorChunks.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

namespace mpc {
#define GEN_PASS_DEF_COSTREPORT
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;
using namespace mpc;
using cost::LaunchCost;
using cost::Math;

namespace {

/// AdamW's flops per element: moments, bias corrections, the update and the
/// decay.
constexpr double kAdamwFlopsPerElement = 14;

//===----------------------------------------------------------------------===//
// What the report says about one function
//===----------------------------------------------------------------------===//

struct LaunchRow {
  std::string location;
  /// The kind of launch: the op's name (`matmul`, `softmax`), `fused` or
  /// `fused cast` for generated kernels, `copy`, or the op's name and the
  /// part of a library call that launches more than once
  /// (`layer_norm_grad params`).
  std::string kind;
  bool backward;
  LaunchCost cost;
};

struct FunctionCost {
  std::string name;
  std::vector<LaunchRow> launches;
  /// The forward GEMMs' FLOPs, causal attention at half.
  double forwardGemmFlops = 0;
  int64_t arenaBytes = 0, peakLiveBytes = 0;
};

/// Launches of one kind, summed.
struct ClassTotal {
  std::string kind;
  int64_t launches = 0;
  double flops = 0;
  int64_t bytes = 0;
  double seconds = 0;
};

struct Totals {
  int64_t launches = 0, gemmLaunches = 0;
  double flops = 0, gemmFlops = 0;
  int64_t bytesRead = 0, bytesWritten = 0, nonGemmBytes = 0;
  double seconds = 0;
};

//===----------------------------------------------------------------------===//
// Sizes
//===----------------------------------------------------------------------===//

int64_t elementsOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getNumElements();
}

/// Bytes of a value on the device (MemoryPlan's element sizes).
int64_t bytesOf(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return type.getNumElements() *
         deviceElementBytes(type.getElementType()).value_or(4);
}

int64_t bytesOf(ValueRange values) {
  int64_t bytes = 0;
  for (Value value : values)
    bytes += bytesOf(value);
  return bytes;
}

/// The size of the last dimension (1 for a scalar).
int64_t lastDim(Value value) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(value.getType()).getShape();
  return shape.empty() ? 1 : shape.back();
}

/// The math a GEMM on these operands runs: the tensor cores' f16 or bf16
/// when both are, else f32.
Math gemmMath(Value lhs, Value rhs) {
  Type a = getElementTypeOrSelf(lhs.getType()),
       b = getElementTypeOrSelf(rhs.getType());
  if (a.isF16() && b.isF16())
    return Math::TensorF16;
  if (a.isBF16() && b.isBF16())
    return Math::TensorBf16;
  return Math::F32;
}

/// The math of the attention kernels on `query` (its head dim last in
/// either layout): the tensor cores' f16 or bf16 where the kernels multiply
/// there, else f32.
Math attentionMath(Value query) {
  auto type = cast<RankedTensorType>(query.getType());
  std::optional<DType> dtype = deviceDType(type.getElementType());
  if (!dtype || !attention::usesTensorCores(static_cast<mpc_dtype>(*dtype),
                                            type.getShape().back()))
    return Math::F32;
  return *dtype == DType::F16 ? Math::TensorF16 : Math::TensorBf16;
}

StringRef mathName(Math math) {
  switch (math) {
  case Math::TensorF16:
    return "f16";
  case Math::TensorBf16:
    return "bf16";
  case Math::F32:
    return "f32";
  }
  return "f32";
}

/// The buffer the memory plan gave `value`: its op's mpc.buffers entry, or
/// null for a block argument or an unplanned op.
Attribute bufferOf(Value value) {
  auto result = dyn_cast<OpResult>(value);
  if (!result)
    return {};
  auto buffers =
      result.getOwner()->getAttrOfType<ArrayAttr>(MpcDialect::kBuffersAttrName);
  if (!buffers || buffers.size() <= result.getResultNumber())
    return {};
  return buffers[result.getResultNumber()];
}

/// Whether `value` lives in the storage of state symbol `symbol`.
bool inState(Value value, StringRef symbol) {
  auto buffer = dyn_cast_or_null<BufferAttr>(bufferOf(value));
  return buffer && buffer.getKind() == BufferKind::state &&
         buffer.getSymbol() && buffer.getSymbol().getValue() == symbol;
}

/// Whether two values share one planned buffer (an update in place).
bool sameBuffer(Value a, Value b) {
  Attribute first = bufferOf(a);
  return first && first == bufferOf(b);
}

//===----------------------------------------------------------------------===//
// Causal attention
//===----------------------------------------------------------------------===//

bool isGemm(Operation *op) { return isa<MatmulOp, FusedMatmulOp>(op); }

/// Whether a causal mask is applied to `value` before any GEMM uses what
/// follows from it: the scores of causal attention.
bool reachesCausalMask(Value value, llvm::DenseSet<Value> &seen) {
  if (!seen.insert(value).second)
    return false;
  for (Operation *user : value.getUsers()) {
    if (isa<CausalMaskOp>(user))
      return true;
    if (isGemm(user))
      continue;
    for (Value result : user->getResults())
      if (reachesCausalMask(result, seen))
        return true;
  }
  return false;
}

/// Whether `value` follows from a causal mask through ops other than GEMMs:
/// the probabilities of causal attention.
bool followsCausalMask(Value value, llvm::DenseSet<Value> &seen) {
  if (!seen.insert(value).second)
    return false;
  Operation *op = value.getDefiningOp();
  if (!op || isGemm(op))
    return false;
  if (isa<CausalMaskOp>(op))
    return true;
  return llvm::any_of(op->getOperands(), [&](Value operand) {
    return followsCausalMask(operand, seen);
  });
}

/// Whether a GEMM computes causal attention scores or applies causal
/// probabilities: only the unmasked half of its products count as model
/// FLOPs.
bool isCausalAttention(Operation *gemm) {
  llvm::DenseSet<Value> seen;
  if (reachesCausalMask(gemm->getResult(0), seen))
    return true;
  seen.clear();
  return llvm::any_of(gemm->getOperands(), [&](Value operand) {
    return followsCausalMask(operand, seen);
  });
}

//===----------------------------------------------------------------------===//
// Collecting
//===----------------------------------------------------------------------===//

/// Lists the launches of one function.
class Collector {
public:
  Collector(func::FuncOp function) : function(function) {
    report.name = function.getName().str();
    if (auto bytes = function->getAttrOfType<IntegerAttr>(
            MpcDialect::kArenaBytesAttrName))
      report.arenaBytes = bytes.getInt();
    if (auto bytes = function->getAttrOfType<IntegerAttr>(
            MpcDialect::kPeakLiveBytesAttrName))
      report.peakLiveBytes = bytes.getInt();
  }

  FunctionCost collect() {
    Operation *lossOp = findLossOp(function);
    bool backward = false;
    for (Operation &op : function.getBody().front()) {
      current = &op;
      inBackward = backward;
      visit(&op);
      if (&op == lossOp)
        backward = true;
    }
    return std::move(report);
  }

private:
  void add(StringRef kind, Math math, double flops, int64_t read,
           int64_t written) {
    report.launches.push_back({describeOrUnknown(current->getLoc()), kind.str(),
                               inBackward,
                               LaunchCost{math, flops, read, written}});
  }
  /// A kernel in f32 arithmetic.
  void kernel(StringRef kind, double flops, int64_t read, int64_t written) {
    add(kind, Math::F32, flops, read, written);
  }
  /// A device-to-device copy of `value`.
  void copy(Value value) { kernel("copy", 0, bytesOf(value), bytesOf(value)); }
  /// Copies `from` into `to`'s buffer unless the plan put them together.
  void copyUnlessInPlace(Value from, Value to) {
    if (!sameBuffer(from, to))
      copy(from);
  }
  /// One launch of the op's kind that reads every operand and writes every
  /// result once, with `flopsPerElement` per element of its first result.
  void library(Operation *op, double flopsPerElement) {
    kernel(opName(op), flopsPerElement * elementsOf(op->getResult(0)),
           bytesOf(op->getOperands()), bytesOf(op->getResults()));
  }

  void gemm(Operation *op, Value lhs, Value rhs, Value result,
            int64_t extraRead, int64_t extraWritten) {
    ArrayRef<int64_t> lhsShape =
        cast<RankedTensorType>(lhs.getType()).getShape();
    bool transposeA = op->hasAttr("transpose_a");
    int64_t k = lhsShape[lhsShape.size() - (transposeA ? 2 : 1)];
    double flops = cost::gemmFlops(elementsOf(result), k);
    if (!inBackward)
      report.forwardGemmFlops += isCausalAttention(op) ? flops / 2 : flops;
    add(opName(op), gemmMath(lhs, rhs), flops,
        bytesOf(lhs) + bytesOf(rhs) + extraRead,
        bytesOf(result) + extraWritten);
  }

  /// A row kernel's launch: `passes` passes over each row of `rowInputs`
  /// (rows along the last dimension), every other operand read once.
  void rows(Operation *op, StringRef kind, ValueRange rowInputs, int passes,
            int64_t otherRead, int64_t written, double flopsPerElement) {
    int64_t read = otherRead;
    for (Value input : rowInputs) {
      int64_t cols = lastDim(input);
      int64_t rowCount = cols == 0 ? 0 : elementsOf(input) / cols;
      if (rowCount != 0)
        read += cost::rowPassBytes(rowCount, bytesOf(input) / rowCount, passes);
    }
    kernel(kind, flopsPerElement * elementsOf(rowInputs.front()), read,
           written);
  }

  void visit(Operation *op) {
    llvm::TypeSwitch<Operation *>(op)
        .Case([&](LoadOp load) {
          if (!inState(load.getResult(), load.getParam()))
            copy(load.getResult());
        })
        .Case([&](StoreOp store) {
          if (!inState(store.getValue(), store.getParam()))
            copy(store.getValue());
        })
        .Case([&](ConstantOp constant) {
          kernel("fill", 0, 0, bytesOf(constant.getResult()));
        })
        .Case([&](FusedOp fused) {
          // One FLOP per arithmetic op of the body per element; casts and
          // constants are free.
          int64_t ops = 0;
          for (Operation &inner : fused.getBody().front())
            if (!isa<CastOp, ConstantOp, YieldOp>(inner))
              ++ops;
          bool onlyCasts = ops == 0 && llvm::any_of(fused.getBody().front(),
                                                    [](Operation &inner) {
                                                      return isa<CastOp>(inner);
                                                    });
          kernel(onlyCasts ? "fused cast" : "fused",
                 double(ops) * elementsOf(fused.getResult(0)),
                 bytesOf(fused.getInputs()), bytesOf(fused.getResults()));
        })
        .Case([&](MatmulOp matmul) {
          gemm(matmul, matmul.getLhs(), matmul.getRhs(), matmul.getResult(), 0,
               0);
        })
        .Case([&](FusedMatmulOp matmul) { fusedMatmul(matmul); })
        .Case([&](SoftmaxOp softmax) {
          // max, sum of exp, then the normalised write: three passes.
          rows(op, "softmax", softmax.getInput(), 3, 0,
               bytesOf(softmax.getResult()), 5);
        })
        .Case([&](LogSoftmaxOp softmax) {
          rows(op, "log_softmax", softmax.getInput(), 3, 0,
               bytesOf(softmax.getResult()), 5);
        })
        .Case([&](SoftmaxGradOp grad) {
          // sum(dy y), then the write: two passes over dy and y.
          rows(op, "softmax_grad", grad->getOperands(), 2, 0,
               bytesOf(grad.getResult()), 4);
        })
        .Case([&](LogSoftmaxGradOp grad) {
          rows(op, "log_softmax_grad", grad->getOperands(), 2, 0,
               bytesOf(grad.getResult()), 4);
        })
        .Case([&](LayerNormOp norm) {
          // mean, variance, then the write.
          rows(op, "layer_norm", norm.getInput(), 3,
               bytesOf(norm.getGamma()) + bytesOf(norm.getBeta()),
               bytesOf(norm.getResult()), 8);
        })
        .Case([&](AddLayerNormOp norm) { addLayerNorm(norm); })
        .Case([&](LayerNormGradOp grad) { layerNormGrad(grad); })
        .Case([&](RmsNormOp norm) {
          // The sum of squares, then the write.
          rows(op, "rms_norm", norm.getInput(), 2, bytesOf(norm.getWeight()),
               bytesOf(norm.getResult()), 4);
        })
        .Case([&](RmsNormGradOp grad) { rmsNormGrad(grad); })
        .Case([&](CausalAttentionOp attention) {
          causalAttention(attention, attention.getLayout(),
                          attention.getResult());
        })
        .Case([&](CausalAttentionQkvOp attention) {
          causalAttention(attention, attention.getLayout(),
                          attention.getResult());
        })
        .Case([&](CausalAttentionGradOp grad) {
          causalAttentionGrad(grad, grad.getLayout(), grad.getResultGrad(),
                              grad.getLogSumExp(), bytesOf(grad->getResults()));
        })
        .Case([&](CausalAttentionQkvGradOp grad) {
          causalAttentionGrad(grad, grad.getLayout(), grad.getResultGrad(),
                              grad.getLogSumExp(), bytesOf(grad.getQkvGrad()));
        })
        .Case([&](ReduceSumOp sum) { reduce(sum, sum.getAxes()); })
        .Case([&](ReduceMeanOp mean) { reduce(mean, mean.getAxes()); })
        .Case<TransposeOp, CausalMaskOp>(
            [&](Operation *op) { library(op, isa<TransposeOp>(op) ? 0 : 1); })
        .Case([&](EmbeddingOp embedding) {
          // Reads the looked-up rows of the table, not all of it.
          kernel("embedding", 0,
                 bytesOf(embedding.getIds()) + bytesOf(embedding.getResult()),
                 bytesOf(embedding.getResult()));
        })
        .Case([&](EmbeddingGradOp grad) {
          kernel("embedding_grad clear", 0, 0, bytesOf(grad.getResult()));
          kernel("embedding_grad", elementsOf(grad.getResultGrad()),
                 bytesOf(grad->getOperands()), bytesOf(grad.getResultGrad()));
        })
        .Case([&](SliceOp slice) {
          // Reads the elements it takes, not the whole input.
          kernel("slice", 0, bytesOf(slice.getResult()),
                 bytesOf(slice.getResult()));
        })
        .Case([&](SliceGradOp grad) {
          kernel("slice_grad clear", 0, 0, bytesOf(grad.getResult()));
          kernel("slice_grad", 0, bytesOf(grad.getResultGrad()),
                 bytesOf(grad.getResultGrad()));
        })
        .Case([&](ConcatOp concat) {
          // One copy per input into its block of the result.
          for (Value input : concat.getInputs())
            kernel("concat", 0, bytesOf(input), bytesOf(input));
        })
        .Case([&](DropoutOp dropout) {
          kernel("dropout key", 0, 0, 16);
          library(dropout, 2);
        })
        .Case([&](SoftmaxCrossEntropyOp loss) {
          // The row max and the sum of exp in one online pass; then the
          // mean.
          Value logits = loss.getLogits();
          int64_t rowsCount = elementsOf(logits) / lastDim(logits);
          rows(op, "softmax_cross_entropy", logits, 1,
               bytesOf(loss.getLabels()), 4 * rowsCount, 4);
          kernel("softmax_cross_entropy mean", rowsCount, 4 * rowsCount, 4);
        })
        .Case([&](SoftmaxCrossEntropyGradOp grad) {
          // Max and sum of exp in one online pass, then the gradient: two
          // passes.
          rows(op, "softmax_cross_entropy_grad", grad.getLogits(), 2,
               bytesOf(grad.getLabels()) + bytesOf(grad.getLossGrad()),
               bytesOf(grad.getResult()), 6);
        })
        .Case(
            [&](SoftmaxCrossEntropyWithGradOp merged) { lossWithGrad(merged); })
        .Case([&](MseLossOp loss) {
          constexpr int64_t kPartials = 1024 * 8; // kMseBlocks doubles
          kernel("mse_loss", 3.0 * elementsOf(loss.getPrediction()),
                 bytesOf(loss->getOperands()), kPartials);
          kernel("mse_loss mean", 1024, kPartials, 4);
        })
        .Case([&](UnscaleAndCheckOp unscale) {
          kernel("unscale_and_check clear", 0, 0, 1);
          multiTensor("unscale_and_check", unscale.getGrads(), 2);
        })
        .Case([&](ClipByGlobalNormOp clip) {
          int64_t elements = 0;
          for (Value grad : clip.getGrads())
            elements += elementsOf(grad);
          kernel("clip_by_global_norm sum", 2.0 * elements,
                 bytesOf(clip.getGrads()), 4);
          kernel("clip_by_global_norm coefficient", 1, 4, 4);
          multiTensor("clip_by_global_norm", clip.getGrads(), 1);
        })
        .Case([&](UpdateLossScaleOp update) {
          Value states[] = {update.getScale(), update.getGoodSteps(),
                            update.getHysteresisLeft()};
          for (auto [state, result] : llvm::zip(states, update->getResults()))
            copyUnlessInPlace(state, result);
          library(update, 1);
        })
        .Case([&](SgdUpdateOp update) {
          copyUnlessInPlace(update.getParam(), update.getNewParam());
          library(update, 3);
        })
        .Case([&](MomentumUpdateOp update) {
          copyUnlessInPlace(update.getParam(), update.getNewParam());
          copyUnlessInPlace(update.getBuffer(), update.getNewBuffer());
          library(update, 5);
        })
        .Case([&](AdamWUpdateOp update) {
          copyUnlessInPlace(update.getParam(), update.getNewParam());
          copyUnlessInPlace(update.getM(), update.getNewM());
          copyUnlessInPlace(update.getV(), update.getNewV());
          library(update, kAdamwFlopsPerElement);
        })
        .Case([&](AdamWMultiUpdateOp update) {
          for (auto [from, to] :
               llvm::zip(update.getParams(), update.getNewParams()))
            copyUnlessInPlace(from, to);
          for (auto [from, to] : llvm::zip(update.getM(), update.getNewM()))
            copyUnlessInPlace(from, to);
          for (auto [from, to] : llvm::zip(update.getV(), update.getNewV()))
            copyUnlessInPlace(from, to);
          multiTensorAdamw(update);
        })
        .Case([&](func::ReturnOp ret) {
          // Results leave in f32 (or int32 for flags): a conversion kernel
          // from a low-precision value, a copy otherwise.
          for (Value value : ret.getOperands()) {
            Type type = getElementTypeOrSelf(value.getType());
            if (type.isF16() || type.isBF16() || type.isInteger(1))
              kernel("result convert", 0, bytesOf(value),
                     elementsOf(value) * 4);
            else
              copy(value);
          }
        });
  }

  void fusedMatmul(FusedMatmulOp op) {
    Value pre = op.getPreActivation(), bias = op.getBias(), aux = op.getAux();
    int64_t biasBytes = bias ? bytesOf(bias) : 0;
    bool relu = op.getEpilogue() == Epilogue::relu ||
                op.getEpilogue() == Epilogue::relu_bias;
    if (pre && relu) {
      // cuBLASLt writes no pre-activation with relu: the GEMM writes it and
      // a relu kernel the result (CudaEmitter).
      gemm(op, op.getLhs(), op.getRhs(), pre, biasBytes, 0);
      kernel("fused_matmul relu", elementsOf(pre), bytesOf(pre),
             bytesOf(op.getResult()));
      return;
    }
    gemm(op, op.getLhs(), op.getRhs(), op.getResult(),
         biasBytes + (aux ? bytesOf(aux) : 0), pre ? bytesOf(pre) : 0);
  }

  /// A row normalization's backward (layer_norm_grad, rms_norm_grad): its
  /// parameter gradients and the flops per element of its input gradient
  /// and of its parameter-gradient terms.
  struct NormalizationGrad {
    int64_t paramGrads, rowFlops;
    double termFlops;
  };

  /// One launch (runtime/cuda/NormalizationGrad.cuh): three passes over
  /// each row of dy and x, dx written, each block's f32 partials written to
  /// the scratch, and read back and added by the last block into the
  /// parameter gradients.
  void normalizationGrad(Operation *op, Value x, Value param, Value inputGrad,
                         const NormalizationGrad &grad) {
    Value dy = op->getOperand(0);
    int64_t cols = elementsOf(param);
    int64_t rowCount = cols == 0 ? 0 : elementsOf(x) / cols;
    auto partials = static_cast<int64_t>(
        cuda::planNormalization(rowCount, cols, grad.paramGrads,
                                cuda::kScratchBytes)
            .partialBytes());
    int64_t elements = std::max<int64_t>(1, elementsOf(x));
    rows(op, opName(op), ValueRange{dy, x}, 3, bytesOf(param) + partials,
         bytesOf(op->getResults()) + partials,
         grad.rowFlops + grad.termFlops + double(partials) / 4 / elements);
  }

  /// One pass reads the addends and writes the sum; the statistics and the
  /// normalized write reread the sum, from cache when its row fits
  /// (kCachedRowBytes), else from HBM on each of the three passes.
  void addLayerNorm(AddLayerNormOp op) {
    Value sum = op.getSum();
    int64_t cols = lastDim(sum);
    int64_t rowCount = cols == 0 ? 0 : elementsOf(sum) / cols;
    int64_t rowBytes = rowCount == 0 ? 0 : bytesOf(sum) / rowCount;
    int64_t reread = rowBytes <= cost::kCachedRowBytes ? 0 : 3 * bytesOf(sum);
    kernel("add_layer_norm", 9.0 * elementsOf(sum),
           bytesOf(op.getLhs()) + bytesOf(op.getRhs()) +
               bytesOf(op.getGamma()) + bytesOf(op.getBeta()) + reread,
           bytesOf(sum) + bytesOf(op.getResult()));
  }

  /// One launch: the statistics pass and the gradient's write pass over
  /// each row (the logits read twice when a row exceeds kCachedRowBytes),
  /// one f32 loss per row into the scratch, which the last block reads
  /// back with the labels for the mean; a mean with an ignore_index first
  /// counts the kept rows, as the gradient does.
  void lossWithGrad(SoftmaxCrossEntropyWithGradOp op) {
    Value logits = op.getLogits();
    int64_t rowsCount = elementsOf(logits) / lastDim(logits);
    if (op.getIgnoreIndex() && op.getReduction() == LossReduction::mean)
      kernel("softmax_cross_entropy_with_grad count", rowsCount,
             bytesOf(op.getLabels()), 8);
    rows(op, "softmax_cross_entropy_with_grad", logits, 2,
         2 * bytesOf(op.getLabels()) + bytesOf(op.getLossGrad()) +
             4 * rowsCount,
         bytesOf(op.getGrad()) + 4 * rowsCount + 4, 6);
  }

  void layerNormGrad(LayerNormGradOp op) {
    normalizationGrad(op, op.getInput(), op.getGamma(), op.getInputGrad(),
                      {/*paramGrads=*/2, /*rowFlops=*/12, /*termFlops=*/4.0});
  }

  void rmsNormGrad(RmsNormGradOp op) {
    normalizationGrad(op, op.getInput(), op.getWeight(), op.getInputGrad(),
                      {/*paramGrads=*/1, /*rowFlops=*/10, /*termFlops=*/3.0});
  }

  /// A sum or mean over adjacent axes: one launch over [outer, axis,
  /// inner] (splitReduction, as the CUDA emitter launches it); over a
  /// middle axis, the partials of its slices (BlockPartials.h) written to
  /// the scratch and read back by the last block. Axes that are not
  /// adjacent, which the CUDA backend rejects, count as a plain kernel.
  void reduce(Operation *op, ArrayRef<int64_t> axes) {
    ReductionSplit split =
        splitReduction(
            cast<RankedTensorType>(op->getOperand(0).getType()).getShape(),
            axes)
            .value_or(ReductionSplit{});
    int64_t partials =
        split.inner == 1
            ? 0
            : static_cast<int64_t>(
                  cuda::planColumnReduce(split.outer, split.axis, split.inner,
                                         cuda::kScratchBytes)
                      .partialBytes());
    kernel(opName(op), elementsOf(op->getResult(0)) + double(partials) / 4,
           bytesOf(op->getOperands()) + partials,
           bytesOf(op->getResults()) + partials);
  }

  /// The pairs and head dim of an attention op of `layout` (either order:
  /// the op reads and writes each operand's bytes once in both).
  static std::pair<double, int64_t> attentionShape(attention::Layout layout) {
    return {cost::causalPairs(attention::headCount(layout), layout.length),
            layout.dim};
  }

  /// One launch that reads q, k and v once (its tiles of k and v stay in
  /// L2 between the query blocks of a head) and writes the output and the
  /// log-sum-exp; the T x T scores never reach HBM. Its model FLOPs are the
  /// unfused chain's two GEMMs at half. q, k and v may be separate or
  /// packed in one operand: the same bytes either way.
  void causalAttention(Operation *op, attention::Layout layout, Value result) {
    auto [pairs, dim] = attentionShape(layout);
    if (!inBackward)
      report.forwardGemmFlops +=
          cost::gemmFlops(elementsOf(result) / dim * layout.length, dim);
    add("causal_attention", attentionMath(result),
        cost::kAttentionForwardFlops * dim * pairs, bytesOf(op->getOperands()),
        bytesOf(op->getResults()));
  }

  /// Two launches, each reading every operand once: dq, which also writes
  /// the rows' D (f32, like the log-sum-exp) to scratch, then dk and dv,
  /// which read it back. `gradBytes` are those of dq, dk and dv together.
  void causalAttentionGrad(Operation *op, attention::Layout layout,
                           Value resultGrad, Value logSumExp,
                           int64_t gradBytes) {
    auto [pairs, dim] = attentionShape(layout);
    int64_t read = bytesOf(op->getOperands());
    int64_t rowBytes = bytesOf(logSumExp);
    Math math = attentionMath(resultGrad);
    add("causal_attention_grad dq", math,
        cost::kAttentionQueryGradFlops * dim * pairs, read,
        gradBytes / 3 + rowBytes);
    add("causal_attention_grad dk dv", math,
        cost::kAttentionKeyValueGradFlops * dim * pairs, read + rowBytes,
        gradBytes - gradBytes / 3);
  }

  /// A multi-tensor kernel over `values` reading each `reads` times and
  /// writing each once.
  void multiTensor(StringRef kind, ValueRange values, int reads) {
    int64_t bytes = bytesOf(values), elements = 0;
    for (Value value : values)
      elements += elementsOf(value);
    kernel(kind, double(elements), reads * bytes, bytes);
  }

  /// mpc_rt_adamw_multi: one launch per kTensorsPerLaunch tensors, each
  /// reading param, grad, m and v and writing param, m and v, with
  /// mpc.adamw_update's flops per element, and writing the 16-bit copy of
  /// those that have one; every launch reads the step (and the flag).
  void multiTensorAdamw(AdamWMultiUpdateOp update) {
    size_t count = update.getParams().size();
    llvm::SmallVector<int64_t> copyBytes(count, 0);
    for (auto [index, copy] :
         llvm::zip(update.getCopyParams().value_or(ArrayRef<int64_t>()),
                   update.getNewCopies()))
      copyBytes[index] = bytesOf(copy);
    const auto perLaunch = static_cast<size_t>(mpc::cuda::kTensorsPerLaunch);
    for (size_t first = 0; first < count; first += perLaunch) {
      size_t end = std::min(count, first + perLaunch);
      int64_t elements = 0, written = 0;
      int64_t read = bytesOf(update.getStep()) +
                     (update.getSkipIf() ? bytesOf(update.getSkipIf()) : 0);
      for (size_t i = first; i < end; ++i) {
        elements += elementsOf(update.getParams()[i]);
        read += bytesOf(update.getParams()[i]) + bytesOf(update.getGrads()[i]) +
                bytesOf(update.getM()[i]) + bytesOf(update.getV()[i]);
        written += bytesOf(update.getNewParams()[i]) +
                   bytesOf(update.getNewM()[i]) + bytesOf(update.getNewV()[i]) +
                   copyBytes[i];
      }
      kernel(opName(update), kAdamwFlopsPerElement * double(elements), read,
             written);
    }
  }

  func::FuncOp function;
  FunctionCost report;
  Operation *current = nullptr;
  bool inBackward = false;
};

/// Parameters and state, the largest arena (one arena serves every
/// function), and every function's inputs and results: what the manifest
/// plans on the device.
int64_t deviceBytes(ModuleOp module) {
  int64_t bytes = 0, arena = 0;
  for (ParamOp param : module.getOps<ParamOp>())
    if (auto type = dyn_cast<RankedTensorType>(param.getType()))
      bytes += type.getNumElements() *
               deviceElementBytes(type.getElementType()).value_or(4);
  for (auto function : module.getOps<func::FuncOp>()) {
    if (function.isExternal())
      continue;
    if (auto attr = function->getAttrOfType<IntegerAttr>(
            MpcDialect::kArenaBytesAttrName))
      arena = std::max(arena, attr.getInt());
    for (Type type : llvm::concat<const Type>(function.getArgumentTypes(),
                                              function.getResultTypes()))
      if (auto tensor = dyn_cast<RankedTensorType>(type))
        bytes += tensor.getNumElements() *
                 deviceElementBytes(tensor.getElementType()).value_or(4);
  }
  return bytes + arena;
}

//===----------------------------------------------------------------------===//
// Summing
//===----------------------------------------------------------------------===//

Totals totalsOf(const FunctionCost &report, const cost::Chip &chip) {
  Totals totals;
  for (const LaunchRow &row : report.launches) {
    bool isGemmRow = row.kind == "matmul" || row.kind == "fused_matmul";
    int64_t bytes = row.cost.bytesRead + row.cost.bytesWritten;
    ++totals.launches;
    totals.flops += row.cost.flops;
    totals.bytesRead += row.cost.bytesRead;
    totals.bytesWritten += row.cost.bytesWritten;
    totals.seconds += cost::predictedSeconds(row.cost, chip);
    if (isGemmRow) {
      ++totals.gemmLaunches;
      totals.gemmFlops += row.cost.flops;
    } else {
      totals.nonGemmBytes += bytes;
    }
  }
  return totals;
}

/// Launches grouped by kind, the most predicted time first.
std::vector<ClassTotal> classesOf(const FunctionCost &report,
                                  const cost::Chip &chip) {
  llvm::StringMap<size_t> index;
  std::vector<ClassTotal> classes;
  for (const LaunchRow &row : report.launches) {
    auto [it, inserted] = index.try_emplace(row.kind, classes.size());
    if (inserted)
      classes.push_back({row.kind});
    ClassTotal &total = classes[it->second];
    ++total.launches;
    total.flops += row.cost.flops;
    total.bytes += row.cost.bytesRead + row.cost.bytesWritten;
    total.seconds += cost::predictedSeconds(row.cost, chip);
  }
  llvm::stable_sort(classes, [](const ClassTotal &a, const ClassTotal &b) {
    return a.seconds > b.seconds;
  });
  return classes;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

/// A decimal quantity with a unit prefix: `1.65 G`, `512 k`, `12`.
std::string scaled(double value) {
  static const char *const kPrefixes[] = {"", " k", " M", " G", " T", " P"};
  int prefix = 0;
  while (std::abs(value) >= 1000 && prefix < 5) {
    value /= 1000;
    ++prefix;
  }
  if (prefix == 0)
    return llvm::formatv("{0}", static_cast<int64_t>(value));
  return llvm::formatv("{0:f2}{1}", value, kPrefixes[prefix]);
}

std::string bytesText(double bytes) { return scaled(bytes) + "B"; }
std::string flopsText(double flops) { return scaled(flops) + "FLOP"; }

/// Seconds in the unit that reads best: `12.34 ms`, `5.67 us`.
std::string timeText(double seconds) {
  if (seconds >= 1)
    return llvm::formatv("{0:f3} s", seconds);
  if (seconds >= 1e-3)
    return llvm::formatv("{0:f2} ms", seconds * 1e3);
  if (seconds >= 1e-6)
    return llvm::formatv("{0:f2} us", seconds * 1e6);
  return llvm::formatv("{0:f2} ns", seconds * 1e9);
}

std::string percent(double fraction) {
  return llvm::formatv("{0:f1}%", fraction * 100);
}

StringRef boundName(cost::Bound bound) {
  return bound == cost::Bound::Compute ? "compute" : "memory";
}

void writeTable(llvm::raw_ostream &os, ArrayRef<FunctionCost> reports,
                const cost::Chip &chip, int64_t device) {
  for (auto [i, report] : llvm::enumerate(reports)) {
    if (i != 0)
      os << "\n";
    Totals totals = totalsOf(report, chip);
    double modelFlops = cost::modelFlops(report.forwardGemmFlops);
    os << "@" << report.name << " on " << chip.name << ": " << totals.launches
       << " launches, " << bytesText(totals.bytesRead + totals.bytesWritten)
       << ", " << flopsText(totals.flops) << ", predicted "
       << timeText(totals.seconds) << "\n";

    if (!report.launches.empty()) {
      SmallVector<SmallVector<std::string>> rows;
      rows.push_back({"location", "launch", "math", "flops", "read", "written",
                      "bound", "time"});
      for (const LaunchRow &row : report.launches)
        rows.push_back({row.location + (row.backward ? " (backward)" : ""),
                        row.kind, mathName(row.cost.math).str(),
                        scaled(row.cost.flops), scaled(row.cost.bytesRead),
                        scaled(row.cost.bytesWritten),
                        boundName(cost::boundOf(row.cost, chip)).str(),
                        timeText(cost::predictedSeconds(row.cost, chip))});
      os << "  launches:\n";
      writeColumns(os, rows,
                   {false, false, false, true, true, true, false, true});

      rows.clear();
      rows.push_back({"launch", "count", "flops", "bytes", "time", "share"});
      for (const ClassTotal &total : classesOf(report, chip))
        rows.push_back(
            {total.kind, std::to_string(total.launches), scaled(total.flops),
             scaled(total.bytes), timeText(total.seconds),
             percent(totals.seconds > 0 ? total.seconds / totals.seconds : 0)});
      os << "  by kind:\n";
      writeColumns(os, rows, {false, true, true, true, true, true});
    }

    os << "  summary:\n";
    os << "    launches: " << totals.launches << " (" << totals.gemmLaunches
       << " GEMMs)\n";
    os << "    bytes: read " << totals.bytesRead << ", written "
       << totals.bytesWritten << " ("
       << bytesText(totals.bytesRead + totals.bytesWritten)
       << "; outside GEMMs " << bytesText(totals.nonGemmBytes) << ")\n";
    os << llvm::formatv("    flops: {0:e3} ({1} in GEMMs)\n", totals.flops,
                        flopsText(totals.gemmFlops));
    os << "    predicted: " << timeText(totals.seconds) << "\n";
    os << llvm::formatv("    model flops: {0:e3}; MFU {1}\n", modelFlops,
                        percent(cost::mfu(modelFlops, totals.seconds, chip)));
    os << "    memory: arena " << report.arenaBytes << " ("
       << bytesText(report.arenaBytes) << "), peak live "
       << report.peakLiveBytes << " (" << bytesText(report.peakLiveBytes)
       << ")\n";
  }
  os << "device memory planned: " << device << " (" << bytesText(device)
     << ")\n";
}

void writeJson(llvm::raw_ostream &os, ArrayRef<FunctionCost> reports,
               const cost::Chip &chip, int64_t device) {
  os << "{\n  \"chip\": " << jsonLine([&](llvm::json::OStream &json) {
    json.attribute("name", std::string(chip.name));
    json.attribute("f16_flops", chip.denseF16Flops);
    json.attribute("bf16_flops", chip.denseBf16Flops);
    json.attribute("f32_flops", chip.f32Flops);
    json.attribute("hbm_bytes_per_second", chip.hbmBytesPerSecond);
  }) << ",\n  \"functions\": [";
  for (auto [i, report] : llvm::enumerate(reports)) {
    os << (i == 0 ? "\n" : ",\n") << "    {\n";
    os << "      \"name\": " << llvm::json::Value(report.name) << ",\n";
    std::vector<std::string> launches;
    for (const LaunchRow &row : report.launches)
      launches.push_back(jsonLine([&](llvm::json::OStream &json) {
        json.attribute("location", row.location);
        json.attribute("class", row.kind);
        json.attribute("backward", row.backward);
        json.attribute("math", mathName(row.cost.math));
        json.attribute("flops", row.cost.flops);
        json.attribute("bytes_read", row.cost.bytesRead);
        json.attribute("bytes_written", row.cost.bytesWritten);
        json.attribute("bound", boundName(cost::boundOf(row.cost, chip)));
        json.attribute("seconds", cost::predictedSeconds(row.cost, chip));
      }));
    writeArray(os, "launches", launches);

    std::vector<std::string> classes;
    for (const ClassTotal &total : classesOf(report, chip))
      classes.push_back(jsonLine([&](llvm::json::OStream &json) {
        json.attribute("class", total.kind);
        json.attribute("launches", total.launches);
        json.attribute("flops", total.flops);
        json.attribute("bytes", total.bytes);
        json.attribute("seconds", total.seconds);
      }));
    writeArray(os, "classes", classes);

    Totals totals = totalsOf(report, chip);
    double modelFlops = cost::modelFlops(report.forwardGemmFlops);
    os << "      \"summary\": " << jsonLine([&](llvm::json::OStream &json) {
      json.attribute("launches", totals.launches);
      json.attribute("gemm_launches", totals.gemmLaunches);
      json.attribute("flops", totals.flops);
      json.attribute("gemm_flops", totals.gemmFlops);
      json.attribute("bytes_read", totals.bytesRead);
      json.attribute("bytes_written", totals.bytesWritten);
      json.attribute("non_gemm_bytes", totals.nonGemmBytes);
      json.attribute("seconds", totals.seconds);
      json.attribute("model_flops", modelFlops);
      json.attribute("mfu", cost::mfu(modelFlops, totals.seconds, chip));
      json.attribute("arena_bytes", report.arenaBytes);
      json.attribute("peak_live_bytes", report.peakLiveBytes);
    }) << "\n    }";
  }
  os << (reports.empty() ? "]" : "\n  ]") << ",\n  \"device_bytes\": " << device
     << "\n}\n";
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct CostReportPass : mpc::impl::CostReportBase<CostReportPass> {
  using CostReportBase::CostReportBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    markAllAnalysesPreserved();
    if (format != "table" && format != "json") {
      module.emitError("unknown report format '")
          << format << "'; expected table or json";
      return signalPassFailure();
    }
    const cost::Chip *target = cost::findChip(chip);
    if (!target) {
      module.emitError("unknown chip '")
          << chip << "'; expected one of " << cost::chipNames();
      return signalPassFailure();
    }

    std::vector<FunctionCost> reports;
    for (auto function : module.getOps<func::FuncOp>()) {
      if (function.isExternal())
        continue;
      if (!function->hasAttr(MpcDialect::kArenaBytesAttrName)) {
        function.emitError("has no memory plan; run mpc-fuse and "
                           "mpc-plan-memory (or mpc-cuda-pipeline) before "
                           "mpc-cost-report");
        return signalPassFailure();
      }
      reports.push_back(Collector(function).collect());
    }

    // Composed in memory first, so a failure leaves no partial file.
    std::string text;
    llvm::raw_string_ostream os(text);
    int64_t device = deviceBytes(module);
    if (format == "json")
      writeJson(os, reports, *target, device);
    else
      writeTable(os, reports, *target, device);
    if (failed(writeReport(module, getArgument(), output, text)))
      signalPassFailure();
  }
};

} // namespace
