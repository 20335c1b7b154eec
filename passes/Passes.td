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
    symbols beside the parameters. The forward function stays as the
    evaluation function, with dropout removed.

    Options left unset take the value of the module's `mpc.training`
    attribute (from the graph's `training` block), else the defaults below.

    ```mlir
    func.func @train_step(%x: tensor<32x64xf32>, %y: tensor<32xi32>) -> (tensor<f32>, tensor<32x10xf32>) {
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
  ];
}

#endif // MPC_PASSES_TD
