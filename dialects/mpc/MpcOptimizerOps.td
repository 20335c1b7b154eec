//===- MpcOptimizerOps.td - optimizer updates --------------*- tablegen -*-===//
//
// Parameter updates of the training step, on f32 master weights and f32
// optimizer state, with PyTorch's semantics. Each op returns the new values;
// the step function stores them back into the module's symbols. With
// `skip_if %found_inf` (mpc-fuse folds the loss scaler's selects into it) an
// op returns its inputs unchanged when the flag is set, so a backend can
// update in place and skip the write. Included by MpcOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_OPTIMIZER_OPS_TD
#define MPC_OPTIMIZER_OPS_TD

def Mpc_SgdUpdateOp : Mpc_Op<"sgd_update", [Pure, Mpc_KeepsPrecision,
    AttrSizedOperandSegments, AllTypesMatch<["param", "grad", "new_param"]>]> {
  let summary = "Stochastic gradient descent: p - lr · (g + weight_decay · p)";
  let description = [{
    With a `schedule`, `lr` is its peak and the op reads the step count
    `%t` (after this step's increment) to compute the rate of this step.

    ```mlir
    %w1_new = mpc.sgd_update %w1, %dw1 lr = 1.000000e-01 weight_decay = 0.000000e+00 : tensor<64x128xf32>
    %w1_new = mpc.sgd_update %w1, %dw1 step %t lr = 1.000000e-01 weight_decay = 0.000000e+00 {schedule = #mpc.lr_schedule<kind = constant, warmup_steps = 10>} : tensor<64x128xf32>
    ```
  }];
  let arguments = (ins Mpc_F32Tensor:$param, Mpc_F32Tensor:$grad,
                       Optional<Mpc_ScalarF32Tensor>:$step,
                       F64Attr:$learning_rate, F64Attr:$weight_decay,
                       OptionalAttr<Mpc_LrScheduleAttr>:$schedule,
                       Optional<Mpc_FlagTensor>:$skip_if);
  let results = (outs Mpc_F32Tensor:$new_param);
  let assemblyFormat = [{
    $param `,` $grad (`step` $step^)? `lr` `=` $learning_rate
    `weight_decay` `=` $weight_decay (`skip_if` $skip_if^)? attr-dict
    `:` type($param)
  }];
  let hasVerifier = 1;
}

def Mpc_MomentumUpdateOp : Mpc_Op<"momentum_update", [Pure, Mpc_KeepsPrecision,
    AttrSizedOperandSegments, AllTypesMatch<["param", "grad", "buffer", "new_param", "new_buffer"]>]> {
  let summary = "SGD with momentum (PyTorch's, dampening 0)";
  let description = [{
    `g' = g + weight_decay · p; buffer' = momentum · buffer + g';
    p' = p - lr · buffer'`. The buffer starts at zero, so the first step
    moves by `lr · g'`. With a `schedule`, `lr` is its peak and the op reads
    the step count `%t`, as `mpc.sgd_update`.

    ```mlir
    %w1_new, %buf_new = mpc.momentum_update %w1, %dw1, %buf lr = 1.000000e-01 momentum = 9.000000e-01 weight_decay = 0.000000e+00 : tensor<64x128xf32>
    ```
  }];
  let arguments = (ins Mpc_F32Tensor:$param, Mpc_F32Tensor:$grad,
                       Mpc_F32Tensor:$buffer,
                       Optional<Mpc_ScalarF32Tensor>:$step,
                       F64Attr:$learning_rate, F64Attr:$momentum,
                       F64Attr:$weight_decay,
                       OptionalAttr<Mpc_LrScheduleAttr>:$schedule,
                       Optional<Mpc_FlagTensor>:$skip_if);
  let results = (outs Mpc_F32Tensor:$new_param, Mpc_F32Tensor:$new_buffer);
  let assemblyFormat = [{
    $param `,` $grad `,` $buffer (`step` $step^)? `lr` `=` $learning_rate
    `momentum` `=` $momentum `weight_decay` `=` $weight_decay
    (`skip_if` $skip_if^)? attr-dict `:` type($param)
  }];
  let hasVerifier = 1;
}

def Mpc_AdamWUpdateOp : Mpc_Op<"adamw_update", [Pure, Mpc_KeepsPrecision,
    AllTypesMatch<["param", "grad", "m", "v", "new_param", "new_m", "new_v"]>]> {
  let summary = "AdamW with decoupled weight decay (PyTorch's)";
  let description = [{
    With `t` the step count after this step (1 on the first):
    `p ·= 1 - lr · weight_decay; m' = β1·m + (1-β1)·g; v' = β2·v + (1-β2)·g²;
    p' = p - lr · (m' / (1-β1^t)) / (sqrt(v' / (1-β2^t)) + eps)`. With a
    `schedule`, `lr` is its peak and the rate of step `t` is the schedule's.

    ```mlir
    %w_new, %m_new, %v_new = mpc.adamw_update %w, %dw, %m, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 0.01 : tensor<64x128xf32>
    ```
  }];
  let arguments = (ins Mpc_F32Tensor:$param, Mpc_F32Tensor:$grad,
                       Mpc_F32Tensor:$m, Mpc_F32Tensor:$v,
                       Mpc_ScalarF32Tensor:$step, F64Attr:$learning_rate,
                       F64Attr:$beta1, F64Attr:$beta2, F64Attr:$epsilon,
                       F64Attr:$weight_decay,
                       OptionalAttr<Mpc_LrScheduleAttr>:$schedule,
                       Optional<Mpc_FlagTensor>:$skip_if);
  let results = (outs Mpc_F32Tensor:$new_param, Mpc_F32Tensor:$new_m,
                      Mpc_F32Tensor:$new_v);
  let assemblyFormat = [{
    $param `,` $grad `,` $m `,` $v `,` $step `lr` `=` $learning_rate
    `betas` `=` `(` $beta1 `,` $beta2 `)` `eps` `=` $epsilon
    `weight_decay` `=` $weight_decay (`skip_if` $skip_if^)? attr-dict
    `:` type($param)
  }];
  let hasVerifier = 1;
}

class Mpc_TypesOfParams<string name>
    : RangedTypesMatchWith<name # " types match the param types", "params",
                           name, "$_self">;

def Mpc_AdamWMultiUpdateOp : Mpc_Op<"adamw_multi_update", [Pure,
    Mpc_KeepsPrecision, AttrSizedOperandSegments,
    Mpc_TypesOfParams<"grads">, Mpc_TypesOfParams<"m">,
    Mpc_TypesOfParams<"v">]> {
  let summary = "mpc.adamw_update of many parameters at once (one multi-tensor kernel)";
  let description = [{
    Tensor `i` (`params[i]`, `grads[i]`, `m[i]`, `v[i]`, all of one type)
    gets exactly `mpc.adamw_update` with weight decay `weight_decays[i]`;
    step, rate, schedule, betas, epsilon and `skip_if` are shared.
    mpc-multi-tensor-adamw builds it from the step's AdamW updates for the
    CUDA backend, which runs it as one multi-tensor launch per 48 tensors;
    the results (the new params, then the new m, then the new v) are those
    of the single updates, bit for bit.

    With `copies`, the update also writes low-precision copies of some
    parameters (mpc-weight-copies): copy `j` is parameter
    `copy_params[j]`'s 16-bit twin, and its result is the new parameter
    rounded to the copy's element type (nearest even), or the copy itself
    when `skip_if` is set. Those results follow the new v.

    ```mlir
    %r:6 = mpc.adamw_multi_update params(%w, %b) grads(%dw, %db) m(%wm, %bm) v(%wv, %bv) step %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decays = [1.000000e-02, 0.000000e+00] : tensor<64x128xf32>, tensor<128xf32>
    %s:7 = mpc.adamw_multi_update params(%w, %b) grads(%dw, %db) m(%wm, %bm) v(%wv, %bv) copies(%w16 : tensor<64x128xbf16>) of [0] step %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decays = [1.000000e-02, 0.000000e+00] : tensor<64x128xf32>, tensor<128xf32>
    ```
  }];
  let arguments = (ins Variadic<Mpc_F32Tensor>:$params,
                       Variadic<Mpc_F32Tensor>:$grads,
                       Variadic<Mpc_F32Tensor>:$m, Variadic<Mpc_F32Tensor>:$v,
                       Variadic<Mpc_FloatTensor>:$copies,
                       Mpc_ScalarF32Tensor:$step, F64Attr:$learning_rate,
                       F64Attr:$beta1, F64Attr:$beta2, F64Attr:$epsilon,
                       DenseF64ArrayAttr:$weight_decays,
                       OptionalAttr<DenseI64ArrayAttr>:$copy_params,
                       OptionalAttr<Mpc_LrScheduleAttr>:$schedule,
                       Optional<Mpc_FlagTensor>:$skip_if);
  // The new params, then the new m, then the new v, then the new copies
  // (one result list: ODS cannot infer the types of several variadic result
  // groups).
  let results = (outs Variadic<Mpc_FloatTensor>:$results);
  let assemblyFormat = [{
    `params` `(` $params `)` `grads` `(` $grads `)` `m` `(` $m `)`
    `v` `(` $v `)` (`copies` `(` $copies^ `:` type($copies) `)` `of`
    $copy_params)? `step` $step `lr` `=` $learning_rate
    `betas` `=` `(` $beta1 `,` $beta2 `)` `eps` `=` $epsilon
    `weight_decays` `=` $weight_decays (`skip_if` $skip_if^)? attr-dict
    `:` type($params) custom<MultiUpdateResults>(type($results), ref(type($params)), ref(type($copies)))
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::ResultRange getNewParams() {
      return getResults().take_front(getParams().size());
    }
    ::mlir::ResultRange getNewM() {
      return getResults().slice(getParams().size(), getParams().size());
    }
    ::mlir::ResultRange getNewV() {
      return getResults().slice(2 * getParams().size(), getParams().size());
    }
    ::mlir::ResultRange getNewCopies() {
      return getResults().take_back(getCopies().size());
    }
    /// The result types of an update of `params` writing `copies`.
    static ::llvm::SmallVector<::mlir::Type>
    resultTypes(::mlir::TypeRange params, ::mlir::TypeRange copies);

  private:
    ::llvm::LogicalResult verifyCopies();

  public:
  }];
}

def Mpc_ClipByGlobalNormOp : Mpc_Op<"clip_by_global_norm", [Pure, Mpc_KeepsPrecision]> {
  let summary = "Scales gradients so their joint L2 norm is at most max_norm";
  let description = [{
    `norm = sqrt(sum of g² over all grads)`; every gradient is multiplied by
    `min(1, max_norm / (norm + 1e-6))`, as PyTorch's `clip_grad_norm_`. The
    second result group is the norm before clipping.

    ```mlir
    %c:2, %norm = mpc.clip_by_global_norm %dw1, %db1 max_norm = 1.000000e+00 : (tensor<64x128xf32>, tensor<128xf32>) -> (tensor<64x128xf32>, tensor<128xf32>, tensor<f32>)
    ```
  }];
  let arguments = (ins Variadic<Mpc_F32Tensor>:$grads, F64Attr:$max_norm);
  let results = (outs Variadic<Mpc_F32Tensor>:$clipped, Mpc_ScalarF32Tensor:$norm);
  let assemblyFormat = [{
    $grads `max_norm` `=` $max_norm attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // MPC_OPTIMIZER_OPS_TD
