//===- CudaEmitter.cpp - a planned module as CUDA C++ ---------------------===//
//
// Walks each function of a fused, planned module in order and writes one
// statement group per op: a runtime call (mpc_cuda_runtime.h) for the
// library ops, a launch of the op's generated kernel for mpc.fused, device
// copies where the memory plan moves a value, nothing for views. Pointers
// come from each op's mpc.buffers; every call's status is checked, a failure
// returns its error prefixed with the op, and each group that enqueues work
// ends with the runtime's per-op hook (debug mode, docs/cuda-backend.md).
// An op that mpc-check-numerics probed is measured within its group
// (CudaEmitterNumerics.h).
//
//===----------------------------------------------------------------------===//

#include "compiler/target/cuda/CudaEmitter.h"

#include "compiler/target/cuda/CudaEmitterGemm.h"
#include "compiler/target/cuda/CudaEmitterNumerics.h"
#include "compiler/target/cuda/CudaEmitterSupport.h"
#include "compiler/target/cuda/CudaKernelEmitter.h"
#include "compiler/target/cuda/ManifestWriter.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/OpCoverage.h"
#include "dialects/mpc/ShapeFunctions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace mpc {

namespace {

/// A tensor seen as [outer, axis, inner] along `axis`.
struct AxisSplit {
  int64_t outer = 1, axis = 1, inner = 1;
};

AxisSplit splitAt(Value value, int64_t axis) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(value.getType()).getShape();
  AxisSplit split;
  for (int64_t d = 0, rank = shape.size(); d < rank; ++d)
    (d < axis ? split.outer : d == axis ? split.axis : split.inner) *= shape[d];
  return split;
}

std::string str(int64_t value) { return std::to_string(value); }

ArrayRef<int64_t> tensorTypeShape(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// The runtime dtype constant of a value's element type ("MPC_BF16").
std::string dtype(Value value) { return cudaDtype(elementTypeOf(value)).str(); }

std::string num(double value) { return doubleLiteral(value); }

/// An mpc_lr_schedule literal of an optimizer's schedule (none: constant).
std::string scheduleLiteral(LrScheduleAttr attr) {
  mpc_lr_schedule schedule = toRuntimeSchedule(attr);
  return "mpc_lr_schedule{" + str(schedule.kind) + ", " +
         str(schedule.warmup_steps) + ", " + str(schedule.decay_steps) + ", " +
         num(schedule.min_ratio) + ", " + str(schedule.step_size) + ", " +
         num(schedule.gamma) + "}";
}

/// `outer, axis, inner` of `value` split at `axis`.
std::string axisArgs(Value value, int64_t axis) {
  AxisSplit split = splitAt(value, axis);
  return str(split.outer) + ", " + str(split.axis) + ", " + str(split.inner);
}

/// The ops a function's body holds that the step lowers, each to one
/// statement group by an overload of FunctionEmitter::visit. Elementwise
/// ops are lowered inside the kernels of mpc.fused (CudaKernelEmitter.h).
using CudaStepOps =
    OpSet<LoadOp, StoreOp, ConstantOp, ReshapeOp, FusedOp, MatmulOp,
          FusedMatmulOp, AddLayerNormOp, SoftmaxOp, LogSoftmaxOp, SoftmaxGradOp,
          LogSoftmaxGradOp, LayerNormOp, LayerNormGradOp, RmsNormOp,
          RmsNormGradOp, ReduceSumOp, ReduceMeanOp, TransposeOp, SliceOp,
          SliceGradOp, ConcatOp, EmbeddingOp, EmbeddingGradOp, CausalMaskOp,
          DropoutOp, SoftmaxCrossEntropyOp, SoftmaxCrossEntropyGradOp,
          SoftmaxCrossEntropyWithGradOp, MseLossOp, UnscaleAndCheckOp,
          ClipByGlobalNormOp, UpdateLossScaleOp, SgdUpdateOp, MomentumUpdateOp,
          AdamWUpdateOp, AdamWMultiUpdateOp, CausalAttentionOp,
          CausalAttentionGradOp, CausalAttentionQkvOp, CausalAttentionQkvGradOp,
          func::ReturnOp>;

/// The ops the CUDA backend never lowers on their own, and why.
constexpr Rejection kNotEmitted[] = {
    {"a module symbol: state in the manifest, which mpc.load and mpc.store "
     "copy",
     OpSet<ParamOp>::contains},
    {"the terminator of mpc.fused: its kernel stores the yielded values",
     OpSet<YieldOp>::contains},
};

/// The module-wide parts of the file: kernels, collected while the
/// functions are written.
struct ModuleState {
  llvm::StringMap<unsigned> stateIndex;
  std::string kernels;
  unsigned fusedCount = 0;
  unsigned constantCount = 0;
  /// The kernel written for each embedded constant's storage type and
  /// values: @forward and @train_step share one.
  llvm::StringMap<std::string> constantKernels;
};

/// The most elements a constant that is not a splat may have: its values
/// are written into the generated source.
constexpr int64_t kMaxEmbeddedConstant = 1 << 16;

/// An element of an embedded constant as a C initializer: f32 values
/// (exact for f16 and bf16 ones), int32 or 0/1; inf and NaN as builtins,
/// which a static initializer can hold.
std::string embeddedElement(const APFloat &value) {
  float f = value.convertToFloat();
  if (std::isnan(f))
    return "__builtin_nanf(\"\")";
  if (std::isinf(f))
    return f > 0 ? "__builtin_huge_valf()" : "-__builtin_huge_valf()";
  return floatLiteral(f);
}

/// Writes one function's entry point.
class FunctionEmitter {
public:
  FunctionEmitter(ModuleState &module, func::FuncOp function,
                  llvm::raw_ostream &entryOs)
      : module(module), function(function), entryOs(entryOs), os(group) {}

  LogicalResult emit();

private:
  LogicalResult assignResults(Operation *op);
  LogicalResult emitOp(Operation *op);
  /// Writes the current op's group (its statements) to entryOs: the
  /// comment naming the op, then, when the group enqueues work, the op's
  /// name as a C string, the statements and the per-op hook.
  void flushGroup(const std::string &description);

  /// The device pointer of a value (void * or char *).
  std::string ptr(Value value) { return pointers.lookup(value); }
  std::string ptr(Value value, StringRef type, bool isConst) {
    return "(" + std::string(isConst ? "const " : "") + type.str() + " *)" +
           ptr(value);
  }
  std::string statePtr(StringRef symbol) {
    return "args->state[" + str(module.stateIndex.lookup(symbol)) + "]";
  }
  /// `if (call) return mpc_rt_op_failed(rt, op_N);`: the error names the
  /// op.
  /// Launches `kernel` over `count` elements on the step's stream and
  /// checks the launch, which errors name `name`.
  void launch(const std::string &kernel, StringRef name, int64_t count,
              const std::string &arguments) {
    enqueue(kernel, count, arguments);
    check("mpc_rt_check_launch(rt, " + cStringLiteral(name) + ")");
  }
  /// The launch statement of `kernel` over `count` threads' work.
  void enqueue(const std::string &kernel, int64_t count,
               const std::string &arguments) {
    os << "  " << kernel << "<<<mpc_grid(" << count
       << "), MPC_BLOCK, 0, mpc_rt_stream(rt)>>>(" << arguments << ");\n";
  }
  void check(const std::string &call) {
    os << "  if (" << call << ")\n    return mpc_rt_op_failed(rt, " << opName()
       << ");\n";
    enqueues = true;
  }
  /// The C name of the current op's description.
  std::string opName() const { return "op_" + str(opCount); }
  /// A copy of `value`'s bytes from `src` to `dst` unless they are the same
  /// buffer.
  void copy(const std::string &dst, const std::string &src, Value value,
            StringRef what) {
    if (dst == src) {
      os << "  // " << what << ": in place, nothing to copy\n";
      return;
    }
    int64_t bytes =
        numElementsOf(value) * cudaElementSize(elementTypeOf(value));
    check("mpc_copy(rt, " + dst + ", " + src + ", " + str(bytes) + ", " +
          cStringLiteral(what) + ")");
  }
  std::string fresh(StringRef prefix) {
    return prefix.str() + "_" + str(nextLocal++);
  }
  /// Writes `values` as a fresh `static const int64_t` array; its name.
  std::string int64Array(StringRef prefix, ArrayRef<int64_t> values) {
    std::string name = fresh(prefix), text;
    for (int64_t value : values)
      text += (text.empty() ? "" : ", ") + str(value);
    os << "  static const int64_t " << name << "[] = {" << text << "};\n";
    return name;
  }
  /// A mpc_rt_strided_copy of the elements of `shape` from a view of `in`
  /// to a view of `out` (elements of `value`'s type).
  void stridedCopy(Value value, const std::string &in, const std::string &out,
                   ArrayRef<int64_t> shape, int64_t inOffset,
                   ArrayRef<int64_t> inStrides, int64_t outOffset,
                   ArrayRef<int64_t> outStrides);

  /// Pointers to an op's operand or result `i`, and to a value seen as
  /// ids (int32), f32 data or a flag (null when absent).
  std::string in(Operation *op, unsigned i) { return ptr(op->getOperand(i)); }
  std::string out(Operation *op, unsigned i) { return ptr(op->getResult(i)); }
  std::string ids(Value value) { return ptr(value, "int32_t", true); }
  std::string f32(Value value) { return ptr(value, "float", false); }
  std::string cf32(Value value) { return ptr(value, "float", true); }
  /// A pointer `elements` elements of `value`'s type into `value`.
  std::string ptrAt(Value value, int64_t elements, bool isConst) {
    int64_t bytes = elements * cudaElementSize(elementTypeOf(value));
    return "(" + ptr(value, "char", isConst) + " + " + str(bytes) + ")";
  }
  std::string flag(Value value) {
    return value ? ptr(value, "uint8_t", true) : std::string("NULL");
  }
  /// The step count an SGD or momentum update reads, NULL when it has none.
  std::string optionalStep(Value value) {
    return value ? cf32(value) : std::string("NULL");
  }

  LogicalResult gemm(Operation *op, Value result, Value lhs, Value rhs,
                     bool transposeA, bool transposeB, StringRef epilogue,
                     Value bias, Value aux);
  LogicalResult reduce(Operation *op, ArrayRef<int64_t> axes, bool mean);
  LogicalResult scalarLoss(Operation *op, const std::string &call);
  void multiTensor(ValueRange inputs, ValueRange outputs, StringRef name);

  // One overload per op of CudaStepOps.
  LogicalResult visit(LoadOp op);
  LogicalResult visit(StoreOp op);
  LogicalResult visit(ConstantOp op);
  /// A constant whose values are not all equal, written into the step.
  LogicalResult embedConstant(ConstantOp op, DenseElementsAttr dense);
  /// The device array of such a constant and the kernel that copies it.
  void writeConstantKernel(ConstantOp op, const std::string &name,
                           StringRef valueType, const std::string &values);
  /// A view of its operand's buffer (assignResults): no statement.
  LogicalResult visit(ReshapeOp) { return success(); }
  LogicalResult visit(FusedOp op);
  LogicalResult visit(MatmulOp op);
  LogicalResult visit(FusedMatmulOp op);
  LogicalResult visit(AddLayerNormOp op);
  LogicalResult visit(SoftmaxOp op);
  LogicalResult visit(LogSoftmaxOp op);
  LogicalResult visit(SoftmaxGradOp op);
  LogicalResult visit(LogSoftmaxGradOp op);
  LogicalResult visit(LayerNormOp op);
  LogicalResult visit(LayerNormGradOp op);
  LogicalResult visit(RmsNormOp op);
  LogicalResult visit(RmsNormGradOp op);
  LogicalResult visit(ReduceSumOp op);
  LogicalResult visit(ReduceMeanOp op);
  LogicalResult visit(TransposeOp op);
  LogicalResult visit(SliceOp op);
  LogicalResult visit(SliceGradOp op);
  LogicalResult visit(ConcatOp op);
  LogicalResult visit(EmbeddingOp op);
  LogicalResult visit(EmbeddingGradOp op);
  LogicalResult visit(CausalMaskOp op);
  LogicalResult visit(CausalAttentionOp op);
  LogicalResult visit(CausalAttentionGradOp op);
  LogicalResult visit(CausalAttentionQkvOp op);
  LogicalResult visit(CausalAttentionQkvGradOp op);
  LogicalResult visit(DropoutOp op);
  LogicalResult visit(SoftmaxCrossEntropyOp op);
  LogicalResult visit(SoftmaxCrossEntropyGradOp op);
  LogicalResult visit(SoftmaxCrossEntropyWithGradOp op);
  LogicalResult visit(MseLossOp op);
  LogicalResult visit(UnscaleAndCheckOp op);
  LogicalResult visit(ClipByGlobalNormOp op);
  LogicalResult visit(UpdateLossScaleOp op);
  LogicalResult visit(SgdUpdateOp op);
  LogicalResult visit(MomentumUpdateOp op);
  LogicalResult visit(AdamWUpdateOp op);
  LogicalResult visit(AdamWMultiUpdateOp op);
  LogicalResult visit(func::ReturnOp op);

  ModuleState &module;
  func::FuncOp function;
  /// The entry point's text, and the current op's group before it is
  /// complete.
  llvm::raw_ostream &entryOs;
  std::string group;
  llvm::raw_string_ostream os;
  /// Whether the current group calls the runtime or launches a kernel.
  bool enqueues = false;
  /// The groups that enqueued work so far: the next op_N.
  unsigned opCount = 0;
  DenseMap<Value, std::string> pointers;
  unsigned nextLocal = 0;
};

LogicalResult FunctionEmitter::assignResults(Operation *op) {
  if (op->getNumResults() == 0)
    return success();
  // A reshape is a view of its operand's buffer.
  if (auto reshape = dyn_cast<ReshapeOp>(op)) {
    pointers[reshape.getResult()] = ptr(reshape.getInput());
    return success();
  }
  auto buffers = op->getAttrOfType<ArrayAttr>(MpcDialect::kBuffersAttrName);
  if (!buffers || buffers.size() != op->getNumResults())
    return op->emitOpError(
        "has no buffer for its results (run mpc-plan-memory first)");
  for (auto [result, attr] : llvm::zip(op->getResults(), buffers)) {
    auto buffer = dyn_cast<BufferAttr>(attr);
    if (!buffer)
      return op->emitOpError("has a malformed mpc.buffers entry ") << attr;
    std::string pointer;
    switch (buffer.getKind()) {
    case BufferKind::arena:
      pointer = "(args->arena + " + str(buffer.getOffset()) + ")";
      break;
    case BufferKind::input:
      pointer = "args->inputs[" + str(buffer.getOffset()) + "]";
      break;
    case BufferKind::state:
      if (!buffer.getSymbol() ||
          !module.stateIndex.count(buffer.getSymbol().getValue()))
        return op->emitOpError("is planned into unknown state ") << attr;
      pointer = statePtr(buffer.getSymbol().getValue());
      break;
    }
    pointers[result] = pointer;
  }
  return success();
}

LogicalResult FunctionEmitter::visit(LoadOp op) {
  copy(ptr(op.getResult()), statePtr(op.getParam()), op.getResult(),
       ("load @" + op.getParam()).str());
  return success();
}

LogicalResult FunctionEmitter::visit(StoreOp op) {
  copy(statePtr(op.getParam()), ptr(op.getValue()), op.getValue(),
       ("store @" + op.getParam()).str());
  return success();
}

LogicalResult FunctionEmitter::visit(ConstantOp op) {
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!dense)
    return op.emitOpError("holds no dense value, which the CUDA backend needs");
  if (!dense.isSplat())
    return embedConstant(op, dense);
  Type type = elementTypeOf(op.getResult());
  std::string value;
  if (isa<FloatType>(type))
    value = doubleLiteral(dense.getSplatValue<APFloat>().convertToDouble());
  else if (type.isInteger(1))
    value = dense.getSplatValue<APInt>().isZero() ? "0.0" : "1.0";
  else
    value = str(dense.getSplatValue<APInt>().getSExtValue()) + ".0";
  check("mpc_rt_fill(rt, " + ptr(op.getResult()) + ", " +
        cudaDtype(type).str() + ", " + str(numElementsOf(op.getResult())) +
        ", " + value + ")");
  return success();
}

LogicalResult FunctionEmitter::embedConstant(ConstantOp op,
                                             DenseElementsAttr dense) {
  // A mask or a table (ONNX models keep causal masks, positions and rotary
  // tables): its values go into the source as a device array, which a
  // kernel copies into the constant's buffer each call, so that a captured
  // graph replays it like any other kernel.
  int64_t count = numElementsOf(op.getResult());
  if (count > kMaxEmbeddedConstant)
    return op.emitOpError("holds ")
           << count << " values that are not all equal; the CUDA backend "
           << "writes at most " << kMaxEmbeddedConstant
           << " such values into the step";
  Type type = elementTypeOf(op.getResult());
  std::string values, valueType;
  llvm::raw_string_ostream list(values);
  if (isa<FloatType>(type)) {
    valueType = "float";
    llvm::interleave(
        dense.getValues<APFloat>(), list,
        [&](const APFloat &value) { list << embeddedElement(value); }, ", ");
  } else {
    valueType = type.isInteger(1) ? "bool" : "int32_t";
    for (auto [index, value] : llvm::enumerate(dense.getValues<APInt>())) {
      int64_t number =
          type.isInteger(1) ? value.getZExtValue() : value.getSExtValue();
      if (number < INT32_MIN || number > INT32_MAX)
        return op.emitOpError("holds ")
               << number << ", beyond the device's 32-bit integers";
      list << (index ? ", " : "")
           << (type.isInteger(1) ? (number ? "true" : "false") : str(number));
    }
  }
  std::string &name =
      module.constantKernels[(cudaStorageType(type) + ":" + values).str()];
  if (name.empty()) {
    name = "constant_" + str(module.constantCount++);
    writeConstantKernel(op, name, valueType, values);
  }
  launch(name, name, count, ptr(op.getResult(), cudaStorageType(type), false));
  return success();
}

void FunctionEmitter::writeConstantKernel(ConstantOp op,
                                          const std::string &name,
                                          StringRef valueType,
                                          const std::string &values) {
  int64_t count = numElementsOf(op.getResult());
  llvm::raw_string_ostream kernels(module.kernels);
  kernels << "// " << describeOp(op) << ": " << count
          << " values that are not all equal.\n"
          << "__device__ const " << valueType << " " << name << "_values["
          << count << "] = {" << values << "};\n"
          << "__global__ void __launch_bounds__(MPC_BLOCK) " << name << "("
          << cudaStorageType(elementTypeOf(op.getResult())) << " *out) {\n"
          << "  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + "
             "threadIdx.x; i < "
          << count << "; i += (int64_t)gridDim.x * blockDim.x)\n"
          << "    mpc_store(out, i, " << name << "_values[i]);\n}\n\n";
}

LogicalResult FunctionEmitter::visit(FusedOp op) {
  std::string name = fusedKernelName(op, module.fusedCount++);
  // The kernel's parameters: the inputs, then the results.
  SmallVector<Value> values(op.getInputs());
  llvm::append_range(values, op.getResults());
  unsigned inputs = op.getInputs().size();
  SmallVector<std::string> arguments;
  for (auto [index, value] : llvm::enumerate(values))
    arguments.push_back(
        ptr(value, cudaStorageType(elementTypeOf(value)), index < inputs));
  // The plan gives a result the buffer of an input only for an in-place
  // update (the same buffer, never a part of one): those two pointers
  // alias, every other pair is distinct.
  SmallVector<bool> aliased(values.size(), false);
  for (unsigned in = 0; in < inputs; ++in)
    for (unsigned out = inputs; out < values.size(); ++out)
      if (ptr(values[in]) == ptr(values[out]))
        aliased[in] = aliased[out] = true;
  llvm::raw_string_ostream kernels(module.kernels);
  FailureOr<FusedKernelPlan> plan = emitFusedKernel(op, name, aliased, kernels);
  if (failed(plan))
    return failure();
  std::string list = llvm::join(arguments, ", ");
  if (plan->width == 1) {
    launch(name, name, plan->count, list);
    return success();
  }
  // The caller provides the arena, state and input buffers: the vector
  // kernel runs when each pointer it moves vectors through is aligned for
  // them, the scalar one otherwise.
  SmallVector<std::string> tests;
  for (auto [value, bytes] : llvm::zip_equal(values, plan->vectorBytes)) {
    std::string test = "mpc_aligned(" + ptr(value) + ", " + str(bytes) + ")";
    if (bytes && !llvm::is_contained(tests, test))
      tests.push_back(test);
  }
  os << "  if (" << llvm::join(tests, " &&\n      ") << ")\n  ";
  enqueue(name, plan->count / plan->width, list);
  os << "  else\n  ";
  enqueue(scalarKernelName(name), plan->count, list);
  check("mpc_rt_check_launch(rt, " + cStringLiteral(name) + ")");
  return success();
}

LogicalResult FunctionEmitter::gemm(Operation *op, Value result, Value lhs,
                                    Value rhs, bool transposeA, bool transposeB,
                                    StringRef epilogue, Value bias, Value aux) {
  FailureOr<GemmLayout> layout = gemmLayout(op, lhs, rhs, transposeA);
  if (failed(layout))
    return failure();
  std::string desc = fresh("gemm");
  auto dtype = [](Value value) {
    return value ? cudaDtype(elementTypeOf(value)).str() : "MPC_F32";
  };
  os << "  static const mpc_gemm_desc " << desc << " = {\n"
     << "      /*batch=*/" << layout->batch << ", /*m=*/" << layout->m
     << ", /*n=*/" << layout->n << ", /*k=*/" << layout->k << ", /*trans_a=*/"
     << transposeA << ", /*trans_b=*/" << transposeB << ",\n      /*stride_a=*/"
     << layout->strideA << ", /*stride_b=*/" << layout->strideB
     << ", /*stride_c=*/" << layout->strideC << ",\n      /*a_type=*/"
     << dtype(lhs) << ", /*b_type=*/" << dtype(rhs) << ", /*c_type=*/"
     << dtype(result) << ", /*bias_type=*/" << dtype(bias) << ", /*aux_type=*/"
     << dtype(aux) << ",\n      " << epilogue << "};\n";
  check("mpc_rt_gemm(rt, &" + desc + ", " + ptr(lhs) + ", " + ptr(rhs) + ", " +
        ptr(result) + ", " + (bias ? ptr(bias) : "NULL") + ", " +
        (aux ? "(void *)" + ptr(aux) : "NULL") + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(FusedMatmulOp op) {
  Value pre = op.getPreActivation();
  StringRef epilogue;
  switch (op.getEpilogue()) {
  case Epilogue::bias:
    epilogue = "MPC_EPILOGUE_BIAS";
    break;
  case Epilogue::relu:
    epilogue = "MPC_EPILOGUE_RELU";
    break;
  case Epilogue::relu_bias:
    epilogue = "MPC_EPILOGUE_RELU_BIAS";
    break;
  case Epilogue::gelu:
    epilogue = pre ? "MPC_EPILOGUE_GELU_AUX" : "MPC_EPILOGUE_GELU";
    break;
  case Epilogue::gelu_bias:
    epilogue = pre ? "MPC_EPILOGUE_GELU_AUX_BIAS" : "MPC_EPILOGUE_GELU_BIAS";
    break;
  case Epilogue::dgelu:
    epilogue = "MPC_EPILOGUE_DGELU";
    break;
  }
  bool relu = op.getEpilogue() == Epilogue::relu ||
              op.getEpilogue() == Epilogue::relu_bias;
  if (!pre || !relu)
    return gemm(op, op.getResult(), op.getLhs(), op.getRhs(),
                op.getTransposeA(), op.getTransposeB(), epilogue, op.getBias(),
                pre ? pre : op.getAux());
  // cuBLASLt writes no pre-activation with relu: the GEMM writes it and a
  // relu kernel the result. relu commutes with rounding, so that equals one
  // rounding of relu(acc) when the pre-activation is the result's type or
  // f32 (the accumulator's).
  Type preType = elementTypeOf(pre), resultType = elementTypeOf(op.getResult());
  if (preType != resultType && !preType.isF32())
    return op.emitOpError("epilogue ")
           << stringifyEpilogue(op.getEpilogue())
           << " with a pre_activation of type " << preType
           << " and a result of type " << resultType
           << " has no exact CUDA form";
  if (failed(gemm(op, pre, op.getLhs(), op.getRhs(), op.getTransposeA(),
                  op.getTransposeB(),
                  op.getBias() ? "MPC_EPILOGUE_BIAS" : "MPC_EPILOGUE_NONE",
                  op.getBias(), Value())))
    return failure();
  int64_t count = numElementsOf(pre);
  StringRef from = cudaStorageType(preType), to = cudaStorageType(resultType);
  launch(("mpc_relu_kernel<" + from + ", " + to + ">").str(), "mpc_relu_kernel",
         count,
         ptr(pre, from, true) + ", " + ptr(op.getResult(), to, false) + ", " +
             str(count));
  return success();
}

LogicalResult FunctionEmitter::reduce(Operation *op, ArrayRef<int64_t> axes,
                                      bool mean) {
  Value input = op->getOperand(0), result = op->getResult(0);
  std::optional<ReductionSplit> split =
      splitReduction(tensorTypeShape(input), axes);
  if (!split)
    return op->emitOpError("reduces axes that are not adjacent, which the "
                           "CUDA backend does not support");
  Type in = elementTypeOf(input), out = elementTypeOf(result);
  check("mpc_rt_reduce(rt, " + ptr(input) + ", " + cudaDtype(in).str() + ", " +
        ptr(result) + ", " + cudaDtype(out).str() + ", " + str(split->outer) +
        ", " + str(split->axis) + ", " + str(split->inner) + ", " +
        (mean ? doubleLiteral(1.0 / static_cast<double>(split->axis)) : "1.0") +
        ")");
  return success();
}

LogicalResult FunctionEmitter::visit(TransposeOp op) {
  ArrayRef<int64_t> shape = tensorTypeShape(op.getInput());
  if (shape.size() > 8)
    return op.emitOpError("has rank ")
           << shape.size() << "; the CUDA backend transposes rank <= 8";
  std::string shapeName = int64Array("shape", shape);
  std::string permName = int64Array("perm", op.getPermutation());
  check("mpc_rt_transpose(rt, " + ptr(op.getInput()) + ", " +
        ptr(op.getResult()) + ", " +
        str(cudaElementSize(elementTypeOf(op.getInput()))) + ", " +
        str(shape.size()) + ", " + shapeName + ", " + permName + ")");
  return success();
}

/// Row-major element strides of `shape`.
SmallVector<int64_t> contiguousStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  return strides;
}

/// The offset of the first element and the strides of the view that
/// `op`, a slice or its gradient, takes of a tensor of `shape`.
template <typename SliceLike>
int64_t sliceView(SliceLike op, ArrayRef<int64_t> shape,
                  SmallVectorImpl<int64_t> &strides) {
  SmallVector<int64_t> firsts, steps;
  sliceStartsAndSteps(shape, op.getAxes(), op.getStarts(), op.getEnds(),
                      op.getSteps(), firsts, steps);
  strides = contiguousStrides(shape);
  int64_t offset = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    offset += firsts[d] * strides[d];
    strides[d] *= steps[d];
  }
  return offset;
}

/// The error of an op whose rank the strided copy does not take.
LogicalResult checkCopyRank(Operation *op, ArrayRef<int64_t> shape) {
  if (shape.size() <= 8)
    return success();
  return op->emitOpError("has rank ")
         << shape.size() << "; the CUDA backend copies rank <= 8";
}

void FunctionEmitter::stridedCopy(Value value, const std::string &in,
                                  const std::string &out,
                                  ArrayRef<int64_t> shape, int64_t inOffset,
                                  ArrayRef<int64_t> inStrides,
                                  int64_t outOffset,
                                  ArrayRef<int64_t> outStrides) {
  std::string shapeName = int64Array("shape", shape);
  std::string inName = int64Array("in_strides", inStrides);
  std::string outName = int64Array("out_strides", outStrides);
  check("mpc_rt_strided_copy(rt, " + in + ", " + out + ", " +
        str(cudaElementSize(elementTypeOf(value))) + ", " + str(shape.size()) +
        ", " + shapeName + ", " + str(inOffset) + ", " + inName + ", " +
        str(outOffset) + ", " + outName + ")");
}

LogicalResult FunctionEmitter::visit(SliceOp op) {
  ArrayRef<int64_t> shape = tensorTypeShape(op.getResult());
  if (failed(checkCopyRank(op, shape)))
    return failure();
  SmallVector<int64_t> inStrides;
  int64_t inOffset = sliceView(op, tensorTypeShape(op.getInput()), inStrides);
  stridedCopy(op.getInput(), ptr(op.getInput()), ptr(op.getResult()), shape,
              inOffset, inStrides, 0, contiguousStrides(shape));
  return success();
}

LogicalResult FunctionEmitter::visit(SliceGradOp op) {
  ArrayRef<int64_t> shape = tensorTypeShape(op.getResultGrad());
  if (failed(checkCopyRank(op, shape)))
    return failure();
  // Zeros, then the gradient where the slice took its elements.
  check("mpc_rt_fill(rt, " + ptr(op.getResult()) + ", " +
        dtype(op.getResult()) + ", " + str(numElementsOf(op.getResult())) +
        ", 0.0)");
  SmallVector<int64_t> outStrides;
  int64_t outOffset =
      sliceView(op, tensorTypeShape(op.getResult()), outStrides);
  stridedCopy(op.getResultGrad(), ptr(op.getResultGrad()), ptr(op.getResult()),
              shape, 0, contiguousStrides(shape), outOffset, outStrides);
  return success();
}

LogicalResult FunctionEmitter::visit(ConcatOp op) {
  ArrayRef<int64_t> resultShape = tensorTypeShape(op.getResult());
  if (failed(checkCopyRank(op, resultShape)))
    return failure();
  SmallVector<int64_t> outStrides = contiguousStrides(resultShape);
  int64_t axis = op.getAxis(), offset = 0;
  // Each input fills its block of the axis, in order.
  for (Value input : op.getInputs()) {
    ArrayRef<int64_t> shape = tensorTypeShape(input);
    stridedCopy(input, ptr(input), ptr(op.getResult()), shape, 0,
                contiguousStrides(shape), offset * outStrides[axis],
                outStrides);
    offset += shape[axis];
  }
  return success();
}

LogicalResult FunctionEmitter::visit(DropoutOp op) {
  // As on the CPU reference, the mask is keyed by the run's seed, the op's
  // seed and the step; the run's seed and the step are on the device
  // (args->seed_step), so a replayed graph draws the current step's mask.
  check("mpc_rt_dropout(rt, " + ptr(op.getInput()) + ", " +
        ptr(op.getResult()) + ", " +
        cudaDtype(elementTypeOf(op.getInput())).str() + ", " +
        str(numElementsOf(op.getInput())) + ", " +
        doubleLiteral(op.getRate().convertToDouble()) + ", " +
        std::to_string(static_cast<uint64_t>(op.getSeed())) +
        "ull, args->seed_step)");
  return success();
}

LogicalResult FunctionEmitter::scalarLoss(Operation *op,
                                          const std::string &call) {
  if (!elementTypeOf(op->getResult(0)).isF32())
    return op->emitOpError("must have an f32 result for the CUDA backend");
  check(call);
  return success();
}

void FunctionEmitter::multiTensor(ValueRange inputs, ValueRange outputs,
                                  StringRef name) {
  os << "  const mpc_tensor_ref " << name << "[] = {\n";
  for (auto [input, output] : llvm::zip(inputs, outputs))
    os << "      {" << ptr(input) << ", " << ptr(output) << ", "
       << cudaDtype(elementTypeOf(input)) << ", "
       << cudaDtype(elementTypeOf(output)) << ", " << numElementsOf(input)
       << "},\n";
  os << "  };\n";
}

LogicalResult FunctionEmitter::visit(func::ReturnOp op) {
  for (auto [index, value] : llvm::enumerate(op.getOperands())) {
    Type type = elementTypeOf(value);
    std::string out = "args->outputs[" + str(index) + "]";
    int64_t count = numElementsOf(value);
    if (type.isF16() || type.isBF16() || type.isInteger(1)) {
      StringRef from = cudaStorageType(type);
      StringRef to = type.isInteger(1) ? "int32_t" : "float";
      launch(("mpc_convert<" + from + ", " + to + ">").str(), "mpc_convert",
             count,
             ptr(value, from, true) + ", (" + to.str() + " *)" + out + ", " +
                 str(count));
    } else {
      copy(out, ptr(value), value, ("output #" + Twine(index)).str());
    }
  }
  return success();
}

LogicalResult FunctionEmitter::emitOp(Operation *op) {
  if (op->hasTrait<OpTrait::Elementwise>())
    return op->emitOpError("is not in an mpc.fused kernel (run mpc-fuse "
                           "first)");
  // --check-numerics: a probed op's inputs are measured before it runs.
  auto pointer = [&](Value value) { return ptr(value); };
  for (const std::string &call : probeCalls(op, ProbedValues::Inputs, pointer))
    check(call);
  LogicalResult lowered = CudaStepOps::dispatch(
      op, [&](auto op) { return visit(op); },
      [&](Operation *op) -> LogicalResult {
        InFlightDiagnostic error =
            op->emitOpError("is not supported by the CUDA backend");
        if (std::optional<StringRef> reason =
                rejectionOf(op->getName(), kNotEmitted))
          error << ": " << *reason;
        return error;
      });
  if (failed(lowered))
    return failure();
  for (const std::string &call : probeCalls(op, ProbedValues::Outputs, pointer))
    check(call);
  return success();
}

LogicalResult FunctionEmitter::visit(MatmulOp op) {
  return gemm(op, op.getResult(), op.getLhs(), op.getRhs(), op.getTransposeA(),
              op.getTransposeB(), "MPC_EPILOGUE_NONE", Value(), Value());
}

LogicalResult FunctionEmitter::visit(SoftmaxOp op) {
  check("mpc_rt_softmax(rt, " + in(op, 0) + ", " + dtype(op.getInput()) + ", " +
        out(op, 0) + ", " + dtype(op.getResult()) + ", " +
        axisArgs(op.getInput(), op.getAxis()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(LogSoftmaxOp op) {
  check("mpc_rt_log_softmax(rt, " + in(op, 0) + ", " + dtype(op.getInput()) +
        ", " + out(op, 0) + ", " + dtype(op.getResult()) + ", " +
        axisArgs(op.getInput(), op.getAxis()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(SoftmaxGradOp op) {
  check("mpc_rt_softmax_grad(rt, " + in(op, 0) + ", " + in(op, 1) + ", " +
        out(op, 0) + ", " + dtype(op.getResult()) + ", " +
        axisArgs(op.getResult(), op.getAxis()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(LogSoftmaxGradOp op) {
  check("mpc_rt_log_softmax_grad(rt, " + in(op, 0) + ", " + in(op, 1) + ", " +
        out(op, 0) + ", " + dtype(op.getResult()) + ", " +
        axisArgs(op.getResult(), op.getAxis()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(LayerNormOp op) {
  int64_t cols = numElementsOf(op.getGamma());
  int64_t rows = numElementsOf(op.getInput()) / cols;
  check("mpc_rt_layer_norm(rt, " + in(op, 0) + ", " + dtype(op.getInput()) +
        ", " + in(op, 1) + ", " + in(op, 2) + ", " + dtype(op.getGamma()) +
        ", " + out(op, 0) + ", " + dtype(op.getResult()) + ", " + str(rows) +
        ", " + str(cols) + ", " + num(op.getEpsilon().convertToDouble()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(AddLayerNormOp op) {
  int64_t cols = numElementsOf(op.getGamma());
  int64_t rows = numElementsOf(op.getSum()) / cols;
  check("mpc_rt_add_layer_norm(rt, " + in(op, 0) + ", " + in(op, 1) + ", " +
        dtype(op.getSum()) + ", " + out(op, 0) + ", " + in(op, 2) + ", " +
        in(op, 3) + ", " + dtype(op.getGamma()) + ", " + out(op, 1) + ", " +
        dtype(op.getResult()) + ", " + str(rows) + ", " + str(cols) + ", " +
        num(op.getEpsilon().convertToDouble()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(LayerNormGradOp op) {
  int64_t cols = numElementsOf(op.getGamma());
  int64_t rows = numElementsOf(op.getInput()) / cols;
  check("mpc_rt_layer_norm_grad(rt, " + in(op, 0) + ", " + in(op, 1) + ", " +
        dtype(op.getInput()) + ", " + in(op, 2) + ", " + dtype(op.getGamma()) +
        ", " + out(op, 0) + ", " + dtype(op.getInputGrad()) + ", " +
        out(op, 1) + ", " + out(op, 2) + ", " + str(rows) + ", " + str(cols) +
        ", " + num(op.getEpsilon().convertToDouble()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(RmsNormOp op) {
  int64_t cols = numElementsOf(op.getWeight());
  int64_t rows = numElementsOf(op.getInput()) / cols;
  check("mpc_rt_rms_norm(rt, " + in(op, 0) + ", " + dtype(op.getInput()) +
        ", " + in(op, 1) + ", " + dtype(op.getWeight()) + ", " + out(op, 0) +
        ", " + dtype(op.getResult()) + ", " + str(rows) + ", " + str(cols) +
        ", " + num(op.getEpsilon().convertToDouble()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(RmsNormGradOp op) {
  int64_t cols = numElementsOf(op.getWeight());
  int64_t rows = numElementsOf(op.getInput()) / cols;
  check("mpc_rt_rms_norm_grad(rt, " + in(op, 0) + ", " + in(op, 1) + ", " +
        dtype(op.getInput()) + ", " + in(op, 2) + ", " + dtype(op.getWeight()) +
        ", " + out(op, 0) + ", " + dtype(op.getInputGrad()) + ", " +
        out(op, 1) + ", " + str(rows) + ", " + str(cols) + ", " +
        num(op.getEpsilon().convertToDouble()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(ReduceSumOp op) {
  return reduce(op, op.getAxes(), /*mean=*/false);
}

LogicalResult FunctionEmitter::visit(ReduceMeanOp op) {
  return reduce(op, op.getAxes(), /*mean=*/true);
}

LogicalResult FunctionEmitter::visit(EmbeddingOp op) {
  ArrayRef<int64_t> table = tensorTypeShape(op.getTable());
  check("mpc_rt_embedding(rt, " + ids(op.getIds()) + ", " +
        str(numElementsOf(op.getIds())) + ", " + in(op, 1) + ", " +
        dtype(op.getTable()) + ", " + out(op, 0) + ", " +
        dtype(op.getResult()) + ", " + str(table[0]) + ", " + str(table[1]) +
        ")");
  return success();
}

LogicalResult FunctionEmitter::visit(EmbeddingGradOp op) {
  ArrayRef<int64_t> table = tensorTypeShape(op.getResult());
  check("mpc_rt_embedding_grad(rt, " + in(op, 0) + ", " +
        dtype(op.getResultGrad()) + ", " + ids(op.getIds()) + ", " +
        str(numElementsOf(op.getIds())) + ", " + out(op, 0) + ", " +
        dtype(op.getResult()) + ", " + str(table[0]) + ", " + str(table[1]) +
        ")");
  return success();
}

LogicalResult FunctionEmitter::visit(CausalMaskOp op) {
  ArrayRef<int64_t> shape = tensorTypeShape(op.getInput());
  int64_t rows = shape[shape.size() - 2], cols = shape.back();
  int64_t batch = numElementsOf(op.getInput()) / (rows * cols);
  check("mpc_rt_causal_mask(rt, " + in(op, 0) + ", " + out(op, 0) + ", " +
        dtype(op.getInput()) + ", " + str(batch) + ", " + str(rows) + ", " +
        str(cols) + ", " + num(op.getValue().convertToDouble()) + ")");
  return success();
}

/// `type, batch, heads, length, dim, row_stride, head_stride,
/// operand_row_stride, scale` of an attention op whose result lies as
/// `result` says and whose q, k and v as `operands`: the strides say where
/// the kernels find each row.
template <typename OpTy>
static std::string attentionArgs(OpTy op, Value query,
                                 const attention::Layout &operands,
                                 const attention::Layout &result) {
  return dtype(query) + ", " + str(result.batch) + ", " + str(result.heads) +
         ", " + str(result.length) + ", " + str(result.dim) + ", " +
         str(result.rowStride) + ", " + str(result.headStride) + ", " +
         str(operands.rowStride) + ", " + num(op.getScale().convertToDouble());
}

template <typename OpTy> static std::string attentionArgs(OpTy op) {
  attention::Layout layout = op.getLayout();
  return attentionArgs(op, op.getQuery(), layout, layout);
}

LogicalResult FunctionEmitter::visit(CausalAttentionOp op) {
  check("mpc_rt_causal_attention(rt, " + in(op, 0) + ", " + in(op, 1) + ", " +
        in(op, 2) + ", " + out(op, 0) + ", " + f32(op.getLogSumExp()) + ", " +
        attentionArgs(op) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(CausalAttentionGradOp op) {
  check("mpc_rt_causal_attention_grad(rt, " + in(op, 0) + ", " + in(op, 1) +
        ", " + in(op, 2) + ", " + in(op, 3) + ", " + cf32(op.getLogSumExp()) +
        ", " + out(op, 0) + ", " + out(op, 1) + ", " + out(op, 2) + ", " +
        attentionArgs(op) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(CausalAttentionQkvOp op) {
  attention::Layout layout = op.getLayout();
  Value qkv = op.getQkv();
  check("mpc_rt_causal_attention(rt, " + in(op, 0) + ", " +
        ptrAt(qkv, attention::packedQkvPartOffset(layout, 1), true) + ", " +
        ptrAt(qkv, attention::packedQkvPartOffset(layout, 2), true) + ", " +
        out(op, 0) + ", " + f32(op.getLogSumExp()) + ", " +
        attentionArgs(op, qkv, layout, op.getResultLayout()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(CausalAttentionQkvGradOp op) {
  attention::Layout layout = op.getLayout();
  Value qkv = op.getQkv(), grad = op.getQkvGrad();
  int64_t k = attention::packedQkvPartOffset(layout, 1),
          v = attention::packedQkvPartOffset(layout, 2);
  check("mpc_rt_causal_attention_grad(rt, " + in(op, 0) + ", " + in(op, 1) +
        ", " + ptrAt(qkv, k, true) + ", " + ptrAt(qkv, v, true) + ", " +
        cf32(op.getLogSumExp()) + ", " + out(op, 0) + ", " +
        ptrAt(grad, k, false) + ", " + ptrAt(grad, v, false) + ", " +
        attentionArgs(op, qkv, layout, op.getResultLayout()) + ")");
  return success();
}

/// The trailing arguments of mpc_rt_softmax_xent and its gradient: rows,
/// classes, ignore_index and reduction.
template <typename OpTy> std::string crossEntropyArgs(OpTy op) {
  int64_t classes = tensorTypeShape(op.getLogits()).back();
  int64_t rows = numElementsOf(op.getLogits()) / classes;
  std::optional<int64_t> ignored = op.getIgnoreIndex();
  return str(rows) + ", " + str(classes) + ", " +
         (ignored ? str(*ignored) : std::string("MPC_NO_IGNORE_INDEX")) + ", " +
         (op.getReduction() == LossReduction::sum ? "MPC_LOSS_SUM"
                                                  : "MPC_LOSS_MEAN");
}

LogicalResult FunctionEmitter::visit(SoftmaxCrossEntropyOp op) {
  return scalarLoss(op, "mpc_rt_softmax_xent(rt, " + in(op, 0) + ", " +
                            dtype(op.getLogits()) + ", " + ids(op.getLabels()) +
                            ", " + f32(op.getResult()) + ", " +
                            crossEntropyArgs(op) + ")");
}

LogicalResult FunctionEmitter::visit(SoftmaxCrossEntropyGradOp op) {
  check("mpc_rt_softmax_xent_grad(rt, " + in(op, 0) + ", " +
        dtype(op.getLossGrad()) + ", " + in(op, 1) + ", " +
        dtype(op.getLogits()) + ", " + ids(op.getLabels()) + ", " + out(op, 0) +
        ", " + dtype(op.getResult()) + ", " + crossEntropyArgs(op) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(SoftmaxCrossEntropyWithGradOp op) {
  return scalarLoss(op, "mpc_rt_softmax_xent_with_grad(rt, " + in(op, 0) +
                            ", " + dtype(op.getLogits()) + ", " +
                            ids(op.getLabels()) + ", " + f32(op.getLoss()) +
                            ", " + in(op, 2) + ", " + dtype(op.getLossGrad()) +
                            ", " + out(op, 1) + ", " + dtype(op.getGrad()) +
                            ", " + crossEntropyArgs(op) + ")");
}

LogicalResult FunctionEmitter::visit(MseLossOp op) {
  return scalarLoss(op, "mpc_rt_mse_loss(rt, " + in(op, 0) + ", " + in(op, 1) +
                            ", " + dtype(op.getPrediction()) + ", " +
                            f32(op.getResult()) + ", " +
                            str(numElementsOf(op.getPrediction())) + ")");
}

LogicalResult FunctionEmitter::visit(UnscaleAndCheckOp op) {
  std::string tensors = fresh("grads");
  multiTensor(op.getGrads(), op.getUnscaled(), tensors);
  check("mpc_rt_unscale_and_check(rt, " + tensors + ", " +
        str(op.getGrads().size()) + ", " + cf32(op.getScale()) + ", " +
        ptr(op.getFoundInf(), "uint8_t", false) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(ClipByGlobalNormOp op) {
  std::string tensors = fresh("grads");
  multiTensor(op.getGrads(), op.getClipped(), tensors);
  check("mpc_rt_clip_by_global_norm(rt, " + tensors + ", " +
        str(op.getGrads().size()) + ", " +
        num(op.getMaxNorm().convertToDouble()) + ", " + f32(op.getNorm()) +
        ")");
  return success();
}

LogicalResult FunctionEmitter::visit(UpdateLossScaleOp op) {
  // Updated in place: the results start as copies of the state.
  copy(out(op, 0), in(op, 0), op.getScale(), "loss scale");
  copy(out(op, 1), in(op, 1), op.getGoodSteps(), "loss scale good steps");
  copy(out(op, 2), in(op, 2), op.getHysteresisLeft(), "loss scale hysteresis");
  check("mpc_rt_update_loss_scale(rt, " + f32(op.getNewScale()) + ", " +
        f32(op.getNewGoodSteps()) + ", " + f32(op.getNewHysteresisLeft()) +
        ", " + flag(op.getFoundInf()) + ", " +
        num(op.getGrowthFactor().convertToDouble()) + ", " +
        str(op.getGrowthInterval()) + ", " +
        num(op.getBackoffFactor().convertToDouble()) + ", " +
        str(op.getHysteresis()) + ", " +
        num(op.getMinScale().convertToDouble()) + ", " +
        num(op.getMaxScale().convertToDouble()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(SgdUpdateOp op) {
  copy(out(op, 0), in(op, 0), op.getParam(), "sgd parameter");
  check("mpc_rt_sgd(rt, " + f32(op.getNewParam()) + ", " + in(op, 1) + ", " +
        dtype(op.getGrad()) + ", " + str(numElementsOf(op.getParam())) + ", " +
        optionalStep(op.getStep()) + ", " +
        num(op.getLearningRate().convertToDouble()) + ", " +
        scheduleLiteral(op.getScheduleAttr()) + ", " +
        num(op.getWeightDecay().convertToDouble()) + ", " +
        flag(op.getSkipIf()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(MomentumUpdateOp op) {
  copy(out(op, 0), in(op, 0), op.getParam(), "momentum parameter");
  copy(out(op, 1), in(op, 2), op.getBuffer(), "momentum buffer");
  check("mpc_rt_momentum(rt, " + f32(op.getNewParam()) + ", " + in(op, 1) +
        ", " + dtype(op.getGrad()) + ", " + f32(op.getNewBuffer()) + ", " +
        str(numElementsOf(op.getParam())) + ", " + optionalStep(op.getStep()) +
        ", " + num(op.getLearningRate().convertToDouble()) + ", " +
        scheduleLiteral(op.getScheduleAttr()) + ", " +
        num(op.getMomentum().convertToDouble()) + ", " +
        num(op.getWeightDecay().convertToDouble()) + ", " +
        flag(op.getSkipIf()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(AdamWUpdateOp op) {
  copy(out(op, 0), in(op, 0), op.getParam(), "adamw parameter");
  copy(out(op, 1), in(op, 2), op.getM(), "adamw first moment");
  copy(out(op, 2), in(op, 3), op.getV(), "adamw second moment");
  check("mpc_rt_adamw(rt, " + f32(op.getNewParam()) + ", " + in(op, 1) + ", " +
        dtype(op.getGrad()) + ", " + f32(op.getNewM()) + ", " +
        f32(op.getNewV()) + ", " + str(numElementsOf(op.getParam())) + ", " +
        cf32(op.getStep()) + ", " +
        num(op.getLearningRate().convertToDouble()) + ", " +
        scheduleLiteral(op.getScheduleAttr()) + ", " +
        num(op.getBeta1().convertToDouble()) + ", " +
        num(op.getBeta2().convertToDouble()) + ", " +
        num(op.getEpsilon().convertToDouble()) + ", " +
        num(op.getWeightDecay().convertToDouble()) + ", " +
        flag(op.getSkipIf()) + ")");
  return success();
}

LogicalResult FunctionEmitter::visit(AdamWMultiUpdateOp op) {
  // Updated in place: each result starts as its operand's bytes.
  for (auto [param, newParam] : llvm::zip(op.getParams(), op.getNewParams()))
    copy(ptr(newParam), ptr(param), param, "adamw parameter");
  for (auto [m, newM] : llvm::zip(op.getM(), op.getNewM()))
    copy(ptr(newM), ptr(m), m, "adamw first moment");
  for (auto [v, newV] : llvm::zip(op.getV(), op.getNewV()))
    copy(ptr(newV), ptr(v), v, "adamw second moment");
  // The 16-bit weight copy of each param that has one (mpc-weight-copies).
  llvm::DenseMap<int64_t, Value> copyOf;
  for (auto [index, copyValue, newCopy] :
       llvm::zip(op.getCopyParams().value_or(ArrayRef<int64_t>()),
                 op.getCopies(), op.getNewCopies())) {
    copy(ptr(newCopy), ptr(copyValue), copyValue, "adamw weight copy");
    copyOf[index] = newCopy;
  }
  std::string tensors = fresh("adamw");
  os << "  const mpc_adamw_tensor " << tensors << "[] = {\n";
  for (auto [index, param] : llvm::enumerate(op.getParams())) {
    Value grad = op.getGrads()[index];
    Value weightCopy = copyOf.lookup(static_cast<int64_t>(index));
    os << "      {" << f32(op.getNewParams()[index]) << ", "
       << f32(op.getNewM()[index]) << ", " << f32(op.getNewV()[index]) << ", "
       << ptr(grad) << ", " << (weightCopy ? ptr(weightCopy) : "NULL") << ", "
       << dtype(grad) << ", " << (weightCopy ? dtype(weightCopy) : "MPC_F32")
       << ", " << numElementsOf(param) << ", "
       << num(op.getWeightDecays()[index]) << "},\n";
  }
  os << "  };\n";
  check("mpc_rt_adamw_multi(rt, " + tensors + ", " +
        str(op.getParams().size()) + ", " + cf32(op.getStep()) + ", " +
        num(op.getLearningRate().convertToDouble()) + ", " +
        scheduleLiteral(op.getScheduleAttr()) + ", " +
        num(op.getBeta1().convertToDouble()) + ", " +
        num(op.getBeta2().convertToDouble()) + ", " +
        num(op.getEpsilon().convertToDouble()) + ", " + flag(op.getSkipIf()) +
        ")");
  return success();
}

void FunctionEmitter::flushGroup(const std::string &description) {
  os.flush();
  entryOs << "  // " << description << "\n";
  if (enqueues)
    entryOs << "  static const char " << opName()
            << "[] = " << cStringLiteral(description) << ";\n";
  entryOs << group;
  if (enqueues) {
    entryOs << "  if (mpc_rt_op_done(rt, " << opName()
            << "))\n    return -1;\n";
    ++opCount;
  }
  group.clear();
  enqueues = false;
}

LogicalResult FunctionEmitter::emit() {
  for (BlockArgument argument : function.getArguments())
    pointers[argument] = "args->inputs[" + str(argument.getArgNumber()) + "]";
  entryOs << "\n// @" << function.getSymName() << "\n";
  entryOs << "extern \"C\" int " << entryPointName(function.getSymName())
          << "(mpc_rt *rt, const mpc_step_args *args) {\n";
  for (Operation &op : function.getBody().front()) {
    if (failed(assignResults(&op)) || failed(emitOp(&op)))
      return failure();
    flushGroup(isa<func::ReturnOp>(op)
                   ? oneLine("results of @" + function.getSymName().str() +
                             " (func.return)")
                   : describeOp(&op));
  }
  entryOs << "  return 0;\n}\n";
  return success();
}

/// A raw string literal delimiter that does not occur in `text`.
std::string rawDelimiter(StringRef text) {
  std::string delimiter = "mpc_json";
  for (unsigned n = 0; text.contains(")" + delimiter + "\""); ++n)
    delimiter = "mpc_json" + str(n);
  return delimiter;
}

} // namespace

Coverage cudaCoverage(OperationName name) {
  return {CudaStepOps::contains(name) || lowersInFusedKernel(name),
          rejectionOf(name, kNotEmitted)};
}

LogicalResult emitCudaStep(ModuleOp module, llvm::raw_ostream &os) {
  SmallVector<func::FuncOp> functions = manifestFunctions(module);
  for (func::FuncOp function : functions)
    if (!function->hasAttr(MpcDialect::kArenaBytesAttrName))
      return function.emitError("function @")
             << function.getSymName()
             << " has no memory plan (run mpc-plan-memory first)";
  FailureOr<llvm::json::Value> manifest = buildManifest(module);
  if (failed(manifest))
    return failure();

  ModuleState state;
  for (auto [index, param] : llvm::enumerate(manifestState(module)))
    state.stateIndex[param.getSymName()] = index;
  std::string entries;
  llvm::raw_string_ostream entriesOs(entries);
  for (func::FuncOp function : functions)
    if (failed(FunctionEmitter(state, function, entriesOs).emit()))
      return failure();

  std::string json;
  llvm::raw_string_ostream jsonOs(json);
  jsonOs << *manifest;
  std::string delimiter = rawDelimiter(json);

  std::optional<StringRef> graph = module.getSymName();
  os << "// Generated by mpc-translate --mpc-to-cuda from graph '"
     << cIdentifier(graph ? *graph : "graph") << "'.\n";
  os << "// The training step as CUDA C++ (docs/cuda-backend.md).\n\n";
  // The helpers and formulas every step uses are runtime/cuda/mpc_step.cuh's.
  os << "#include \"mpc_cuda_runtime.h\"\n#include \"mpc_step.cuh\"\n";
  os << "\nstatic_assert(MPC_CUDA_ABI_VERSION == " << kCudaAbiVersion
     << ", \"generated for mpc CUDA ABI " << kCudaAbiVersion << "\");\n";
  os << "\n//===--- Kernels of the mpc.fused ops and constants "
        "-------------------------===//\n";
  os << state.kernels;
  os << "\n//===--- Entry points "
        "------------------------------------------------------===//\n";
  os << entries;
  os << "\nextern \"C\" int mpc_abi_version(void) { return " << kCudaAbiVersion
     << "; }\n";
  // Nothing to resolve: the entry points reach no device symbol.
  os << "\nextern \"C\" int mpc_step_init(mpc_rt *) { return 0; }\n";
  os << "\nextern \"C\" const char *mpc_manifest_json(void) {\n  return R\""
     << delimiter << "(" << json << ")" << delimiter << "\";\n}\n";
  return success();
}

LogicalResult emitCudaManifest(ModuleOp module, llvm::raw_ostream &os) {
  FailureOr<llvm::json::Value> manifest = buildManifest(module);
  if (failed(manifest))
    return failure();
  os << llvm::formatv("{0:2}", *manifest) << "\n";
  return success();
}

} // namespace mpc
