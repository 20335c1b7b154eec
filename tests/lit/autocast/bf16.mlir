// RUN: mpc-opt %s --mpc-autocast="dtype=f16" | FileCheck %s --check-prefix=F16
// RUN: mpc-opt %s --mpc-autocast="dtype=bf16" | FileCheck %s --check-prefix=BF16

// Only in bf16 does an infer op follow a low input (bf16 has f32's range):
// the bias add after the last matmul runs in bf16 and is widened once at
// the end; in f16 the matmul writes f32 and the add runs in f32.
// F16: mpc.matmul {{.*}} -> tensor<8x4xf32>
// F16-NEXT: mpc.add {{.*}} : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
// BF16: %[[H:.*]] = mpc.matmul {{.*}} -> tensor<8x4xbf16>
// BF16-NEXT: %[[A:.*]] = mpc.add %[[H]], {{.*}} : (tensor<8x4xbf16>, tensor<4xbf16>) -> tensor<8x4xbf16>
// BF16-NEXT: %[[A32:.*]] = mpc.cast %[[A]] : tensor<8x4xbf16> to tensor<8x4xf32>
// BF16-NEXT: return %[[A32]]
func.func @bias_after_matmul(%x: tensor<8x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  %h = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<8x4xf32>
  %a = mpc.add %h, %b : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
  return %a : tensor<8x4xf32>
}
