// Names with quotes, backslashes, tabs and non-ASCII text come out as valid
// JSON.
// RUN: mpc-opt %s --mpc-precision-report="format=json output=-" -o /dev/null \
// RUN:   | FileCheck %s
// RUN: mpc-opt %s --mpc-precision-report="format=json output=-" -o /dev/null \
// RUN:   | %python -c 'import json, sys; f = json.load(sys.stdin)["functions"][0]; \
// RUN:       assert f["name"] == "we\"ird\\name", f["name"]; \
// RUN:       assert f["ops"][0]["location"] == "tab\t\"quote\"\\ (g\u00fc.json:1:2)", f["ops"][0]["location"]'

// CHECK: "name": "we\"ird\\name",
// CHECK: {"op":"relu","location":"tab\t\"quote\"\\ (gü.json:1:2)",
func.func @"we\"ird\\name"(%x: tensor<4xf16>) -> tensor<4xf16> {
  %r = mpc.relu %x {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<4xf16> loc("tab\09\"quote\"\\"("gü.json":1:2))
  return %r : tensor<4xf16>
}
