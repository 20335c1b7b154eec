//===- CudaEmitterPrelude.h - the fixed head of a generated step -*- C++
//-*-===//

#ifndef MPC_COMPILER_TARGET_CUDA_CUDAEMITTERPRELUDE_H
#define MPC_COMPILER_TARGET_CUDA_CUDAEMITTERPRELUDE_H

#include "llvm/Support/raw_ostream.h"

namespace mpc {

/// Writes the includes and the inline helpers every generated step file
/// uses: typed loads and stores, rounding to 16-bit types, the elementwise
/// formulas of the CPU reference, the device copy and the grid size.
void emitCudaPrelude(llvm::raw_ostream &os);

} // namespace mpc

#endif // MPC_COMPILER_TARGET_CUDA_CUDAEMITTERPRELUDE_H
