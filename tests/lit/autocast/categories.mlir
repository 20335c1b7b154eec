// RUN: mpc-opt %s -split-input-file --mpc-autocast="dtype=f16" | FileCheck %s

// Each category on a small graph, in f16. Casts appear only where a
// producer and a consumer disagree, right after the producer.

// allow: matmul runs in f16. infer (add) and clear (relu) between two
// matmuls run in f16 too; the last matmul feeds the f32 result directly.
// CHECK-LABEL: func.func @between_matmuls
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[W:.*]]: tensor<4x4xf32>, %[[B:.*]]: tensor<4xf32>, %[[W2:.*]]: tensor<4x4xf32>)
// CHECK-DAG: %[[X16:.*]] = mpc.cast %[[X]] : tensor<8x4xf32> to tensor<8x4xf16>
// CHECK-DAG: %[[W16:.*]] = mpc.cast %[[W]] : tensor<4x4xf32> to tensor<4x4xf16>
// CHECK-DAG: %[[B16:.*]] = mpc.cast %[[B]] : tensor<4xf32> to tensor<4xf16>
// CHECK-DAG: %[[W216:.*]] = mpc.cast %[[W2]] : tensor<4x4xf32> to tensor<4x4xf16>
// CHECK: %[[H:.*]] = mpc.matmul %[[X16]], %[[W16]] {mpc.autocast = #mpc.autocast<allow, default_policy>} : (tensor<8x4xf16>, tensor<4x4xf16>) -> tensor<8x4xf16>
// CHECK-NEXT: %[[A:.*]] = mpc.add %[[H]], %[[B16]] {mpc.autocast = #mpc.autocast<infer, neighbours>} : (tensor<8x4xf16>, tensor<4xf16>) -> tensor<8x4xf16>
// CHECK-NEXT: %[[R:.*]] = mpc.relu %[[A]] {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<8x4xf16>
// CHECK-NEXT: %[[Y:.*]] = mpc.matmul %[[R]], %[[W216]] {mpc.autocast = #mpc.autocast<allow, default_policy>} : (tensor<8x4xf16>, tensor<4x4xf16>) -> tensor<8x4xf32>
// CHECK-NEXT: return %[[Y]] : tensor<8x4xf32>
func.func @between_matmuls(%x: tensor<8x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>, %w2: tensor<4x4xf32>) -> tensor<8x4xf32> {
  %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<8x4xf32>
  %a = mpc.add %h, %b : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
  %r = mpc.relu %a : tensor<8x4xf32>
  %y = mpc.matmul %r, %w2 : (tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}

// -----

// deny: softmax stays f32 between two f16 matmuls. The scores matmul
// writes f32 for it directly; the probabilities are cast down once.
// CHECK-LABEL: func.func @deny_softmax
// CHECK: %[[S:.*]] = mpc.matmul {{.*}} : (tensor<8x8xf16>, tensor<8x8xf16>) -> tensor<8x8xf32>
// CHECK-NEXT: %[[P:.*]] = mpc.softmax %[[S]] axis = 1 {mpc.autocast = #mpc.autocast<deny, default_policy>} : tensor<8x8xf32>
// CHECK-NEXT: %[[P16:.*]] = mpc.cast %[[P]] : tensor<8x8xf32> to tensor<8x8xf16>
// CHECK-NEXT: mpc.matmul %[[P16]], {{.*}} -> tensor<8x8xf32>
func.func @deny_softmax(%q: tensor<8x8xf32>, %k: tensor<8x8xf32>, %v: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %s = mpc.matmul %q, %k {transpose_b} : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  %p = mpc.softmax %s axis = 1 : tensor<8x8xf32>
  %o = mpc.matmul %p, %v : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  return %o : tensor<8x8xf32>
}

// -----

// infer and clear ops without a low neighbour stay f32, with no casts.
// CHECK-LABEL: func.func @no_low_neighbour
// CHECK-NOT: mpc.cast
// CHECK: mpc.add %{{.*}}, %{{.*}} {mpc.autocast = #mpc.autocast<infer, neighbours>} : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: mpc.relu %{{.*}} {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<8x4xf32>
// CHECK-NEXT: mpc.exp %{{.*}} {mpc.autocast = #mpc.autocast<deny, default_policy>} : tensor<8x4xf32>
// CHECK-NOT: mpc.cast
func.func @no_low_neighbour(%x: tensor<8x4xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  %a = mpc.add %x, %b : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
  %r = mpc.relu %a : tensor<8x4xf32>
  %e = mpc.exp %r : tensor<8x4xf32>
  return %e : tensor<8x4xf32>
}

// -----

// Deny spreads forward into an infer op that would otherwise sit between
// two matmuls: the residual add of an f32 softmax output stays f32.
// CHECK-LABEL: func.func @deny_spreads_forward
// CHECK: %[[H:.*]] = mpc.matmul {{.*}} -> tensor<8x8xf32>
// CHECK: %[[P:.*]] = mpc.softmax
// CHECK-NEXT: %[[A:.*]] = mpc.add %[[H]], %[[P]] {mpc.autocast = #mpc.autocast<infer, neighbours>} : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
// CHECK-NEXT: %[[A16:.*]] = mpc.cast %[[A]] : tensor<8x8xf32> to tensor<8x8xf16>
// CHECK-NEXT: mpc.matmul %[[A16]]
func.func @deny_spreads_forward(%x: tensor<8x8xf32>, %w: tensor<8x8xf32>, %s: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %h = mpc.matmul %x, %w : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  %p = mpc.softmax %s axis = 1 : tensor<8x8xf32>
  %a = mpc.add %h, %p : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  %y = mpc.matmul %a, %w : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  return %y : tensor<8x8xf32>
}

// -----

// clear ops next to a matmul join it: the weight is cast before its
// transpose, and a reshape between matmuls stays f16.
// CHECK-LABEL: func.func @clear_spreads
// CHECK: %[[W16:.*]] = mpc.cast %{{.*}} : tensor<4x8xf32> to tensor<4x8xf16>
// CHECK: %[[WT:.*]] = mpc.transpose %[[W16]] [1, 0] {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<4x8xf16> -> tensor<8x4xf16>
// CHECK: %[[H:.*]] = mpc.matmul %{{.*}}, %[[WT]] {{.*}} -> tensor<2x4xf16>
// CHECK-NEXT: %[[R:.*]] = mpc.reshape %[[H]] {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<2x4xf16> -> tensor<4x2xf16>
// CHECK-NEXT: mpc.matmul %[[R]], %{{.*}} {{.*}} -> tensor<4x4xf32>
func.func @clear_spreads(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>, %v: tensor<2x4xf32>) -> tensor<4x4xf32> {
  %wt = mpc.transpose %w [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
  %h = mpc.matmul %x, %wt : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %r = mpc.reshape %h : tensor<2x4xf32> -> tensor<4x2xf32>
  %y = mpc.matmul %r, %v : (tensor<4x2xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// where is infer: with an f16 branch (a matmul) and an f32 one (a denied
// exp) feeding f32 work, it runs in f32, the wider of its branches, and the
// matmul writes f32 for it directly; between two matmuls it runs in f16
// (the matmul's f32 result is cast down once for it).
// CHECK-LABEL: func.func @where_branches
// CHECK: %[[H:.*]] = mpc.matmul {{.*}} : (tensor<4x4xf16>, tensor<4x4xf16>) -> tensor<4x4xf32>
// CHECK: %[[E:.*]] = mpc.exp %{{.*}} {mpc.autocast = #mpc.autocast<deny, default_policy>} : tensor<4x4xf32>
// CHECK-NEXT: %[[W:.*]] = mpc.where %{{.*}}, %[[H]], %[[E]] {mpc.autocast = #mpc.autocast<infer, neighbours>} : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT: mpc.reduce_sum %[[W]]
// CHECK: %[[G:.*]] = mpc.where %{{.*}}, %{{.*}}, %{{.*}} {mpc.autocast = #mpc.autocast<infer, neighbours>} : (tensor<4x4xi1>, tensor<4x4xf16>, tensor<4xf16>) -> tensor<4x4xf16>
// CHECK-NEXT: mpc.matmul %[[G]], {{.*}} : (tensor<4x4xf16>, tensor<4x4xf16>) -> tensor<4x4xf32>
func.func @where_branches(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>, %c: tensor<4x4xi1>, %b: tensor<4xf32>) -> (tensor<f32>, tensor<4x4xf32>) {
  %h = mpc.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %e = mpc.exp %x : tensor<4x4xf32>
  %y = mpc.where %c, %h, %e : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %s = mpc.reduce_sum %y [0, 1] : tensor<4x4xf32> -> tensor<f32>
  %g = mpc.where %c, %h, %b : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  %o = mpc.matmul %g, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %s, %o : tensor<f32>, tensor<4x4xf32>
}
