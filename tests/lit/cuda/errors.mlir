// RUN: not mpc-translate --mpc-to-cuda --split-input-file %s 2>&1 | FileCheck %s
// RUN: not mpc-translate --mpc-to-cuda %S/Inputs/unplanned.mlir -o %t.cu 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not test -e %t.cu

// Each error is one line naming the op's location, and nothing is written.

// CHECK: within split at {{.*}}errors.mlir:{{[0-9]+}} offset :8:3: error: function @f has no memory plan (run mpc-plan-memory first)
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> attributes {mpc.arena_bytes = 256 : i64, mpc.peak_live_bytes = 16 : i64} {
  // CHECK: within split at {{.*}}errors.mlir:{{[0-9]+}} offset :5:8: error: 'mpc.relu' op is not in an mpc.fused kernel (run mpc-fuse first)
  %y = mpc.relu %x {mpc.buffers = [#mpc.buffer<arena, 0>]} : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @f(%a: tensor<2x1x4x8xf32>, %b: tensor<1x3x8x4xf32>) -> tensor<2x3x4x4xf32> attributes {mpc.arena_bytes = 512 : i64, mpc.peak_live_bytes = 384 : i64} {
  // CHECK: within split at {{.*}}errors.mlir:{{[0-9]+}} offset :5:8: error: 'mpc.matmul' op cannot run as one strided batched GEMM: the lhs's batch dims [2, 1] broadcast only partly to [2, 3]
  %c = mpc.matmul %a, %b {mpc.buffers = [#mpc.buffer<arena, 0>]} : (tensor<2x1x4x8xf32>, tensor<1x3x8x4xf32>) -> tensor<2x3x4x4xf32>
  return %c : tensor<2x3x4x4xf32>
}

// -----

func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> attributes {mpc.arena_bytes = 256 : i64, mpc.peak_live_bytes = 128 : i64} {
  // CHECK: within split at {{.*}}errors.mlir:{{[0-9]+}} offset :5:8: error: 'mpc.softmax' op has no buffer for its results (run mpc-plan-memory first)
  %y = mpc.softmax %x axis = 1 : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @f(%x: tensor<2x3x4xf32>) -> tensor<3xf32> attributes {mpc.arena_bytes = 256 : i64, mpc.peak_live_bytes = 16 : i64} {
  // CHECK: within split at {{.*}}errors.mlir:{{[0-9]+}} offset :5:8: error: 'mpc.reduce_sum' op reduces axes that are not adjacent, which the CUDA backend does not support
  %y = mpc.reduce_sum %x [0, 2] {mpc.buffers = [#mpc.buffer<arena, 0>]} : tensor<2x3x4xf32> -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> attributes {mpc.arena_bytes = 256 : i64, mpc.peak_live_bytes = 128 : i64} {
  %y = mpc.fused (%x) {mpc.buffers = [#mpc.buffer<arena, 0>]} : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    // CHECK: within split at {{.*}}errors.mlir:{{[0-9]+}} offset :7:10: error: 'mpc.constant' op in an mpc.fused body must be a scalar dense constant
    %c = mpc.constant dense_resource<blob> : tensor<f32>
    %s = mpc.add %a, %c : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
    mpc.yield %s : tensor<4x8xf32>
  }
  return %y : tensor<4x8xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F"
    }
  }
#-}

// -----

func.func @f(%x: tensor<2xi64>) -> tensor<2xi64> attributes {mpc.arena_bytes = 256 : i64, mpc.peak_live_bytes = 8 : i64} {
  // CHECK: within split at {{.*}}errors.mlir:{{[0-9]+}} offset :5:8: error: 'mpc.constant' op holds 4294967296, beyond the device's 32-bit integers
  %c = mpc.constant dense<[1, 4294967296]> : tensor<2xi64> {mpc.buffers = [#mpc.buffer<arena, 0>]}
  return %c : tensor<2xi64>
}

// CHECK-NOT: error:
// NOFILE: unplanned.mlir:3:3: error: function @train_step has no memory plan (run mpc-plan-memory first)
