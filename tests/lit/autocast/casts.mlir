// RUN: mpc-opt %s -split-input-file --mpc-autocast="dtype=f16" | FileCheck %s

// Where casts go: one per value and target type, folded where they undo an
// exact widening, none between ops that agree.

// A value read by two f16 ops is cast once.
// CHECK-LABEL: func.func @one_cast_per_value
// CHECK-COUNT-1: mpc.cast %arg0 :
// CHECK-NOT: mpc.cast %arg0 :
func.func @one_cast_per_value(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %a = mpc.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %b = mpc.matmul %x, %w {transpose_b} : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %a, %b : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A parameter loaded twice is loaded and cast once.
// CHECK-LABEL: func.func @parameter_loaded_twice
// CHECK: %[[W:.*]] = mpc.load @w : tensor<4x4xf32>
// CHECK-NEXT: %[[W16:.*]] = mpc.cast %[[W]] : tensor<4x4xf32> to tensor<4x4xf16>
// CHECK-NOT: mpc.load @w
// CHECK: mpc.matmul %{{.*}}, %[[W16]]
// CHECK: mpc.matmul %{{.*}}, %[[W16]]
module {
  mpc.param @w : tensor<4x4xf32> = #mpc.init<normal>
  func.func @parameter_loaded_twice(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
    %w = mpc.load @w : tensor<4x4xf32>
    %a = mpc.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %w_again = mpc.load @w : tensor<4x4xf32>
    %b = mpc.matmul %a, %w_again : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    return %b : tensor<4x4xf32>
  }
}

// -----

// Casting back what was exactly widened folds to the original value: the
// graph's own f16 -> f32 cast is not undone by a second cast.
// CHECK-LABEL: func.func @fold_widening
// CHECK-SAME: (%[[X:.*]]: tensor<4x4xf16>
// CHECK: mpc.matmul %[[X]], %{{.*}} : (tensor<4x4xf16>, tensor<4x4xf16>)
// CHECK-NOT: to tensor<4x4xf16>
func.func @fold_widening(%x: tensor<4x4xf16>, %w: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %x32 = mpc.cast %x : tensor<4x4xf16> to tensor<4x4xf32>
  %y = mpc.matmul %x32, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// No ping-pong: a chain of f16 ops passes f16 from end to end.
// CHECK-LABEL: func.func @no_ping_pong
// CHECK-COUNT-2: mpc.cast
// CHECK-NOT: mpc.cast
func.func @no_ping_pong(%x: tensor<2x4x4xf32>, %w: tensor<4x4xf32>) -> tensor<2x4x4xf32> {
  %h = mpc.matmul %x, %w : (tensor<2x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4xf32>
  %g = mpc.gelu %h : tensor<2x4x4xf32>
  %t = mpc.transpose %g [0, 2, 1] : tensor<2x4x4xf32> -> tensor<2x4x4xf32>
  %r = mpc.relu %t : tensor<2x4x4xf32>
  %y = mpc.matmul %r, %w : (tensor<2x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4xf32>
  return %y : tensor<2x4x4xf32>
}

// -----

// A matmul whose consumers disagree writes f32 (accumulated once) and the
// f16 consumer gets the cast.
// CHECK-LABEL: func.func @mixed_consumers
// CHECK: %[[H:.*]] = mpc.matmul {{.*}} -> tensor<4x4xf32>
// CHECK-NEXT: %[[H16:.*]] = mpc.cast %[[H]] : tensor<4x4xf32> to tensor<4x4xf16>
// CHECK: mpc.softmax %[[H]]
// CHECK: mpc.matmul %[[H16]]
func.func @mixed_consumers(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %h = mpc.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %p = mpc.softmax %h axis = 1 : tensor<4x4xf32>
  %y = mpc.matmul %h, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %p, %y : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A mask fill beyond f16's range becomes its largest finite value, so a
// fully masked row cannot turn into -inf - -inf = NaN; -inf stays.
// CHECK-LABEL: func.func @mask_fill_range
// CHECK: mpc.masked_fill {{.*}} value = -6.550400e+04 {{.*}} -> tensor<4x4xf16>
// CHECK: mpc.causal_mask {{.*}} value = 0xFFF0000000000000 {{.*}} : tensor<4x4xf16>
func.func @mask_fill_range(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>, %m: tensor<4x4xi1>) -> tensor<4x4xf32> {
  %h = mpc.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %f = mpc.masked_fill %h, %m value = -1.0e9 : (tensor<4x4xf32>, tensor<4x4xi1>) -> tensor<4x4xf32>
  %c = mpc.causal_mask %f value = 0xFFF0000000000000 : tensor<4x4xf32>
  %y = mpc.matmul %c, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// A node's precision overrides the policy: a matmul kept in f32, a softmax
// run in f16.
// CHECK-LABEL: func.func @overrides
// CHECK: mpc.matmul %arg0, %arg1 {mpc.autocast = #mpc.autocast<allow, node_override>, mpc.precision = f32} : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK: mpc.softmax %{{.*}} axis = 1 {mpc.autocast = #mpc.autocast<deny, node_override>, mpc.precision = f16} : tensor<4x4xf16>
func.func @overrides(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %h = mpc.matmul %x, %w {mpc.precision = f32} : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %p = mpc.softmax %h axis = 1 {mpc.precision = f16} : tensor<4x4xf32>
  return %p : tensor<4x4xf32>
}
