// The probe attributes are checked wherever they appear.
// RUN: mpc-opt %s -split-input-file -verify-diagnostics

func.func @negative(%x: tensor<2xf16>) -> tensor<2xf16> {
  // expected-error @+1 {{'mpc.numerics_probe' must be a probe index >= 0}}
  %y = mpc.exp %x {mpc.numerics_probe = -1 : i64} : tensor<2xf16>
  return %y : tensor<2xf16>
}

// -----

func.func @not_an_index(%x: tensor<2xf16>) -> tensor<2xf16> {
  // expected-error @+1 {{'mpc.numerics_probe' must be a probe index >= 0}}
  %y = mpc.exp %x {mpc.numerics_probe = "exp"} : tensor<2xf16>
  return %y : tensor<2xf16>
}

// -----

// expected-error @+1 {{'mpc.numerics_probes' must be an array of dictionaries on a module}}
module attributes {mpc.numerics_probes = ["exp"]} {
}

// -----

func.func @on_a_function() attributes {mpc.numerics_probes = []} {
  // expected-error @-1 {{'mpc.numerics_probes' must be an array of dictionaries on a module}}
  return
}
