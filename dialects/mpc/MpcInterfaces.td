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

#endif // MPC_INTERFACES_TD
