//===- HostDevice.h - functions for the host and the device -----*- C++ -*-===//
//
// MPC_HD marks a function that the CPU reference kernels, the CUDA library
// and generated step code all compile: one definition, so both backends
// compute the same bits.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_HOSTDEVICE_H
#define MPC_RUNTIME_CORE_HOSTDEVICE_H

#if defined(__CUDACC__)
#define MPC_HD __host__ __device__ __forceinline__
#else
#define MPC_HD inline
#endif

#endif // MPC_RUNTIME_CORE_HOSTDEVICE_H
