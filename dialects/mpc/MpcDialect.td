//===- MpcDialect.td - the mpc dialect ---------------------*- tablegen -*-===//
//
// The mpc dialect describes a model's training step on ranked tensors. The
// element type of every value is its precision.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_DIALECT_TD
#define MPC_DIALECT_TD

include "mlir/IR/OpBase.td"

def Mpc_Dialect : Dialect {
  let name = "mpc";
  let summary = "Mixed-precision training steps on ranked tensors";
  let description = [{
    Values are builtin ranked tensors whose element type is their precision
    (`f32`, `f16`, `bf16`; `i32`/`i64` for labels and token ids, `i1` for
    masks). Parameters and optimizer state are module-level `mpc.param`
    symbols read with `mpc.load` and written with `mpc.store`.
  }];
  let cppNamespace = "::mpc";
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Mpc_FloatElement : AnyTypeOf<[F32, F16, BF16]>;
def Mpc_IndexElement : AnyTypeOf<[I32, I64]>;

def Mpc_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def Mpc_IndexTensor : RankedTensorOf<[I32, I64]>;
def Mpc_MaskTensor : RankedTensorOf<[I1]>;
def Mpc_AnyTensor : RankedTensorOf<[F32, F16, BF16, I32, I64, I1]>;
def Mpc_ScalarFloatTensor : 0DTensorOf<[F32, F16, BF16]>;

#endif // MPC_DIALECT_TD
