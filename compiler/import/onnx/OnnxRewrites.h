//===- OnnxRewrites.h - fusing what exporters spell out ---------*- C++ -*-===//
//
// Exporters write some ops as chains of simpler ones. After import these
// patterns give them back their mpc op. Private to the ONNX front end.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_IMPORT_ONNX_ONNXREWRITES_H
#define MPC_COMPILER_IMPORT_ONNX_ONNXREWRITES_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace mpc::onnx_import {

/// div(1, sqrt(x)) -> rsqrt(x); matmul of a transpose of the last two dims
/// -> matmul with the transpose flag; the tanh approximation of GELU
/// (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))) -> gelu; x sigmoid(x)
/// -> silu; LLaMA's RMSNorm, x rsqrt(mean(x^2, last dim) + eps) weight,
/// -> rms_norm.
void populateOnnxImportPatterns(mlir::RewritePatternSet &patterns);

} // namespace mpc::onnx_import

#endif // MPC_COMPILER_IMPORT_ONNX_ONNXREWRITES_H
