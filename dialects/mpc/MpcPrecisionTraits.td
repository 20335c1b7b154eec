//===- MpcPrecisionTraits.td - default autocast categories -*- tablegen -*-===//
//
// Every op of a training step declares how `mpc-autocast` treats it by
// default; a policy file may move ops between the four categories. An op
// without one of these traits is an error under autocast, never silently
// f32.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_PRECISION_TRAITS_TD
#define MPC_PRECISION_TRAITS_TD

include "mlir/IR/OpBase.td"

class Mpc_PrecisionTrait<string name> : NativeOpTrait<name> {
  let cppNamespace = "::mpc::OpTrait";
}

// Runs in the low precision: tensor-core GEMMs.
def Mpc_Allow : Mpc_PrecisionTrait<"AutocastAllow">;
// Runs in f32: range- or accumulation-sensitive ops and losses.
def Mpc_Deny : Mpc_PrecisionTrait<"AutocastDeny">;
// Arithmetic that follows its neighbours.
def Mpc_Infer : Mpc_PrecisionTrait<"AutocastInfer">;
// No numerical effect (data movement, selection); follows its neighbours.
def Mpc_Clear : Mpc_PrecisionTrait<"AutocastClear">;
// Keeps its types: parameters, explicit casts, the optimizer and loss
// scaling work on f32 master weights and state.
def Mpc_KeepsPrecision : Mpc_PrecisionTrait<"KeepsPrecision">;

// Computes each output element from the operand elements at the same index,
// with numpy broadcasting of operands: what mpc-fuse may merge into one
// mpc.fused kernel.
def Mpc_Elementwise : Mpc_PrecisionTrait<"Elementwise">;

// Computes its result in f32 whatever its types and rounds it once to the
// result's element type, which may be f16 or bf16 where the operands are
// f32: mpc-fuse folds a narrowing cast of the result into the op.
def Mpc_NarrowableResult : Mpc_PrecisionTrait<"NarrowableResult">;

// A loss, or its gradient, that computes in f32 from float operands of any
// width (an f16/bf16 value widens to f32 exactly). Its logits may be
// 16 bits, as under PyTorch autocast: mpc-autocast lets a 16-bit GEMM
// write them in 16 bits when only such ops want them in f32, and mpc-fuse
// lets the op read them without the widening cast.
def Mpc_F32LossOfAnyFloat : Mpc_PrecisionTrait<"F32LossOfAnyFloat">;

#endif // MPC_PRECISION_TRAITS_TD
