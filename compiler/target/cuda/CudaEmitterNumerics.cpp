//===- CudaEmitterNumerics.cpp - --check-numerics in the CUDA step --------===//

#include "compiler/target/cuda/CudaEmitterNumerics.h"

#include "compiler/target/cuda/CudaEmitterSupport.h"
#include "dialects/mpc/MpcDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace mpc {

std::vector<std::string>
probeCalls(Operation *op, ProbedValues which,
           llvm::function_ref<std::string(Value)> pointer) {
  auto probe =
      op->getAttrOfType<IntegerAttr>(MpcDialect::kNumericsProbeAttrName);
  if (!probe)
    return {};
  bool inputs = which == ProbedValues::Inputs;
  llvm::SetVector<Value> values;
  for (Value value :
       inputs ? ValueRange(op->getOperands()) : ValueRange(op->getResults()))
    if (isa<FloatType>(elementTypeOf(value)))
      values.insert(value);
  std::vector<std::string> calls;
  for (Value value : values)
    calls.push_back(
        "mpc_check_probe(rt, args, " + std::to_string(probe.getInt()) + ", " +
        (inputs ? "MPC_PROBE_INPUTS" : "MPC_PROBE_OUTPUTS") + ", " +
        pointer(value) + ", " + cudaDtype(elementTypeOf(value)).str() + ", " +
        std::to_string(numElementsOf(value)) + ")");
  return calls;
}

} // namespace mpc
