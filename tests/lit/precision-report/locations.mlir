// Locations in every form, several precisions in one function, and the
// casts that are not counted.
// RUN: mpc-opt %s --mpc-precision-report=output=- -o /dev/null \
// RUN:   | FileCheck %s --match-full-lines --strict-whitespace

#file = loc("dir/sub/g.json":3:7)
#named = loc("fc"("/nodes/4"(#file)))
#pointer_only = loc("/nodes/5"("g.json":8:1))
#name_only = loc("bare")
#fused = loc(fused[#named, "fc_bias"("/nodes/5"("g.json":9:5)), #named])
#call = loc(callsite(#named at "caller.json":1:1))

module {
  // f16 and bf16 ops side by side (a bf16 node override in an f16 step):
  // the headline lists the low precisions first. Locations: a node name and
  // the file's base name; a JSON Pointer alone gives way to its file; a bare
  // name; the parts of a fused location; a call site's callee; unknown. A
  // cast's row is located at the value it converts: an argument by its
  // mpc.name (named once where its location names it too), else by its
  // number; an op's result by the op.
  // Casts: 1024 × 512 f32->f16 = 524288 × (4 + 2) = 3145728 bytes;
  // f16->bf16 128 × (2 + 2) = 512; f32->bf16 128 × (4 + 2) = 768; the
  // i32->f16 cast changes no float precision and is not listed.
  // 3147008 bytes in all, 3.0 MiB.

  // CHECK-LABEL:@mixed: 2 of 6 ops in f16, 2 in bf16, 2 in f32; 3 casts move 3147008 bytes (3.0 MiB) per step
  //  CHECK-NEXT:  ops:
  //  CHECK-NEXT:    location                               op      category  inputs     outputs  reason
  //  CHECK-NEXT:    fc (g.json:3:7)                        matmul  allow     f16 f16    f16      default policy
  //  CHECK-NEXT:    g.json:8:1                             relu    clear     f16        f16      neighbours
  //  CHECK-NEXT:    bare                                   tanh    infer     bf16       bf16     node override
  //  CHECK-NEXT:    fc (g.json:3:7), fc_bias (g.json:9:5)  add     infer     bf16 bf16  bf16     neighbours
  //  CHECK-NEXT:    fc (g.json:3:7)                        mul     deny      f32 f32    f32      policy file
  //  CHECK-NEXT:    unknown                                add     deny      f32 f32    f32      policy file
  //  CHECK-NEXT:  casts:
  //  CHECK-NEXT:    value                    from  to    elements    bytes
  //  CHECK-NEXT:    argument 0 (g.json:2:1)  f32   f16     524288  3145728
  //  CHECK-NEXT:    g.json:3:7               f16   bf16       128      512
  //  CHECK-NEXT:    scale (g.json:2:9)       f32   bf16       128      768
  //  CHECK-NEXT:  summary:
  //  CHECK-NEXT:    ops by precision: f16 2, bf16 2, f32 2
  //  CHECK-NEXT:    casts: 3, 3147008 bytes (3.0 MiB) per step
  //   CHECK-NOT:{{.*}}saved for backward{{.*}}
  func.func @mixed(%x: tensor<1024x512xf32> loc("g.json":2:1), %i: tensor<128xi32> {mpc.name = "ids"} loc("ids"("g.json":2:3)),
                   %s: tensor<128xf32> {mpc.name = "scale"} loc("scale"("g.json":2:9)))
      -> tensor<1024x1024xf16> {
    %xh = mpc.cast %x : tensor<1024x512xf32> to tensor<1024x512xf16> loc(unknown)
    %h = mpc.matmul %xh, %xh {transpose_b, mpc.autocast = #mpc.autocast<allow, default_policy>} : (tensor<1024x512xf16>, tensor<1024x512xf16>) -> tensor<1024x1024xf16> loc(#named)
    %r = mpc.relu %h {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<1024x1024xf16> loc(#pointer_only)
    %f = mpc.cast %i : tensor<128xi32> to tensor<128xf16> loc(#file)
    %b = mpc.cast %f : tensor<128xf16> to tensor<128xbf16> loc(#file)
    %t = mpc.tanh %b {mpc.autocast = #mpc.autocast<infer, node_override>} : tensor<128xbf16> loc(#name_only)
    %sb = mpc.cast %s : tensor<128xf32> to tensor<128xbf16> loc(#file)
    %u = mpc.add %t, %sb {mpc.autocast = #mpc.autocast<infer, neighbours>} : (tensor<128xbf16>, tensor<128xbf16>) -> tensor<128xbf16> loc(#fused)
    %m = mpc.mul %s, %s {mpc.autocast = #mpc.autocast<deny, policy_file>} : (tensor<128xf32>, tensor<128xf32>) -> tensor<128xf32> loc(#call)
    %g = mpc.add %m, %m {mpc.autocast = #mpc.autocast<deny, policy_file>} : (tensor<128xf32>, tensor<128xf32>) -> tensor<128xf32> loc(unknown)
    return %r : tensor<1024x1024xf16>
  }

  // A cast of a parameter is located at its mpc.param, not at the load,
  // whose location CSE may have taken from another load of the same
  // parameter. 16 × (4 + 2) = 96 bytes.

  // CHECK-LABEL:@param_cast: no op carries an autocast decision; 1 cast moves 96 bytes per step
  //  CHECK-NEXT:  casts:
  //  CHECK-NEXT:    value           from  to   elements  bytes
  //  CHECK-NEXT:    p (g.json:4:4)  f32   f16        16     96
  mpc.param @p : tensor<16xf32> = #mpc.init<zeros> loc("p"("/params/0"("g.json":4:4)))
  func.func @param_cast() -> tensor<16xf16> {
    %p = mpc.load @p : tensor<16xf32> loc("loss_scale"("g.json":30:1))
    %h = mpc.cast %p : tensor<16xf32> to tensor<16xf16> loc("loss_scale"("g.json":30:1))
    return %h : tensor<16xf16>
  }
}
