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
    Values are builtin statically shaped tensors whose element type is their
    precision (`f32`, `f16`, `bf16`; `i32`/`i64` for labels and token ids,
    `i1` for masks). Parameters and optimizer state are module-level `mpc.param`
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

// Every dim is static: the shape rules in ShapeFunctions.cpp compare and
// multiply dim sizes.
def Mpc_FloatTensor : StaticShapeTensorOf<[F32, F16, BF16]>;
def Mpc_IndexTensor : StaticShapeTensorOf<[I32, I64]>;
def Mpc_MaskTensor : StaticShapeTensorOf<[I1]>;
def Mpc_AnyTensor : StaticShapeTensorOf<[F32, F16, BF16, I32, I64, I1]>;
def Mpc_ScalarFloatTensor : 0DTensorOf<[F32, F16, BF16]>;

#endif // MPC_DIALECT_TD
