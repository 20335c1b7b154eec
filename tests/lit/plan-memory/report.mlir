// RUN: mpc-opt %s --mpc-plan-memory=report=- -o /dev/null | FileCheck %s --match-full-lines --strict-whitespace
// RUN: mpc-opt %s --mpc-plan-memory=report=%t -o /dev/null
// RUN: FileCheck %s --input-file=%t --match-full-lines --strict-whitespace
// RUN: not mpc-opt %s --mpc-plan-memory=report=%t.missing/plan.txt -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNWRITABLE

// The summary, one block per function: the second line has the exact bytes.

//      CHECK:memory plan @train_step: 2 values in the arena, arena 0.50 MiB (peak live 0.50 MiB, 100% packed); parameters and state 0.25 MiB updated in place; 1 of 2 parameter/state stores in place; results written over an operand: 0 (0.00 MiB)
// CHECK-NEXT:  bytes: arena 524288, peak live 524288, arena values unshared 524288, updated in place 262144, written over an operand 0
// CHECK-NEXT:memory plan @forward: 3 values in the arena, arena 0.50 MiB (peak live 0.50 MiB, 100% packed); parameters and state 0.00 MiB updated in place; 0 of 0 parameter/state stores in place; results written over an operand: 0 (0.00 MiB)
// CHECK-NEXT:  bytes: arena 524288, peak live 524288, arena values unshared 786432, updated in place 0, written over an operand 0
//  CHECK-NOT:{{.}}

// UNWRITABLE: error: cannot write the memory plan report to '{{.*}}.missing/plan.txt': {{.+}}
// UNWRITABLE-NOT: see current operation

mpc.param @w : tensor<65536xf32> = #mpc.init<zeros>
mpc.param @x.saved : tensor<65536xf32> = #mpc.init<zeros>

func.func @train_step(%x: tensor<65536xf32>) -> tensor<65536xf32> {
  %w = mpc.load @w : tensor<65536xf32>
  %a = mpc.mul %w, %x : (tensor<65536xf32>, tensor<65536xf32>) -> tensor<65536xf32>
  %n = mpc.sub %w, %a : (tensor<65536xf32>, tensor<65536xf32>) -> tensor<65536xf32>
  mpc.store %n, @w : tensor<65536xf32>
  // An argument is copied into the state.
  mpc.store %x, @x.saved : tensor<65536xf32>
  %r = mpc.relu %a : tensor<65536xf32>
  return %r : tensor<65536xf32>
}

// Three values of 0.25 MiB, two live at a time: %c reuses %a's bytes.
func.func @forward(%x: tensor<65536xf32>) -> tensor<65536xf32> {
  %a = mpc.relu %x : tensor<65536xf32>
  %b = mpc.exp %a : tensor<65536xf32>
  %c = mpc.tanh %b : tensor<65536xf32>
  return %c : tensor<65536xf32>
}
