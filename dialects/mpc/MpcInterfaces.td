//===- MpcInterfaces.td - mpc op interfaces ----------------*- tablegen -*-===//
//
// Differentiation is an op interface: each op builds its own gradient, and
// the autodiff in passes/ only walks the graph backward and accumulates.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_INTERFACES_TD
#define MPC_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Mpc_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::mpc";
  let description = [{
    An op that can build the gradients of its operands from the gradients of
    its results (reverse mode). Integer operands (ids, labels) and masks have
    no gradient.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds, at the builder's insertion point, the gradient of each operand
        from `resultGradients` (one per result; null where a result does not
        reach the loss). Appends one value per operand to `operandGradients`:
        the gradient, of the operand's type, or null for an operand that has
        none.
      }],
      "::llvm::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$resultGradients,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGradients)>
  ];
}

def Mpc_F32StatisticsOpInterface : OpInterface<"F32StatisticsOpInterface"> {
  let cppNamespace = "::mpc";
  let description = [{
    An op whose precision autocast decides but some of whose operands or
    results stay f32 whatever it decides: row statistics (a log-sum-exp)
    that later ops recompute from, where a 16-bit rounding would spoil the
    recomputation. Autocast leaves these values' types alone.
  }];
  let methods = [
    InterfaceMethod<[{
        Whether `value`, an operand or a result of this op, stays f32.
      }],
      "bool", "keepsF32", (ins "::mlir::Value":$value)>
  ];
}

#endif // MPC_INTERFACES_TD
