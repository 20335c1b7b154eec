// The errors of mpc-precision-report: one line at the module, exit status 1,
// and no module written.
// RUN: rm -rf %t && mkdir %t

// An unknown format names the value.
// RUN: not mpc-opt %s --mpc-precision-report=format=xml -o %t/xml.mlir 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FORMAT --implicit-check-not=error:
// RUN: not test -e %t/xml.mlir
// FORMAT: errors.mlir:[[@LINE+17]]:1: error: unknown report format 'xml'; expected table, json or dot
// RUN: not mpc-opt %s --mpc-precision-report=format=JSON 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UPPER --implicit-check-not=error:
// UPPER: error: unknown report format 'JSON'; expected table, json or dot
// RUN: not mpc-opt %s --mpc-precision-report=format= 2>&1 \
// RUN:   | FileCheck %s --check-prefix=EMPTY --implicit-check-not=error:
// EMPTY: error: unknown report format ''; expected table, json or dot

// An output file that cannot be opened: a missing folder, a folder.
// RUN: not mpc-opt %s --mpc-precision-report=output=%t/missing/report.txt -o %t/missing.mlir 2>&1 \
// RUN:   | FileCheck %s --check-prefix=MISSING --implicit-check-not=error:
// RUN: not test -e %t/missing.mlir
// MISSING: errors.mlir:[[@LINE+5]]:1: error: mpc-precision-report: cannot open output file '{{.*}}missing{{[/\\]}}report.txt': {{.*}}
// RUN: not mpc-opt %s --mpc-precision-report=output=%t 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FOLDER --implicit-check-not=error:
// FOLDER: error: mpc-precision-report: cannot open output file '{{.*}}': {{.*}}

module @m {
  func.func @f(%a: tensor<4xf16>) -> tensor<4xf16> {
    %r = mpc.relu %a {mpc.autocast = #mpc.autocast<clear, neighbours>} : tensor<4xf16>
    return %r : tensor<4xf16>
  }
}
