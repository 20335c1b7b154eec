//===- MpcBackendOps.td - ops mpc-fuse creates -------------*- tablegen -*-===//
//
// Kernel-sized groupings of the training step: fused elementwise chains and
// matmuls with their epilogue. mpc-fuse creates them; each becomes one CUDA
// kernel or one cuBLASLt call. Included by MpcOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_BACKEND_OPS_TD
#define MPC_BACKEND_OPS_TD

def Mpc_FusedOp : Mpc_Op<"fused", [Pure, IsolatedFromAbove, SingleBlock]> {
  let summary = "A chain of elementwise ops run as one kernel";
  let description = [{
    The body is elementwise ops (`mpc::OpTrait::Elementwise`) and scalar
    `mpc.constant`s on the block arguments, which stand for `inputs`; the
    `mpc.yield` operands are the results. All results have one shape, the
    kernel's iteration space, and every input broadcasts (numpy) to it.

    The semantics are those of the body ops on tensors, each output rounded
    to its element type as usual, so fusing changes no bit of any result; a
    backend evaluates the body once per element of the iteration space,
    keeping intermediates in registers.

    ```mlir
    %r:2 = mpc.fused (%a, %b) : (tensor<32x128xf16>, tensor<128xf16>) -> (tensor<32x128xf16>, tensor<32x128xf16>) {
    ^bb0(%x: tensor<32x128xf16>, %y: tensor<128xf16>):
      %s = mpc.add %x, %y : (tensor<32x128xf16>, tensor<128xf16>) -> tensor<32x128xf16>
      %t = mpc.relu %s : tensor<32x128xf16>
      mpc.yield %s, %t : tensor<32x128xf16>, tensor<32x128xf16>
    }
    ```
  }];
  let arguments = (ins Variadic<Mpc_AnyTensor>:$inputs);
  let results = (outs Variadic<Mpc_AnyTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The shape every result has and every input broadcasts to.
    ::llvm::ArrayRef<int64_t> getIterationShape();
  }];
}

def Mpc_AddLayerNormOp : Mpc_Op<"add_layer_norm", [Pure,
    AllTypesMatch<["lhs", "rhs", "sum"]>, AllShapesMatch<["sum", "result"]>,
    AllTypesMatch<["gamma", "beta"]>]> {
  let summary = "A residual add and the layer norm of its sum (one kernel)";
  let description = [{
    `sum = lhs + rhs`, exactly as `mpc.add` of two operands of one type
    (rounded once to that type), and `result = layer_norm(sum, gamma, beta)`
    exactly as `mpc.layer_norm` reading that sum: the residual stream of a
    transformer block and the normalization of the next sublayer's input,
    which mpc-fuse merges so the sum is written once and never read back
    from memory. The types follow `mpc.layer_norm` with `sum` as its input.

    ```mlir
    %s, %y = mpc.add_layer_norm %a + %b, %g, %beta eps = 1.000000e-05 : tensor<8x64x768xbf16>, tensor<768xf32> -> tensor<8x64x768xbf16>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$lhs, Mpc_FloatTensor:$rhs,
                       Mpc_FloatTensor:$gamma, Mpc_FloatTensor:$beta,
                       F64Attr:$epsilon);
  let results = (outs Mpc_FloatTensor:$sum, Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `+` $rhs `,` $gamma `,` $beta `eps` `=` $epsilon attr-dict `:`
    type($lhs) `,` type($gamma) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Mpc_SoftmaxCrossEntropyWithGradOp : Mpc_Op<"softmax_cross_entropy_with_grad",
    [Pure, AllShapesMatch<["logits", "grad"]>,
     DeclareOpInterfaceMethods<Mpc_OverwritesOperandOpInterface>]> {
  let summary = "The cross-entropy and its gradient over the logits (one kernel)";
  let description = [{
    `loss` exactly as `mpc.softmax_cross_entropy %logits, %labels` and `grad`
    exactly as `mpc.softmax_cross_entropy_grad %loss_grad, %logits, %labels`,
    with the same `ignore_index` and `reduction`: the loss of a training step
    and its gradient, which mpc-fuse merges when the loss gradient does not
    depend on the loss (the loss scale or a constant), so each row's maximum
    and sum of exponentials are taken once for both. The types follow the two
    ops: `loss` a scalar of the logits' element type, or f32 with 16-bit
    logits; `loss_grad` of the logits' element type, or f32 with 16-bit
    logits; `grad` of the logits' element type, or f16/bf16. `grad` may
    overwrite the logits, as the gradient op's result may.

    ```mlir
    %l, %dz = mpc.softmax_cross_entropy_with_grad %z, %y, %dl : (tensor<8x10xbf16>, tensor<8xi32>, tensor<f32>) -> (tensor<f32>, tensor<8x10xbf16>)
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$logits, Mpc_IndexTensor:$labels,
                       Mpc_ScalarFloatTensor:$loss_grad,
                       OptionalAttr<I64Attr>:$ignore_index,
                       DefaultValuedAttr<Mpc_LossReduction,
                                         "::mpc::LossReduction::mean">:$reduction);
  let results = (outs Mpc_ScalarFloatTensor:$loss, Mpc_FloatTensor:$grad);
  let assemblyFormat = [{
    $logits `,` $labels `,` $loss_grad (`ignore_index` `=` $ignore_index^)?
    (`reduction` `=` $reduction^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mpc_YieldOp : Mpc_Op<"yield", [Pure, Terminator, HasParent<"FusedOp">]> {
  let summary = "The results of an mpc.fused body";
  let arguments = (ins Variadic<Mpc_AnyTensor>:$values);
  let assemblyFormat = "$values attr-dict `:` type($values)";
}

def Mpc_FusedMatmulOp : Mpc_Op<"fused_matmul", [Pure,
    AttrSizedOperandSegments]> {
  let summary = "A matmul with a bias and activation epilogue (one cuBLASLt call)";
  let description = [{
    `acc = lhs · rhs` accumulated in f32, exactly as `mpc.matmul`
    (transposes, batch broadcasting). Then, in f32:

    - `bias`, `relu_bias`, `gelu_bias`: `acc += bias`, a 1-D operand as long
      as the result's last dimension;
    - `relu`, `gelu` (and their `_bias` forms): `result = act(acc)`, and the
      optional `pre_activation` result is `acc` (what the activation's
      gradient needs); relu and gelu are the formulas of `mpc.relu` and
      `mpc.gelu`;
    - `dgelu`: `result = acc · gelu'(aux)`, with `aux` the forward
      pre-activation, as `mpc.gelu_grad` with `acc` for `dy`.

    Each result is rounded once, to its element type, at the end: unlike the
    unfused ops, the product is not rounded before the epilogue.

    ```mlir
    %h, %pre = mpc.fused_matmul %x, %w bias %b epilogue = gelu_bias : (tensor<8x64xbf16>, tensor<64x256xbf16>, tensor<256xbf16>) -> (tensor<8x256xbf16>, tensor<8x256xbf16>)
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$lhs, Mpc_FloatTensor:$rhs,
                       Optional<Mpc_FloatTensor>:$bias,
                       Optional<Mpc_FloatTensor>:$aux,
                       Mpc_Epilogue:$epilogue,
                       UnitAttr:$transpose_a, UnitAttr:$transpose_b);
  let results = (outs Mpc_FloatTensor:$result,
                      Optional<Mpc_FloatTensor>:$pre_activation);
  let assemblyFormat = [{
    $lhs `,` $rhs (`bias` $bias^)? (`aux` $aux^)? `epilogue` `=` $epilogue
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Whether the epilogue adds `bias`.
    bool hasBiasEpilogue();
  }];
}

#endif // MPC_BACKEND_OPS_TD
