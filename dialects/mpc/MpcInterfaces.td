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

def Mpc_NarrowInputOpInterface : OpInterface<"NarrowInputOpInterface"> {
  let cppNamespace = "::mpc";
  let description = [{
    An op that computes in f32 and reads its `input` operand widened to f32
    whatever its element type: an f16 or bf16 input gives the same result
    as its f32 cast, because every 16-bit value widens to f32 exactly.
    mpc-fuse folds such a widening cast into the op, which then reads the
    16-bit tensor (half the bytes, and no f32 copy to write and keep).
  }];
  let methods = [
    InterfaceMethod<[{
        The operand that may be f16 or bf16 while the op computes in f32.
      }],
      "::mlir::OpOperand &", "getNarrowableInput", (ins), "",
      [{ return $_op.getInputMutable(); }]>
  ];
}

#endif // MPC_INTERFACES_TD
