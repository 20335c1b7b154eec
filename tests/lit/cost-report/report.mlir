// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report=output=- -o /dev/null | FileCheck %s
// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report="format=json output=-" -o /dev/null | FileCheck %s --check-prefix=JSON
// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report="chip=h200 format=json output=-" -o /dev/null | FileCheck %s --check-prefix=H200
// The report leaves the module as it was.
// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory -o %t.before
// RUN: mpc-opt %s --mpc-fuse --mpc-plan-memory --mpc-cost-report=output=%t.txt -o %t.after
// RUN: diff %t.before %t.after
// RUN: FileCheck %s --input-file=%t.txt

// Every figure below is worked out by hand from the shapes.
//
// @step, on h100-sxm (989.5 TFLOP/s bf16, 67 TFLOP/s f32, 3.35 TB/s):
// - gemm: 2 * 1024^3 = 2147483648 FLOPs; reads x and w (bf16),
//   2 * 2097152 = 4194304 bytes; writes y, 2097152. Compute 2.170 us
//   against memory 1.878 us: compute-bound.
// - exp, one kernel: 1048576 FLOPs, reads y and writes e (bf16: mpc-fuse
//   lets the loss read the 16-bit logits instead of their f32 cast), 2 *
//   2097152 = 4194304 bytes: memory-bound, 4194304 / 3.35e12 = 1.252 us.
// - the loss: rows of 1024 bf16 (2 KiB, cached between passes): 2097152
//   bytes of logits and 4096 of labels read, 1024 row losses of 4 bytes
//   written; 4 FLOPs per logit: 2105344 / 3.35e12 = 0.628 us. Then the
//   mean reads those 4096 bytes and writes 4.
// - the f32 loss leaves through a 4-byte copy, after the loss op: backward.
// Totals: 5 launches; read 4194304 + 2097152 + 2101248 + 4096 + 4 =
// 8396804, written 2097152 + 2097152 + 4096 + 4 + 4 = 4198408; outside
// GEMMs 12595212 - 6291456 = 6303756 bytes. Predicted 2.170 + 1.252 +
// 0.628 + 0.001 = 4.05 us. Model FLOPs: 3 x the one forward GEMM =
// 6442450944, which this forward-only step "beats": MFU above 100%.
// Device memory: the arguments (4198400 bytes), the result (4) and the
// arena (y and e, bf16, 4194304).

// CHECK-LABEL: @step on h100-sxm: 5 launches, 12.60 MB, 2.15 GFLOP, predicted 4.05 us
// CHECK-NEXT: launches:
// CHECK-NEXT: location {{ *}}launch {{ *}}math {{ *}}flops {{ *}}read {{ *}}written {{ *}}bound {{ *}}time
// CHECK-NEXT: gemm {{ *}}matmul {{ *}}bf16 {{ *}}2.15 G {{ *}}4.19 M {{ *}}2.10 M {{ *}}compute {{ *}}2.17 us
// CHECK-NEXT: exp {{ *}}fused {{ *}}f32 {{ *}}1.05 M {{ *}}2.10 M {{ *}}2.10 M {{ *}}memory {{ *}}1.25 us
// CHECK-NEXT: loss {{ *}}softmax_cross_entropy {{ *}}f32 {{ *}}4.19 M {{ *}}2.10 M {{ *}}4.10 k {{ *}}memory {{ *}}628.46 ns
// CHECK-NEXT: loss {{ *}}softmax_cross_entropy mean {{ *}}f32 {{ *}}1.02 k {{ *}}4.10 k {{ *}}4 {{ *}}memory {{ *}}1.22 ns
// CHECK-NEXT: out (backward) {{ *}}copy {{ *}}f32 {{ *}}0 {{ *}}4 {{ *}}4 {{ *}}memory
// CHECK-NEXT: by kind:
// CHECK-NEXT: launch {{ *}}count {{ *}}flops {{ *}}bytes {{ *}}time {{ *}}share
// CHECK-NEXT: matmul {{ *}}1 {{ *}}2.15 G {{ *}}6.29 M {{ *}}2.17 us {{ *}}53.6%
// CHECK-NEXT: fused {{ *}}1 {{ *}}1.05 M {{ *}}4.19 M {{ *}}1.25 us {{ *}}30.9%
// CHECK-NEXT: softmax_cross_entropy {{ *}}1
// CHECK-NEXT: softmax_cross_entropy mean {{ *}}1
// CHECK-NEXT: copy {{ *}}1
// CHECK-NEXT: summary:
// CHECK-NEXT: launches: 5 (1 GEMMs)
// CHECK-NEXT: bytes: read 8396804, written 4198408 (12.60 MB; outside GEMMs 6.30 MB)
// CHECK-NEXT: flops: 2.153e+09 (2.15 GFLOP in GEMMs)
// CHECK-NEXT: predicted: 4.05 us
// CHECK-NEXT: model flops: 6.442e+09; MFU 160.7%
// CHECK-NEXT: memory: arena 4194304 (4.19 MB), peak live 4194304 (4.19 MB)
// CHECK-NEXT: device memory planned: 8392708 (8.39 MB)

// JSON: "chip": {"name":"h100-sxm","f16_flops":989500000000000,"bf16_flops":989500000000000,"f32_flops":67000000000000,"hbm_bytes_per_second":3350000000000},
// JSON: {"location":"gemm","class":"matmul","backward":false,"math":"bf16","flops":2147483648,"bytes_read":4194304,"bytes_written":2097152,"bound":"compute","seconds":2.170{{[0-9]*}}e-06},
// JSON-NEXT: {"location":"exp","class":"fused","backward":false,"math":"f32","flops":1048576,"bytes_read":2097152,"bytes_written":2097152,"bound":"memory","seconds":1.252{{[0-9]*}}e-06},
// JSON-NEXT: {"location":"loss","class":"softmax_cross_entropy","backward":false,"math":"f32","flops":4194304,"bytes_read":2101248,"bytes_written":4096,"bound":"memory","seconds":6.284{{[0-9]*}}e-07},
// JSON-NEXT: {"location":"loss","class":"softmax_cross_entropy mean","backward":false,"math":"f32","flops":1024,"bytes_read":4096,"bytes_written":4,"bound":"memory","seconds":1.223{{[0-9]*}}e-09},
// JSON-NEXT: {"location":"out","class":"copy","backward":true,"math":"f32","flops":0,"bytes_read":4,"bytes_written":4,"bound":"memory","seconds":{{.*}}}
// JSON: "summary": {"launches":5,"gemm_launches":1,"flops":2152727552,"gemm_flops":2147483648,"bytes_read":8396804,"bytes_written":4198408,"non_gemm_bytes":6303756,"seconds":4.051{{[0-9]*}}e-06,"model_flops":6442450944,"mfu":1.606{{[0-9]*}},"arena_bytes":4194304,"peak_live_bytes":4194304}
// JSON: "device_bytes": 8392708

// On H200 the GEMM keeps the same compute peak; the memory-bound launches
// run at 4.8 TB/s: the exp kernel takes 4194304 / 4.8e12 = 0.874 us.
// H200: "chip": {"name":"h200",{{.*}}"hbm_bytes_per_second":4800000000000}
// H200: {"location":"gemm",{{.*}}"bound":"compute","seconds":2.170{{[0-9]*}}e-06}
// H200-NEXT: {"location":"exp",{{.*}}"bound":"memory","seconds":8.7381{{[0-9]*}}e-07}

func.func @step(%x: tensor<1024x1024xbf16>, %w: tensor<1024x1024xbf16>, %labels: tensor<1024xi32>) -> (tensor<f32> {mpc.loss}) {
  %y = mpc.matmul %x, %w : (tensor<1024x1024xbf16>, tensor<1024x1024xbf16>) -> tensor<1024x1024xbf16> loc("gemm")
  %e = mpc.exp %y : tensor<1024x1024xbf16> loc("exp")
  %f = mpc.cast %e : tensor<1024x1024xbf16> to tensor<1024x1024xf32> loc("exp")
  %l = mpc.softmax_cross_entropy %f, %labels : (tensor<1024x1024xf32>, tensor<1024xi32>) -> tensor<f32> loc("loss")
  return %l : tensor<f32> loc("out")
}
