// RUN: mpc-opt %s -canonicalize | FileCheck %s --check-prefixes=CHECK,CANON
// RUN: mpc-opt %s -cse | FileCheck %s --check-prefixes=CHECK,CSE

mpc.param @w : tensor<4xf32> = #mpc.init<zeros>

// A cast to the type it already has folds to its input.
// CHECK-LABEL: func.func @cast_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
func.func @cast_same_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CANON-NOT: mpc.cast
  // CANON: return %[[X]] : tensor<4xf32>
  // CSE: %[[C:.*]] = mpc.cast %[[X]] : tensor<4xf32> to tensor<4xf32>
  // CSE-NEXT: return %[[C]] : tensor<4xf32>
  %0 = mpc.cast %x : tensor<4xf32> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Only the identity link of a chain folds; the rest uses the original input.
// CHECK-LABEL: func.func @cast_same_type_in_chain
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
func.func @cast_same_type_in_chain(%x: tensor<4xf32>) -> tensor<4xbf16> {
  // CANON-NEXT: %[[H:.*]] = mpc.cast %[[X]] : tensor<4xf32> to tensor<4xbf16>
  // CANON-NEXT: return %[[H]] : tensor<4xbf16>
  %0 = mpc.cast %x : tensor<4xf32> to tensor<4xf32>
  %1 = mpc.cast %0 : tensor<4xf32> to tensor<4xbf16>
  return %1 : tensor<4xbf16>
}

// A round trip through bf16 rounds, so it is not the identity and stays.
// CHECK-LABEL: func.func @lossy_cast_chain_stays
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
func.func @lossy_cast_chain_stays(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: %[[H:.*]] = mpc.cast %[[X]] : tensor<4xf32> to tensor<4xbf16>
  // CHECK-NEXT: %[[F:.*]] = mpc.cast %[[H]] : tensor<4xbf16> to tensor<4xf32>
  // CHECK-NEXT: return %[[F]] : tensor<4xf32>
  %0 = mpc.cast %x : tensor<4xf32> to tensor<4xbf16>
  %1 = mpc.cast %0 : tensor<4xbf16> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

// Float to integer truncates, so this chain stays too.
// CHECK-LABEL: func.func @integer_cast_chain_stays
// CHECK-SAME: (%[[X:.*]]: tensor<4xf16>)
func.func @integer_cast_chain_stays(%x: tensor<4xf16>) -> tensor<4xf16> {
  // CHECK-NEXT: %[[I:.*]] = mpc.cast %[[X]] : tensor<4xf16> to tensor<4xi32>
  // CHECK-NEXT: %[[F:.*]] = mpc.cast %[[I]] : tensor<4xi32> to tensor<4xf16>
  // CHECK-NEXT: return %[[F]] : tensor<4xf16>
  %0 = mpc.cast %x : tensor<4xf16> to tensor<4xi32>
  %1 = mpc.cast %0 : tensor<4xi32> to tensor<4xf16>
  return %1 : tensor<4xf16>
}

// Equal constants become one; constants that differ in value or type stay
// apart.
// CHECK-LABEL: func.func @dedup_constants
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[H:.*]]: tensor<4xf16>)
func.func @dedup_constants(%x: tensor<4xf32>, %h: tensor<4xf16>) -> (tensor<4xf32>, tensor<4xf16>) {
  // -canonicalize also hoists the constants to the start of the block.
  // CANON-DAG: %[[ONE:.*]] = mpc.constant dense<1.000000e+00> : tensor<4xf32>
  // CANON-DAG: %[[TWO:.*]] = mpc.constant dense<2.000000e+00> : tensor<4xf32>
  // CANON-DAG: %[[ONE_H:.*]] = mpc.constant dense<1.000000e+00> : tensor<4xf16>
  // CANON-NOT: mpc.constant
  // CANON: %[[A:.*]] = mpc.add %[[X]], %[[ONE]]
  // CANON-NEXT: %[[B:.*]] = mpc.mul %[[A]], %[[ONE]]
  // CANON-NEXT: %[[C:.*]] = mpc.sub %[[B]], %[[TWO]]
  // CANON-NEXT: %[[D:.*]] = mpc.div %[[H]], %[[ONE_H]]
  // CANON-NEXT: return %[[C]], %[[D]]
  // CSE-NEXT: %[[ONE:.*]] = mpc.constant dense<1.000000e+00> : tensor<4xf32>
  // CSE-NEXT: %[[A:.*]] = mpc.add %[[X]], %[[ONE]]
  // CSE-NEXT: %[[B:.*]] = mpc.mul %[[A]], %[[ONE]]
  // CSE-NEXT: %[[TWO:.*]] = mpc.constant dense<2.000000e+00> : tensor<4xf32>
  // CSE-NEXT: %[[C:.*]] = mpc.sub %[[B]], %[[TWO]]
  // CSE-NEXT: %[[ONE_H:.*]] = mpc.constant dense<1.000000e+00> : tensor<4xf16>
  // CSE-NEXT: %[[D:.*]] = mpc.div %[[H]], %[[ONE_H]]
  // CSE-NEXT: return %[[C]], %[[D]]
  %c1 = mpc.constant dense<1.0> : tensor<4xf32>
  %0 = mpc.add %x, %c1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c1_again = mpc.constant dense<1.0> : tensor<4xf32>
  %1 = mpc.mul %0, %c1_again : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c2 = mpc.constant dense<2.0> : tensor<4xf32>
  %2 = mpc.sub %1, %c2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c1_half = mpc.constant dense<1.0> : tensor<4xf16>
  %3 = mpc.div %h, %c1_half : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  return %2, %3 : tensor<4xf32>, tensor<4xf16>
}

// A chain of different ops stays as written; -cse merges equal pure ops on
// the same operands.
// CHECK-LABEL: func.func @pure_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>)
func.func @pure_chain(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  // CHECK-NEXT: %[[R:.*]] = mpc.relu %[[X]] : tensor<2x4xf32>
  // CHECK-NEXT: %[[S:.*]] = mpc.softmax %[[R]] axis = 1 : tensor<2x4xf32>
  // CHECK-NEXT: %[[T:.*]] = mpc.transpose %[[S]] [1, 0] : tensor<2x4xf32> -> tensor<4x2xf32>
  // CHECK-NEXT: %[[U:.*]] = mpc.transpose %[[T]] [1, 0] : tensor<4x2xf32> -> tensor<2x4xf32>
  // CANON-NEXT: %[[R2:.*]] = mpc.relu %[[X]] : tensor<2x4xf32>
  // CANON-NEXT: return %[[U]], %[[R2]]
  // CSE-NEXT: return %[[U]], %[[R]]
  %0 = mpc.relu %x : tensor<2x4xf32>
  %1 = mpc.softmax %0 axis = 1 : tensor<2x4xf32>
  %2 = mpc.transpose %1 [1, 0] : tensor<2x4xf32> -> tensor<4x2xf32>
  %3 = mpc.transpose %2 [1, 0] : tensor<4x2xf32> -> tensor<2x4xf32>
  %4 = mpc.relu %x : tensor<2x4xf32>
  return %3, %4 : tensor<2x4xf32>, tensor<2x4xf32>
}

// Unused pure ops and loads go; stores stay, and a load after a store is not
// merged with the load before it.
// CHECK-LABEL: func.func @effects
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
func.func @effects(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK-NEXT: %[[W0:.*]] = mpc.load @w : tensor<4xf32>
  // CHECK-NEXT: mpc.store %[[X]], @w : tensor<4xf32>
  // CHECK-NEXT: %[[W1:.*]] = mpc.load @w : tensor<4xf32>
  // CHECK-NEXT: return %[[W0]], %[[W1]]
  %unused = mpc.load @w : tensor<4xf32>
  %dead = mpc.exp %x : tensor<4xf32>
  %w0 = mpc.load @w : tensor<4xf32>
  mpc.store %x, @w : tensor<4xf32>
  %w1 = mpc.load @w : tensor<4xf32>
  return %w0, %w1 : tensor<4xf32>, tensor<4xf32>
}
