//===- MpcGradientOps.td - ops that gradients are built from -*- tablegen -*-===//
//
// Ops the GradientOpInterface implementations emit where no forward op
// expresses the gradient. Included by MpcOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_GRADIENT_OPS_TD
#define MPC_GRADIENT_OPS_TD

def Mpc_BroadcastOp : Mpc_Op<"broadcast", [Pure, Mpc_Clear, Mpc_Elementwise, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Broadcasts a tensor to a larger shape, numpy style";
  let description = [{
    The input's shape broadcasts to the result's: dims align at the end and
    a dim of 1 (or a missing leading dim) repeats. The gradient of a
    reduction broadcasts the result's gradient back to the input.

    ```mlir
    %b = mpc.broadcast %g : tensor<8x1xf32> -> tensor<8x10xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$input);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Mpc_SliceGradOp : Mpc_Op<"slice_grad", [Pure, Mpc_Clear, AllElementTypesMatch<["result_grad", "result"]>]> {
  let summary = "Gradient of slice: the slice's gradient in zeros of the input's shape";
  let description = [{
    Has the attributes of the forward `mpc.slice` and the type of its input:
    each element the slice took receives its element of `result_grad`,
    every other element is zero.

    ```mlir
    %dx = mpc.slice_grad %dy axes = [1] starts = [2] ends = [8] steps = [2] : tensor<4x3xf32> -> tensor<4x10xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$result_grad, DenseI64ArrayAttr:$axes,
                       DenseI64ArrayAttr:$starts, DenseI64ArrayAttr:$ends,
                       DenseI64ArrayAttr:$steps);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $result_grad `axes` `=` $axes `starts` `=` $starts `ends` `=` $ends `steps` `=` $steps
    attr-dict `:` type($result_grad) `->` type($result)
  }];
  let hasVerifier = 1;
}

class Mpc_ActivationGradOp<string mnemonic, string savedName, string formula,
                           Trait category>
    : Mpc_Op<mnemonic, [Pure, category, Mpc_Elementwise, SameOperandsAndResultType]> {
  let summary = "Gradient of " # formula;
  let description = [{
    `dx` from the result gradient `dy` and the forward op's saved
    }] # savedName # [{.

    ```mlir
    %dx = mpc.}] # mnemonic # [{ %dy, %saved : tensor<8x128xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$result_grad, Mpc_FloatTensor:$saved);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = "$result_grad `,` $saved attr-dict `:` type($result)";
}

def Mpc_ReluGradOp : Mpc_ActivationGradOp<"relu_grad", "input x",
    "relu: dy where x > 0, else 0", Mpc_Clear>;
def Mpc_GeluGradOp : Mpc_ActivationGradOp<"gelu_grad", "input x",
    "gelu (tanh approximation): dy · gelu'(x)", Mpc_Infer>;
def Mpc_TanhGradOp : Mpc_ActivationGradOp<"tanh_grad", "output y",
    "tanh: dy · (1 - y²)", Mpc_Infer>;
def Mpc_SigmoidGradOp : Mpc_ActivationGradOp<"sigmoid_grad", "output y",
    "sigmoid: dy · y · (1 - y)", Mpc_Infer>;
def Mpc_SiluGradOp : Mpc_ActivationGradOp<"silu_grad", "input x",
    "silu: dy · s · (1 + x · (1 - s)), s = sigmoid(x)", Mpc_Infer>;

class Mpc_SoftmaxLikeGradOp<string mnemonic, string formula>
    : Mpc_Op<mnemonic, [Pure, Mpc_Deny, SameOperandsAndResultType]> {
  let summary = "Gradient of " # formula;
  let description = [{
    Takes the result gradient `dy` and the forward output `y`.

    ```mlir
    %dx = mpc.}] # mnemonic # [{ %dy, %y axis = 1 : tensor<8x10xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$result_grad, Mpc_FloatTensor:$output,
                       I64Attr:$axis);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $result_grad `,` $output `axis` `=` $axis attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Mpc_SoftmaxGradOp : Mpc_SoftmaxLikeGradOp<"softmax_grad",
    "softmax: y · (dy - sum(dy · y, axis))">;
def Mpc_LogSoftmaxGradOp : Mpc_SoftmaxLikeGradOp<"log_softmax_grad",
    "log_softmax: dy - exp(y) · sum(dy, axis)">;

def Mpc_LayerNormGradOp : Mpc_Op<"layer_norm_grad", [Pure, Mpc_Deny,
    Mpc_NarrowInputOpInterface,
    AllTypesMatch<["result_grad", "input_grad"]>,
    AllShapesMatch<["result_grad", "input"]>,
    AllTypesMatch<["gamma", "gamma_grad", "beta_grad"]>,
    AllElementTypesMatch<["result_grad", "gamma"]>]> {
  let summary = "Gradients of layer_norm's input, gamma and beta";
  let description = [{
    Recomputes the mean and the reciprocal standard deviation of each row of
    `input` and returns the gradients of the input, gamma and beta. `input`
    has gamma's element type, or is f16/bf16 for f32 params (mpc-fuse folds
    the cast that widened it).

    ```mlir
    %dx, %dg, %db = mpc.layer_norm_grad %dy, %x, %g eps = 1.000000e-05 : tensor<8x64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$result_grad, Mpc_FloatTensor:$input,
                       Mpc_FloatTensor:$gamma, F64Attr:$epsilon);
  let results = (outs Mpc_FloatTensor:$input_grad, Mpc_FloatTensor:$gamma_grad,
                      Mpc_FloatTensor:$beta_grad);
  let assemblyFormat = [{
    $result_grad `,` $input `,` $gamma `eps` `=` $epsilon attr-dict `:`
    type($input) `,` type($gamma)
    `` custom<TypeUnlessInput>(type($result_grad), ref(type($input)))
  }];
  let hasVerifier = 1;
}

def Mpc_RmsNormGradOp : Mpc_Op<"rms_norm_grad", [Pure, Mpc_Deny,
    Mpc_NarrowInputOpInterface,
    AllTypesMatch<["result_grad", "input_grad"]>,
    AllShapesMatch<["result_grad", "input"]>,
    AllTypesMatch<["weight", "weight_grad"]>,
    AllElementTypesMatch<["result_grad", "weight"]>]> {
  let summary = "Gradients of rms_norm's input and weight";
  let description = [{
    Recomputes the reciprocal root mean square of each row of `input` and
    returns the gradients of the input and the weight. `input` has the
    weight's element type, or is f16/bf16 for an f32 weight (mpc-fuse folds
    the cast that widened it).

    ```mlir
    %dx, %dw = mpc.rms_norm_grad %dy, %x, %w eps = 1.000000e-06 : tensor<8x64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$result_grad, Mpc_FloatTensor:$input,
                       Mpc_FloatTensor:$weight, F64Attr:$epsilon);
  let results = (outs Mpc_FloatTensor:$input_grad,
                      Mpc_FloatTensor:$weight_grad);
  let assemblyFormat = [{
    $result_grad `,` $input `,` $weight `eps` `=` $epsilon attr-dict `:`
    type($input) `,` type($weight)
    `` custom<TypeUnlessInput>(type($result_grad), ref(type($input)))
  }];
  let hasVerifier = 1;
}

def Mpc_EmbeddingGradOp : Mpc_Op<"embedding_grad", [Pure, Mpc_Deny, AllElementTypesMatch<["result_grad", "result"]>]> {
  let summary = "Gradient of an embedding table: scatter-add of row gradients";
  let description = [{
    `result[r, d] = sum over positions p with ids[p] = r of result_grad[p, d]`;
    rows no id selects are zero.

    ```mlir
    %dwte = mpc.embedding_grad %de, %ids : (tensor<8x16x64xf32>, tensor<8x16xi32>) -> tensor<128x64xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$result_grad, Mpc_IndexTensor:$ids);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $result_grad `,` $ids attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mpc_SoftmaxCrossEntropyGradOp : Mpc_Op<"softmax_cross_entropy_grad", [Pure, Mpc_Deny,
    Mpc_NarrowableResult, Mpc_F32LossOfAnyFloat,
    AllShapesMatch<["logits", "result"]>,
    DeclareOpInterfaceMethods<Mpc_OverwritesOperandOpInterface>]> {
  let summary = "Gradient of softmax_cross_entropy with respect to the logits";
  let description = [{
    For a kept row (label not `ignore_index`),
    `(softmax(logits) - onehot(label)) · loss_grad / kept` with `reduction =
    mean` (`kept` the number of kept rows) or
    `(softmax(logits) - onehot(label)) · loss_grad` with `reduction = sum`;
    zero for an ignored row. The attributes are those of the forward op.
    The result is rounded to its type: the logits' type, or f16/bf16
    (mpc-fuse's fused classifier writes the gradient the classifier's
    backward reads). The loss gradient has the logits' element type, or f32
    with 16-bit logits. The result may overwrite the logits: a row's
    maximum and sum are taken before its gradient is written, and each
    element is read before it is overwritten.

    ```mlir
    %dlogits = mpc.softmax_cross_entropy_grad %dl, %logits, %y : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
    %dsum = mpc.softmax_cross_entropy_grad %dl, %logits, %y ignore_index = -100 reduction = sum : (tensor<f32>, tensor<8x10xf32>, tensor<8xi32>) -> tensor<8x10xf32>
    ```
  }];
  let arguments = (ins Mpc_ScalarFloatTensor:$loss_grad, Mpc_FloatTensor:$logits,
                       Mpc_IndexTensor:$labels,
                       OptionalAttr<I64Attr>:$ignore_index,
                       DefaultValuedAttr<Mpc_LossReduction,
                                         "::mpc::LossReduction::mean">:$reduction);
  let results = (outs Mpc_FloatTensor:$result);
  let assemblyFormat = [{
    $loss_grad `,` $logits `,` $labels (`ignore_index` `=` $ignore_index^)?
    (`reduction` `=` $reduction^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mpc_CausalAttentionGradOp : Mpc_Op<"causal_attention_grad", [Pure,
    Mpc_Allow, AllTypesMatch<["result_grad", "query", "key", "value",
                              "query_grad", "key_grad", "value_grad"]>,
    DeclareOpInterfaceMethods<Mpc_F32StatisticsOpInterface>]> {
  let summary = "Gradients of causal_attention's query, key and value";
  let description = [{
    Recomputes the probabilities `p_ij = exp(scale · q_i · k_j - lse_i)`
    (`j <= i`) from the forward's operands and its `log_sum_exp`, and
    returns, with `dP_ij = dO_i · v_j` and `D_i = sum_j p_ij dP_ij`:
    `dv_j = sum_i p_ij dO_i`, `ds_ij = scale · p_ij (dP_ij - D_i)`,
    `dq_i = sum_j ds_ij k_j`, `dk_j = sum_i ds_ij q_i`. Everything is f32
    inside; each gradient is rounded once. With `sequence_major` (the
    forward's) every operand and gradient but `log_sum_exp` is
    `[..., T, H, d]`.

    ```mlir
    %dq, %dk, %dv = mpc.causal_attention_grad %do, %q, %k, %v, %lse scale = 2.500000e-01 : tensor<8x4x16x16xbf16>, tensor<8x4x16xf32>
    %dx, %dy, %dz = mpc.causal_attention_grad %dp, %x, %y, %z, %lse2 sequence_major scale = 2.500000e-01 : tensor<8x16x4x16xbf16>, tensor<8x4x16xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$result_grad, Mpc_FloatTensor:$query,
                       Mpc_FloatTensor:$key, Mpc_FloatTensor:$value,
                       Mpc_F32Tensor:$log_sum_exp,
                       F64Attr:$scale, UnitAttr:$sequence_major);
  let results = (outs Mpc_FloatTensor:$query_grad, Mpc_FloatTensor:$key_grad,
                      Mpc_FloatTensor:$value_grad);
  let assemblyFormat = [{
    $result_grad `,` $query `,` $key `,` $value `,` $log_sum_exp
    (`sequence_major` $sequence_major^)? `scale` `=` $scale attr-dict `:`
    type($query) `,` type($log_sum_exp)
  }];
  let extraClassDeclaration = [{
    /// Where the rows of the operands and the gradients lie.
    ::mpc::attention::Layout getLayout();
  }];
  let hasVerifier = 1;
}

def Mpc_CausalAttentionQkvGradOp : Mpc_Op<"causal_attention_qkv_grad", [Pure,
    Mpc_Allow, AllTypesMatch<["qkv", "qkv_grad"]>,
    DeclareOpInterfaceMethods<Mpc_F32StatisticsOpInterface>]> {
  let summary = "Gradient of causal_attention_qkv's packed q, k and v";
  let description = [{
    `causal_attention_grad`'s `dq`, `dk` and `dv` (`sequence_major`) of the
    q, k and v packed in `qkv` (`[..., T, 3, H, d]`), packed the same way in
    one result; `result_grad` is `[..., T, H, d]`.

    ```mlir
    %dqkv = mpc.causal_attention_qkv_grad %do, %qkv, %lse scale = 2.500000e-01 : tensor<8x16x4x16xbf16>, tensor<8x16x3x4x16xbf16>, tensor<8x4x16xf32>
    ```
  }];
  let arguments = (ins Mpc_FloatTensor:$result_grad, Mpc_FloatTensor:$qkv,
                       Mpc_F32Tensor:$log_sum_exp, F64Attr:$scale);
  let results = (outs Mpc_FloatTensor:$qkv_grad);
  let assemblyFormat = [{
    $result_grad `,` $qkv `,` $log_sum_exp `scale` `=` $scale attr-dict `:`
    type($result_grad) `,` type($qkv) `,` type($log_sum_exp)
  }];
  let extraClassDeclaration = [{
    /// Where the rows of q, k and v and their gradients lie in `qkv` and
    /// `qkv_grad`.
    ::mpc::attention::Layout getLayout();
    /// Where the rows of `result_grad` lie.
    ::mpc::attention::Layout getResultLayout();
  }];
  let hasVerifier = 1;
}

#endif // MPC_GRADIENT_OPS_TD
