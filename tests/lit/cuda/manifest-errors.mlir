// RUN: not mpc-translate --mpc-to-manifest --split-input-file %s 2>&1 | FileCheck %s

// The manifest describes tensors of known rank only: a function taking
// anything else is an error at the function, not a manifest that lies.

// CHECK: within split at {{.*}}manifest-errors.mlir:1 offset :7:1: error: function @f: arg 0 is 'i32', not a ranked tensor
func.func @f(%n: i32, %x: tensor<4xf32>) -> tensor<4xf32> attributes {mpc.arena_bytes = 0 : i64, mpc.peak_live_bytes = 0 : i64} {
  return %x : tensor<4xf32>
}

// -----

// CHECK: within split at {{.*}}manifest-errors.mlir:11 offset :4:1: error: function @g: arg 1 is 'tensor<*xf32>', not a ranked tensor
func.func @g(%x: tensor<4xf32>, %u: tensor<*xf32>) -> tensor<4xf32> attributes {mpc.arena_bytes = 0 : i64, mpc.peak_live_bytes = 0 : i64} {
  return %x : tensor<4xf32>
}
