//===- NpyWriter.h - NumPy .npy arrays written ------------------*- C++ -*-===//
//
// The other half of loadNpy (DataFiles.h): a host tensor as the bytes of a
// .npy file (format 1.0, C order), f32 as <f4 and integers as <i8, so that
// numpy.load reads what mpc-run writes and mpc-run reads it back.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_NPYWRITER_H
#define MPC_RUNTIME_DRIVER_NPYWRITER_H

#include "runtime/driver/Tensor.h"

#include <string>

namespace mpc::driver {

/// The .npy file of `tensor`: its shape, and the values `tensor.dtype`
/// selects (F32 as <f4, I64 as <i8).
std::string encodeNpy(const HostTensor &tensor);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_NPYWRITER_H
