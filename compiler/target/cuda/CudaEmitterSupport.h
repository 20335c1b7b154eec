//===- CudaEmitterSupport.h - spelling IR facts in CUDA C++ -----*- C++ -*-===//
//
// The small translations the CUDA emitter shares between the step functions
// and the kernels: element types as C types and mpc_dtype enumerators,
// literals, identifiers and the comments that name an op's node.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_TARGET_CUDA_CUDAEMITTERSUPPORT_H
#define MPC_COMPILER_TARGET_CUDA_CUDAEMITTERSUPPORT_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mpc {

/// The C type a tensor of `elementType` is stored as on the device: float,
/// __half, __nv_bfloat16, int32_t (every integer type but i1) or uint8_t.
llvm::StringRef cudaStorageType(mlir::Type elementType);

/// The C type a kernel computes a value of `elementType` in: float, int32_t
/// or bool.
llvm::StringRef cudaComputeType(mlir::Type elementType);

/// The mpc_dtype enumerator of `elementType` (MPC_F32, MPC_F16, ...).
llvm::StringRef cudaDtype(mlir::Type elementType);

/// Bytes per element on the device: 4, 2, 4 (integers) or 1 (i1).
int64_t cudaElementSize(mlir::Type elementType);

/// The element type and element count of a ranked tensor value.
mlir::Type elementTypeOf(mlir::Value value);
int64_t numElementsOf(mlir::Value value);

/// A device-code literal with exactly the value `value` (an expression for
/// infinities and NaN).
std::string floatLiteral(float value);

/// A host-code literal of `value`, exact to the double (HUGE_VAL and NAN
/// from math.h for the non-finite values).
std::string doubleLiteral(double value);

/// `text` as a C string literal, quotes included, escaped.
std::string cStringLiteral(llvm::StringRef text);

/// `text` with every character that cannot be in a C identifier replaced by
/// '_'.
std::string cIdentifier(llvm::StringRef text);

/// The graph node an op comes from (the first name in its location), or "".
std::string nodeName(mlir::Location loc);

/// "node 'fc1' at mlp.json:17:5 (mpc.matmul)": where an op comes from, as
/// oneLine, for a comment and, as a C string, for the errors of the
/// generated code; "(mpc.constant) in @train_step" for an op with neither a
/// node nor a file position.
std::string describeOp(mlir::Operation *op);

/// `text` with every control character replaced by a space: a comment stays
/// on its line, and a C string of it holds the same text. (A backslash
/// stays; it joins the next line only at the end of one, and every text
/// the emitter comments with ends with ')'.)
std::string oneLine(llvm::StringRef text);

} // namespace mpc

#endif // MPC_COMPILER_TARGET_CUDA_CUDAEMITTERSUPPORT_H
