// RUN: mpc-opt %s -split-input-file -verify-diagnostics

// The dialect checks the attributes mpc-plan-memory records.

func.func @count(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.buffers' must hold one #mpc.buffer per result}}
  %a = mpc.relu %x {mpc.buffers = [#mpc.buffer<arena, 0>, #mpc.buffer<arena, 256>]} : tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

func.func @kind(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'mpc.buffers' must hold one #mpc.buffer per result}}
  %a = mpc.relu %x {mpc.buffers = [0 : i64]} : tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

// expected-error @+1 {{'mpc.arena_bytes' must be a non-negative i64}}
func.func @negative() attributes {mpc.arena_bytes = -1 : i64} {
  return
}

// -----

// expected-error @+1 {{'mpc.peak_live_bytes' must be a non-negative i64}}
func.func @not_i64() attributes {mpc.peak_live_bytes = 4 : i32} {
  return
}
