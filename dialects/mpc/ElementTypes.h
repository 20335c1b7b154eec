//===- ElementTypes.h - IR element types as runtime dtypes ------*- C++ -*-===//
//
// A value's element type is its precision (f32, f16, bf16) or an integer
// type (ids, labels, flags). This maps it onto the runtime's one dtype
// vocabulary (runtime/core/DType.h), so the CUDA target, the manifest and
// the memory plan read names, sizes and C types from one table.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_DIALECTS_MPC_ELEMENTTYPES_H
#define MPC_DIALECTS_MPC_ELEMENTTYPES_H

#include "runtime/core/DType.h"

#include "mlir/IR/Types.h"

#include <optional>

namespace mpc {

/// The type a tensor of `elementType` has on the device: f32, f16 and bf16 as
/// they are, i1 as one byte, every other integer type as int32; none for any
/// other type.
std::optional<DType> deviceDType(mlir::Type elementType);

/// Whether `elementType` is f16 or bf16: a low precision of mixed-precision
/// training.
bool isSixteenBitFloat(mlir::Type elementType);

} // namespace mpc

#endif // MPC_DIALECTS_MPC_ELEMENTTYPES_H
