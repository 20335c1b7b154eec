//===- Passes.td - mpc passes ------------------------------*- tablegen -*-===//
//
// Every mpc pass, declared here; registration is one call,
// registerMpcPasses().
//
//===----------------------------------------------------------------------===//

#ifndef MPC_PASSES_TD
#define MPC_PASSES_TD

include "mlir/Pass/PassBase.td"

def BuildTrainStep : Pass<"mpc-build-train-step", "::mlir::ModuleOp"> {
  let summary = "Builds the training step: forward, backward and optimizer update";
  let description = [{
    Takes the imported module (a function with an `mpc.loss` result, the
    "forward") and adds `@train_step`: the forward computation, the gradient
    of the loss with respect to every trainable `mpc.param` (built through
    each op's `GradientOpInterface`, fan-out accumulated, broadcasts summed
    back), optional clipping by global norm, and the optimizer update of
    every parameter, stored back into its symbol. Optimizer state (momentum
    buffers, Adam moments, the step count) becomes `mpc.param state`
    symbols beside the parameters. With clipping (or `record-grad-norm`)
    the gradients' global norm before clipping is stored in
    `mpc.param state @grad_norm` each step, where `mpc-run --metrics` reads
    it. `@train_step` returns only the loss (unless `keep-outputs`): the
    training loop reads nothing else, and a returned logits tensor would
    stay live through the whole backward and be copied out every step. The
    forward function stays as the evaluation function, with all its
    results and dropout removed.

    Options left unset take the value of the module's `mpc.training`
    attribute (from the graph's `training` block), else the defaults below.
    A learning-rate schedule (`lr-schedule`, `warmup-steps`, ...) becomes the
    `schedule` of every update, which then reads the step count; `lr` is
    its peak. `@train_step` records the rate and schedule
    (`mpc.learning_rate`, `mpc.lr_schedule`) for the driver's log.

    ```mlir
    func.func @train_step(%x: tensor<32x64xf32>, %y: tensor<32xi32>) -> (tensor<f32> {mpc.loss}) {
      ...forward...
      %dl = mpc.constant dense<1.000000e+00> : tensor<f32>
      %dlogits = mpc.softmax_cross_entropy_grad %dl, %logits, %y : ...
      ...
      %w1_new, %m_new, %v_new = mpc.adamw_update %w1, %dw1, %m, %v, %t lr = ... : tensor<64x128xf32>
      mpc.store %w1_new, @w1 : tensor<64x128xf32>
      ...
    }
    ```
  }];
  let dependentDialects = ["::mpc::MpcDialect", "::mlir::func::FuncDialect"];
  let options = [
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"adamw\"",
           "Update rule: sgd, momentum or adamw">,
    Option<"learningRate", "learning-rate", "double", /*default=*/"1e-3",
           "Step size">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9",
           "AdamW: decay of the first moment">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999",
           "AdamW: decay of the second moment">,
    Option<"epsilon", "epsilon", "double", /*default=*/"1e-8",
           "AdamW: added to the denominator">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"-1",
           "Weight decay (decoupled for AdamW); unset: 0.01 for AdamW, 0 otherwise">,
    Option<"momentum", "momentum", "double", /*default=*/"0.9",
           "Momentum: the buffer's decay">,
    Option<"clipNorm", "clip-norm", "double", /*default=*/"0",
           "Clip gradients to this global L2 norm; 0 disables clipping">,
    Option<"keepOutputs", "keep-outputs", "bool", /*default=*/"false",
           "Return the forward's other results (logits) from @train_step "
           "too, not only the loss">,
    Option<"recordGradNorm", "record-grad-norm", "bool", /*default=*/"false",
           "Store the gradients' global norm in @grad_norm each step even "
           "without clipping (clipping always stores it); costs one pass over "
           "the gradients">,
    Option<"lrSchedule", "lr-schedule", "std::string", /*default=*/"\"constant\"",
           "Learning-rate schedule after the warmup: constant, cosine, linear or step">,
    Option<"warmupSteps", "warmup-steps", "int64_t", /*default=*/"0",
           "Steps of linear warmup to the learning rate">,
    Option<"decaySteps", "decay-steps", "int64_t", /*default=*/"0",
           "cosine, linear: the step the floor is reached at (warmup included); "
           "unset: training.steps">,
    Option<"minLrRatio", "min-lr-ratio", "double", /*default=*/"0",
           "cosine, linear: the floor, a fraction of the learning rate">,
    Option<"lrStepSize", "lr-step-size", "int64_t", /*default=*/"0",
           "step: steps between two decays">,
    Option<"lrGamma", "lr-gamma", "double", /*default=*/"1",
           "step: the factor of each decay">,
  ];
}

def Autocast : Pass<"mpc-autocast", "::mlir::ModuleOp"> {
  let summary = "Assigns every float op a precision and inserts the casts";
  let description = [{
    Decides, for every float op of every function (the training step's
    forward, backward and optimizer, and the evaluation function), whether it
    runs in the low precision (`dtype`) or in f32, and rewrites the types.

    Each op has a category, allow, deny, infer or clear, declared by its
    op class (the default policy, `docs/precision-policy.md`) and movable by
    a policy file. The categories are painted over the def-use graph in the
    manner of TensorFlow's auto mixed precision: allow ops are low; deny
    spreads forward through infer and clear ops that lead to further deny or
    infer ops; infer and clear ops between low ops become low; in bf16 an
    infer op with a low input and no f32-only input becomes low; low spreads
    through clear ops. A node's `mpc.precision` override fixes that node
    (and its gradient ops). Everything else runs in f32.

    Casts go only on edges whose ends disagree, one per value and target
    type, so a parameter's cast is shared by its forward and backward uses;
    a cast that undoes an exact widening is folded away. A matmul with an
    f32 consumer writes f32 directly (f32 accumulation, one rounding), so
    weight gradients never pass through 16 bits. Parameters, optimizer
    state and the optimizer keep f32. Every decided op carries
    `mpc.autocast = #mpc.autocast<category, reason>`.

    An op without a category is an error that names it.
  }];
  let dependentDialects = ["::mpc::MpcDialect"];
  let options = [
    Option<"dtype", "dtype", "std::string", /*default=*/"\"f16\"",
           "The low precision: f16 or bf16">,
    Option<"policyFile", "policy", "std::string", /*default=*/"\"\"",
           "A JSON policy file moving ops between categories">,
  ];
}

def LossScaling : Pass<"mpc-loss-scaling", "::mlir::ModuleOp"> {
  let summary = "Scales the loss, unscales the gradients and skips bad steps";
  let description = [{
    Seeds backward with the loss scale instead of 1, unscales all gradients
    with one `mpc.unscale_and_check` (which also flags inf and NaN) before
    clipping and the optimizer, and keeps every parameter and optimizer
    state unchanged on a step that overflowed (`mpc.select`).

    `static` uses a fixed scale. `dynamic` keeps the scale in the state
    symbols `@loss_scale`, `@loss_scale.good_steps` and
    `@loss_scale.hysteresis_left` (saved in checkpoints) and updates it with
    `mpc.update_loss_scale`; `@loss_scale.skipped_steps` counts the skipped
    steps. `auto` (the default) is `dynamic` when the step computes in f16
    and `none` otherwise (f32, bf16).
  }];
  let dependentDialects = ["::mpc::MpcDialect"];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"auto\"",
           "none, static, dynamic, or auto (dynamic for f16 steps)">,
    Option<"initScale", "init-scale", "double", /*default=*/"65536",
           "The first scale (static: the scale)">,
    Option<"growthFactor", "growth-factor", "double", /*default=*/"2",
           "Dynamic: the scale is multiplied by this after growth-interval clean steps">,
    Option<"backoffFactor", "backoff-factor", "double", /*default=*/"0.5",
           "Dynamic: the scale is multiplied by this on overflow">,
    Option<"growthInterval", "growth-interval", "int64_t", /*default=*/"2000",
           "Dynamic: clean steps before the scale grows">,
    Option<"hysteresis", "hysteresis", "int64_t", /*default=*/"1",
           "Dynamic: overflows tolerated before backing off (1: back off on each)">,
    Option<"minScale", "min-scale", "double", /*default=*/"1",
           "Dynamic: the floor of the scale">,
    Option<"maxScale", "max-scale", "double", /*default=*/"16777216",
           "Dynamic: the ceiling of the scale">,
  ];
}

def AccumulateGradients : Pass<"mpc-accumulate-gradients", "::mlir::ModuleOp"> {
  let summary = "Sums the gradients of N micro-batches per optimizer step";
  let description = [{
    Makes each call of `@train_step` one micro-batch: an optimizer step then
    takes `accumulate` calls, and equals one step on a batch `accumulate`
    times larger, to rounding. Runs after `mpc-loss-scaling`.

    The state `@accumulate.phase` counts the micro-batches (0 between
    optimizer steps), and each gradient the optimizer reads gets an f32 sum
    `@<param>.grad_accum`. Every call adds its gradient (still scaled, with
    loss scaling) to the sum and hands `sum / N` (the mean over the large
    batch, as the loss is a mean) on to the unscale, the clip and the
    optimizer. Every other store keeps its symbol's value unless this is the
    last micro-batch: a store the loss scaler keeps on overflow
    (`mpc.select %found_inf, %old, %new`) gets the one flag
    `not_last or found_inf`; any other store (the loss scaler's own state)
    is kept by a select on `not_last`. So the unscale's overflow check, the
    skip, the scale update and the step count act once per optimizer step,
    and an inf or NaN in any micro-batch, carried by the f32 sum, skips the
    whole step. The last micro-batch resets the sums and the phase to 0.

    ```mlir
    %phase = mpc.load @accumulate.phase : tensor<f32>
    %next = mpc.add %phase, %one : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %left = mpc.sub %n, %next : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %not_last = mpc.cast %left : tensor<f32> to tensor<i1>
    ...
    %acc = mpc.load @w1.grad_accum : tensor<64x128xf32>
    %sum = mpc.add %acc, %dw1 : (tensor<64x128xf32>, tensor<64x128xf32>) -> tensor<64x128xf32>
    %mean = mpc.div %sum, %n : (tensor<64x128xf32>, tensor<f32>) -> tensor<64x128xf32>
    %kept_sum = mpc.select %not_last, %sum, %zeros : tensor<64x128xf32>
    mpc.store %kept_sum, @w1.grad_accum : tensor<64x128xf32>
    ```

    With `accumulate` 1 (the default, unless the graph's
    `training.accumulate` says otherwise) the pass changes nothing.
    `@train_step` records the count as `mpc.accumulate`, which the training
    loop reads to feed the micro-batches.
  }];
  let dependentDialects = ["::mpc::MpcDialect"];
  let options = [
    Option<"accumulate", "accumulate", "int64_t", /*default=*/"1",
           "Micro-batches per optimizer step; unset: the graph's "
           "training.accumulate, else 1">,
  ];
}

def PrecisionReport : Pass<"mpc-precision-report", "::mlir::ModuleOp"> {
  let summary = "Prints the precision of every op, the casts, and their cost";
  let description = [{
    Reads the annotated module (after `mpc-autocast`) and prints, for every
    float op: its location, category, input and output precisions and the
    reason; every cast with the bytes it moves; and a summary: ops per
    precision, casts and bytes moved per step, and the activation memory
    saved for backward against an all-f32 step. The module is not changed.

    `format=dot` draws one function as a Graphviz graph instead (render it
    with `dot -Tsvg`): ops are nodes coloured by precision and labelled with
    their graph node's name and the op, casts are red edges with the bytes
    they move per step, and backward and optimizer sit in clusters of their
    own:

    ```sh
    mpc-opt mlp.json --mpc-train-pipeline="dtype=bf16" \
        --mpc-precision-report="format=dot output=mlp.dot" -o /dev/null
    ```
  }];
  let options = [
    Option<"format", "format", "std::string", /*default=*/"\"table\"",
           "table, json or dot">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "format=dot: the function to draw (default: train_step, else the first)">,
    Option<"forwardOnly", "forward-only", "bool", /*default=*/"false",
           "format=dot: draw the forward ops only">,
    Option<"output", "output", "std::string", /*default=*/"\"\"",
           "The file to write (- for standard output); empty: standard error">,
  ];
}

def CheckNumerics : Pass<"mpc-check-numerics", "::mlir::ModuleOp"> {
  let summary = "Marks the ops whose output statistics a run gathers";
  let description = [{
    Instruments every op that computes in f16 or bf16 (with `all-ops`,
    every op with a float result) for `mpc-run --check-numerics`: the op
    gets `mpc.numerics_probe = N`, and the module's `mpc.numerics_probes`
    names probe N by function, op, location (`node (file:line:col)`, as the
    precision report names it), output dtype and forward or backward. A
    backend that runs an instrumented step measures each probed op's outputs
    (runtime/core/NumericsCheck.h): inf/NaN, those produced from finite
    inputs, nonzero values flushed to zero or subnormals, the largest |x|.
    Loads and constants compute nothing and are not probed. Without this
    pass a step carries no instrumentation and costs nothing.

    ```mlir
    module attributes {mpc.numerics_probes = [
        {backward = false, dtype = "f16", function = "train_step",
         location = "gate_exp (exp_logits.json:16:5)", op = "exp"} ]} {
      ...
      %e = mpc.exp %s {mpc.numerics_probe = 0 : i64} : tensor<32x128xf16>
    ```
  }];
  let options = [
    Option<"allOps", "all-ops", "bool", /*default=*/"false",
           "Probe every op with a float result, f32 ones too">,
  ];
}

def FuseAttention : Pass<"mpc-fuse-attention", "::mlir::ModuleOp"> {
  let summary = "Replaces the causal attention chain with mpc.causal_attention";
  let description = [{
    Runs on the forward graph, before `mpc-build-train-step`, so that
    autodiff differentiates the fused op into one
    `mpc.causal_attention_grad`. The chain it recognises is the score
    matmul `q kᵀ` (with `transpose_b`, or of a transpose of the last two
    dims of `k`), an optional scaling by a splat constant (`mul` or `div`,
    before the mask, or after it by a positive factor), `mpc.causal_mask`
    with a `-inf` fill, a softmax over the last axis and the matmul with
    `v`; `q`, `k`, `v` and the result must have one type, each
    intermediate one use, and no op of the chain a node `precision`
    override.

    ```mlir
    %s = mpc.matmul %q, %k {transpose_b} : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x16xf32>
    %t = mpc.mul %s, %c : (tensor<2x4x16x16xf32>, tensor<f32>) -> tensor<2x4x16x16xf32>
    %m = mpc.causal_mask %t value = 0xFFF0000000000000 : tensor<2x4x16x16xf32>
    %p = mpc.softmax %m axis = -1 : tensor<2x4x16x16xf32>
    %o = mpc.matmul %p, %v : (tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
    // becomes
    %o, %lse = mpc.causal_attention %q, %k, %v scale = 0.35355339059327379 : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
    ```

    Then, when `q`, `k` and `v` are each a transpose `[..., T, H, d] ->
    [..., H, T, d]` and every reader of the result is the transpose back,
    the op becomes `sequence_major` on the transposes' inputs and replaces
    the transposes back; an operand transpose that another op also reads
    stays for it. No transpose is left around the op, nor, after autodiff,
    around its gradient. A transpose with a `precision` override is left
    alone.

    ```mlir
    %qh = mpc.transpose %q [0, 2, 1, 3] : tensor<2x16x4x8xf32> -> tensor<2x4x16x8xf32>
    // ... %kh, %vh alike
    %o, %lse = mpc.causal_attention %qh, %kh, %vh scale = 0.35355339059327379 : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
    %y = mpc.transpose %o [0, 2, 1, 3] : tensor<2x4x16x8xf32> -> tensor<2x16x4x8xf32>
    // becomes
    %y, %lse = mpc.causal_attention %q, %k, %v sequence_major scale = 0.35355339059327379 : tensor<2x16x4x8xf32>, tensor<2x4x16xf32>
    ```
  }];
  let dependentDialects = ["::mpc::MpcDialect"];
}

def Fuse : Pass<"mpc-fuse", "::mlir::ModuleOp"> {
  let summary = "Groups the training step into kernels: fused elementwise chains and GEMM epilogues";
  let description = [{
    Rewrites every function for a backend that launches one kernel per op:

    - a matmul followed by a bias add and/or a relu or gelu becomes one
      `mpc.fused_matmul` with that epilogue (and a `pre_activation` result
      when the backward pass needs it); a matmul whose only use is a
      `gelu_grad` becomes a `dgelu` epilogue;
    - the loss scaler's `mpc.select %found_inf, old, new` around an
      optimizer update become the update's `skip_if` operand, so the update
      can run in place;
    - casts to and from 16 bits fold into the ops that compute in f32
      around them, and a residual add read by a layer norm becomes one
      `mpc.add_layer_norm`;
    - the cross-entropy and its gradient on the same logits and labels
      become one `mpc.softmax_cross_entropy_with_grad`, when the gradient's
      seed does not depend on the loss (the loss scale or a constant);
    - every remaining elementwise op is merged with its elementwise
      producers and consumers of the same iteration shape into one
      `mpc.fused` region (casts, bias adds, activations and their
      gradients, scaling, residual adds); single ops are wrapped too, so a
      backend only ever sees elementwise work inside `mpc.fused`.

    Fusion never changes a result bit in `mpc.fused`; GEMM epilogues round
    once instead of after the product, as cuBLASLt does.
  }];
  let options = [
    Option<"epilogues", "epilogues", "bool", /*default=*/"true",
           "Fold bias and activations into matmuls (cuBLASLt epilogues)">,
  ];
}

def MultiTensorAdamW : Pass<"mpc-multi-tensor-adamw", "::mlir::ModuleOp"> {
  let summary = "Merges the step's AdamW updates into one multi-tensor update";
  let description = [{
    After `mpc-fuse` (whose `skip_if` the updates then share): in every
    block, the `mpc.adamw_update`s that share the step count, `skip_if`,
    learning rate, schedule, betas and epsilon become one
    `mpc.adamw_multi_update` (weight decay stays per tensor), which the CUDA
    backend runs as one multi-tensor launch per 48 tensors instead of one
    launch per parameter. The merged op takes the place of the last update;
    the stores of the earlier updates' results move after it. Updates whose
    results have other users before it, or whose stored symbols are read in
    between, are left alone; so is a lone update. Every result keeps its
    bits.

    ```mlir
    // before
    %w_new, %wm_new, %wv_new = mpc.adamw_update %w, %dw, %wm, %wv, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 : tensor<64x128xf32>
    mpc.store %w_new, @w : tensor<64x128xf32>
    %b_new, %bm_new, %bv_new = mpc.adamw_update %b, %db, %bm, %bv, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 0.000000e+00 : tensor<128xf32>
    mpc.store %b_new, @b : tensor<128xf32>
    // after
    %r:6 = mpc.adamw_multi_update params(%w, %b) grads(%dw, %db) m(%wm, %bm) v(%wv, %bv) step %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decays = [1.000000e-02, 0.000000e+00] : tensor<64x128xf32>, tensor<128xf32>
    mpc.store %r#0, @w : tensor<64x128xf32>
    mpc.store %r#1, @b : tensor<128xf32>
    ```
  }];
}

def WeightCopies : Pass<"mpc-weight-copies", "::mlir::ModuleOp"> {
  let summary = "Keeps 16-bit weight copies that the multi-tensor AdamW writes";
  let description = [{
    After `mpc-multi-tensor-adamw`: a trainable parameter that an
    `mpc.adamw_multi_update` loads and stores, and that the step casts to
    f16 or bf16 (an `mpc.cast`, or an `mpc.fused` holding only that cast),
    gets a copy: `mpc.param state @<name>.<type> ... copy_of @<name>`. Each
    such cast becomes an `mpc.load` of the copy, and the update takes the
    copy as an operand and writes its new value, the new parameter rounded
    to 16 bits, which is stored back. Every function's casts of the
    parameter go (the forward reads the copy too), except in the update's
    own block after it; casts the numerics check probes stay, as do
    parameters stored anywhere else. Every value keeps its bits: the copy
    is always what the cast would compute.

    ```mlir
    // before (in @train_step)
    %w = mpc.load @w : tensor<64x128xf32>
    %c = mpc.cast %w : tensor<64x128xf32> to tensor<64x128xbf16>
    ...
    %r:6 = mpc.adamw_multi_update params(%w, %b) grads(%dw, %db) m(%wm, %bm) v(%wv, %bv) step %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decays = [1.000000e-02, 0.000000e+00] : tensor<64x128xf32>, tensor<128xf32>
    mpc.store %r#0, @w : tensor<64x128xf32>
    // after
    mpc.param state @w.bf16 : tensor<64x128xbf16> = #mpc.init<zeros> copy_of @w
    %c = mpc.load @w.bf16 : tensor<64x128xbf16>
    ...
    %w.bf16 = mpc.load @w.bf16 : tensor<64x128xbf16>
    %r:7 = mpc.adamw_multi_update params(%w, %b) grads(%dw, %db) m(%wm, %bm) v(%wv, %bv) copies(%w.bf16 : tensor<64x128xbf16>) of [0] step %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decays = [1.000000e-02, 0.000000e+00] : tensor<64x128xf32>, tensor<128xf32>
    mpc.store %r#0, @w : tensor<64x128xf32>
    mpc.store %r#6, @w.bf16 : tensor<64x128xbf16>
    ```
  }];
}

def PlanMemory : Pass<"mpc-plan-memory", "::mlir::ModuleOp"> {
  let summary = "Assigns every intermediate a static offset in one device arena";
  let description = [{
    After `mpc-fuse`: computes the live range of every value of each
    function and packs them into an arena (offsets aligned to 256 bytes),
    reusing the space of dead values. Parameters and optimizer state are
    updated in place: an optimizer or loss-scale update writes into the
    storage of the symbol it is stored to when the old value is no longer
    needed. A result whose op may write it over an operand
    (`OverwritesOperandOpInterface`, e.g. the loss gradient over its logits)
    takes that operand's bytes when the operand is an arena value of the
    same size read by nothing after the op:

    ```mlir
    %z = mpc.matmul %x, %w {mpc.buffers = [#mpc.buffer<arena, 0>]} : (tensor<128x64xbf16>, tensor<64x1024xbf16>) -> tensor<128x1024xbf16>
    %g = mpc.softmax_cross_entropy_grad %dl, %z, %y {mpc.buffers = [#mpc.buffer<arena, 0>]} : (tensor<f32>, tensor<128x1024xbf16>, tensor<128xi32>) -> tensor<128x1024xbf16>
    ```

    Sets `mpc.buffers` on every op and `mpc.arena_bytes` and
    `mpc.peak_live_bytes` on every function, and reports them.
  }];
  let options = [
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "Where to print the plan's summary (- for standard output); empty: nowhere">,
  ];
}

def CostReport : Pass<"mpc-cost-report", "::mlir::ModuleOp"> {
  let summary = "Prints every launch of the planned step with its FLOPs, bytes and predicted time";
  let description = [{
    Reads a fused, planned module (after `mpc-fuse` and `mpc-plan-memory`)
    and prints, per function, one row per launch the CUDA backend makes
    (a GEMM, a generated kernel, a kernel of the runtime's library, a
    device copy): its FLOPs, the HBM bytes it reads and writes, whether it
    is compute- or memory-bound and its roofline time on the named chip.
    Then the launches grouped by kind, and the totals: launches, bytes,
    FLOPs, the predicted step time, the model FLOPs (llm.c's count: 3 x the
    forward GEMMs, causal attention at half) and the MFU the prediction
    implies, the arena and the peak live bytes, and the device memory the
    plan needs. The module is not changed.

    ```
    @step on h100-sxm: 5 launches, 16.79 MB, 2.15 GFLOP, predicted 5.30 us
      launches:
        location  launch  math  flops  read    written  bound    time
        gemm      matmul  bf16  2.15 G 4.19 M  2.10 M   compute  2.17 us
        ...
    ```
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"h100-sxm\"",
           "The chip to predict for: h100-sxm or h200">,
    Option<"format", "format", "std::string", /*default=*/"\"table\"",
           "table or json">,
    Option<"output", "output", "std::string", /*default=*/"\"\"",
           "The file to write (- for standard output); empty: standard error">,
  ];
}

#endif // MPC_PASSES_TD
