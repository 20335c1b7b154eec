//===- MpcLossScalingOps.td - loss scaling ------------------*- tablegen -*-===//
//
// The ops `mpc-loss-scaling` adds to a training step: unscaling with the
// overflow check, skipping the update of a bad step, and the dynamic scale
// update. All work on f32 scalars and f32 gradients. Included by MpcOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_LOSS_SCALING_OPS_TD
#define MPC_LOSS_SCALING_OPS_TD

def Mpc_UnscaleAndCheckOp : Mpc_Op<"unscale_and_check", [Pure, Mpc_KeepsPrecision]> {
  let summary = "Divides every gradient by the loss scale and flags inf or NaN";
  let description = [{
    One fused pass over all gradients: each result is its gradient times
    `1 / scale` (computed once, in f64, then rounded to f32), and
    `found_inf` is true when any element of any gradient is not finite.

    ```mlir
    %dw1_u, %db1_u, %found_inf = mpc.unscale_and_check %dw1, %db1 by %scale : (tensor<64x128xf32>, tensor<128xf32>, tensor<f32>) -> (tensor<64x128xf32>, tensor<128xf32>, tensor<i1>)
    ```
  }];
  let arguments = (ins Variadic<Mpc_F32Tensor>:$grads, Mpc_ScalarF32Tensor:$scale);
  let results = (outs Variadic<Mpc_F32Tensor>:$unscaled, Mpc_FlagTensor:$found_inf);
  let assemblyFormat = [{
    $grads `by` $scale attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mpc_SelectOp : Mpc_Op<"select", [Pure, Mpc_KeepsPrecision, Mpc_Elementwise,
    AllTypesMatch<["on_true", "on_false", "result"]>]> {
  let summary = "Chooses one of two tensors by a scalar flag";
  let description = [{
    `result = condition ? on_true : on_false`. Loss scaling keeps the old
    value of every parameter and optimizer state when a step overflowed.

    ```mlir
    %w1_kept = mpc.select %found_inf, %w1, %w1_new : tensor<64x128xf32>
    ```
  }];
  let arguments = (ins Mpc_FlagTensor:$condition, Mpc_AnyTensor:$on_true,
                       Mpc_AnyTensor:$on_false);
  let results = (outs Mpc_AnyTensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` type($result)
  }];
}

def Mpc_UpdateLossScaleOp : Mpc_Op<"update_loss_scale", [Pure, Mpc_KeepsPrecision]> {
  let summary = "Dynamic loss scaling: back off on overflow, grow after clean steps";
  let description = [{
    The state is the scale, the clean steps since the last change
    (`good_steps`) and the overflows still tolerated before backing off
    (`hysteresis_left`, starting at `hysteresis`).

    On overflow: `good_steps` becomes 0; if `hysteresis_left > 1` it is
    decremented and the scale kept, else the scale becomes
    `max(scale · backoff, min_scale)`.

    On a clean step: `good_steps` is incremented; when it reaches
    `growth_interval` it becomes 0, `hysteresis_left` is reset to
    `hysteresis`, and the scale becomes `min(scale · growth, max_scale)` if
    that is finite.

    ```mlir
    %s, %g, %h = mpc.update_loss_scale %scale, %good, %left, %found_inf growth = 2.000000e+00 every 2000 backoff = 5.000000e-01 hysteresis = 1 range = [1.000000e+00, 6.553600e+04]
    ```
  }];
  let arguments = (ins Mpc_ScalarF32Tensor:$scale,
                       Mpc_ScalarF32Tensor:$good_steps,
                       Mpc_ScalarF32Tensor:$hysteresis_left,
                       Mpc_FlagTensor:$found_inf,
                       F64Attr:$growth_factor, I64Attr:$growth_interval,
                       F64Attr:$backoff_factor, I64Attr:$hysteresis,
                       F64Attr:$min_scale, F64Attr:$max_scale);
  let results = (outs Mpc_ScalarF32Tensor:$new_scale,
                      Mpc_ScalarF32Tensor:$new_good_steps,
                      Mpc_ScalarF32Tensor:$new_hysteresis_left);
  let assemblyFormat = [{
    $scale `,` $good_steps `,` $hysteresis_left `,` $found_inf
    `growth` `=` $growth_factor `every` $growth_interval
    `backoff` `=` $backoff_factor `hysteresis` `=` $hysteresis
    `range` `=` `[` $min_scale `,` $max_scale `]` attr-dict
  }];
  let hasVerifier = 1;
}

#endif // MPC_LOSS_SCALING_OPS_TD
