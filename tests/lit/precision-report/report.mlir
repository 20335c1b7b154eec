// A hand-annotated module in the shape of mpc-autocast's output: a training
// step, an evaluation function and a function autocast left alone.
// The table goes to stderr when no output is given.
// RUN: mpc-opt %s --mpc-precision-report -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --match-full-lines --strict-whitespace

// JSON, to stdout: key fields, and it parses, with the totals adding up.
// RUN: mpc-opt %s --mpc-precision-report="format=json output=-" -o /dev/null \
// RUN:   | FileCheck %s --check-prefix=JSON
// RUN: mpc-opt %s --mpc-precision-report="format=json output=-" -o /dev/null \
// RUN:   | %python -c 'import json, sys; fs = json.load(sys.stdin)["functions"]; \
// RUN:       assert [f["name"] for f in fs] == ["train_step", "forward", "untouched"]; \
// RUN:       assert all(f["summary"]["cast_bytes"] == sum(c["bytes"] for c in f["casts"]) for f in fs); \
// RUN:       assert all(f["summary"]["casts"] == len(f["casts"]) for f in fs)'

// To a file: nothing on stderr, and the module comes out unchanged.
// RUN: rm -rf %t && mkdir %t
// RUN: mpc-opt %s -o %t/plain.mlir
// RUN: mpc-opt %s --mpc-precision-report="output=%t/report.txt" -o %t/reported.mlir 2> %t/stderr
// RUN: count 0 < %t/stderr
// RUN: diff %t/plain.mlir %t/reported.mlir
// RUN: FileCheck %s --input-file=%t/report.txt --match-full-lines --strict-whitespace
// RUN: mpc-opt %s --mpc-precision-report="format=json output=%t/report.json" -o /dev/null
// RUN: FileCheck %s --input-file=%t/report.json --check-prefix=JSON

#x = loc("m.json":5:5)
#y = loc("m.json":6:5)
#w = loc("w"("/params/0"("m.json":9:5)))
#fc = loc("fc"("/nodes/0"("m.json":12:5)))
#act = loc("act"("/nodes/1"("m.json":13:5)))
#ce = loc("ce"("/nodes/2"("m.json":14:5)))
#graph = loc("m.json":1:1)

module {
  mpc.param @w : tensor<3x8xf32> = #mpc.init<zeros> loc(#w)

  // Casts (bytes = elements × (source + destination bytes)):
  //   x   f32->f16   6 elements × (4 + 2) =  36
  //   w   f32->f16  24 elements × (4 + 2) = 144
  //   act f16->f32  16 elements × (2 + 4) =  96
  //   ce  f32->f16  16 elements × (4 + 2) =  96 (backward)
  //   total 372 bytes, 4 casts
  // Saved for backward (defined at or before the loss op, used after it):
  //   %xh 6 × 2 = 12 and %wh 24 × 2 = 48 (copies of an argument and a
  //   parameter: 60, nothing in an all-f32 step), %h 16 × 2 = 32,
  //   %af 16 × 4 = 64; total 156. An all-f32 step saves %h and %a (which
  //   %af is a cast of) at 16 × 4 each: 128. 156 / 128 = 1.22.
  //   %a itself is used only before the loss, %loss only by the return.

  // CHECK-LABEL:@train_step: 4 of 7 ops in f16, 3 in f32; 4 casts move 372 bytes per step
  //  CHECK-NEXT:  ops:
  //  CHECK-NEXT:    location                      op                          category  inputs       outputs  reason
  //  CHECK-NEXT:    fc (m.json:12:5)              matmul                      allow     f16 f16      f16      default policy
  //  CHECK-NEXT:    act (m.json:13:5)             relu                        clear     f16          f16      neighbours
  //  CHECK-NEXT:    ce (m.json:14:5)              softmax_cross_entropy       deny      f32 i32      f32      policy file
  //  CHECK-NEXT:    ce (m.json:14:5) (backward)   softmax_cross_entropy_grad  deny      f32 f32 i32  f32      policy file
  //  CHECK-NEXT:    act (m.json:13:5) (backward)  relu_grad                   clear     f16 f16      f16      neighbours
  //  CHECK-NEXT:    fc (m.json:12:5) (backward)   matmul                      allow     f16 f16      f16      default policy
  //  CHECK-NEXT:    fc (m.json:12:5) (backward)   matmul                      allow     f16 f16      f32      node override
  //  CHECK-NEXT:  casts:
  //  CHECK-NEXT:    value                        from  to   elements  bytes
  //  CHECK-NEXT:    x (m.json:5:5)               f32   f16         6     36
  //  CHECK-NEXT:    w (m.json:9:5)               f32   f16        24    144
  //  CHECK-NEXT:    act (m.json:13:5)            f16   f32        16     96
  //  CHECK-NEXT:    ce (m.json:14:5) (backward)  f32   f16        16     96
  //  CHECK-NEXT:  summary:
  //  CHECK-NEXT:    ops by precision: f16 4, f32 3
  //  CHECK-NEXT:    casts: 4, 372 bytes per step
  //  CHECK-NEXT:    saved for backward: 156 bytes, of which 60 bytes in casts of parameters and inputs; all-f32: 128 bytes; 1.22x
  //  CHECK-EMPTY:

  // JSON:      {
  // JSON-NEXT:   "functions": [
  // JSON-NEXT:     {
  // JSON-NEXT:       "name": "train_step",
  // JSON-NEXT:       "ops": [
  // JSON-NEXT:         {"op":"matmul","location":"fc (m.json:12:5)","backward":false,"category":"allow","reason":"default_policy","inputs":["f16","f16"],"outputs":["f16"]},
  // JSON-NEXT:         {"op":"relu",{{.*}}"category":"clear","reason":"neighbours",
  // JSON-NEXT:         {"op":"softmax_cross_entropy",{{.*}}"reason":"policy_file","inputs":["f32","i32"],"outputs":["f32"]},
  // JSON-NEXT:         {"op":"softmax_cross_entropy_grad","location":"ce (m.json:14:5)","backward":true,
  // JSON-NEXT:         {"op":"relu_grad",
  // JSON-NEXT:         {"op":"matmul",{{.*}}"backward":true,{{.*}}"outputs":["f16"]},
  // JSON-NEXT:         {"op":"matmul",{{.*}}"backward":true,{{.*}}"reason":"node_override","inputs":["f16","f16"],"outputs":["f32"]}
  // JSON-NEXT:       ],
  // JSON-NEXT:       "casts": [
  // JSON-NEXT:         {"location":"x (m.json:5:5)","backward":false,"from":"f32","to":"f16","elements":6,"bytes":36},
  // JSON-NEXT:         {"location":"w (m.json:9:5)","backward":false,"from":"f32","to":"f16","elements":24,"bytes":144},
  // JSON-NEXT:         {"location":"act (m.json:13:5)","backward":false,"from":"f16","to":"f32","elements":16,"bytes":96},
  // JSON-NEXT:         {"location":"ce (m.json:14:5)","backward":true,"from":"f32","to":"f16","elements":16,"bytes":96}
  // JSON-NEXT:       ],
  // JSON-NEXT:       "summary": {"ops_by_precision":{"f16":4,"f32":3},"casts":4,"cast_bytes":372,"activation_bytes":156,"activation_copy_bytes":60,"activation_bytes_f32":128}
  // JSON-NEXT:     },
  func.func @train_step(%x: tensor<2x3xf32> {mpc.name = "x"} loc(#x),
                        %y: tensor<2xi32> {mpc.name = "y"} loc(#y))
      -> (tensor<f32> {mpc.loss, mpc.name = "loss"}) {
    %w = mpc.load @w : tensor<3x8xf32> loc(#w)
    %xh = mpc.cast %x : tensor<2x3xf32> to tensor<2x3xf16> loc(#fc)
    %wh = mpc.cast %w : tensor<3x8xf32> to tensor<3x8xf16> loc(#fc)
    %h = mpc.matmul %xh, %wh {mpc.autocast = #mpc.autocast<allow, default_policy>} : (tensor<2x3xf16>, tensor<3x8xf16>) -> tensor<2x8xf16> loc(#fc)
    %a = mpc.relu %h {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<2x8xf16> loc(#act)
    %af = mpc.cast %a : tensor<2x8xf16> to tensor<2x8xf32> loc(#ce)
    %loss = mpc.softmax_cross_entropy %af, %y {mpc.autocast = #mpc.autocast<deny, policy_file>} : (tensor<2x8xf32>, tensor<2xi32>) -> tensor<f32> loc(#ce)
    %seed = mpc.constant dense<1.0> : tensor<f32> {mpc.loss_seed} loc(#ce)
    %g = mpc.softmax_cross_entropy_grad %seed, %af, %y {mpc.autocast = #mpc.autocast<deny, policy_file>} : (tensor<f32>, tensor<2x8xf32>, tensor<2xi32>) -> tensor<2x8xf32> loc(#ce)
    %gh = mpc.cast %g : tensor<2x8xf32> to tensor<2x8xf16> loc(#act)
    %dh = mpc.relu_grad %gh, %h {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<2x8xf16> loc(#act)
    %dx = mpc.matmul %dh, %wh {transpose_b, mpc.autocast = #mpc.autocast<allow, default_policy>} : (tensor<2x8xf16>, tensor<3x8xf16>) -> tensor<2x3xf16> loc(#fc)
    %dw = mpc.matmul %xh, %dh {transpose_a, mpc.autocast = #mpc.autocast<allow, node_override>} : (tensor<2x3xf16>, tensor<2x8xf16>) -> tensor<3x8xf32> loc(#fc)
    %nw = mpc.sgd_update %w, %dw lr = 1.0e-01 weight_decay = 0.0 : tensor<3x8xf32> loc(#w)
    mpc.store %nw, @w : tensor<3x8xf32> loc(#w)
    return %loss : tensor<f32> loc(#graph)
  } loc(#graph)

  // The evaluation function: after the loss op only a cast of the logits,
  // so no activation line and nothing marked backward. Casts: x 36, w 144,
  // a 16 × (2 + 4) = 96, h (the logits) 96; 372.

  // CHECK-LABEL:@forward: 3 of 4 ops in f16, 1 in f32; 4 casts move 372 bytes per step
  //  CHECK-NEXT:  ops:
  //  CHECK-NEXT:    location           op                     category  inputs   outputs  reason
  //  CHECK-NEXT:    fc (m.json:12:5)   matmul                 allow     f16 f16  f16      default policy
  //  CHECK-NEXT:    act (m.json:13:5)  relu                   clear     f16      f16      neighbours
  //  CHECK-NEXT:    act (m.json:13:5)  reduce_sum             infer     f16      f16      neighbours
  //  CHECK-NEXT:    ce (m.json:14:5)   softmax_cross_entropy  deny      f32 i32  f32      default policy
  //  CHECK-NEXT:  casts:
  //  CHECK-NEXT:    value              from  to   elements  bytes
  //  CHECK-NEXT:    x (m.json:5:5)     f32   f16         6     36
  //  CHECK-NEXT:    w (m.json:9:5)     f32   f16        24    144
  //  CHECK-NEXT:    act (m.json:13:5)  f16   f32        16     96
  //  CHECK-NEXT:    fc (m.json:12:5)   f16   f32        16     96
  //  CHECK-NEXT:  summary:
  //  CHECK-NEXT:    ops by precision: f16 3, f32 1
  //  CHECK-NEXT:    casts: 4, 372 bytes per step
  //  CHECK-EMPTY:

  // JSON:        "name": "forward",
  // JSON:        "summary": {"ops_by_precision":{"f16":3,"f32":1},"casts":4,"cast_bytes":372,"activation_bytes":null,"activation_copy_bytes":null,"activation_bytes_f32":null}
  func.func @forward(%x: tensor<2x3xf32> {mpc.name = "x"} loc(#x),
                     %y: tensor<2xi32> {mpc.name = "y"} loc(#y))
      -> (tensor<f32> {mpc.loss, mpc.name = "loss"}, tensor<2x8xf32> {mpc.name = "logits"}) {
    %w = mpc.load @w : tensor<3x8xf32> loc(#w)
    %xh = mpc.cast %x : tensor<2x3xf32> to tensor<2x3xf16> loc(#fc)
    %wh = mpc.cast %w : tensor<3x8xf32> to tensor<3x8xf16> loc(#fc)
    %h = mpc.matmul %xh, %wh {mpc.autocast = #mpc.autocast<allow, default_policy>} : (tensor<2x3xf16>, tensor<3x8xf16>) -> tensor<2x8xf16> loc(#fc)
    %a = mpc.relu %h {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<2x8xf16> loc(#act)
    %s = mpc.reduce_sum %a [1] {mpc.autocast = #mpc.autocast<infer, neighbours>} : tensor<2x8xf16> -> tensor<2xf16> loc(#act)
    %af = mpc.cast %a : tensor<2x8xf16> to tensor<2x8xf32> loc(#ce)
    %loss = mpc.softmax_cross_entropy %af, %y {mpc.autocast = #mpc.autocast<deny, default_policy>} : (tensor<2x8xf32>, tensor<2xi32>) -> tensor<f32> loc(#ce)
    %logits = mpc.cast %h : tensor<2x8xf16> to tensor<2x8xf32> loc(#act)
    return %loss, %logits : tensor<f32>, tensor<2x8xf32> loc(#graph)
  } loc(#graph)

  // Nothing decided, no loss: a headline and an empty summary.

  // CHECK-LABEL:@untouched: no op carries an autocast decision; no casts
  //  CHECK-NEXT:  summary:
  //  CHECK-NEXT:    ops by precision: none
  //  CHECK-NEXT:    casts: 0, 0 bytes per step
  //   CHECK-NOT:{{.*}}saved for backward{{.*}}
  // JSON:        "name": "untouched",
  // JSON-NEXT:   "ops": [],
  // JSON-NEXT:   "casts": [],
  // JSON-NEXT:   "summary": {"ops_by_precision":{},"casts":0,"cast_bytes":0,"activation_bytes":null,
  // JSON-NEXT: {{^    }$}}
  // JSON-NEXT: {{^  ]$}}
  // JSON-NEXT: {{^}$}}
  // JSON-NOT: {{.}}
  func.func @untouched(%a: tensor<4xf32>) -> tensor<4xf32> {
    %r = mpc.relu %a : tensor<4xf32>
    return %r : tensor<4xf32>
  }

  // Declarations have no body to report on.
  func.func private @declared(tensor<4xf32>) -> tensor<4xf32>
}
