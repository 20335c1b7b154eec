//===- ParamValue.h - the initial value an mpc.param holds ------*- C++ -*-===//
//
// A param imported with its pretrained weights holds them as its `init`: a
// dense_resource blob (what the importers build: one copy of the bytes, and
// the op's line stays short) or a dense literal (what a hand-written module
// may spell). These read and build both, so that the verifier, the CPU
// reference executor and the step contract see one set of values.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_DIALECTS_MPC_PARAMVALUE_H
#define MPC_DIALECTS_MPC_PARAMVALUE_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace mpc {

/// Reads the float elements of `value` (a dense literal of any float type,
/// or a dense_resource blob of f32) as f32, row-major. Fails with a phrase
/// in `problem`: a blob that was elided when the module was printed, one of
/// the wrong size, an element type that is not a float.
bool readParamValue(mlir::ElementsAttr value, std::vector<float> &values,
                    std::string &problem);

/// What the verifier checks without copying the values: a float element
/// type, f32 for a blob, and a blob's size when it has its data (a module
/// printed with its blobs elided still parses and verifies; reading it
/// fails).
bool checkParamValue(mlir::ElementsAttr value, std::string &problem);

/// A dense_resource value of `type` (f32) holding `values`, in a blob
/// named after the param (the printer makes the name unique).
mlir::ElementsAttr buildParamValue(mlir::RankedTensorType type,
                                   llvm::StringRef name,
                                   llvm::ArrayRef<float> values);

} // namespace mpc

#endif // MPC_DIALECTS_MPC_PARAMVALUE_H
