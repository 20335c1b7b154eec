// RUN: mpc-opt %s --mpc-fuse -split-input-file | FileCheck %s
// RUN: mpc-opt %s --mpc-fuse -split-input-file -mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// Applied again, the pass changes nothing.
// RUN: mpc-opt %s --mpc-fuse -split-input-file > %t.once
// RUN: mpc-opt %s --mpc-fuse --mpc-fuse -split-input-file > %t.twice
// RUN: diff %t.once %t.twice

// A chain is one kernel; its autocast attributes stay on the body ops, and
// the fused op is located at all of its members.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[A:.*]]: tensor<8x16xf16>, %[[B:.*]]: tensor<8x16xf16>)
// CHECK-NEXT: %[[R:.*]] = mpc.fused(%[[A]], %[[B]]) : (tensor<8x16xf16>, tensor<8x16xf16>) -> tensor<8x16xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<8x16xf16>, %[[Y:.*]]: tensor<8x16xf16>):
// CHECK-NEXT: %[[S:.*]] = mpc.add %[[X]], %[[Y]] {mpc.autocast = #mpc.autocast<infer, neighbours>}
// CHECK-NEXT: %[[T:.*]] = mpc.mul %[[S]], %[[Y]]
// CHECK-NEXT: %[[U:.*]] = mpc.relu %[[T]]
// CHECK-NEXT: %[[V:.*]] = mpc.cast %[[U]] : tensor<8x16xf16> to tensor<8x16xf32>
// CHECK-NEXT: mpc.yield %[[V]] : tensor<8x16xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]]
// LOC-LABEL: func.func @chain
// LOC: } loc(#[[FUSED:loc[0-9]+]])
// LOC: #[[FUSED]] = loc(fused[#{{.*}}, #{{.*}}, #{{.*}}, #{{.*}}])
func.func @chain(%a: tensor<8x16xf16>, %b: tensor<8x16xf16>) -> tensor<8x16xf32> {
  %0 = mpc.add %a, %b {mpc.autocast = #mpc.autocast<infer, neighbours>} : (tensor<8x16xf16>, tensor<8x16xf16>) -> tensor<8x16xf16> loc("add")
  %1 = mpc.mul %0, %b : (tensor<8x16xf16>, tensor<8x16xf16>) -> tensor<8x16xf16> loc("mul")
  %2 = mpc.relu %1 : tensor<8x16xf16> loc("relu")
  %3 = mpc.cast %2 : tensor<8x16xf16> to tensor<8x16xf32> loc("cast")
  return %3 : tensor<8x16xf32>
}

// -----

// Values read outside the group are its results; a producer with two
// consumers takes both along.
// CHECK-LABEL: func.func @multi_output
// CHECK-NEXT: %[[R:.*]]:3 = mpc.fused(%{{.*}}) : (tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
// CHECK: mpc.exp
// CHECK-NEXT: mpc.tanh
// CHECK-NEXT: mpc.sigmoid
// CHECK-NEXT: mpc.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[S:.*]] = mpc.softmax %[[R]]#0
// CHECK-NEXT: return %[[S]], %[[R]]#1, %[[R]]#2
func.func @multi_output(%a: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %0 = mpc.exp %a : tensor<4x4xf32>
  %1 = mpc.tanh %0 : tensor<4x4xf32>
  %2 = mpc.sigmoid %0 : tensor<4x4xf32>
  %3 = mpc.softmax %0 axis = 1 : tensor<4x4xf32>
  return %3, %1, %2 : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A producer whose result the consumer broadcasts stays its own kernel;
// merging it would recompute it for every row.
// CHECK-LABEL: func.func @broadcast_producer
// CHECK-NEXT: %[[P:.*]] = mpc.fused(%{{.*}}, %{{.*}}) : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
// CHECK: mpc.mul
// CHECK: %[[C:.*]] = mpc.fused(%{{.*}}, %[[P]]) : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
// CHECK: mpc.add
// CHECK-NEXT: mpc.relu
// CHECK: return %[[C]]
func.func @broadcast_producer(%x: tensor<8x16xf32>, %g: tensor<16xf32>, %s: tensor<16xf32>) -> tensor<8x16xf32> {
  %0 = mpc.mul %g, %s : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %1 = mpc.add %x, %0 : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %2 = mpc.relu %1 : tensor<8x16xf32>
  return %2 : tensor<8x16xf32>
}

// -----

// %2 reads %0 through a softmax: merging it into %0's group would make the
// group wait for its own output. Two kernels around the softmax.
// CHECK-LABEL: func.func @no_cycle
// CHECK-NEXT: %[[A:.*]] = mpc.fused
// CHECK: mpc.exp
// CHECK: %[[S:.*]] = mpc.softmax %[[A]]
// CHECK-NEXT: %[[B:.*]] = mpc.fused(%[[A]], %[[S]])
// CHECK: mpc.add
// CHECK: return %[[B]]
func.func @no_cycle(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = mpc.exp %a : tensor<4x4xf32>
  %1 = mpc.softmax %0 axis = 1 : tensor<4x4xf32>
  %2 = mpc.add %0, %1 : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %2 : tensor<4x4xf32>
}

// -----

// The same through the order of a store and a later load of one symbol.
// CHECK-LABEL: func.func @no_cycle_through_memory
// CHECK-NEXT: %[[A:.*]] = mpc.fused
// CHECK: mpc.exp
// CHECK: mpc.store %[[A]], @p
// CHECK-NEXT: %[[P:.*]] = mpc.load @p
// CHECK-NEXT: %[[B:.*]] = mpc.fused(%[[A]], %[[P]])
// CHECK: mpc.mul
mpc.param @p : tensor<4xf32> = #mpc.init<zeros>
func.func @no_cycle_through_memory(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = mpc.exp %a : tensor<4xf32>
  mpc.store %0, @p : tensor<4xf32>
  %p = mpc.load @p : tensor<4xf32>
  %1 = mpc.mul %0, %p : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// A group moves past an op between its members that does not feed it: the
// softmax reads the first member only and runs after the group.
// CHECK-LABEL: func.func @reschedule
// CHECK-NEXT: %[[G:.*]]:2 = mpc.fused
// CHECK: mpc.exp
// CHECK-NEXT: mpc.log
// CHECK: %[[S:.*]] = mpc.softmax %[[G]]#0
// CHECK-NEXT: return %[[S]], %[[G]]#1
func.func @reschedule(%a: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %0 = mpc.exp %a : tensor<4x4xf32>
  %1 = mpc.softmax %0 axis = 1 : tensor<4x4xf32>
  %2 = mpc.log %0 : tensor<4x4xf32>
  return %1, %2 : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Scalar constants are cloned into the bodies that read them (and dropped
// outside when nothing else reads them); other constants are inputs.
// CHECK-LABEL: func.func @constants
// CHECK-NEXT: %[[V:.*]] = mpc.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-NEXT: %[[R:.*]] = mpc.fused(%{{.*}}, %[[V]]) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: %[[C:.*]] = mpc.constant dense<2.000000e+00> : tensor<f32>
// CHECK-NEXT: mpc.mul %{{.*}}, %[[C]]
// CHECK-NEXT: mpc.add
// CHECK-NOT: mpc.constant
// CHECK: return %[[R]]
func.func @constants(%a: tensor<4xf32>) -> tensor<4xf32> {
  %c = mpc.constant dense<2.000000e+00> : tensor<f32>
  %v = mpc.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = mpc.mul %a, %c : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = mpc.add %0, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Every elementwise op is in a kernel, alone if need be; others are left.
// CHECK-LABEL: func.func @single_ops
// CHECK-NEXT: %[[A:.*]] = mpc.fused(%{{.*}}) : (tensor<4x8xf32>) -> tensor<4x8xbf16> {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: mpc.cast
// CHECK-NEXT: mpc.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[T:.*]] = mpc.transpose %[[A]]
// CHECK-NEXT: %[[B:.*]] = mpc.fused(%[[T]]) : (tensor<8x4xbf16>) -> tensor<8x4xf32> {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: mpc.cast
// CHECK-NEXT: mpc.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[B]]
func.func @single_ops(%a: tensor<4x8xf32>) -> tensor<8x4xf32> {
  %0 = mpc.cast %a : tensor<4x8xf32> to tensor<4x8xbf16>
  %1 = mpc.transpose %0 [1, 0] : tensor<4x8xbf16> -> tensor<8x4xbf16>
  %2 = mpc.cast %1 : tensor<8x4xbf16> to tensor<8x4xf32>
  return %2 : tensor<8x4xf32>
}

// -----

// Ops already fused are left alone, and nothing merges into them.
// CHECK-LABEL: func.func @already_fused
// CHECK-NEXT: %[[A:.*]] = mpc.fused(%{{.*}}) : (tensor<4xf32>) -> tensor<4xf32> {
// CHECK: mpc.exp
// CHECK: %[[B:.*]] = mpc.fused(%[[A]]) : (tensor<4xf32>) -> tensor<4xf32> {
// CHECK: mpc.log
// CHECK: return %[[B]]
func.func @already_fused(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = mpc.fused(%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %e = mpc.exp %x : tensor<4xf32>
    mpc.yield %e : tensor<4xf32>
  }
  %1 = mpc.log %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}
