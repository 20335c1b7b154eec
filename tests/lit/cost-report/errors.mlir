// The errors of mpc-cost-report: one line, exit status 1, no module and no
// report written.
// RUN: rm -rf %t && mkdir %t

// RUN: not mpc-opt %s --mpc-plan-memory --mpc-cost-report=format=xml -o %t/xml.mlir 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FORMAT --implicit-check-not=error:
// RUN: not test -e %t/xml.mlir
// FORMAT: error: unknown report format 'xml'; expected table or json

// RUN: not mpc-opt %s --mpc-plan-memory --mpc-cost-report=chip=a100 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHIP --implicit-check-not=error:
// CHIP: error: unknown chip 'a100'; expected one of h100-sxm, h200

// Without a memory plan there is nothing to cost.
// RUN: not mpc-opt %s --mpc-cost-report=output=%t/unplanned.txt 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UNPLANNED --implicit-check-not=error:
// RUN: not test -e %t/unplanned.txt
// UNPLANNED: errors.mlir:[[@LINE+8]]:3: error: has no memory plan; run mpc-fuse and mpc-plan-memory (or mpc-cuda-pipeline) before mpc-cost-report

// RUN: not mpc-opt %s --mpc-plan-memory --mpc-cost-report=output=%t/missing/report.txt 2>&1 \
// RUN:   | FileCheck %s --check-prefix=MISSING --implicit-check-not=error:
// MISSING: error: mpc-cost-report: cannot open output file '{{.*}}missing{{[/\\]}}report.txt': {{.*}}

// A forward-only function after fusion: no mpc.fused needed for a matmul.
module @m {
  func.func @f(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
    %r = mpc.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    return %r : tensor<4x4xf32>
  }
}
