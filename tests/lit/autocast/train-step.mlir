// RUN: mpc-opt %examples/mlp.json --mpc-build-train-step --mpc-autocast="dtype=bf16" | FileCheck %s

// The whole training step of the digits MLP in bf16: forward, backward and
// optimizer. Master weights and optimizer state stay f32; each weight is
// cast once per step and the cast serves forward and backward; weight
// gradients come out of their matmuls in f32 and go straight to AdamW.

// CHECK-DAG: mpc.param @w1 : tensor<64x128xf32>
// CHECK-DAG: mpc.param state @w1.m : tensor<64x128xf32>
// CHECK-DAG: mpc.param state @w2.v : tensor<128x10xf32>

// CHECK-LABEL: func.func @train_step
// CHECK: %[[W1:.*]] = mpc.load @w1 : tensor<64x128xf32>
// CHECK-NEXT: %[[W1L:.*]] = mpc.cast %[[W1]] : tensor<64x128xf32> to tensor<64x128xbf16>
// CHECK: %[[W2:.*]] = mpc.load @w2 : tensor<128x10xf32>
// CHECK-NEXT: %[[W2L:.*]] = mpc.cast %[[W2]] : tensor<128x10xf32> to tensor<128x10xbf16>
// CHECK-NOT: mpc.cast %[[W2]]
// Forward.
// CHECK: %[[H:.*]] = mpc.matmul %{{.*}}, %[[W1L]] {{.*}} -> tensor<32x128xbf16>
// CHECK: %[[LOGITS:.*]] = mpc.matmul %{{.*}}, %[[W2L]] {{.*}} -> tensor<32x10xbf16>
// CHECK: mpc.softmax_cross_entropy %{{.*}} {mpc.autocast = #mpc.autocast<deny, default_policy>} : (tensor<32x10xf32>, tensor<32xi32>) -> tensor<f32>
// Backward: the input gradient reuses the forward's cast of w2.
// CHECK: mpc.softmax_cross_entropy_grad {{.*}} -> tensor<32x10xf32>
// CHECK: mpc.matmul %{{.*}}, %[[W2L]] {mpc.autocast = #mpc.autocast<allow, default_policy>, transpose_b} : (tensor<32x10xbf16>, tensor<128x10xbf16>) -> tensor<32x128xbf16>
// CHECK: %[[DW2:.*]] = mpc.matmul {{.*}}transpose_a} : (tensor<32x128xbf16>, tensor<32x10xbf16>) -> tensor<128x10xf32>
// CHECK: %[[DW1:.*]] = mpc.matmul {{.*}}transpose_a} : (tensor<32x64xbf16>, tensor<32x128xbf16>) -> tensor<64x128xf32>
// The optimizer works on f32 masters with the f32 gradients as they are.
// CHECK: mpc.adamw_update %[[W1]], %[[DW1]], {{.*}} : tensor<64x128xf32>
// CHECK: mpc.adamw_update %[[W2]], %[[DW2]], {{.*}} : tensor<128x10xf32>
// CHECK-NOT: mpc.cast
// CHECK: return
