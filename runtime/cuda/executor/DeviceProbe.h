//===- DeviceProbe.h - the GPU and the CUDA compiler at hand ----*- C++ -*-===//
//
// What `--device cuda` checks before it touches anything: that a GPU is
// there, that nvcc can be found, and how much memory the GPU has free.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_EXECUTOR_DEVICEPROBE_H
#define MPC_RUNTIME_CUDA_EXECUTOR_DEVICEPROBE_H

#include <cstddef>
#include <optional>
#include <string>

namespace mpc::cuda {

/// The current CUDA device.
struct DeviceInfo {
  std::string name;
  /// Compute capability, e.g. 9 and 0 for sm_90.
  int major = 0, minor = 0;
  size_t freeBytes = 0, totalBytes = 0;

  /// The SM architecture number nvcc takes (90 for sm_90).
  int sm() const { return major * 10 + minor; }
};

/// Device 0, or none with error "no CUDA device: <what CUDA said>".
std::optional<DeviceInfo> probeDevice(std::string &error);

/// The nvcc to compile step libraries with: $MPC_NVCC, else
/// $CUDA_HOME/bin/nvcc, /usr/local/cuda/bin/nvcc, then nvcc on PATH. None
/// with error "nvcc not found (looked in ...)".
std::optional<std::string> findNvcc(std::string &error);

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_EXECUTOR_DEVICEPROBE_H
