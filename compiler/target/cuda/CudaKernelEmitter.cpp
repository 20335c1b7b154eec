//===- CudaKernelEmitter.cpp - one CUDA kernel per mpc.fused --------------===//
//
// An mpc.fused body evaluated per output element: every input is loaded at
// its broadcast index (strides fixed at emit time, 0 along broadcast dims),
// every body op becomes one expression in f32 (int32 for integers, bool for
// i1) rounded to the op's element type, and the yielded values are stored.
// Numpy broadcasting composes, so an intermediate of a smaller shape read at
// the output index has the value of its own element there.
//
//===----------------------------------------------------------------------===//

#include "compiler/target/cuda/CudaKernelEmitter.h"

#include "compiler/target/cuda/CudaEmitterSupport.h"
#include "dialects/mpc/OpCoverage.h"
#include "runtime/core/ElementwiseAccess.h"
#include "runtime/core/ScalarMath.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>

using namespace mlir;

namespace mpc {

namespace {

/// `expression` (an f32 value) rounded to float element type `type`.
std::string rounded(Type type, const std::string &expression) {
  if (type.isF16())
    return "mpc_round_f16(" + expression + ")";
  if (type.isBF16())
    return "mpc_round_bf16(" + expression + ")";
  return expression;
}

/// The index into an input of `inputShape` that output element `i` of
/// `shape` reads: dims are aligned at the end, size-1 dims dropped, and runs
/// of dims that are all broadcast or all present merged, so the common cases
/// come out as `i`, `i % 128`, `i / 128` or `0`.
std::string broadcastIndex(ArrayRef<int64_t> inputShape,
                           ArrayRef<int64_t> shape) {
  size_t rank = shape.size(), offset = rank - inputShape.size();
  // Per output dim: its size and the input's stride along it (0 when the
  // input repeats along it).
  struct Dim {
    int64_t size, stride;
  };
  SmallVector<Dim> dims;
  int64_t stride = 1;
  SmallVector<int64_t> inputStrides(rank, 0);
  for (size_t d = rank; d-- > offset;) {
    int64_t size = inputShape[d - offset];
    inputStrides[d] = size == 1 ? 0 : stride;
    stride *= size;
  }
  for (size_t d = 0; d < rank; ++d)
    if (shape[d] != 1)
      dims.push_back({shape[d], inputStrides[d]});
  // Merge neighbours: a present dim followed by a present dim, or a
  // broadcast dim followed by a broadcast dim.
  SmallVector<Dim> merged;
  for (Dim dim : dims) {
    if (!merged.empty() && (merged.back().stride == 0) == (dim.stride == 0)) {
      merged.back().size *= dim.size;
      merged.back().stride = dim.stride;
      continue;
    }
    merged.push_back(dim);
  }
  std::string index;
  int64_t inner = 1;
  for (size_t g = merged.size(); g-- > 0;) {
    Dim dim = merged[g];
    if (dim.stride != 0) {
      std::string term = "i";
      if (inner != 1)
        term = "(" + term + " / " + std::to_string(inner) + ")";
      if (g != 0)
        term = "(" + term + " % " + std::to_string(dim.size) + ")";
      if (dim.stride != 1)
        term += " * " + std::to_string(dim.stride);
      index = index.empty() ? term : term + " + " + index;
    }
    inner *= dim.size;
  }
  return index.empty() ? "0" : index;
}

/// Whether a kernel reads `argument` at the output index itself: used, and
/// not broadcast along any dim.
bool readsAtOutputIndex(BlockArgument argument, ArrayRef<int64_t> shape) {
  return !argument.use_empty() &&
         broadcastIndex(
             llvm::cast<RankedTensorType>(argument.getType()).getShape(),
             shape) == "i";
}

/// The ops a kernel lowers, each to an expression by an overload of
/// BodyEmitter::visit: the elementwise ops of runtime/core/ScalarMath.h's
/// lists, the other elementwise ops and scalar constants.
using CudaFusedBodyOps =
    OpSet<MPC_LISTED_OP_CLASSES CastOp, ConstantOp, BroadcastOp, SelectOp,
          MaskedFillOp, PowOp, WhereOp>;

/// Emits the body of one kernel: a statement per body op.
class BodyEmitter {
public:
  /// Writes the body of a loop over elements `i` (width 1) or vectors `j`
  /// of `width` elements, indexed in `indexType`.
  BodyEmitter(FusedOp op, int64_t width, StringRef indexType,
              llvm::raw_ostream &os)
      : fused(op), width(width), indexType(indexType), os(os) {}

  LogicalResult emit();

private:
  /// The index expression of `argument`'s element read at output element i.
  std::string inputIndex(BlockArgument argument);
  /// Whether `argument` is loaded as whole vectors: it is read at the
  /// output index itself (broadcast operands are read per element).
  bool isVectorAccessed(BlockArgument argument);

  /// The expression computing `op`'s result from its operands' variables,
  /// or failure after an error at `op`.
  FailureOr<std::string> expression(Operation *op) {
    return CudaFusedBodyOps::dispatch(
        op, [&](auto op) { return visit(op); },
        [&](Operation *op) -> FailureOr<std::string> {
          return op->emitOpError("cannot be lowered in an mpc.fused kernel");
        });
  }
  std::string name(Value value) { return names.lookup(value); }
  std::string operand(Operation *op, unsigned i) {
    return name(op->getOperand(i));
  }
  /// `function(operand 0, ...)`, rounded to the type of `op`'s result.
  std::string call(Operation *op, StringRef function, unsigned arity) {
    std::string text = function.str() + "(";
    for (unsigned i = 0; i < arity; ++i)
      text += (i ? ", " : "") + operand(op, i);
    return rounded(elementTypeOf(op->getResult(0)), text + ")");
  }

  // The ops of the lists call their device spelling (the CUDA intrinsic or
  // libm function, or mpc_step.cuh's mpc_<op>).
#define MPC_EMIT_BINARY(Name, mnemonic, function, cuda, accuracy)              \
  FailureOr<std::string> visit(Name##Op op) { return call(op, #cuda, 2); }
#define MPC_EMIT_UNARY(Name, mnemonic, function, cuda, accuracy)               \
  FailureOr<std::string> visit(Name##Op op) { return call(op, #cuda, 1); }
#define MPC_EMIT_UNARY_GRAD(Name, mnemonic, function, cuda, accuracy)          \
  FailureOr<std::string> visit(Name##GradOp op) { return call(op, #cuda, 2); }
  MPC_BINARY_OPS(MPC_EMIT_BINARY)
  MPC_UNARY_OPS(MPC_EMIT_UNARY)
  MPC_UNARY_GRAD_OPS(MPC_EMIT_UNARY_GRAD)
#undef MPC_EMIT_BINARY
#undef MPC_EMIT_UNARY
#undef MPC_EMIT_UNARY_GRAD

  FailureOr<std::string> visit(CastOp op);
  FailureOr<std::string> visit(ConstantOp op);
  FailureOr<std::string> visit(BroadcastOp op) { return operand(op, 0); }
  FailureOr<std::string> visit(SelectOp op) {
    return operand(op, 0) + " ? " + operand(op, 1) + " : " + operand(op, 2);
  }
  FailureOr<std::string> visit(MaskedFillOp op) {
    float value = static_cast<float>(op.getValue().convertToDouble());
    return rounded(elementTypeOf(op.getResult()), operand(op, 1) + " ? " +
                                                      floatLiteral(value) +
                                                      " : " + operand(op, 0));
  }
  FailureOr<std::string> visit(PowOp op) {
    float exponent = static_cast<float>(op.getExponent().convertToDouble());
    return rounded(elementTypeOf(op.getResult()),
                   "mpc_pow(" + operand(op, 0) + ", " + floatLiteral(exponent) +
                       ")");
  }

  FailureOr<std::string> visit(WhereOp op) {
    // The branches already have the result's type: a choice, no rounding.
    return operand(op, 0) + " ? " + operand(op, 1) + " : " + operand(op, 2);
  }

  FusedOp fused;
  int64_t width;
  StringRef indexType;
  llvm::raw_ostream &os;
  DenseMap<Value, std::string> names;
  /// The per-element loads of the broadcast operands.
  std::string loadText;
  llvm::raw_string_ostream loads{loadText};
};

FailureOr<std::string> BodyEmitter::visit(CastOp op) {
  Type from = elementTypeOf(op.getInput()), to = elementTypeOf(op.getResult());
  std::string x = name(op.getInput());
  bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(to);
  if (fromFloat && toFloat)
    return rounded(to, x);
  if (toFloat)
    return rounded(to, from.isInteger(1) ? "(" + x + " ? 1.0f : 0.0f)"
                                         : "(float)" + x);
  if (to.isInteger(1))
    return x + (fromFloat ? " != 0.0f" : " != 0");
  if (fromFloat)
    return "mpc_to_int(" + x + ")";
  return "(int32_t)" + x;
}

FailureOr<std::string> BodyEmitter::visit(ConstantOp op) {
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!dense || !dense.isSplat())
    return op.emitOpError("in an mpc.fused body must be a scalar dense "
                          "constant");
  Type type = elementTypeOf(op.getResult());
  if (auto floatType = dyn_cast<FloatType>(type)) {
    // Rounded to the constant's own type, as the CPU executor does.
    APFloat value = dense.getSplatValue<APFloat>();
    bool lost;
    value.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
    return floatLiteral(value.convertToFloat());
  }
  APInt value = dense.getSplatValue<APInt>();
  if (type.isInteger(1))
    return std::string(value.isZero() ? "false" : "true");
  return std::to_string(static_cast<int32_t>(value.getSExtValue()));
}

bool BodyEmitter::isVectorAccessed(BlockArgument argument) {
  return width > 1 && readsAtOutputIndex(argument, fused.getIterationShape());
}

std::string BodyEmitter::inputIndex(BlockArgument argument) {
  return broadcastIndex(
      llvm::cast<RankedTensorType>(argument.getType()).getShape(),
      fused.getIterationShape());
}

LogicalResult BodyEmitter::emit() {
  Block &body = fused.getBody().front();
  // The vector kernel: each thread loads vector `j` of every operand read
  // at the output index, evaluates the body per element k of it in
  // registers, and stores vector `j` of every result.
  std::string indent = width > 1 ? "      " : "    ";
  std::string lane = width > 1 ? "[k]" : "";
  std::string w = std::to_string(width);
  bool perElementIndex = false;
  for (BlockArgument argument : body.getArguments()) {
    std::string variable = "a" + std::to_string(argument.getArgNumber());
    if (argument.use_empty()) {
      names[argument] = variable;
      continue;
    }
    std::string type = cudaComputeType(elementTypeOf(argument)).str();
    std::string in = "in" + std::to_string(argument.getArgNumber());
    if (isVectorAccessed(argument)) {
      names[argument] = variable + lane;
      os << "    " << type << " " << variable << "[" << w << "];\n";
      os << "    mpc_load_vec(" << in << ", j, " << variable << ");\n";
      continue;
    }
    names[argument] = variable;
    std::string index = inputIndex(argument);
    perElementIndex |= index != "0";
    loads << indent << "const " << type << " " << variable << " = mpc_load("
          << in << ", " << index << ");\n";
  }
  std::string text;
  llvm::raw_string_ostream ops(text);
  unsigned next = 0;
  for (Operation &op : body.without_terminator()) {
    // Dead body ops compute nothing anyone reads.
    if (op.use_empty())
      continue;
    FailureOr<std::string> value = expression(&op);
    if (failed(value))
      return failure();
    std::string variable = "v" + std::to_string(next++);
    names[op.getResult(0)] = variable;
    ops << indent << "// " << describeOp(&op) << "\n";
    ops << indent << "const " << cudaComputeType(elementTypeOf(op.getResult(0)))
        << " " << variable << " = " << *value << ";\n";
  }
  Operation *yield = body.getTerminator();
  if (width == 1) {
    os << loads.str() << text;
    for (auto [index, value] : llvm::enumerate(yield->getOperands()))
      os << "    mpc_store(out" << index << ", i, " << name(value) << ");\n";
    return success();
  }
  for (auto [index, value] : llvm::enumerate(yield->getOperands()))
    os << "    " << cudaComputeType(elementTypeOf(value)) << " r" << index
       << "[" << w << "];\n";
  os << "#pragma unroll\n";
  os << "    for (int k = 0; k < " << w << "; ++k) {\n";
  if (perElementIndex)
    os << indent << "const " << indexType << " i = j * " << w << " + k;\n";
  os << loads.str() << text;
  for (auto [index, value] : llvm::enumerate(yield->getOperands()))
    os << indent << "r" << index << "[k] = " << name(value) << ";\n";
  os << "    }\n";
  for (unsigned index = 0; index < yield->getNumOperands(); ++index)
    os << "    mpc_store_vec(out" << index << ", j, r" << index << ");\n";
  return success();
}

} // namespace

bool lowersInFusedKernel(OperationName name) {
  return CudaFusedBodyOps::contains(name);
}

std::string fusedKernelName(FusedOp op, unsigned index) {
  std::string name = "fused_" + std::to_string(index);
  Block &body = op.getBody().front();
  if (body.without_terminator().empty())
    return name;
  Operation &first = body.front();
  std::string node = cIdentifier(nodeName(first.getLoc()));
  if (node.size() > 40)
    node.resize(40);
  if (!node.empty())
    name += "_" + node;
  return name + "_" + cIdentifier(first.getName().stripDialect());
}

FusedKernelPlan planFusedKernel(FusedOp op) {
  FusedKernelPlan plan;
  plan.count = 1;
  for (int64_t dim : op.getIterationShape())
    plan.count *= dim;
  plan.index32 = access::fitsIndex32(plan.count);
  // The widest element moved as vectors sets the width; an operand read
  // per element (broadcast, or unused) is not.
  int64_t widest = 0;
  for (BlockArgument argument : op.getBody().front().getArguments()) {
    bool vector = readsAtOutputIndex(argument, op.getIterationShape());
    int64_t bytes = cudaElementSize(elementTypeOf(argument));
    plan.vectorBytes.push_back(vector ? bytes : 0);
    if (vector)
      widest = std::max(widest, bytes);
  }
  for (Value result : op.getResults()) {
    int64_t bytes = cudaElementSize(elementTypeOf(result));
    plan.vectorBytes.push_back(bytes);
    widest = std::max(widest, bytes);
  }
  plan.width = access::vectorWidth(plan.count, widest);
  for (int64_t &bytes : plan.vectorBytes)
    bytes *= plan.width == 1 ? 0 : plan.width;
  return plan;
}

namespace {

/// Writes kernel `name` of `op` looping over elements (width 1) or
/// vectors of `plan.width` elements.
LogicalResult emitKernel(FusedOp op, StringRef name,
                         const FusedKernelPlan &plan, int64_t width,
                         ArrayRef<bool> aliased, llvm::raw_ostream &os) {
  StringRef indexType = plan.index32 ? "int32_t" : "int64_t";
  std::string text;
  llvm::raw_string_ostream body(text);
  if (failed(BodyEmitter(op, width, indexType, body).emit()))
    return failure();
  os << "\n// " << describeOp(op) << ": " << op.getInputs().size()
     << " inputs, " << op.getNumResults() << " results over " << plan.count
     << " elements";
  if (width > 1)
    os << ", " << width << " per thread";
  else if (plan.width > 1)
    os << ", one per thread (unaligned buffers)";
  os << ".\n";
  os << "__global__ void __launch_bounds__(MPC_BLOCK) " << name << "(";
  unsigned parameter = 0;
  // __restrict__ on every pointer but those of an input and a result that
  // share a buffer (an in-place update): those alias.
  auto qualifier = [&]() {
    return aliased[parameter] ? " *" : " *__restrict__ ";
  };
  for (auto [index, input] : llvm::enumerate(op.getInputs())) {
    os << (parameter ? ", " : "") << "const "
       << cudaStorageType(elementTypeOf(input)) << qualifier() << "in" << index;
    ++parameter;
  }
  for (auto [index, result] : llvm::enumerate(op.getResults())) {
    os << (parameter ? ", " : "") << cudaStorageType(elementTypeOf(result))
       << qualifier() << "out" << index;
    ++parameter;
  }
  os << ") {\n";
  std::string variable = width > 1 ? "j" : "i";
  std::string start = "blockIdx.x * blockDim.x + threadIdx.x";
  std::string stride = "gridDim.x * blockDim.x";
  if (plan.index32) {
    start = "(int32_t)(" + start + ")";
    stride = "(int32_t)(" + stride + ")";
  } else {
    start = "(int64_t)blockIdx.x * blockDim.x + threadIdx.x";
    stride = "(int64_t)" + stride;
  }
  os << "  for (" << indexType << " " << variable << " = " << start << "; "
     << variable << " < " << plan.count / width << "; " << variable
     << " += " << stride << ") {\n";
  os << text;
  os << "  }\n}\n";
  return success();
}

} // namespace

FailureOr<FusedKernelPlan> emitFusedKernel(FusedOp op, StringRef name,
                                           ArrayRef<bool> aliased,
                                           llvm::raw_ostream &os) {
  FusedKernelPlan plan = planFusedKernel(op);
  if (failed(emitKernel(op, name, plan, plan.width, aliased, os)))
    return failure();
  if (plan.width > 1 &&
      failed(emitKernel(op, scalarKernelName(name), plan, 1, aliased, os)))
    return failure();
  return plan;
}

std::string scalarKernelName(StringRef name) {
  return (name + "_scalar").str();
}

} // namespace mpc
