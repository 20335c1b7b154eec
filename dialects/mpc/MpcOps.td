//===- MpcOps.td - mpc operations --------------------------*- tablegen -*-===//
//
// Forward ops of MLPs and GPT-style decoders, parameters and casts. Shape
// rules live in ShapeFunctions.cpp so the verifiers and the JSON importer
// share them.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_OPS_TD
#define MPC_OPS_TD

include "dialects/mpc/MpcDialect.td"
include "dialects/mpc/MpcAttrs.td"
include "dialects/mpc/MpcInterfaces.td"
include "dialects/mpc/MpcPrecisionTraits.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class Mpc_Op<string mnemonic, list<Trait> traits = []>
    : Op<Mpc_Dialect, mnemonic, traits>;

// Ops that build their own gradient (see MpcGradients.cpp).
defvar Mpc_Differentiable = DeclareOpInterfaceMethods<Mpc_GradientOpInterface>;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def Mpc_ParamOp : Mpc_Op<"param", [Symbol, HasParent<"::mlir::ModuleOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "A module-level tensor the step reads and updates";
  let description = [{
    Declares a trainable parameter with its type and initializer, or, with
    `state`, optimizer state that is not differentiated (Adam moments,
    momentum buffers, the step count). Functions read it with `mpc.load` and
    write it with `mpc.store`; checkpoints hold both kinds.

    The initializer is an `#mpc.init` rule, or the initial value itself (an
    imported model's pretrained weights): a `dense_resource` blob, which
    keeps large values out of the op's line and prints them once at the end
    of the module, or a `dense` literal. The value has the param's type.

    State with `copy_of` is a 16-bit copy of an f32 parameter: it always
    holds its source rounded to its element type (nearest even), so the step
    reads its low-precision weights without casting them. The optimizer
    update writes it with the parameter (mpc-weight-copies); executors set
    it from its source whenever they set the state, and checkpoints leave it
    out. Its initializer is `#mpc.init<zeros>`, never used.

    ```mlir
    mpc.param @w1 : tensor<64x128xf32> = #mpc.init<xavier_uniform, gain = 1.000000e+00>
    mpc.param state @w1.m : tensor<64x128xf32> = #mpc.init<zeros>
    mpc.param state @w1.bf16 : tensor<64x128xbf16> = #mpc.init<zeros> copy_of @w1
    mpc.param @fc.weight : tensor<4x3xf32> = dense_resource<fc.weight> : tensor<4x3xf32>
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<Mpc_AnyTensor>:$type,
                       AnyAttrOf<[Mpc_InitAttr, ElementsAttr]>:$init,
                       UnitAttr:$state,
                       OptionalAttr<FlatSymbolRefAttr>:$copy_of);
  let assemblyFormat = [{
    (`state` $state^)? $sym_name `:` $type `=` qualified($init)
    (`copy_of` $copy_of^)? attr-dict
  }];
  let builders = [
    OpBuilder<(ins "::mlir::StringAttr":$sym_name, "::mlir::TypeAttr":$type,
                   "::mlir::Attribute":$init, "::mlir::UnitAttr":$state), [{
      build($_builder, $_state, sym_name, type, init, state,
            /*copy_of=*/nullptr);
    }]>,
    OpBuilder<(ins "::llvm::StringRef":$sym_name, "::mlir::Type":$type,
                   "::mlir::Attribute":$init,
                   CArg<"bool", "false">:$state), [{
      build($_builder, $_state, $_builder.getStringAttr(sym_name),
            ::mlir::TypeAttr::get(type), init,
            state ? $_builder.getUnitAttr() : nullptr, /*copy_of=*/nullptr);
    }]>
  ];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
    /// The initializer rule, or null when the param holds its initial value.
    ::mpc::InitAttr getInitRule() {
      return ::llvm::dyn_cast<::mpc::InitAttr>(getInit());
    }
    /// The initial value, or null when an initializer rule draws it.
    ::mlir::ElementsAttr getInitialValue() {
      return ::llvm::dyn_cast<::mlir::ElementsAttr>(getInit());
    }
  }];
}

def Mpc_LoadOp : Mpc_Op<"load", [Mpc_KeepsPrecision,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>,
    MemoryEffects<[MemRead]>]> {
  let summary = "Reads the current value of a parameter";
  let description = [{
    ```mlir
    %w1 = mpc.load @w1 : tensor<64x128xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$param);
  let results = (outs Mpc_AnyTensor:$result);
  let assemblyFormat = "$param attr-dict `:` type($result)";
}

def Mpc_StoreOp : Mpc_Op<"store", [Mpc_KeepsPrecision,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    MemoryEffects<[MemWrite]>]> {
  let summary = "Writes a new value into a parameter";
  let description = [{
    ```mlir
    mpc.store %new_w1, @w1 : tensor<64x128xf32>
    ```
  }];
  let arguments = (ins Mpc_AnyTensor:$value, FlatSymbolRefAttr:$param);
  let assemblyFormat = "$value `,` $param attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

def Mpc_ConstantOp : Mpc_Op<"constant", [ConstantLike, Pure, Mpc_KeepsPrecision]> {
  let summary = "A tensor literal";
  let description = [{
    ```mlir
    %c = mpc.constant dense<6.250000e-02> : tensor<f32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Mpc_AnyTensor:$result);
  let hasCustomAssemblyFormat = 1;
  let hasFolder = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
      build($_builder, $_state, value.getType(), value);
    }]>
  ];
}

def Mpc_CastOp : Mpc_Op<"cast", [Pure, Mpc_KeepsPrecision, Mpc_Elementwise, SameOperandsAndResultShape, Mpc_Differentiable]> {
  let summary = "Converts a tensor's element type";
  let description = [{
    Float to float conversions round to nearest even; float to integer
    truncates toward zero; integer to float rounds to nearest even.

    ```mlir
    %h = mpc.cast %x : tensor<32x64xf32> to tensor<32x64xbf16>
    ```
  }];
  let arguments = (ins Mpc_AnyTensor:$input);
  let results = (outs Mpc_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contraction
//===----------------------------------------------------------------------===//

def Mpc_MatmulOp : Mpc_Op<"matmul", [Pure, Mpc_Allow, Mpc_Differentiable]> {
  let summary = "Batched matrix product with numpy broadcasting of batch dims";
  let description = [{
    Both operands have rank ≥ 2 and the same float element type; the last
    two dims are the matrix, the leading dims broadcast. `transpose_a` and
    `transpose_b` swap the last two dims of an operand before the product.
    Products accumulate in f32; the result element type is the operands' or
    a wider one (a bf16 product written as f32), never a narrower one.

    ```mlir
    %y = mpc.matmul %x, %w : (tensor<8x64xf32>, tensor<64x128xf32>) -> tensor<8x128xf32>
    %s = mpc.matmul %q, %k {transpose_b} : (tensor<2x4x16x8xbf16>, tensor<2x4x16x8xbf16>) -> tensor<2x4x16x16xbf16>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$lhs, Mpc_FloatTensor:$rhs,
                       UnitAttr:$transpose_a, UnitAttr:$transpose_b);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Mpc_BroadcastBinaryOp<string mnemonic, string what>
    : Mpc_Op<mnemonic, [Pure, Mpc_Infer, Mpc_Elementwise, Mpc_Differentiable]> {
  let summary = "Elementwise " # what # " with numpy broadcasting";
  let description = [{
    Operands and result share one float element type; the result shape is
    the numpy broadcast of the operand shapes.

    ```mlir
    %y = mpc.}] # mnemonic # [{ %a, %b : (tensor<8x128xf32>, tensor<128xf32>) -> tensor<8x128xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$lhs, Mpc_FloatTensor:$rhs);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mpc_AddOp : Mpc_BroadcastBinaryOp<"add", "addition">;
def Mpc_SubOp : Mpc_BroadcastBinaryOp<"sub", "subtraction">;
def Mpc_MulOp : Mpc_BroadcastBinaryOp<"mul", "multiplication">;
def Mpc_DivOp : Mpc_BroadcastBinaryOp<"div", "division">;

class Mpc_UnaryOp<string mnemonic, string formula, Trait category>
    : Mpc_Op<mnemonic, [Pure, category, Mpc_Elementwise, SameOperandsAndResultType, Mpc_Differentiable]> {
  let summary = "Elementwise " # formula;
  let description = [{
    ```mlir
    %y = mpc.}] # mnemonic # [{ %x : tensor<8x128xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$input);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Mpc_ReluOp : Mpc_UnaryOp<"relu", "max(x, 0)", Mpc_Clear>;
def Mpc_GeluOp : Mpc_UnaryOp<"gelu",
    "0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (tanh approximation)",
    Mpc_Infer>;
def Mpc_TanhOp : Mpc_UnaryOp<"tanh", "tanh(x)", Mpc_Infer>;
def Mpc_SigmoidOp : Mpc_UnaryOp<"sigmoid", "1 / (1 + exp(-x))", Mpc_Infer>;
def Mpc_SiluOp : Mpc_UnaryOp<"silu", "x·sigmoid(x) (swish)", Mpc_Infer>;
def Mpc_ExpOp : Mpc_UnaryOp<"exp", "exp(x)", Mpc_Deny>;
def Mpc_LogOp : Mpc_UnaryOp<"log", "natural logarithm", Mpc_Deny>;
def Mpc_SqrtOp : Mpc_UnaryOp<"sqrt", "square root", Mpc_Deny>;
def Mpc_RsqrtOp : Mpc_UnaryOp<"rsqrt", "1 / sqrt(x)", Mpc_Deny>;
def Mpc_NegOp : Mpc_UnaryOp<"neg", "-x", Mpc_Clear>;

def Mpc_PowOp : Mpc_Op<"pow", [Pure, Mpc_Deny, Mpc_Elementwise, SameOperandsAndResultType, Mpc_Differentiable]> {
  let summary = "Elementwise x to a constant exponent";
  let description = [{
    C's `powf(x, exponent)` in f32, with the exponent rounded to f32: a
    negative x with a non-integer exponent gives NaN, a zero x with a
    negative exponent an infinity, and exponent 0 gives 1 for every x. The
    exponent is finite and within the range of f32.

    ```mlir
    %y = mpc.pow %x exponent = 1.500000e+00 : tensor<8x128xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$input, F64Attr:$exponent);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = "$input `exponent` `=` $exponent attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

class Mpc_SoftmaxLikeOp<string mnemonic, string what>
    : Mpc_Op<mnemonic, [Pure, Mpc_Deny, SameOperandsAndResultType, Mpc_Differentiable]> {
  let summary = what # " along one axis";
  let description = [{
    `axis` is non-negative and less than the rank.

    ```mlir
    %p = mpc.}] # mnemonic # [{ %x axis = 1 : tensor<8x10xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Mpc_SoftmaxOp : Mpc_SoftmaxLikeOp<"softmax", "exp(x - max) / sum(exp(x - max))">;
def Mpc_LogSoftmaxOp : Mpc_SoftmaxLikeOp<"log_softmax", "x - max - log(sum(exp(x - max)))">;

def Mpc_LayerNormOp : Mpc_Op<"layer_norm", [Pure, Mpc_Deny, Mpc_Differentiable,
                                           Mpc_NarrowableResult,
                                           Mpc_NarrowInputOpInterface,
                                           AllShapesMatch<["input", "result"]>,
                                           AllTypesMatch<["gamma", "beta"]>]> {
  let summary = "Layer normalization over the trailing dims, with affine params";
  let description = [{
    Normalizes `input` over its trailing dims of the shape of `gamma`:
    `(x - mean) / sqrt(var + epsilon) * gamma + beta`, with the biased
    variance. The result has the input's type, or is f16/bf16 for an f32
    input (mpc-fuse folds the cast that feeds the next GEMM into it). The
    input has gamma's element type, or is f16/bf16 for f32 params (mpc-fuse
    folds the cast that widened it).

    ```mlir
    %y = mpc.layer_norm %x, %g, %b eps = 1.000000e-05 : tensor<8x16x64xf32>, tensor<64xf32>
    %h = mpc.layer_norm %x, %g, %b eps = 1.000000e-05 : tensor<8x16x64xf32>, tensor<64xf32> -> tensor<8x16x64xbf16>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$input, Mpc_FloatTensor:$gamma,
                       Mpc_FloatTensor:$beta, F64Attr:$epsilon);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `eps` `=` $epsilon attr-dict `:` type($input) `,` type($gamma)
    `` custom<TypeUnlessInput>(type($result), ref(type($input)))
  }];
  let hasVerifier = 1;
}

def Mpc_RmsNormOp : Mpc_Op<"rms_norm", [Pure, Mpc_Deny, Mpc_Differentiable,
                                       Mpc_NarrowInputOpInterface,
                                       AllShapesMatch<["input", "result"]>,
                                       AllElementTypesMatch<["result", "weight"]>]> {
  let summary = "RMS normalization over the last dim, with a scale";
  let description = [{
    Divides each row of `input` along its last dim by its root mean square
    and scales it: `x / sqrt(mean(x^2) + epsilon) * weight` (LLaMA's
    RMSNorm). `weight` has the shape of the last dim. The result has the
    weight's element type; the input has it too, or is f16/bf16 for an f32
    weight (mpc-fuse folds the cast that widened it).

    ```mlir
    %y = mpc.rms_norm %x, %w eps = 1.000000e-06 : tensor<8x16x64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$input, Mpc_FloatTensor:$weight,
                       F64Attr:$epsilon);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `eps` `=` $epsilon attr-dict `:` type($input) `,` type($weight)
    `` custom<TypeUnlessInput>(type($result), ref(type($input)))
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Mpc_ReduceOp<string mnemonic, string what>
    : Mpc_Op<mnemonic, [Pure, Mpc_Deny, Mpc_NarrowInputOpInterface,
                        Mpc_Differentiable]> {
  let summary = what # " over axes";
  let description = [{
    `axes` are distinct, sorted, non-negative and less than the rank. With
    `keepdims` the reduced dims stay as size 1. Accumulates in f32. The
    input has the result's element type, or is f16/bf16 for an f32 result
    (mpc-fuse folds the cast that widened it).

    ```mlir
    %s = mpc.}] # mnemonic # [{ %x [1] : tensor<8x10xf32> -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keepdims);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $input $axes attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Mpc_ReduceSumOp : Mpc_ReduceOp<"reduce_sum", "Sum">;
def Mpc_ReduceMeanOp : Mpc_ReduceOp<"reduce_mean", "Mean">;

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Mpc_ReshapeOp : Mpc_Op<"reshape", [Pure, Mpc_Clear, Mpc_Differentiable, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Reinterprets a tensor with another shape of the same size";
  let description = [{
    ```mlir
    %y = mpc.reshape %x : tensor<8x16x64xf32> -> tensor<8x16x4x16xf32>
    ```
  }];
  let arguments = (ins Mpc_AnyTensor:$input);
  let results = (outs Mpc_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Mpc_TransposeOp : Mpc_Op<"transpose", [Pure, Mpc_Clear, Mpc_Differentiable, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Permutes a tensor's dims";
  let description = [{
    Result dim `i` is input dim `permutation[i]`.

    ```mlir
    %y = mpc.transpose %x [0, 2, 1, 3] : tensor<8x16x4x16xf32> -> tensor<8x4x16x16xf32>
    ```
  }];
  let arguments = (ins Mpc_AnyTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Mpc_AnyTensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Mpc_SliceOp : Mpc_Op<"slice", [Pure, Mpc_Clear, Mpc_Differentiable, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Takes every `step`-th element from `start` towards `end` along axes";
  let description = [{
    ONNX's Slice with static bounds. For each listed axis (distinct, in
    `[0, rank)`), a negative start or end counts from the end of the dim;
    both are then clamped to the dim (`[0, d]` for a positive step,
    `[0, d - 1]` for the start and `[-1, d - 1]` for the end of a negative
    one), and the result takes `ceil((end - start) / step)` elements. A
    negative step walks backwards. Axes not listed are kept whole; the
    result is never empty.

    ```mlir
    %y = mpc.slice %x axes = [1] starts = [2] ends = [8] steps = [2] : tensor<4x10xf32> -> tensor<4x3xf32>
    %r = mpc.slice %x axes = [0] starts = [-1] ends = [-11] steps = [-1] : tensor<4x10xf32> -> tensor<4x10xf32>
    ```
  }];
  let arguments = (ins Mpc_AnyTensor:$input, DenseI64ArrayAttr:$axes,
                       DenseI64ArrayAttr:$starts, DenseI64ArrayAttr:$ends,
                       DenseI64ArrayAttr:$steps);
  let results = (outs Mpc_AnyTensor:$result);
  let assemblyFormat = [{
    $input `axes` `=` $axes `starts` `=` $starts `ends` `=` $ends `steps` `=` $steps
    attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Mpc_ConcatOp : Mpc_Op<"concat", [Pure, Mpc_Clear, Mpc_Differentiable, SameOperandsAndResultElementType]> {
  let summary = "Joins tensors along one axis";
  let description = [{
    The inputs (at least one) have one rank and one element type and agree
    on every dim but `axis`, where the result is their sum.

    ```mlir
    %y = mpc.concat %a, %b axis = 1 : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Mpc_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs Mpc_AnyTensor:$result);
  let assemblyFormat = [{
    $inputs `axis` `=` $axis attr-dict `:` functional-type($inputs, $result)
  }];
  let hasVerifier = 1;
}

def Mpc_EmbeddingOp : Mpc_Op<"embedding", [Pure, Mpc_Clear, Mpc_Differentiable, AllElementTypesMatch<["table", "result"]>]> {
  let summary = "Gathers rows of a table by integer ids";
  let description = [{
    `result[i..., d] = table[ids[i...], d]`. An id outside `[0, rows)` is
    an error at run time.

    ```mlir
    %e = mpc.embedding %ids, %wte : (tensor<8x16xi32>, tensor<128x64xf32>) -> tensor<8x16x64xf32>
    ```
  }];
  let arguments = (ins Mpc_IndexTensor:$ids, Mpc_FloatTensor:$table);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $ids `,` $table attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Masks and dropout
//===----------------------------------------------------------------------===//

def Mpc_CausalMaskOp : Mpc_Op<"causal_mask", [Pure, Mpc_Clear, Mpc_Differentiable, SameOperandsAndResultType]> {
  let summary = "Fills the strictly upper triangle of the last two dims";
  let description = [{
    `result[..., i, j] = j > i ? value : input[..., i, j]`, the mask of
    causal self-attention applied to attention scores.

    ```mlir
    %m = mpc.causal_mask %s value = 0xFFF0000000000000 : tensor<8x4x16x16xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$input, F64Attr:$value);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = "$input `value` `=` $value attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Mpc_MaskedFillOp : Mpc_Op<"masked_fill", [Pure, Mpc_Clear, Mpc_Elementwise, Mpc_Differentiable, AllTypesMatch<["input", "result"]>]> {
  let summary = "Replaces elements where a boolean mask is true";
  let description = [{
    The mask broadcasts to the input's shape.

    ```mlir
    %m = mpc.masked_fill %s, %pad value = -1.000000e+04 : (tensor<8x16x16xf32>, tensor<8x1x16xi1>) -> tensor<8x16x16xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$input, Mpc_MaskTensor:$mask, F64Attr:$value);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $mask `value` `=` $value attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mpc_WhereOp : Mpc_Op<"where", [Pure, Mpc_Infer, Mpc_Elementwise, Mpc_Differentiable]> {
  let summary = "Chooses each element from one of two tensors by a boolean condition";
  let description = [{
    `result = condition ? on_true : on_false`, element by element, with
    numpy broadcasting of all three operands; the result shape is their
    broadcast. The branches share one float element type. Unlike
    `mpc.select` (loss scaling's scalar flag, whose types autocast never
    touches), `where` is a graph op with a precision category and a
    gradient.

    ```mlir
    %y = mpc.where %keep, %x, %fallback : (tensor<8x1xi1>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins Mpc_MaskTensor:$condition, Mpc_FloatTensor:$on_true,
                       Mpc_FloatTensor:$on_false);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

// Not Pure: each step draws a new mask, so two dropouts of one value differ
// and must not be merged or hoisted.
def Mpc_DropoutOp : Mpc_Op<"dropout", [Mpc_Clear, SameOperandsAndResultType, Mpc_Differentiable]> {
  let summary = "Zeroes elements with probability `rate`, scales the rest by 1/(1-rate)";
  let description = [{
    Active in training steps, the identity in evaluation. The mask is drawn
    from the run's seed, `seed` and the step number, so runs with different
    seeds draw different masks and a resumed run draws the masks of the
    uninterrupted one.

    ```mlir
    %d = mpc.dropout %x rate = 1.000000e-01 seed = 0 : tensor<8x128xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$input, F64Attr:$rate, I64Attr:$seed);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `rate` `=` $rate `seed` `=` $seed attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Mpc_CausalAttentionOp : Mpc_Op<"causal_attention", [Pure, Mpc_Allow,
    Mpc_Differentiable, AllTypesMatch<["query", "key", "value", "result"]>,
    DeclareOpInterfaceMethods<Mpc_F32StatisticsOpInterface>]> {
  let summary = "Causal self-attention: softmax(scale · q kᵀ, masked) v";
  let description = [{
    For `q`, `k`, `v` of shape `[..., T, d]`, row `i` of the result is
    `sum_{j <= i} p_ij v_j` with `p_ij = softmax_j(scale · q_i · k_j)` over
    `j <= i` (the keys after `i` are masked out). `log_sum_exp` (`[..., T]`,
    always f32) is `max_j s_ij + log(sum_j exp(s_ij - max_j s_ij))` of the
    scaled scores `s`: the backward recomputes the probabilities from it.

    With `sequence_major` the operands and the result are `[..., T, H, d]`
    instead (the heads of a position together, as the projections that make
    `q`, `k` and `v` write them): the op is then exactly the head-major op
    between transposes `[..., T, H, d] <-> [..., H, T, d]`, with
    `log_sum_exp` still `[..., H, T]`. `mpc-fuse-attention` folds those
    transposes into it.

    The scores and the softmax are f32 computed from the operands' values;
    the result is rounded once to its element type (docs/fusion.md,
    "Causal attention"). `mpc-fuse-attention` builds it from the matmul,
    scale, causal_mask, softmax, matmul chain; a backend never writes the
    `T x T` probabilities.

    ```mlir
    %o, %lse = mpc.causal_attention %q, %k, %v scale = 2.500000e-01 : tensor<8x4x16x16xbf16>, tensor<8x4x16xf32>
    %p, %lse2 = mpc.causal_attention %x, %y, %z sequence_major scale = 2.500000e-01 : tensor<8x16x4x16xbf16>, tensor<8x4x16xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$query, Mpc_FloatTensor:$key,
                       Mpc_FloatTensor:$value, F64Attr:$scale,
                       UnitAttr:$sequence_major);
  let results = (outs Mpc_FloatTensor:$result, Mpc_F32Tensor:$log_sum_exp);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`sequence_major` $sequence_major^)?
    `scale` `=` $scale attr-dict `:` type($result) `,` type($log_sum_exp)
  }];
  let extraClassDeclaration = [{
    /// Where the rows of the operands and the result lie.
    ::mpc::attention::Layout getLayout();
  }];
  let hasVerifier = 1;
}

def Mpc_CausalAttentionQkvOp : Mpc_Op<"causal_attention_qkv", [Pure,
    Mpc_Allow, Mpc_Differentiable,
    DeclareOpInterfaceMethods<Mpc_F32StatisticsOpInterface>]> {
  let summary = "Causal self-attention of q, k and v packed in one tensor";
  let description = [{
    `qkv` is `[..., T, 3, H, d]`: `qkv[..., 0, :, :]` is `q`,
    `qkv[..., 1, :, :]` is `k` and `qkv[..., 2, :, :]` is `v`, each
    `[..., T, H, d]`, as one projection GEMM by a `[C, 3 * H * d]` weight
    writes them. The op is exactly the `sequence_major` `causal_attention`
    of those three, result `[..., T, H, d]` and `log_sum_exp` `[..., H, T]`;
    a backend reads q, k and v in place, rows `3 * H * d` elements apart,
    and the gradient writes `dq`, `dk` and `dv` in place into one `dqkv`, so
    the projection's backward is one GEMM for the input's gradient and one
    for the weight's. `mpc-fuse-attention` builds it where q, k and v are
    the three equal slices of one projection's last dim.

    ```mlir
    %o, %lse = mpc.causal_attention_qkv %qkv scale = 2.500000e-01 : tensor<8x16x3x4x16xbf16> -> tensor<8x16x4x16xbf16>, tensor<8x4x16xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$qkv, F64Attr:$scale);
  let results = (outs Mpc_FloatTensor:$result, Mpc_F32Tensor:$log_sum_exp);
  let assemblyFormat = [{
    $qkv `scale` `=` $scale attr-dict `:` type($qkv) `->` type($result) `,`
    type($log_sum_exp)
  }];
  let extraClassDeclaration = [{
    /// Where the rows of q, k and v lie in `qkv` (k and v after q by
    /// attention::packedQkvPartOffset).
    ::mpc::attention::Layout getLayout();
    /// Where the rows of the result lie.
    ::mpc::attention::Layout getResultLayout();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def Mpc_SoftmaxCrossEntropyOp : Mpc_Op<"softmax_cross_entropy", [Pure, Mpc_Deny,
    Mpc_F32LossOfAnyFloat, Mpc_Differentiable]> {
  let summary = "Cross-entropy of logits against integer class labels";
  let description = [{
    `logits` has shape `[..., C]` and `labels` the same shape without its
    last dim. Each position (row) whose label is not `ignore_index` is kept
    and has the loss `logsumexp(logits) - logits[label]`; the result, a
    scalar of the logits' element type, is the mean (`reduction = mean`, the
    default) or the sum (`reduction = sum`) of the kept rows' losses.

    A row whose label equals `ignore_index` contributes nothing, and has a
    zero gradient; `ignore_index` may be a class, whose rows are then
    skipped. The mean divides by the number of kept rows, so when every row
    is ignored it is NaN (0/0), as in PyTorch's `cross_entropy` and ONNX
    `SoftmaxCrossEntropyLoss`; the sum is then 0. Any other label must lie
    in `[0, C)`. `ignore_index` must fit in 32 bits, as labels do on the
    device.

    ```mlir
    %l = mpc.softmax_cross_entropy %logits, %y : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
    %s = mpc.softmax_cross_entropy %logits, %y ignore_index = -100 reduction = sum : (tensor<8x10xf32>, tensor<8xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$logits, Mpc_IndexTensor:$labels,
                       OptionalAttr<I64Attr>:$ignore_index,
                       DefaultValuedAttr<Mpc_LossReduction,
                                         "::mpc::LossReduction::mean">:$reduction);
  let results = (outs Mpc_ScalarFloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels (`ignore_index` `=` $ignore_index^)?
    (`reduction` `=` $reduction^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mpc_MseLossOp : Mpc_Op<"mse_loss", [Pure, Mpc_Deny, Mpc_Differentiable, AllTypesMatch<["prediction", "target"]>]> {
  let summary = "Mean squared error";
  let description = [{
    The result is a scalar of the operands' element type.

    ```mlir
    %l = mpc.mse_loss %pred, %target : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$prediction, Mpc_FloatTensor:$target);
  let results = (outs Mpc_ScalarFloatTensor:$result);
  let assemblyFormat = [{
    $prediction `,` $target attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

include "dialects/mpc/MpcGradientOps.td"
include "dialects/mpc/MpcOptimizerOps.td"
include "dialects/mpc/MpcLossScalingOps.td"
include "dialects/mpc/MpcBackendOps.td"

#endif // MPC_OPS_TD
