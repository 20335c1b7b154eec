//===- DeviceProbe.cpp - the GPU and the CUDA compiler at hand ------------===//

#include "runtime/cuda/executor/DeviceProbe.h"

#include <cuda_runtime.h>

#include <cstdlib>
#include <unistd.h>
#include <vector>

namespace mpc::cuda {

std::optional<DeviceInfo> probeDevice(std::string &error) {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    error = std::string("no CUDA device: ") + cudaGetErrorString(status);
    return std::nullopt;
  }
  if (count == 0) {
    error = "no CUDA device: the CUDA driver reports none";
    return std::nullopt;
  }
  DeviceInfo info;
  cudaDeviceProp properties;
  status = cudaGetDeviceProperties(&properties, 0);
  if (status == cudaSuccess)
    status = cudaSetDevice(0);
  if (status == cudaSuccess)
    status = cudaMemGetInfo(&info.freeBytes, &info.totalBytes);
  if (status != cudaSuccess) {
    error =
        std::string("no CUDA device: device 0: ") + cudaGetErrorString(status);
    return std::nullopt;
  }
  info.name = properties.name;
  info.major = properties.major;
  info.minor = properties.minor;
  return info;
}

std::optional<std::string> findNvcc(std::string &error) {
  if (const char *nvcc = std::getenv("MPC_NVCC")) {
    // An explicit choice is not second-guessed by the search below.
    if (access(nvcc, X_OK) == 0)
      return std::string(nvcc);
    error = std::string("nvcc not found (looked in $MPC_NVCC=") + nvcc + ")";
    return std::nullopt;
  }
  std::vector<std::string> candidates;
  if (const char *home = std::getenv("CUDA_HOME"))
    candidates.push_back(std::string(home) + "/bin/nvcc");
  candidates.push_back("/usr/local/cuda/bin/nvcc");
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find(':', start);
    if (end == std::string::npos)
      end = path.size();
    if (end > start)
      candidates.push_back(path.substr(start, end - start) + "/nvcc");
    start = end + 1;
  }
  std::string looked;
  for (const std::string &candidate : candidates) {
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate;
    looked += (looked.empty() ? "" : ", ") + candidate;
  }
  error = "nvcc not found (looked in " + looked + ")";
  return std::nullopt;
}

} // namespace mpc::cuda
