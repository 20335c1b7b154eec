//===- MpcInterfaces.td - mpc op interfaces ----------------*- tablegen -*-===//
//
// Differentiation is an op interface: each op builds its own gradient, and
// the autodiff in passes/ only walks the graph backward and accumulates.
// Others tell autocast which values stay f32 and the memory planner which
// results may overwrite an operand.
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

def Mpc_OverwritesOperandOpInterface
    : OpInterface<"OverwritesOperandOpInterface"> {
  let cppNamespace = "::mpc";
  let description = [{
    An op whose kernels on every backend may write a result into the storage
    of one of its operands: each element of the operand is read before the
    result element at the same byte offset is written, and every other read
    of the operand is done by then. mpc-plan-memory gives the result the
    operand's buffer when the operand has no later reader and the two have
    the same byte size. The softmax cross-entropy's gradient writes its
    16-bit dlogits over 16-bit logits this way:

    ```mlir
    %dlogits = mpc.softmax_cross_entropy_grad %dl, %logits, %y : (tensor<f32>, tensor<8x10xbf16>, tensor<8xi32>) -> tensor<8x10xbf16>
    ```
  }];
  let methods = [
    InterfaceMethod<[{
        The operand `result` may overwrite, or null for a result that needs
        storage of its own.
      }],
      "::mlir::OpOperand *", "overwritableOperand",
      (ins "::mlir::OpResult":$result)>
  ];
}

#endif // MPC_INTERFACES_TD
